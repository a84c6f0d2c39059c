/**
 * The protection status an auditor asks about, read from the account (never assumed from the template):
 * retention (TTL), point-in-time recovery, deletion protection, the append-only resource policy, the alarm
 * topic's subscription, and whether a CloudTrail trail logs Cognito's authentication events. Each read has
 * its own time budget; anything that cannot be read is `unknown` with its reason instead of failing the pack.
 */
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  GetResourcePolicyCommand,
} from '@aws-sdk/client-dynamodb';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { deniedActions, refusesTampering } from '../../authenticated/src/resource-policy.ts';
import { CHECK_RETRIES, clientConfig } from '../core/clients.ts';
import { type Reason, reasonOf } from '../core/reason.ts';
import { LOGICAL_ID } from '../core/stack.ts';

export { deniedActions };

import { checkAuthEventTrail } from './trail-check.ts';

/** Budget of one status read: an unreachable endpoint costs the pack this long, not a hang. */
export const READ_BUDGET_MS = 10_000;

/** One word an auditor can filter on; `unknown` comes with its reason. */
export type Status =
  | 'enabled'
  | 'disabled'
  | 'none'
  | 'partial'
  | 'confirmed'
  | 'pending'
  | 'logging'
  | 'not logging'
  | 'not configured'
  | 'unknown';

/** What a status rests on, by name (the report words each name in its language). */
export interface Facts {
  /** The TTL attribute. */
  attribute?: string;
  /** The stack's RetentionDays. */
  retentionDays?: number;
  earliestRestorable?: string;
  recoveryPeriodDays?: number;
  deniedActions?: string[];
  topic?: string;
  confirmed?: number;
  pending?: number;
  trails?: string[];
  trailsChecked?: number;
}
export type FactName = keyof Facts;

export interface Check {
  status: Status;
  /** Why the status is unknown. */
  reason?: Reason;
  facts?: Facts;
}

export interface ProtectionStatus {
  retention: Check;
  pointInTimeRecovery: Check;
  deletionProtection: Check;
  appendOnlyPolicy: Check;
  alarmSubscription: Check;
  authEventTrail: Check;
}

export const unknown = (reason: Reason): Check => ({ status: 'unknown', reason });
export const isUnknown = (check: Check) => check.status === 'unknown';

/** Environment variable of one service's endpoint (the SDK's AWS_ENDPOINT_URL_<SERVICE ID>). */
const ENDPOINT_ENV = {
  cloudformation: 'AWS_ENDPOINT_URL_CLOUDFORMATION',
  cloudtrail: 'AWS_ENDPOINT_URL_CLOUDTRAIL',
  sns: 'AWS_ENDPOINT_URL_SNS',
  sts: 'AWS_ENDPOINT_URL_STS',
  eventbridge: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  'cognito-idp': 'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
  lambda: 'AWS_ENDPOINT_URL_LAMBDA',
  s3: 'AWS_ENDPOINT_URL_S3',
  kms: 'AWS_ENDPOINT_URL_KMS',
} as const;

/**
 * Why a service is not asked, or undefined when it may be: when DynamoDB is a local engine
 * (AWS_ENDPOINT_URL_DYNAMODB) and this service has no endpoint of its own, asking AWS would describe some
 * other account than the table's, so the answer is not the table's.
 */
export function notReachable(
  service: keyof typeof ENDPOINT_ENV,
  env: NodeJS.ProcessEnv = process.env,
): Reason | undefined {
  if (!env.AWS_ENDPOINT_URL_DYNAMODB || env[ENDPOINT_ENV[service]] || env.AWS_ENDPOINT_URL) return undefined;
  return {
    code: 'local-endpoint',
    service,
    variable: ENDPOINT_ENV[service],
    endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
  };
}

const budget = () => ({ abortSignal: AbortSignal.timeout(READ_BUDGET_MS) });
const why = (error: unknown) => reasonOf(error, READ_BUDGET_MS);
async function read(check: () => Promise<Check>): Promise<Check> {
  try {
    return await check();
  } catch (error) {
    return unknown(why(error));
  }
}

async function tableChecks(ddb: DynamoDBClient, table: string) {
  let tableArn: string | undefined;
  const deletionProtection = await read(async () => {
    const described = await ddb.send(new DescribeTableCommand({ TableName: table }), budget());
    tableArn = described.Table?.TableArn;
    const on = described.Table?.DeletionProtectionEnabled;
    if (on === undefined) return unknown({ code: 'not-reported', field: 'DeletionProtectionEnabled' });
    return { status: on ? 'enabled' : 'disabled' };
  });
  const retention = await read(async (): Promise<Check> => {
    const ttl = (await ddb.send(new DescribeTimeToLiveCommand({ TableName: table }), budget()))
      .TimeToLiveDescription;
    const status = ttl?.TimeToLiveStatus === 'ENABLED' ? 'enabled' : 'disabled';
    return ttl?.AttributeName ? { status, facts: { attribute: ttl.AttributeName } } : { status };
  });
  const pointInTimeRecovery = await read(async () => {
    const pitr = (await ddb.send(new DescribeContinuousBackupsCommand({ TableName: table }), budget()))
      .ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    if (pitr?.PointInTimeRecoveryStatus !== 'ENABLED') return { status: 'disabled' };
    return {
      status: 'enabled',
      facts: {
        ...(pitr.EarliestRestorableDateTime
          ? { earliestRestorable: pitr.EarliestRestorableDateTime.toISOString() }
          : {}),
        ...(pitr.RecoveryPeriodInDays ? { recoveryPeriodDays: pitr.RecoveryPeriodInDays } : {}),
      },
    };
  });
  const appendOnlyPolicy = await read(async () => {
    if (!tableArn) return unknown({ code: 'table-arn-unknown' });
    try {
      const policy = await ddb.send(new GetResourcePolicyCommand({ ResourceArn: tableArn }), budget());
      const denied = deniedActions(policy.Policy ?? '{}');
      const enforced = refusesTampering(denied);
      return { status: enforced ? 'enabled' : 'partial', facts: { deniedActions: denied } };
    } catch (error) {
      if ((error as Error).name === 'PolicyNotFoundException') return { status: 'none' };
      throw error;
    }
  });
  return { retention, pointInTimeRecovery, deletionProtection, appendOnlyPolicy };
}

/** Whether the stack's alarm topic has a confirmed subscription (the topic exists only with AlarmEmail). */
export async function alarmSubscription(
  region: string | undefined,
  stackName: string | undefined,
): Promise<Check> {
  if (!stackName) return unknown({ code: 'no-stack-name' });
  const blocked = notReachable('cloudformation') ?? notReachable('sns');
  if (blocked) return unknown(blocked);
  const cfn = new CloudFormationClient(clientConfig(region, CHECK_RETRIES));
  const sns = new SNSClient(clientConfig(region, CHECK_RETRIES));
  try {
    return await read(async () => {
      let topicArn: string | undefined;
      try {
        topicArn = (
          await cfn.send(
            new DescribeStackResourceCommand({
              StackName: stackName,
              LogicalResourceId: LOGICAL_ID.alarmTopic,
            }),
            budget(),
          )
        ).StackResourceDetail?.PhysicalResourceId;
      } catch (error) {
        // The topic exists only when the stack was deployed with AlarmEmail.
        if (/does not exist/i.test((error as Error).message)) return { status: 'not configured' };
        throw error;
      }
      if (!topicArn) return { status: 'not configured' };
      const subscriptions =
        (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }), budget()))
          .Subscriptions ?? [];
      const confirmed = subscriptions.filter(
        (s) => s.SubscriptionArn && s.SubscriptionArn !== 'PendingConfirmation',
      );
      const facts = {
        topic: topicArn,
        confirmed: confirmed.length,
        pending: subscriptions.length - confirmed.length,
      };
      if (subscriptions.length === 0) return { status: 'none', facts };
      return { status: confirmed.length > 0 ? 'confirmed' : 'pending', facts };
    });
  } finally {
    cfn.destroy();
    sns.destroy();
  }
}

/**
 * Whether a trail logs the region's management events, read and write (Cognito's sign-in calls include
 * read-only ones), judged as `npm run attach` judges it; a trail that could not be read leaves it unknown.
 * `clientFor` gives a client for a region (tests give an emulator's).
 */
export async function authEventTrail(
  region: string | undefined,
  clientFor = (r: string) => new CloudTrailClient(clientConfig(r, CHECK_RETRIES)),
): Promise<Check> {
  const blocked = notReachable('cloudtrail');
  if (blocked) return unknown(blocked);
  return read(async (): Promise<Check> => {
    const check = await checkAuthEventTrail(region ?? (await defaultRegion()), clientFor, budget);
    const logging = check.trails.filter((t) => !t.problem).map((t) => t.name);
    if (logging.length > 0) return { status: 'logging', facts: { trails: logging } };
    const unread = check.trails.find((t) => t.error !== undefined);
    if (unread) return unknown({ code: 'trail-unreadable', trail: unread.name, cause: why(unread.error) });
    return { status: 'not logging', facts: { trailsChecked: check.trails.length } };
  });
}

/** The region the SDK picks when --region is not given (environment or profile), as the other reads use. */
async function defaultRegion(): Promise<string> {
  const client = new CloudTrailClient(clientConfig(undefined));
  try {
    return await client.config.region();
  } finally {
    client.destroy();
  }
}

export async function protectionStatus(options: {
  ddb: DynamoDBClient;
  table: string;
  region: string | undefined;
  stackName: string | undefined;
  /** The stack's RetentionDays parameter, when read from a stack. */
  retentionDays?: string;
}): Promise<ProtectionStatus> {
  const [table, alarm, trail] = await Promise.all([
    tableChecks(options.ddb, options.table),
    alarmSubscription(options.region, options.stackName),
    authEventTrail(options.region),
  ]);
  if (options.retentionDays !== undefined && !isUnknown(table.retention)) {
    table.retention.facts = { ...table.retention.facts, retentionDays: Number(options.retentionDays) };
  }
  return { ...table, alarmSubscription: alarm, authEventTrail: trail };
}

/** Who generated the pack (STS GetCallerIdentity), or why that is not known. */
export async function callerIdentity(
  region: string | undefined,
): Promise<{ arn: string; account: string } | { unknown: Reason }> {
  const blocked = notReachable('sts');
  if (blocked) return { unknown: blocked };
  const sts = new STSClient(clientConfig(region, CHECK_RETRIES));
  try {
    const me = await sts.send(new GetCallerIdentityCommand({}), budget());
    return { arn: me.Arn ?? '', account: me.Account ?? '' };
  } catch (error) {
    return { unknown: why(error) };
  } finally {
    sts.destroy();
  }
}
