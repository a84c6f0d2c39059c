/**
 * The one DynamoDB write of an auth event: a conditional PutItem, idempotent on eventId.
 *
 * Off the sign-in path (EventBridge invokes asynchronously), so the SDK may retry a throttle a few times
 * more than the trigger does; the deadline still stops the write before the function's timeout so that the
 * failure is logged and thrown (Lambda retries, then the dead-letter queue) instead of timing out silently.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AUTH_EVENT_NO_OVERWRITE, type AuthEventItem } from './auth-event-record.ts';
import { type WriteOutcome, WriteTimeoutError } from './write-history.ts';

export const CONNECTION_TIMEOUT_MS = 1000;
export const REQUEST_TIMEOUT_MS = 2000;
/** A credential-stuffing burst may throttle the table while on-demand capacity scales up. */
export const MAX_ATTEMPTS = 4;

export function createAuthEventsClient(): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  });
  return DynamoDBDocumentClient.from(client);
}

export type AuthEventWriter = (item: AuthEventItem, budgetMs: number) => Promise<WriteOutcome>;

export function createAuthEventWriter(client: DynamoDBDocumentClient, tableName: string): AuthEventWriter {
  return async (item, budgetMs) => {
    if (budgetMs <= 0) throw new WriteTimeoutError('no time left before the function timeout');
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), budgetMs);
    try {
      await client.send(new PutCommand({ TableName: tableName, Item: item, ...AUTH_EVENT_NO_OVERWRITE }), {
        abortSignal: abort.signal,
      });
      return 'written';
    } catch (error) {
      // EventBridge delivers at least once: the same eventId again is success, not a failure.
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException')
        return 'already-recorded';
      if (abort.signal.aborted) {
        throw new WriteTimeoutError(`DynamoDB did not answer within ${budgetMs} ms`, { cause: error });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}
