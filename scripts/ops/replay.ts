/** Re-inserts failure records into the history table, idempotently (the same conditional put as the function). */
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

export async function replay(
  doc: DynamoDBDocumentClient,
  tableName: string,
  lines: AsyncIterable<LogLine> | Iterable<LogLine>,
  dryRun: boolean,
): Promise<ReplayReport> {
  const report: ReplayReport = { inserted: 0, alreadyPresent: 0, unreadable: [], failed: [] };
  for await (const line of lines) {
    const parsed = parseLogLine(line.text);
    if (parsed.kind === 'other') continue;
    if (parsed.kind === 'unreadable') {
      report.unreadable.push({ source: line.source, reason: parsed.reason });
      continue;
    }
    try {
      const outcome = dryRun
        ? await exists(doc, tableName, parsed.item)
        : await insert(doc, tableName, parsed.item);
      if (outcome) report.alreadyPresent++;
      else report.inserted++;
    } catch (error) {
      report.failed.push({
        signInId: parsed.item.signInId,
        error: `${(error as Error).name}: ${(error as Error).message}`,
      });
    }
  }
  return report;
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
