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

export const CONNECTION_TIMEOUT_MS = 1000;
export const REQUEST_TIMEOUT_MS = 2000;
/** A credential-stuffing burst may throttle the table while on-demand capacity scales up. */
export const MAX_ATTEMPTS = 4;

export function createAuthEventsClient(): DynamoDBDocumentClient {
  return createBoundedClient({
    connectionTimeoutMs: CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    maxAttempts: MAX_ATTEMPTS,
  });
}

export type AuthEventWriter = (item: AuthEventItem, budgetMs: number) => Promise<WriteOutcome>;

/** EventBridge delivers at least once: the same eventId again is 'already-recorded', not a failure. */
export function createAuthEventWriter(client: DynamoDBDocumentClient, tableName: string): AuthEventWriter {
  return createConditionalPut(client, tableName, AUTH_EVENT_NO_OVERWRITE);
}
