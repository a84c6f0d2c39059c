/**
 * The one DynamoDB write, bounded in time.
 *
 * Cognito waits at most 5 s for the trigger and fails the sign-in on a timeout, so the write gets a hard
 * deadline (an abort signal) on top of the SDK's per-attempt socket timeouts and retry count.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type LoginHistoryItem, NO_OVERWRITE } from './contract.ts';

/** Per-attempt limits: a healthy PutItem answers in a few ms, so a second is already a failure. */
export const CONNECTION_TIMEOUT_MS = 500;
export const REQUEST_TIMEOUT_MS = 1000;
/** One retry absorbs a transient throttle or a dropped connection without risking the deadline. */
export const MAX_ATTEMPTS = 2;

export function createHistoryClient(): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      // Without this the SDK only warns when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
  });
  return DynamoDBDocumentClient.from(client);
}

export type WriteOutcome = 'written' | 'already-recorded';

export type HistoryWriter = (item: LoginHistoryItem, budgetMs: number) => Promise<WriteOutcome>;

/** Thrown when the deadline passes before DynamoDB answered. */
export class WriteTimeoutError extends Error {
  override readonly name = 'WriteTimeoutError';
}

export function createHistoryWriter(client: DynamoDBDocumentClient, tableName: string): HistoryWriter {
  return async (item, budgetMs) => {
    if (budgetMs <= 0) throw new WriteTimeoutError('no time left before the function timeout');
    const deadline = AbortSignal.timeout(budgetMs);
    try {
      await client.send(new PutCommand({ TableName: tableName, Item: item, ...NO_OVERWRITE }), {
        abortSignal: deadline,
      });
      return 'written';
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException')
        return 'already-recorded';
      if (deadline.aborted) {
        throw new WriteTimeoutError(`DynamoDB did not answer within ${budgetMs} ms`, { cause: error });
      }
      throw error;
    }
  };
}
