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

/** ErasureRoleAssumedRule: someone assumed the erasure role. */
export function roleAssumedExpectation(roleArn: string): Expectation {
  return (record) =>
    record.eventSource === 'sts.amazonaws.com' &&
    record.eventName === 'AssumeRole' &&
    asRecord(record.requestParameters)?.roleArn === roleArn;
}
