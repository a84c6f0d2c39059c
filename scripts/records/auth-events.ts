/**
 * Reading the authentication-event records (the AuthEventsTable the CloudTrail path writes): every event of
 * a period, oldest first and streamed, and one user's events through the bySub index.
 *
 * The table's key spreads a day over 16 partitions (pk `<day>#<shard>`, shard = FNV-1a(eventId) % 16) so a
 * credential-stuffing burst has no hot partition; a period is read back by merging the 16 day-shards, each
 * already ordered by its sort key `<eventTime>#<eventId>`.
 */
import {
  type DynamoDBDocumentClient,
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { AUTH_EVENT_SHARDS, type AuthEventItem, authEventPartitionOf } from '#contract';
import { DAY_MS, dayOf } from './sign-ins.ts';

/** An auth event as the reader gives it: the stored item without its keys and expiry. */
export type AuthEventRecord = Omit<AuthEventItem, 'pk' | 'sk' | 'expiresAt'>;

/** The record's attributes in the order JSON and CSV output use (the table's attribute names). */
export const AUTH_EVENT_FIELDS = [
  'eventTime',
  'eventId',
  'eventName',
  'outcome',
  'errorCode',
  'sourceIp',
  'userAgent',
  'sub',
  'clientId',
  'userPoolId',
  'authFlow',
] as const satisfies readonly (keyof AuthEventRecord)[];

/** Day-shards per day: fixed by the contract (authenticated/src/contract.ts), not a parameter. */
export { AUTH_EVENT_SHARDS };
export const BY_SUB_INDEX = 'bySub';
export const BY_SOURCE_IP_INDEX = 'bySourceIp';

/** Sort-key bounds that include every event of the first and the last millisecond ('#' < any eventId char). */
const lowerSk = (fromMs: number) => `${new Date(fromMs).toISOString()}#`;
const upperSk = (toMs: number) => `${new Date(toMs).toISOString()}#\uffff`;

/** The record without the table's keys and housekeeping (pk, sk, expiresAt), in the documented order. */
function recordOf(item: Record<string, unknown>): AuthEventRecord {
  const record: Record<string, unknown> = {};
  for (const field of AUTH_EVENT_FIELDS) if (item[field] !== undefined) record[field] = item[field];
  return record as unknown as AuthEventRecord;
}

function outcomeFilter(outcome: 'success' | 'failure' | undefined): Partial<QueryCommandInput> {
  if (!outcome) return {};
  return {
    FilterExpression: '#outcome = :outcome',
    ExpressionAttributeNames: { '#outcome': 'outcome' },
    ExpressionAttributeValues: { ':outcome': outcome },
  };
}

/**
 * One query's items, one page at a time, the next page already requested while this one is consumed: memory
 * holds at most two pages per query whatever the size of the day.
 */
class QueryCursor {
  private page: Record<string, unknown>[] = [];
  private index = 0;
  private pending: Promise<IteratorResult<QueryCommandOutput>>;
  constructor(private readonly pages: AsyncIterator<QueryCommandOutput>) {
    this.pending = this.request();
  }
  /** The next page, requested now; its error surfaces when it is awaited, never as an unhandled rejection. */
  private request(): Promise<IteratorResult<QueryCommandOutput>> {
    const page = this.pages.next();
    page.catch(() => undefined);
    return page;
  }
  /** The next item, loading pages as needed; undefined when the query is exhausted. */
  async head(): Promise<Record<string, unknown> | undefined> {
    while (this.index >= this.page.length) {
      const next = await this.pending;
      if (next.done) return undefined;
      this.page = next.value.Items ?? [];
      this.index = 0;
      this.pending = this.request();
    }
    return this.page[this.index];
  }
  advance(): void {
    this.index++;
  }
}

/**
 * Every recorded authentication event from `fromMs` to `toMs` (both included), oldest first: for each UTC
 * day, the 16 day-shards queried together and merged by sort key. Streamed: records are yielded as pages
 * arrive. `outcome` keeps only successes or only failures (a filter: the other outcome is still read).
 * `pageSize` caps the items of each query page (DynamoDB's own cap is 1 MB).
 */
export async function* authEventsOfPeriod(
  client: DynamoDBDocumentClient,
  tableName: string,
  fromMs: number,
  toMs: number,
  options: { outcome?: 'success' | 'failure'; pageSize?: number } = {},
): AsyncGenerator<AuthEventRecord> {
  if (toMs < fromMs) return;
  const filter = outcomeFilter(options.outcome);
  const lastDay = dayOf(toMs);
  for (let dayMs = Date.parse(`${dayOf(fromMs)}T00:00:00.000Z`); dayOf(dayMs) <= lastDay; dayMs += DAY_MS) {
    const day = dayOf(dayMs);
    const cursors = Array.from(
      { length: AUTH_EVENT_SHARDS },
      (_, shard) =>
        new QueryCursor(
          paginateQuery(
            { client, pageSize: options.pageSize },
            {
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
              ...filter,
              ExpressionAttributeValues: {
                ':pk': authEventPartitionOf(day, shard),
                ':lo': lowerSk(fromMs),
                ':hi': upperSk(toMs),
                ...filter.ExpressionAttributeValues,
              },
              ScanIndexForward: true,
            },
          )[Symbol.asyncIterator](),
        ),
    );
    for (;;) {
      let oldest: { cursor: QueryCursor; item: Record<string, unknown> } | undefined;
      for (const cursor of cursors) {
        const item = await cursor.head();
        if (item && (!oldest || String(item.sk) < String(oldest.item.sk))) oldest = { cursor, item };
      }
      if (!oldest) break;
      oldest.cursor.advance();
      yield recordOf(oldest.item);
    }
  }
}

/**
 * One user's recorded authentication events (successes and failures), oldest first (or `newestFirst`), through the bySub
 * index; optionally only those from `fromMs` and/or to `toMs` (both included). Events without a sub (an
 * unknown user name, or a failure before Cognito knew the user) cannot be found this way.
 */
export async function* authEventsOfUser(
  client: DynamoDBDocumentClient,
  tableName: string,
  sub: string,
  options: { fromMs?: number; toMs?: number; pageSize?: number; newestFirst?: boolean } = {},
): AsyncGenerator<AuthEventRecord> {
  const { fromMs, toMs } = options;
  const values: Record<string, unknown> = { ':sub': sub };
  let range = '';
  if (fromMs !== undefined && toMs !== undefined) {
    if (toMs < fromMs) return;
    range = ' AND sk BETWEEN :lo AND :hi';
    Object.assign(values, { ':lo': lowerSk(fromMs), ':hi': upperSk(toMs) });
  } else if (fromMs !== undefined) {
    range = ' AND sk >= :lo';
    values[':lo'] = lowerSk(fromMs);
  } else if (toMs !== undefined) {
    range = ' AND sk <= :hi';
    values[':hi'] = upperSk(toMs);
  }
  const pages = paginateQuery(
    { client, pageSize: options.pageSize },
    {
      TableName: tableName,
      IndexName: BY_SUB_INDEX,
      KeyConditionExpression: `#sub = :sub${range}`,
      ExpressionAttributeNames: { '#sub': 'sub' },
      ExpressionAttributeValues: values,
      ScanIndexForward: !options.newestFirst,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) yield recordOf(item);
  }
}

/**
 * The time of the newest recorded authentication event, looking back over today and the days before it (UTC) up to
 * `days`: per day, the newest item of each of the 16 day-shards (one query each, newest first, one item). Undefined
 * when there is none in that window.
 */
export async function newestAuthEventTime(
  client: DynamoDBDocumentClient,
  tableName: string,
  nowMs: number,
  days = 2,
): Promise<string | undefined> {
  for (let back = 0; back < days; back++) {
    const day = dayOf(nowMs - back * DAY_MS);
    const newest = await Promise.all(
      Array.from({ length: AUTH_EVENT_SHARDS }, async (_, shard) => {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': authEventPartitionOf(day, shard) },
            ProjectionExpression: 'sk',
            ScanIndexForward: false,
            Limit: 1,
          }),
        );
        const sk = page.Items?.[0]?.sk;
        return typeof sk === 'string' ? sk.slice(0, sk.indexOf('#')) : undefined;
      }),
    );
    const times = newest.filter((time): time is string => time !== undefined).sort();
    if (times.length > 0) return times.at(-1);
  }
  return undefined;
}
