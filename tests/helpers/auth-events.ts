/**
 * Auth-event records as the CloudTrail path's writer stores them (AuthEventsTable: pk
 * `<day>#<shard of eventId, 00..15>`, sk `<eventTime>#<eventId>`, GSIs bySourceIp and bySub), for the
 * reader's tests to put and read back.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { shardOf } from '../../authenticated/src/common.ts';
import { authEventPartitionOf } from '../../authenticated/src/contract.ts';
import { AUTH_EVENTS_TABLE_ID, loadTemplate, tableCreateInput } from '../../dev/build/template.ts';
import { AUTH_EVENT_SHARDS, type AuthEventRecord } from '../../scripts/records/auth-events.ts';
import { putItems } from './tables.ts';

/** The template's AuthEventsTable (keys and indexes), created under `tableName`. */
export async function createAuthEventsTable(ddb: DynamoDBClient, tableName: string): Promise<void> {
  await ddb.send(
    new CreateTableCommand(tableCreateInput(loadTemplate(), tableName, {}, AUTH_EVENTS_TABLE_ID)),
  );
}

export function authEvent(overrides: Partial<AuthEventRecord> & { eventTime: string }): AuthEventRecord {
  return {
    eventId: randomUUID(),
    eventName: 'InitiateAuth',
    outcome: 'failure',
    errorCode: 'NotAuthorizedException',
    sourceIp: '203.0.113.7',
    userAgent: 'aws-sdk-js/3',
    clientId: 'client1',
    userPoolId: 'us-east-1_Local',
    authFlow: 'USER_PASSWORD_AUTH',
    ...overrides,
  };
}

/** The stored item of a record: the contract's keys plus the record's attributes. */
export function authEventItem(record: AuthEventRecord, expiresAt?: number): Record<string, unknown> {
  const pk = authEventPartitionOf(record.eventTime.slice(0, 10), shardOf(record.eventId, AUTH_EVENT_SHARDS));
  return { pk, sk: `${record.eventTime}#${record.eventId}`, ...record, ...(expiresAt ? { expiresAt } : {}) };
}

export async function putAuthEvents(
  doc: DynamoDBDocumentClient,
  tableName: string,
  records: AuthEventRecord[],
): Promise<void> {
  await putItems(
    doc,
    tableName,
    records.map((r) => authEventItem(r, 2e9)),
  );
}

/** Oldest-first order of records: by time, then by eventId (the table's sort key). */
export const byTimeThenId = (a: AuthEventRecord, b: AuthEventRecord) =>
  `${a.eventTime}#${a.eventId}` < `${b.eventTime}#${b.eventId}` ? -1 : 1;
