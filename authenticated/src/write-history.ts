/**
 * The sign-in's DynamoDB write: the bounded conditional put (bounded-put.ts) with the trigger's limits.
 *
 * Cognito waits at most 5 s for the trigger and fails the sign-in on a timeout, so the write gets a hard
 * deadline on top of the SDK's per-attempt socket timeouts and retry count.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createBoundedClient, createConditionalPut, type WriteOutcome } from './bounded-put.ts';
import { type LoginHistoryItem, NO_OVERWRITE } from './contract.ts';

/**
 * Per-attempt limits: a healthy PutItem answers in a few ms, so a second is already a failure; one retry
 * absorbs a transient throttle or a dropped connection without risking the deadline.
 */
export const HISTORY_WRITE_LIMITS = { connectionTimeoutMs: 500, requestTimeoutMs: 1000, maxAttempts: 2 };

export const createHistoryClient = (): DynamoDBDocumentClient => createBoundedClient(HISTORY_WRITE_LIMITS);

export type HistoryWriter = (item: LoginHistoryItem, budgetMs: number) => Promise<WriteOutcome>;

export function createHistoryWriter(client: DynamoDBDocumentClient, tableName: string): HistoryWriter {
  return createConditionalPut(client, tableName, NO_OVERWRITE);
}
