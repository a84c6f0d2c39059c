/**
 * The one DynamoDB write of an auth event: a conditional PutItem, idempotent on eventId.
 *
 * Off the sign-in path (EventBridge invokes asynchronously), so the SDK may retry a throttle a few times
 * more than the trigger does; the deadline still stops the write before the function's timeout so that the
 * failure is logged and thrown (Lambda retries, then the dead-letter queue) instead of timing out silently.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createBoundedClient, createConditionalPut, type WriteOutcome } from './bounded-put.ts';
import { AUTH_EVENT_NO_OVERWRITE, type AuthEventItem } from './contract.ts';

/** More attempts than the trigger: a credential-stuffing burst may throttle the table while it scales up. */
export const AUTH_EVENT_WRITE_LIMITS = { connectionTimeoutMs: 1000, requestTimeoutMs: 2000, maxAttempts: 4 };

export const createAuthEventsClient = (): DynamoDBDocumentClient =>
  createBoundedClient(AUTH_EVENT_WRITE_LIMITS);

export type AuthEventWriter = (item: AuthEventItem, budgetMs: number) => Promise<WriteOutcome>;

/** EventBridge delivers at least once: the same eventId again is 'already-recorded', not a failure. */
export function createAuthEventWriter(client: DynamoDBDocumentClient, tableName: string): AuthEventWriter {
  return createConditionalPut(client, tableName, AUTH_EVENT_NO_OVERWRITE);
}
