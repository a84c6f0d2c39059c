/**
 * A table's protection as the stack declares it and as it is: deletion protection, point-in-time recovery and
 * its window, TTL, and the resource policy. CloudFormation puts none of them back on its own (resource policies
 * have no drift detection, and a change made outside the stack survives the next deploy), so `npm run protect`
 * compares and restores them, and `npm run doctor` compares them.
 */
import {
  DeleteResourcePolicyCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { Template } from '../core/intrinsics.ts';
import { type CommandReason, reasonOf } from '../core/reason.ts';
import type { DeclaredStack } from '../core/stack-template.ts';

/** DynamoDB's window when RecoveryPeriodInDays is not given (API_PointInTimeRecoverySpecification). */
export const DEFAULT_RECOVERY_PERIOD_DAYS = 35;

export type Setting = 'deletion protection' | 'point-in-time recovery' | 'TTL' | 'resource policy';

/** What the stack declares for one table; a setting it does not declare is undefined (not compared). */
export interface DeclaredProtection {
  logicalId: string;
  table: string;
  deletionProtection?: boolean;
  pointInTimeRecovery?: { enabled: boolean; recoveryPeriodInDays: number };
  timeToLive?: { enabled: boolean; attributeName: string };
  /** The policy document, or null when the table declares none. */
  resourcePolicy?: unknown;
}

/** The table properties that declare its protection. */
const PROTECTION_PROPERTIES = [
  'DeletionProtectionEnabled',
  'PointInTimeRecoverySpecification',
  'TimeToLiveSpecification',
  'ResourcePolicy',
];

/**
 * What template.yaml declares for both tables but their resource policy (which names the stack's roles): the
 * yardstick when the tables are named without their stack. A unit test compares it with the template.
 */
export const TEMPLATE_TABLE_PROTECTION: Omit<DeclaredProtection, 'logicalId' | 'table' | 'resourcePolicy'> = {
  deletionProtection: true,
  pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: DEFAULT_RECOVERY_PERIOD_DAYS },
  timeToLive: { enabled: true, attributeName: 'expiresAt' },
};

/** Every table the stack holds, with what it declares (or why that could not be read). */
export function declaredProtections(
  stack: DeclaredStack,
): (DeclaredProtection | { logicalId: string; table: string; unresolvable: string })[] {
  return stack
    .resourcesOfType('AWS::DynamoDB::Table')
    .map(({ logicalId, physicalId, properties, unresolvable }) => {
      const missing = PROTECTION_PROPERTIES.filter((name) => name in unresolvable);
      if (missing.length > 0) {
        return {
          logicalId,
          table: physicalId,
          unresolvable: missing.map((name) => `${name}: ${unresolvable[name]}`).join('; '),
        };
      }
      return { logicalId, table: physicalId, ...protectionOf(properties) };
    });
}

/** The protection settings of a table's resolved CloudFormation properties. */
export function protectionOf(properties: Template): Omit<DeclaredProtection, 'logicalId' | 'table'> {
  const declared: Omit<DeclaredProtection, 'logicalId' | 'table'> = {};
  if (properties.DeletionProtectionEnabled !== undefined) {
    declared.deletionProtection = truthy(properties.DeletionProtectionEnabled);
  }
  const pitr = properties.PointInTimeRecoverySpecification as Template | undefined;
  if (pitr) {
    declared.pointInTimeRecovery = {
      enabled: truthy(pitr.PointInTimeRecoveryEnabled),
      recoveryPeriodInDays: Number(pitr.RecoveryPeriodInDays ?? DEFAULT_RECOVERY_PERIOD_DAYS),
    };
  }
  const ttl = properties.TimeToLiveSpecification as Template | undefined;
  if (ttl)
    declared.timeToLive = { enabled: truthy(ttl.Enabled), attributeName: String(ttl.AttributeName ?? '') };
  declared.resourcePolicy = (properties.ResourcePolicy as Template | undefined)?.PolicyDocument ?? null;
  return declared;
}

/** CloudFormation takes "true" as well as true. */
const truthy = (value: unknown) => value === true || value === 'true';

/** A setting as read, or why it could not be read. */
export type Read<T> = { value: T } | { reason: CommandReason };

export interface LiveProtection {
  tableArn?: string;
  deletionProtection: Read<boolean>;
  pointInTimeRecovery: Read<{ enabled: boolean; recoveryPeriodInDays?: number }>;
  timeToLive: Read<{ status: string; attributeName?: string }>;
  resourcePolicy: Read<{ document: unknown; revisionId?: string } | null>;
}

/** Options of every DynamoDB call: a time budget per call. */
export type SendOptions = () => { abortSignal?: AbortSignal };

async function read<T>(budgetMs: number, call: () => Promise<Read<T>>): Promise<Read<T>> {
  try {
    return await call();
  } catch (error) {
    return { reason: reasonOf(error, budgetMs) };
  }
}

/** The table's protection as DynamoDB reports it; each setting read on its own, none failing the others. */
export async function readLiveProtection(
  ddb: DynamoDBClient,
  table: string,
  budgetMs = 10_000,
): Promise<LiveProtection> {
  const options = () => ({ abortSignal: AbortSignal.timeout(budgetMs) });
  let tableArn: string | undefined;
  const deletionProtection = await read<boolean>(budgetMs, async () => {
    const described = (await ddb.send(new DescribeTableCommand({ TableName: table }), options())).Table;
    tableArn = described?.TableArn;
    const on = described?.DeletionProtectionEnabled;
    return on === undefined
      ? { reason: { code: 'not-reported', field: 'DeletionProtectionEnabled' } }
      : { value: on };
  });
  const pointInTimeRecovery = await read(budgetMs, async () => {
    const pitr = (await ddb.send(new DescribeContinuousBackupsCommand({ TableName: table }), options()))
      .ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    return {
      value: {
        enabled: pitr?.PointInTimeRecoveryStatus === 'ENABLED',
        ...(pitr?.RecoveryPeriodInDays ? { recoveryPeriodInDays: pitr.RecoveryPeriodInDays } : {}),
      },
    };
  });
  let timeToLive = await read(budgetMs, async () => {
    const ttl = (await ddb.send(new DescribeTimeToLiveCommand({ TableName: table }), options()))
      .TimeToLiveDescription;
    return {
      value: {
        status: ttl?.TimeToLiveStatus ?? 'DISABLED',
        ...(ttl?.AttributeName ? { attributeName: ttl.AttributeName } : {}),
      },
    };
  });
  // dynalite answers DescribeTimeToLive with DISABLED for every table and has no continuous backups at all:
  // an endpoint without DescribeContinuousBackups is not a DynamoDB whose TTL answer says anything.
  if (
    'reason' in pointInTimeRecovery &&
    pointInTimeRecovery.reason.code === 'not-implemented' &&
    'value' in timeToLive
  ) {
    timeToLive = {
      reason: {
        code: 'partial-emulator',
        missing: 'DescribeContinuousBackups',
        answer: `TTL ${timeToLive.value.status}`,
      },
    };
  }
  const resourcePolicy = await read<{ document: unknown; revisionId?: string } | null>(budgetMs, async () => {
    if (!tableArn) return { reason: { code: 'table-arn-unknown' } };
    try {
      const policy = await ddb.send(new GetResourcePolicyCommand({ ResourceArn: tableArn }), options());
      return {
        value: { document: JSON.parse(policy.Policy ?? 'null') as unknown, revisionId: policy.RevisionId },
      };
    } catch (error) {
      if ((error as Error).name === 'PolicyNotFoundException') return { value: null };
      throw error;
    }
  });
  return { tableArn, deletionProtection, pointInTimeRecovery, timeToLive, resourcePolicy };
}

/**
 * A policy in one canonical form: object keys sorted, and a one-element list the same as its element (IAM reads
 * `"Action": "x"` and `"Action": ["x"]` alike). Two policies that differ here grant or deny differently.
 */
export function canonicalPolicy(document: unknown): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const items = value.map(canonical);
      return items.length === 1 ? items[0] : items;
    }
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value as object)
          .sort()
          .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
      );
    }
    return value;
  };
  return JSON.stringify(canonical(document));
}

/** One setting's comparison. */
export type Comparison =
  | { setting: Setting; state: 'same'; live: string }
  | { setting: Setting; state: 'different'; declared: string; live: string }
  | { setting: Setting; state: 'unknown'; reason: CommandReason };

const describePitr = (p: { enabled: boolean; recoveryPeriodInDays?: number }) =>
  p.enabled ? `on, ${p.recoveryPeriodInDays ?? DEFAULT_RECOVERY_PERIOD_DAYS} days` : 'off';
const describeTtl = (t: { status: string; attributeName?: string }) =>
  `${t.status.toLowerCase()}${t.attributeName ? ` on ${t.attributeName}` : ''}`;

/** Every declared setting of the table compared with the live one. */
export function compare(
  declared: Omit<DeclaredProtection, 'logicalId' | 'table'>,
  live: LiveProtection,
): Comparison[] {
  const comparisons: Comparison[] = [];
  const add = <T>(
    setting: Setting,
    read: Read<T>,
    equal: (value: T) => boolean,
    wanted: string,
    show: (value: T) => string,
  ) => {
    if ('reason' in read) comparisons.push({ setting, state: 'unknown', reason: read.reason });
    else if (equal(read.value)) comparisons.push({ setting, state: 'same', live: show(read.value) });
    else comparisons.push({ setting, state: 'different', declared: wanted, live: show(read.value) });
  };
  if (declared.deletionProtection !== undefined) {
    const wanted = declared.deletionProtection;
    add(
      'deletion protection',
      live.deletionProtection,
      (on) => on === wanted,
      wanted ? 'on' : 'off',
      (on) => (on ? 'on' : 'off'),
    );
  }
  if (declared.pointInTimeRecovery) {
    const wanted = declared.pointInTimeRecovery;
    add(
      'point-in-time recovery',
      live.pointInTimeRecovery,
      (p) =>
        p.enabled === wanted.enabled &&
        (!wanted.enabled ||
          (p.recoveryPeriodInDays ?? DEFAULT_RECOVERY_PERIOD_DAYS) === wanted.recoveryPeriodInDays),
      describePitr(wanted),
      describePitr,
    );
  }
  if (declared.timeToLive) {
    const wanted = declared.timeToLive;
    add(
      'TTL',
      live.timeToLive,
      // ENABLING is the declared state on its way (DynamoDB takes up to an hour).
      (t) =>
        wanted.enabled
          ? ['ENABLED', 'ENABLING'].includes(t.status) && t.attributeName === wanted.attributeName
          : ['DISABLED', 'DISABLING'].includes(t.status),
      wanted.enabled ? `enabled on ${wanted.attributeName}` : 'disabled',
      describeTtl,
    );
  }
  if (declared.resourcePolicy !== undefined) {
    const wanted = declared.resourcePolicy;
    add(
      'resource policy',
      live.resourcePolicy,
      (p) =>
        wanted === null ? p === null : p !== null && canonicalPolicy(p.document) === canonicalPolicy(wanted),
      wanted === null ? 'none' : "the template's",
      (p) =>
        p === null
          ? 'none'
          : wanted !== null && canonicalPolicy(p.document) === canonicalPolicy(wanted)
            ? "the template's"
            : 'a different one',
    );
  }
  return comparisons;
}

/** How one restoring step went. */
export type Restored = { setting: Setting; done: string } | { setting: Setting; failed: string };

/** Waits between tries, injectable so tests need not wait for real. */
export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * "Subsequent updates to a policy for a given resource are blocked for 15 seconds after a successful update of
 * the policy for the same resource" (rbac-considerations.html): a policy change just made by someone else is
 * waited out, up to this long.
 */
export const POLICY_BLOCK_WAIT_MS = 20_000;
const POLICY_RETRY_MS = 5_000;
const BLOCKED = ['ResourceInUseException', 'LimitExceededException'];

function failure(setting: Setting, error: unknown): Restored {
  const { name, message } = error as Error;
  if (name === 'AccessDeniedException' && setting === 'resource policy') {
    return {
      setting,
      failed: `${name}: ${message}. If the table's own policy now refuses you, the account's root user can always delete it (aws dynamodb delete-resource-policy --resource-arn <table ARN>); then run protect again`,
    };
  }
  if (name === 'ValidationException' && setting === 'TTL') {
    return {
      setting,
      failed: `${name}: ${message}. DynamoDB takes one TTL change an hour per table: run protect again later`,
    };
  }
  return { setting, failed: `${name}: ${message}` };
}

/** Puts one differing setting back as declared. */
export async function restore(
  ddb: DynamoDBClient,
  table: string,
  declared: Omit<DeclaredProtection, 'logicalId' | 'table'>,
  live: LiveProtection,
  setting: Setting,
  sleep: Sleep = realSleep,
): Promise<Restored> {
  try {
    switch (setting) {
      case 'deletion protection':
        await ddb.send(
          new UpdateTableCommand({
            TableName: table,
            DeletionProtectionEnabled: declared.deletionProtection,
          }),
        );
        return { setting, done: `turned ${declared.deletionProtection ? 'on' : 'off'}` };
      case 'point-in-time recovery': {
        const wanted = declared.pointInTimeRecovery as NonNullable<DeclaredProtection['pointInTimeRecovery']>;
        await ddb.send(
          new UpdateContinuousBackupsCommand({
            TableName: table,
            PointInTimeRecoverySpecification: {
              PointInTimeRecoveryEnabled: wanted.enabled,
              ...(wanted.enabled ? { RecoveryPeriodInDays: wanted.recoveryPeriodInDays } : {}),
            },
          }),
        );
        return { setting, done: `set to ${describePitr(wanted)}` };
      }
      case 'TTL':
        return await restoreTtl(ddb, table, declared, live);
      case 'resource policy':
        return await restorePolicy(ddb, declared, live, sleep);
    }
  } catch (error) {
    return failure(setting, error);
  }
}

async function restoreTtl(
  ddb: DynamoDBClient,
  table: string,
  declared: Omit<DeclaredProtection, 'logicalId' | 'table'>,
  live: LiveProtection,
): Promise<Restored> {
  const setting = 'TTL';
  const wanted = declared.timeToLive as NonNullable<DeclaredProtection['timeToLive']>;
  const now = 'value' in live.timeToLive ? live.timeToLive.value : undefined;
  if (now && ['ENABLING', 'DISABLING'].includes(now.status)) {
    return {
      setting,
      failed: `TTL is ${now.status.toLowerCase()} now; DynamoDB accepts the next change only after that ends (up to an hour): run protect again then`,
    };
  }
  if (now?.status === 'ENABLED' && now.attributeName !== wanted.attributeName) {
    // TTL on another attribute must be turned off first; DynamoDB takes up to an hour before the next change.
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { Enabled: false, AttributeName: now.attributeName },
      }),
    );
    return {
      setting,
      failed: `TTL on ${now.attributeName} turned off; DynamoDB allows enabling it on ${wanted.attributeName} only after that change ends (up to an hour): run protect again then`,
    };
  }
  await ddb.send(
    new UpdateTimeToLiveCommand({
      TableName: table,
      TimeToLiveSpecification: { Enabled: wanted.enabled, AttributeName: wanted.attributeName },
    }),
  );
  return { setting, done: wanted.enabled ? `enabled on ${wanted.attributeName}` : 'disabled' };
}

async function restorePolicy(
  ddb: DynamoDBClient,
  declared: Omit<DeclaredProtection, 'logicalId' | 'table'>,
  live: LiveProtection,
  sleep: Sleep,
): Promise<Restored> {
  const setting = 'resource policy';
  const arn = live.tableArn;
  if (!arn) return { setting, failed: 'the table ARN is not known (DescribeTable failed)' };
  const current = 'value' in live.resourcePolicy ? live.resourcePolicy.value : undefined;
  const send = () =>
    declared.resourcePolicy === null
      ? ddb.send(
          new DeleteResourcePolicyCommand({ ResourceArn: arn, ExpectedRevisionId: current?.revisionId }),
        )
      : ddb.send(
          new PutResourcePolicyCommand({
            ResourceArn: arn,
            Policy: JSON.stringify(declared.resourcePolicy),
            // Only over the policy that was read: a change made meanwhile fails instead of being overwritten.
            ExpectedRevisionId: current ? current.revisionId : 'NO_POLICY',
          }),
        );
  for (let waited = 0; ; waited += POLICY_RETRY_MS) {
    try {
      await send();
      return { setting, done: declared.resourcePolicy === null ? 'deleted' : "put back as the template's" };
    } catch (error) {
      if (!BLOCKED.includes((error as Error).name) || waited >= POLICY_BLOCK_WAIT_MS) throw error;
      await sleep(POLICY_RETRY_MS);
    }
  }
}
