/**
 * Re-inserts failure records into the history table, idempotently (the same conditional put as the function),
 * at outage scale: the input is streamed (a file line by line, CloudWatch Logs page by page), writes run with
 * bounded concurrency, and throttling is waited out with backoff instead of counted as a failure.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { NO_OVERWRITE } from '../../authenticated/src/history-item.ts';
import { FAILURE_CODE, type HistoryItemRecord, parseLogLine } from './failure-records.ts';

export interface ReplayReport {
  inserted: number;
  alreadyPresent: number;
  unreadable: { source: string; reason: string }[];
  failed: { signInId: string; error: string }[];
}

export interface LogLine {
  source: string;
  text: string;
}

/** Every event of the log group since `startTime` that mentions the failure code (paginated). */
export async function* failureLinesFromLogGroup(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  startTime: number,
  pageSize?: number,
): AsyncGenerator<LogLine> {
  let nextToken: string | undefined;
  do {
    const page = await logs.send(
      new FilterLogEventsCommand({
        logGroupName,
        startTime,
        filterPattern: `"${FAILURE_CODE}"`,
        nextToken,
        limit: pageSize,
      }),
    );
    for (const event of page.events ?? []) {
      yield { source: `${event.logStreamName ?? '?'}/${event.eventId ?? '?'}`, text: event.message ?? '' };
    }
    nextToken = page.nextToken;
  } while (nextToken);
}

export function* linesFromText(name: string, text: string): Generator<LogLine> {
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries())
    if (line.trim()) yield { source: `${name}:${index + 1}`, text: line };
}

/** A log export read line by line: memory holds one line (and the stream's buffer), whatever the size. */
export async function* linesFromFile(path: string): AsyncGenerator<LogLine> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  try {
    for await (const line of reader) {
      number++;
      if (line.trim()) yield { source: `${path}:${number}`, text: line };
    }
  } finally {
    reader.close();
    input.destroy();
  }
}

/** DynamoDB's throttling errors: retried (with backoff) until they pass, never reported as failures. */
export const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

export interface ReplayOptions {
  dryRun: boolean;
  /** Writes in flight at once. */
  concurrency: number;
  /** Called after each failure record is handled (inserted, present, failed). */
  onProgress?: (handled: number) => void;
  /** First backoff after a throttle, doubled per retry up to `maxBackoffMs`, with full jitter. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

export const DEFAULT_CONCURRENCY = 64;

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

/** Writes one failure record's item; true when it was already in the table. Throws when it could not. */
export type RecordWriter = (item: HistoryItemRecord) => Promise<boolean>;

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

/** Reads the lines, writes each failure record with `write` (at most `concurrency` at once), and reports. */
export async function replayWith(
  write: RecordWriter,
  lines: AsyncIterable<LogLine> | Iterable<LogLine>,
  options: Pick<ReplayOptions, 'concurrency' | 'onProgress'>,
): Promise<ReplayReport> {
  const { concurrency, onProgress } = options;
  const report: ReplayReport = { inserted: 0, alreadyPresent: 0, unreadable: [], failed: [] };
  const source = (Symbol.asyncIterator in lines ? lines : toAsync(lines))[Symbol.asyncIterator]();
  let handled = 0;
  // Every worker pulls the next line itself: at most `concurrency` writes and as many lines in memory.
  const worker = async () => {
    for (let next = await source.next(); !next.done; next = await source.next()) {
      const line = next.value;
      const parsed = parseLogLine(line.text);
      if (parsed.kind === 'other') continue;
      if (parsed.kind === 'unreadable') {
        report.unreadable.push({ source: line.source, reason: parsed.reason });
        continue;
      }
      try {
        if (await write(parsed.item)) report.alreadyPresent++;
        else report.inserted++;
      } catch (error) {
        report.failed.push({
          signInId: parsed.item.signInId,
          error: `${(error as Error).name}: ${(error as Error).message}`,
        });
      }
      onProgress?.(++handled);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return report;
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

/** Returns true when the item was already there. */
async function insert(
  doc: DynamoDBDocumentClient,
  tableName: string,
  item: HistoryItemRecord,
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
  item: HistoryItemRecord,
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

/** `--since`: an ISO time or an age such as 90m, 36h, 7d; undefined when it is neither. */
export function parseSince(value: string, now = Date.now()): number | undefined {
  const age = /^(\d+)([mhd])$/.exec(value);
  if (age)
    return now - Number(age[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[age[2] as 'm' | 'h' | 'd'];
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}
