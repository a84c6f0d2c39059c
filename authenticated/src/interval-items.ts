/**
 * The records of one time interval, read the same way by the sealer and by `npm run verify-trail`, so that
 * both hash the very same items: sign-ins through the byDay index (every shard of every day the interval
 * touches), authentication events through their day partitions (16 shards a day). An interval holds the
 * records with start <= time < end: sort keys begin with the ISO time and go on with "#", so
 * `BETWEEN start AND end` keeps the start's millisecond and leaves out the end's.
 */
import type { QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { AUTH_EVENT_SHARDS, authEventPartitionOf, DAY_INDEX, dayShardOf } from './contract.ts';
import type { TrailItem, TrailTable } from './trail-digest.ts';

const DAY_MS = 86_400_000;

/** The UTC days from the one holding `startMs` to the one holding `endMs - 1`. */
export function daysOf(startMs: number, endMs: number): string[] {
  const days: string[] = [];
  for (let t = Math.floor(startMs / DAY_MS) * DAY_MS; t < endMs; t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * One DynamoDB Query (a document client's `send(new QueryCommand(input))`). Passed in rather than a client:
 * the commands (scripts/) and the functions bundle their own copies of the SDK, and the SDK's paginators
 * refuse a client of another copy.
 */
export type Query = (
  input: QueryCommandInput,
) => Promise<Pick<QueryCommandOutput, 'Items' | 'LastEvaluatedKey'>>;

/** Every item a query matches, page by page. */
export async function* pages(
  query: Query,
  input: QueryCommandInput,
): AsyncGenerator<Record<string, unknown>[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await query({ ...input, ExclusiveStartKey: start });
    if (page.Items && page.Items.length > 0) yield page.Items;
    start = page.LastEvaluatedKey;
  } while (start);
}

export interface IntervalSource {
  table: TrailTable;
  tableName: string;
  /** The byDay index's shards (DayIndexShards), for the sign-ins. */
  dayIndexShards?: number;
}

/** Every record of [start, end), page by page, in no particular order. */
export async function* itemsOfInterval(
  query: Query,
  source: IntervalSource,
  startIso: string,
  endIso: string,
): AsyncGenerator<TrailItem[]> {
  for (const day of daysOf(Date.parse(startIso), Date.parse(endIso))) {
    for (const input of dayQueries(source, day, startIso, endIso)) {
      yield* pages(query, input) as AsyncGenerator<TrailItem[]>;
    }
  }
}

/** One query per shard of `day`, for the records of [start, end]: the byDay index, or the auth events' day shards. */
function dayQueries(
  source: IntervalSource,
  day: string,
  startIso: string,
  endIso: string,
): QueryCommandInput[] {
  const range = { ':lo': startIso, ':hi': endIso };
  return source.table === 'sign-ins'
    ? Array.from({ length: source.dayIndexShards ?? 1 }, (_, shard) => ({
        TableName: source.tableName,
        IndexName: DAY_INDEX,
        KeyConditionExpression: 'dayShard = :p AND signInId BETWEEN :lo AND :hi',
        ExpressionAttributeValues: { ':p': dayShardOf(day, shard), ...range },
      }))
    : Array.from({ length: AUTH_EVENT_SHARDS }, (_, shard) => ({
        TableName: source.tableName,
        KeyConditionExpression: 'pk = :p AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: { ':p': authEventPartitionOf(day, shard), ...range },
        ConsistentRead: true,
      }));
}

/** The record's time: its sort key (signInId, sk) begins with the ISO time, then '#'. */
export function sortKeyOf(table: TrailTable, item: TrailItem): string {
  return String(table === 'sign-ins' ? item.signInId : item.sk);
}

/**
 * Every record of [start, end) in sort-key (time) order: each day's shards read page by page and merged. One
 * query per shard and day, whatever the number of intervals, and memory of one page per shard.
 */
export async function* itemsInOrder(
  query: Query,
  source: IntervalSource,
  startIso: string,
  endIso: string,
): AsyncGenerator<TrailItem> {
  for (const day of daysOf(Date.parse(startIso), Date.parse(endIso))) {
    const cursors = dayQueries(source, day, startIso, endIso).map((input) => ({
      pages: pages(query, input),
      page: [] as TrailItem[],
      at: 0,
      done: false,
    }));
    const head = async (c: (typeof cursors)[number]) => {
      while (!c.done && c.at >= c.page.length) {
        const next = await c.pages.next();
        if (next.done) c.done = true;
        else {
          c.page = next.value as TrailItem[];
          c.at = 0;
        }
      }
      return c.done ? undefined : c.page[c.at];
    };
    await Promise.all(cursors.map(head));
    for (;;) {
      let oldest: { cursor: (typeof cursors)[number]; key: string } | undefined;
      for (const cursor of cursors) {
        const item = await head(cursor);
        if (item === undefined) continue;
        const key = sortKeyOf(source.table, item);
        if (!oldest || key < oldest.key) oldest = { cursor, key };
      }
      if (!oldest) break;
      yield oldest.cursor.page[oldest.cursor.at++] as TrailItem;
    }
  }
}
