/**
 * Re-inserts failure records into the history table, idempotently (the same conditional put as the function),
 * at outage scale: the input is streamed (a file line by line, CloudWatch Logs page by page), writes run with
 * bounded concurrency, and throttling is waited out with backoff instead of counted as a failure.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { HASHES_PER_RECORD, type LoginHistoryItem, WRITE_FAILED } from '#contract';
import { explainAwsError } from '../core/cli.ts';
import { forEachBounded } from '../core/generic.ts';
import { parseLogLine } from './failure-records.ts';

export interface ReplayReport {
  inserted: number;
  alreadyPresent: number;
  unreadableCount: number;
  failedCount: number;
  /** The first DETAIL_LIMIT of each: a million failures must not hold a million messages in memory. */
  unreadable: { source: string; reason: string }[];
  failed: { signInId: string; error: string }[];
}

/** How many unreadable lines and failed records the report lists one by one; the rest are counted. */
export const DETAIL_LIMIT = 1000;

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
  // Loaded here, not at the top: a replay from a file never needs the CloudWatch Logs SDK in memory.
  const { paginateFilterLogEvents } = await import('@aws-sdk/client-cloudwatch-logs');
  const pages = paginateFilterLogEvents(
    { client: logs, ...(pageSize ? { pageSize } : {}) },
    { logGroupName, startTime, filterPattern: `"${WRITE_FAILED}"` },
  );
  for await (const page of pages) {
    for (const event of page.events ?? []) {
      yield { source: `${event.logStreamName ?? '?'}/${event.eventId ?? '?'}`, text: event.message ?? '' };
    }
  }
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

/** Writes one failure record's item; true when it was already in the table. Throws when it could not. */
export type RecordWriter = (item: LoginHistoryItem) => Promise<boolean>;

/**
 * Thrown when a write fails in a way that every other write would fail too (the table does not exist, no
 * permission, no or expired credentials, no network): one message and a stop, not a million identical
 * failures. `report` holds what was done before.
 */
export class ReplayStopped extends Error {
  constructor(
    readonly report: ReplayReport,
    override readonly cause: Error,
  ) {
    super(cause.message);
    this.name = 'ReplayStopped';
  }
}

/** A write error no other record can escape (see ReplayStopped). */
export function stopsTheRun(error: Error): boolean {
  return error.name === 'ResourceNotFoundException' || explainAwsError(error) !== undefined;
}

/**
 * Before a page of items is put, replay announces them (a replay record of their leaves, contract.ts): a late
 * insertion into an interval that is already sealed is then explained, not taken for tampering.
 */
export type Announce = (items: LoginHistoryItem[]) => Promise<void>;

/**
 * Reads the lines, writes each failure record with `write` (at most `concurrency` at once), and reports.
 * With `announce`, items go in pages of HASHES_PER_RECORD, each announced before it is written. Throws
 * ReplayStopped on a write error that would fail every record.
 */
export async function replayWith(
  write: RecordWriter,
  lines: AsyncIterable<LogLine> | Iterable<LogLine>,
  options: Pick<ReplayOptions, 'concurrency' | 'onProgress'> & { announce?: Announce },
): Promise<ReplayReport> {
  const { concurrency, onProgress, announce } = options;
  const report: ReplayReport = {
    inserted: 0,
    alreadyPresent: 0,
    unreadableCount: 0,
    failedCount: 0,
    unreadable: [],
    failed: [],
  };
  let handled = 0;
  let stoppedBy: Error | undefined;
  const writeOne = async (item: LoginHistoryItem): Promise<undefined | 'stop'> => {
    try {
      if (await write(item)) report.alreadyPresent++;
      else report.inserted++;
    } catch (error) {
      if (stopsTheRun(error as Error)) {
        stoppedBy ??= error as Error;
        return 'stop';
      }
      if (report.failedCount++ < DETAIL_LIMIT) {
        report.failed.push({
          signInId: item.signInId,
          error: `${(error as Error).name}: ${(error as Error).message}`,
        });
      }
    }
    onProgress?.(++handled);
    return undefined;
  };
  // The failure records among the lines; unreadable ones are counted on the way.
  async function* items(): AsyncGenerator<LoginHistoryItem> {
    for await (const line of lines) {
      const parsed = parseLogLine(line.text);
      if (parsed.kind === 'record') yield parsed.item;
      else if (parsed.kind === 'unreadable' && report.unreadableCount++ < DETAIL_LIMIT)
        report.unreadable.push({ source: line.source, reason: parsed.reason });
    }
  }
  if (!announce) {
    // Lines are pulled as writes free up: at most `concurrency` writes and as many lines in memory.
    await forEachBounded(items(), concurrency, writeOne);
  } else {
    let page: LoginHistoryItem[] = [];
    const flush = async () => {
      if (page.length === 0 || stoppedBy) return;
      const current = page;
      page = [];
      try {
        await announce(current);
      } catch (error) {
        stoppedBy ??= error as Error;
        return;
      }
      await forEachBounded(current, concurrency, writeOne);
    };
    for await (const item of items()) {
      page.push(item);
      if (page.length >= HASHES_PER_RECORD) await flush();
      if (stoppedBy) break;
    }
    await flush();
  }
  if (stoppedBy) throw new ReplayStopped(report, stoppedBy);
  return report;
}

/** `--since`: an ISO time or an age such as 90m, 36h, 7d; undefined when it is neither. */
export function parseSince(value: string, now = Date.now()): number | undefined {
  const age = /^(\d+)([mhd])$/.exec(value);
  if (age)
    return now - Number(age[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[age[2] as 'm' | 'h' | 'd'];
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}
