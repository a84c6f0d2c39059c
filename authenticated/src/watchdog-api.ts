/**
 * The watchdog's reads and its one write (the metrics), with this bundle's SDK clients: one client per
 * service, created once per container, each call bounded in time.
 */
import { createPublicKey } from 'node:crypto';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DescribeTableCommand, DynamoDBClient, GetResourcePolicyCommand } from '@aws-sdk/client-dynamodb';
import { DescribeRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  GetEventSourceMappingCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { s3DigestStore } from './digest-store.ts';
import { signatureVerifies } from './trail-digest.ts';
import { checkTrails } from './trail-logging.ts';
import { CHECKS, type CheckResult, type FunctionSettings, type WatchdogApi } from './watchdog-checks.ts';

const notFound = (error: unknown) => /NotFound/.test((error as Error).name);

/** The answer, or undefined when the thing asked about does not exist (the check then says it is missing). */
async function unlessMissing<T>(
  call: () => Promise<T>,
  missing: (error: unknown) => boolean = notFound,
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (missing(error)) return undefined;
    throw error;
  }
}

/** Budget of one read: a service that does not answer fails its check, it does not stall the others. */
const READ_BUDGET_MS = 10_000;
const budget = () => ({ abortSignal: AbortSignal.timeout(READ_BUDGET_MS) });

export interface ClientOptions {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function createWatchdogApi(
  options: ClientOptions,
  settings: { bucket: string; signingKeyArn: string; region: string },
) {
  const config = { ...options, maxAttempts: 3 };
  const cognito = new CognitoIdentityProviderClient(config);
  const lambda = new LambdaClient(config);
  const events = new EventBridgeClient(config);
  const scheduler = new SchedulerClient(config);
  const cloudtrail = new CloudTrailClient(config);
  const ddb = new DynamoDBClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: options.endpoint !== undefined });
  const kms = new KMSClient(config);
  const cloudwatch = new CloudWatchClient(config);
  let publicKey: ReturnType<typeof createPublicKey> | undefined;

  const api: WatchdogApi = {
    async postAuthenticationTrigger(userPoolId) {
      const pool = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }), budget());
      return pool.UserPool?.LambdaConfig?.PostAuthentication;
    },
    async functionSettings(name, qualifier) {
      const c = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: qualifier }),
        budget(),
      );
      return {
        CodeSha256: c.CodeSha256,
        Handler: c.Handler,
        Runtime: c.Runtime,
        Layers: c.Layers?.map((l) => l.Arn),
      } satisfies FunctionSettings;
    },
    async reservedConcurrency(name) {
      const c = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }), budget());
      return c.ReservedConcurrentExecutions;
    },
    ruleState: (name) =>
      unlessMissing(async () => (await events.send(new DescribeRuleCommand({ Name: name }), budget())).State),
    scheduleState: (name) =>
      unlessMissing(
        async () => (await scheduler.send(new GetScheduleCommand({ Name: name }), budget())).State,
      ),
    trail: () =>
      checkTrails(settings.region, {
        describeTrails: async () =>
          (await cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }), budget()))
            .trailList ?? [],
        isLogging: async (_home, arn) =>
          (await cloudtrail.send(new GetTrailStatusCommand({ Name: arn }), budget())).IsLogging === true,
        eventSelectors: (_home, arn) =>
          cloudtrail.send(new GetEventSelectorsCommand({ TrailName: arn }), budget()),
      }),
    async stream(tableName) {
      const table = (await ddb.send(new DescribeTableCommand({ TableName: tableName }), budget())).Table;
      return {
        enabled: table?.StreamSpecification?.StreamEnabled === true,
        viewType: table?.StreamSpecification?.StreamViewType,
      };
    },
    mappingState: (uuid) =>
      unlessMissing(
        async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }), budget())).State,
      ),
    resourcePolicy: (tableArn) =>
      unlessMissing(
        async () =>
          (await ddb.send(new GetResourcePolicyCommand({ ResourceArn: tableArn }), budget())).Policy,
        (error) => (error as Error).name === 'PolicyNotFoundException',
      ),
    async newestSeal(table) {
      if (!publicKey) {
        const answer = await kms.send(new GetPublicKeyCommand({ KeyId: settings.signingKeyArn }), budget());
        publicKey = createPublicKey({
          key: Buffer.from(answer.PublicKey ?? []),
          format: 'der',
          type: 'spki',
        });
      }
      const key = publicKey;
      const head = await s3DigestStore(s3, settings.bucket, budget).head(
        table,
        new Date().toISOString().slice(0, 10),
        (stored) =>
          stored.digest.signingKeyArn === settings.signingKeyArn && signatureVerifies(stored.sealed, key),
      );
      return head?.digest.intervalEnd;
    },
  };

  /** One datum per check (1 failed, 0 fine) and the heartbeat, in one PutMetricData call. */
  async function publish(namespace: string, results: CheckResult[], at: Date) {
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: namespace,
        MetricData: [
          ...CHECKS.map((check) => ({
            MetricName: 'TrailCheckFailed',
            Dimensions: [{ Name: 'Check', Value: check }],
            Value: results.find((r) => r.check === check)?.ok === false ? 1 : 0,
            Unit: 'Count' as const,
            Timestamp: at,
          })),
          { MetricName: 'WatchdogHeartbeat', Value: 1, Unit: 'Count' as const, Timestamp: at },
        ],
      }),
      budget(),
    );
  }

  return { api, publish };
}
