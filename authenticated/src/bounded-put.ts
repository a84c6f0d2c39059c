/**
 * The one kind of DynamoDB write both functions make: a conditional PutItem bounded in time. A client with
 * per-attempt socket timeouts and a retry count, and a put with a hard deadline (an abort signal) on top, so
 * that a slow or unreachable DynamoDB ends the write before the function's own timeout; each function sets
 * its own limits (write-history.ts, write-auth-event.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';

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

export type WriteOutcome = 'written' | 'already-recorded';

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
