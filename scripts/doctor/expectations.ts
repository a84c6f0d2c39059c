/**
 * What each rule of the stack is for, said in code rather than as a pattern: given one CloudTrail record, should
 * the rule deliver it? doctor asks EventBridge's own engine (TestEventPattern) about the account's real events and
 * reports every event where AWS's answer and this one differ. The sign-in rule's answer is the function's own
 * mapping (what it would record), so the rule and the function cannot silently disagree. Pure.
 */

import { buildAuthEventItem } from '../../authenticated/src/auth-event-record.ts';
import { asRecord } from '../../authenticated/src/common.ts';
import type { CloudTrailRecord } from './samples.ts';

export type Expectation = (record: CloudTrailRecord) => boolean;

/** AuthEventsRule: every event the function would record or reject (a malformed one must still fail loudly). */
export function signInExpectation(userPoolId: string, clientIds: readonly string[]): Expectation {
  return (record) =>
    buildAuthEventItem(record, { userPoolId, clientIds, retentionDays: 1 }).kind !== 'skipped';
}

/** The table, by name or by ARN (`arn:…:table/<name>`). */
const names = (value: unknown, tableName: string) =>
  typeof value === 'string' && (value === tableName || value.endsWith(`:table/${tableName}`));

/** Settings of an UpdateTable or UpdateContinuousBackups request that weaken the table's protection. */
function weakens(parameters: Record<string, unknown>): boolean {
  const stream = asRecord(parameters.streamSpecification);
  const pitr = asRecord(parameters.pointInTimeRecoverySpecification);
  return (
    parameters.deletionProtectionEnabled === false ||
    stream?.streamEnabled === false ||
    pitr?.pointInTimeRecoveryEnabled === false ||
    (typeof pitr?.recoveryPeriodInDays === 'number' && pitr.recoveryPeriodInDays < 35)
  );
}

const COPIES_AND_POLICY = [
  'PutResourcePolicy',
  'DeleteResourcePolicy',
  'RestoreTableToPointInTime',
  'ExportTableToPointInTime',
];

/**
 * TableProtectionChangedRule (one per table): the table's resource policy put or deleted, deletion protection,
 * point-in-time recovery or the stream turned off, the recovery window shortened, TTL changed, the table deleted,
 * or a copy of it made by a restore or an export. The table may be named in the request (by name or ARN) or,
 * as in AWS's UpdateTable sample, only in the response.
 */
export function protectionExpectation(tableName: string): Expectation {
  return (record) => {
    if (record.eventSource !== 'dynamodb.amazonaws.com' || record.eventType !== 'AwsApiCall') return false;
    const request = asRecord(record.requestParameters) ?? {};
    const described = asRecord(asRecord(record.responseElements)?.tableDescription);
    const eventName = String(record.eventName);
    if (names(request.tableName, tableName)) {
      return eventName === 'UpdateTimeToLive' || eventName === 'DeleteTable' || weakens(request);
    }
    if (described?.tableName === tableName) {
      const stream = asRecord(request.streamSpecification);
      return request.deletionProtectionEnabled === false || stream?.streamEnabled === false;
    }
    return (
      COPIES_AND_POLICY.includes(eventName) &&
      [request.resourceArn, request.sourceTableArn, request.sourceTableName, request.tableArn].some((v) =>
        names(v, tableName),
      )
    );
  };
}

/** ErasureRoleAssumedRule: someone assumed one of these roles (the erasure and the replay role). */
export function roleAssumedExpectation(roleArns: readonly string[]): Expectation {
  return (record) =>
    record.eventSource === 'sts.amazonaws.com' &&
    record.eventName === 'AssumeRole' &&
    roleArns.includes(String(asRecord(record.requestParameters)?.roleArn));
}

// ---- The trail's own announcements (Integrity=enabled; docs/integrity.md, "Immediate announcements").

/** An API call of this service, one of these names. */
const callOf = (record: CloudTrailRecord, source: string, names: readonly string[]) =>
  record.eventSource === source &&
  record.eventType === 'AwsApiCall' &&
  names.includes(String(record.eventName));

/**
 * A call CloudFormation made for a deploy (`userIdentity.invokedBy`). A deploy of the stack is in the stack's own
 * events, so what it does to the stack's own resources is not announced.
 */
export const byCloudFormation = (record: CloudTrailRecord) =>
  asRecord(record.userIdentity)?.invokedBy === 'cloudformation.amazonaws.com';

const request = (record: CloudTrailRecord) => asRecord(record.requestParameters) ?? {};

export const POOL_CHANGES = ['UpdateUserPool', 'DeleteUserPool'] as const;

/**
 * PoolTriggerChangedRule: the pool updated (an UpdateUserPool without LambdaConfig detaches the trigger) or
 * deleted, by anyone. CloudFormation too: the pool is not this stack's, so such a call is another stack's deploy,
 * and it detaches the trigger just the same.
 */
export function poolChangedExpectation(userPoolId: string): Expectation {
  return (record) =>
    callOf(record, 'cognito-idp.amazonaws.com', POOL_CHANGES) && request(record).userPoolId === userPoolId;
}

/** Lambda's CloudTrail names (API version suffixes) of the calls that change a function or a mapping. */
export const FUNCTION_CHANGES = [
  'UpdateFunctionCode20150331v2',
  'UpdateFunctionConfiguration20150331v2',
  'PutFunctionConcurrency20171031',
  'DeleteFunctionConcurrency20171031',
  'DeleteFunction20150331',
  'AddPermission20150331v2',
  'RemovePermission20150331v2',
] as const;
export const MAPPING_CHANGES = [
  'UpdateEventSourceMapping20150331',
  'DeleteEventSourceMapping20150331',
] as const;

/**
 * TrailFunctionsChangedRule: the code, settings, permissions or concurrency of one of the stack's functions
 * changed, or the function deleted, or one of the change detector's mappings changed or deleted - by anyone but
 * CloudFormation deploying the stack. A function may be named by name or by (partial) ARN: the rule matches a
 * suffix, the generated name, which ends in a random tail, so only a name made to end with it matches too.
 */
export function functionsChangedExpectation(
  functionNames: readonly string[],
  mappingIds: readonly string[],
): Expectation {
  return (record) => {
    if (byCloudFormation(record)) return false;
    const asked = request(record);
    if (callOf(record, 'lambda.amazonaws.com', FUNCTION_CHANGES)) {
      const named = String(asked.functionName ?? '');
      return functionNames.some((name) => named.endsWith(name));
    }
    return callOf(record, 'lambda.amazonaws.com', MAPPING_CHANGES) && mappingIds.includes(String(asked.uUID));
  };
}

/** Calls that name the rule as `name`, and those that name it as `rule` (the targets' calls). */
export const RULE_CHANGES = ['DisableRule', 'DeleteRule', 'PutRule'] as const;
export const TARGET_CHANGES = ['PutTargets', 'RemoveTargets'] as const;
export const SCHEDULE_CHANGES = ['UpdateSchedule', 'DeleteSchedule'] as const;

/**
 * TrailRulesChangedRule: one of the stack's other rules disabled, deleted, replaced or re-targeted, or one of its
 * schedules changed or deleted - by anyone but CloudFormation deploying the stack. EventBridge's calls name the
 * rule as `name`, except PutTargets and RemoveTargets, whose request member is `rule`.
 */
export function rulesChangedExpectation(
  ruleNames: readonly string[],
  scheduleNames: readonly string[],
): Expectation {
  return (record) => {
    if (byCloudFormation(record)) return false;
    const asked = request(record);
    return (
      (callOf(record, 'events.amazonaws.com', RULE_CHANGES) && ruleNames.includes(String(asked.name))) ||
      (callOf(record, 'events.amazonaws.com', TARGET_CHANGES) && ruleNames.includes(String(asked.rule))) ||
      (callOf(record, 'scheduler.amazonaws.com', SCHEDULE_CHANGES) &&
        scheduleNames.includes(String(asked.name)))
    );
  };
}

export const TRAIL_CHANGES = ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'] as const;
export const KEY_CHANGES = ['ScheduleKeyDeletion', 'DisableKey', 'PutKeyPolicy', 'CreateGrant'] as const;
export const BUCKET_CHANGES = [
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'PutBucketLifecycle',
  'PutBucketObjectLockConfiguration',
] as const;

/**
 * TrailLoggingChangedRule: any CloudTrail trail stopped, deleted or re-selected, by anyone (a trail is not this
 * stack's, and without one no announcement arrives at all); the signing key (by id or ARN) disabled, scheduled for
 * deletion, its policy replaced or a grant made on it; the digest bucket's policy, lifecycle or Object Lock
 * changed - those two by anyone but CloudFormation deploying the stack, which owns them.
 */
export function trailChangedExpectation(key: { arn: string; id: string }, bucket: string): Expectation {
  return (record) => {
    if (callOf(record, 'cloudtrail.amazonaws.com', TRAIL_CHANGES)) return true;
    if (byCloudFormation(record)) return false;
    const asked = request(record);
    return (
      (callOf(record, 'kms.amazonaws.com', KEY_CHANGES) && [key.arn, key.id].includes(String(asked.keyId))) ||
      (callOf(record, 's3.amazonaws.com', BUCKET_CHANGES) && asked.bucketName === bucket)
    );
  };
}
