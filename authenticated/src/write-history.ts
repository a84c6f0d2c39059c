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

/** A document client with these per-attempt socket timeouts and this many attempts per call. */
export function createBoundedClient(limits: {
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    maxAttempts: limits.maxAttempts,
    requestHandler: {
      connectionTimeout: limits.connectionTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Without this the SDK only warns when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
  });
  return DynamoDBDocumentClient.from(client);
}

export function createHistoryClient(): DynamoDBDocumentClient {
  return createBoundedClient({
    connectionTimeoutMs: CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    maxAttempts: MAX_ATTEMPTS,
  });
}

export type WriteOutcome = 'written' | 'already-recorded';

export type HistoryWriter = (item: LoginHistoryItem, budgetMs: number) => Promise<WriteOutcome>;

/** Thrown when the deadline passes before DynamoDB answered. */
export class WriteTimeoutError extends Error {
  override readonly name = 'WriteTimeoutError';
}

/**
 * A conditional PutItem into `tableName` with a hard deadline of `budgetMs`: 'already-recorded' when the
 * condition finds the item there already (a redelivery), a WriteTimeoutError when the deadline passes.
 */
export function createConditionalPut<T extends object>(
  client: DynamoDBDocumentClient,
  tableName: string,
  condition: { ConditionExpression: string; ExpressionAttributeNames?: Record<string, string> },
): (item: T, budgetMs: number) => Promise<WriteOutcome> {
  return async (item, budgetMs) => {
    if (budgetMs <= 0) throw new WriteTimeoutError('no time left before the function timeout');
    const deadline = AbortSignal.timeout(budgetMs);
    try {
      await client.send(new PutCommand({ TableName: tableName, Item: item, ...condition }), {
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

export function createHistoryWriter(client: DynamoDBDocumentClient, tableName: string): HistoryWriter {
  return createConditionalPut(client, tableName, NO_OVERWRITE);
}
