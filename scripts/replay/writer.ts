/**
 * The write side of replay: the same conditional put as the function (or, for a dry run, the existence check),
 * throttling waited out. Its own module so that only the thread that writes loads the DynamoDB SDK.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type LoginHistoryItem, NO_OVERWRITE } from '#contract';
import { clientConfig } from '../core/clients.ts';
import {
  type LogLine,
  type RecordWriter,
  type ReplayOptions,
  type ReplayReport,
  replayWith,
} from './replay.ts';
import type { WriterOptions } from './workers.ts';

/** DynamoDB's throttling errors: retried (with backoff) until they pass, never reported as failures. */
export const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/** Runs `write`, waiting out throttling: exponential backoff with full jitter, as long as it takes. */
async function untilNotThrottled<T>(write: () => Promise<T>, baseMs: number, maxMs: number): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!THROTTLING_ERRORS.has((error as Error).name)) throw error;
      await sleep(Math.random() * Math.min(maxMs, baseMs * 2 ** attempt));
    }
  }
}

/** The writes' client: in the given region, as the ReplayRole's session when there is one. */
export function writerClient({ region, credentials }: Pick<WriterOptions, 'region' | 'credentials'>) {
  return DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(region, { credentials })));
}

/** The conditional put (or, for a dry run, the existence check), throttling waited out. */
export function recordWriter(
  doc: DynamoDBDocumentClient,
  tableName: string,
  options: Pick<ReplayOptions, 'dryRun' | 'baseBackoffMs' | 'maxBackoffMs'>,
): RecordWriter {
  const { dryRun, baseBackoffMs = 50, maxBackoffMs = 5_000 } = options;
  return (item) =>
    untilNotThrottled(
      () => (dryRun ? exists(doc, tableName, item) : insert(doc, tableName, item)),
      baseBackoffMs,
      maxBackoffMs,
    );
}

export function replay(
  doc: DynamoDBDocumentClient,
  tableName: string,
  lines: AsyncIterable<LogLine> | Iterable<LogLine>,
  options: ReplayOptions,
): Promise<ReplayReport> {
  return replayWith(recordWriter(doc, tableName, options), lines, options);
}

/** Returns true when the item was already there. */
async function insert(
  doc: DynamoDBDocumentClient,
  tableName: string,
  item: LoginHistoryItem,
): Promise<boolean> {
  try {
    await doc.send(new PutCommand({ TableName: tableName, Item: item, ...NO_OVERWRITE }));
    return false;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return true;
    throw error;
  }
}

async function exists(
  doc: DynamoDBDocumentClient,
  tableName: string,
  item: LoginHistoryItem,
): Promise<boolean> {
  const { Item } = await doc.send(
    new GetCommand({
      TableName: tableName,
      Key: { sub: item.sub, signInId: item.signInId },
      ProjectionExpression: '#s',
      ExpressionAttributeNames: { '#s': 'sub' },
    }),
  );
  return Item !== undefined;
}
