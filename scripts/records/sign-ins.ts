/**
 * Reading the login history: one user's sign-ins or one day's (newest first), each user's latest sign-in
 * (the dormant-account report), a period's sign-ins streamed oldest first, and the day the history starts.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { DAY_INDEX, dayShardOf, type LoginHistoryItem } from '#contract';
import { namingTables } from '../core/cli.ts';
import { BULK_READ_RETRIES, clientConfig } from '../core/clients.ts';

/** The commands' reading client; its errors name their table (namingTables). */
export function createReader(region?: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    namingTables(
      // Throttled reads back off and retry instead of failing the command.
      new DynamoDBClient(clientConfig(region, BULK_READ_RETRIES)),
    ),
  );
}

/** The first `limit` items of a query, newest first (pages of `limit`, the last one cut). */
async function queryAll(
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
  limit: number,
): Promise<LoginHistoryItem[]> {
  const items: LoginHistoryItem[] = [];
  for await (const page of paginateQuery(
    { client: doc, pageSize: limit },
    { ...input, ScanIndexForward: false },
  )) {
    items.push(...((page.Items ?? []) as LoginHistoryItem[]));
    if (items.length >= limit) break;
  }
  return items.slice(0, limit);
}

export function historyOfUser(doc: DynamoDBDocumentClient, table: string, sub: string, limit: number) {
  return queryAll(
    doc,
    {
      TableName: table,
      KeyConditionExpression: '#sub = :sub',
      ExpressionAttributeNames: { '#sub': 'sub' },
      ExpressionAttributeValues: { ':sub': sub },
    },
    limit,
  );
}

/** Every shard of the day, merged newest first (each shard is already ordered by signInId). */
export async function historyOfDay(
  doc: DynamoDBDocumentClient,
  table: string,
  day: string,
  shards: number,
  limit: number,
): Promise<LoginHistoryItem[]> {
  const perShard = await Promise.all(
    Array.from({ length: shards }, (_, shard) =>
      queryAll(
        doc,
        {
          TableName: table,
          IndexName: DAY_INDEX,
          KeyConditionExpression: 'dayShard = :d',
          ExpressionAttributeValues: { ':d': dayShardOf(day, shard) },
        },
        limit,
      ),
    ),
  );
  return perShard
    .flat()
    .sort((a, b) => (a.signInId < b.signInId ? 1 : a.signInId > b.signInId ? -1 : 0))
    .slice(0, limit);
}

/**
 * The user's most recent recorded sign-in time (one Query: newest first, Limit 1, one attribute); with
 * `atOrBeforeIso`, the most recent one at or before that time (a review "as of" a past date).
 */
export async function lastSignInOf(
  doc: DynamoDBDocumentClient,
  table: string,
  sub: string,
  atOrBeforeIso?: string,
): Promise<string | undefined> {
  const page = await doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: atOrBeforeIso ? '#sub = :sub AND signInId <= :hi' : '#sub = :sub',
      ExpressionAttributeNames: { '#sub': 'sub', '#at': 'signedInAt' },
      // '\uffff' sorts after every request id: sign-ins of that very millisecond count
      ExpressionAttributeValues: atOrBeforeIso
        ? { ':sub': sub, ':hi': `${atOrBeforeIso}#\uffff` }
        : { ':sub': sub },
      ProjectionExpression: '#at',
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  return page.Items?.[0]?.signedInAt as string | undefined;
}

export const DAY_MS = 86_400_000;
export const dayOf = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);
const nextDay = (day: string) => dayOf(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS);

/**
 * The first day from `fromDay` (inclusive) to `today` on which the byDay index holds a sign-in, and that
 * sign-in's time; undefined when there is none. Days are looked at in batches, all shards at once, oldest
 * batch first, so a history that starts soon after `fromDay` costs a few queries.
 */
export async function firstRecordedSignIn(
  doc: DynamoDBDocumentClient,
  table: string,
  shards: number,
  fromDay: string,
  today: string,
  batchDays = 32,
): Promise<string | undefined> {
  let day = fromDay;
  while (day <= today) {
    const days: string[] = [];
    for (; day <= today && days.length < batchDays; day = nextDay(day)) days.push(day);
    const firsts = await Promise.all(
      days.flatMap((d) =>
        Array.from({ length: shards }, async (_, shard) => {
          const page = await doc.send(
            new QueryCommand({
              TableName: table,
              IndexName: DAY_INDEX,
              KeyConditionExpression: 'dayShard = :d',
              ExpressionAttributeValues: { ':d': dayShardOf(d, shard) },
              ProjectionExpression: 'signedInAt',
              Limit: 1,
            }),
          );
          return page.Items?.[0]?.signedInAt as string | undefined;
        }),
      ),
    );
    const found = firsts.filter((t): t is string => t !== undefined).sort();
    if (found.length > 0) return found[0];
  }
  return undefined;
}

/** Pages of one day-shard of the byDay index within [lo, hi] (signInId bounds), oldest first. */
async function* shardPages(
  doc: DynamoDBDocumentClient,
  table: string,
  dayShard: string,
  lo: string,
  hi: string,
): AsyncGenerator<LoginHistoryItem[]> {
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: table,
      IndexName: DAY_INDEX,
      KeyConditionExpression: 'dayShard = :d AND signInId BETWEEN :lo AND :hi',
      ExpressionAttributeValues: { ':d': dayShard, ':lo': lo, ':hi': hi },
      ScanIndexForward: true,
    },
  );
  for await (const page of pages) yield (page.Items ?? []) as LoginHistoryItem[];
}

/**
 * A shard read one page at a time, the next page already requested while this one is consumed, so
 * memory holds at most two pages per shard whatever the size of the day.
 */
class ShardCursor {
  private page: LoginHistoryItem[] = [];
  private index = 0;
  private pending: Promise<IteratorResult<LoginHistoryItem[]>>;
  constructor(private readonly pages: AsyncGenerator<LoginHistoryItem[]>) {
    this.pending = pages.next();
  }
  /** The next item, loading pages as needed; undefined when the shard is exhausted. */
  async head(): Promise<LoginHistoryItem | undefined> {
    while (this.index >= this.page.length) {
      const next = await this.pending;
      if (next.done) return undefined;
      this.page = next.value;
      this.index = 0;
      this.pending = this.pages.next();
    }
    return this.page[this.index];
  }
  advance(): void {
    this.index++;
  }
}

/**
 * Every sign-in from `fromIso` to `toIso` (both included, ISO times as the items hold them), oldest first:
 * for each day, every shard of the byDay index merged by sign-in id. Streamed: items are yielded as pages
 * arrive, and only the current pages are held in memory.
 */
export async function* signInsBetween(
  doc: DynamoDBDocumentClient,
  table: string,
  shards: number,
  fromIso: string,
  toIso: string,
): AsyncGenerator<LoginHistoryItem> {
  // '#' < every character of a request id, '\uffff' > all: the bounds include every sign-in of those ms.
  const lo = `${fromIso}#`;
  const hi = `${toIso}#\uffff`;
  for (let day = fromIso.slice(0, 10); day <= toIso.slice(0, 10); day = nextDay(day)) {
    const cursors = Array.from(
      { length: shards },
      (_, shard) => new ShardCursor(shardPages(doc, table, dayShardOf(day, shard), lo, hi)),
    );
    for (;;) {
      let oldest: { cursor: ShardCursor; item: LoginHistoryItem } | undefined;
      for (const cursor of cursors) {
        const item = await cursor.head();
        if (item && (!oldest || item.signInId < oldest.item.signInId)) oldest = { cursor, item };
      }
      if (!oldest) break;
      oldest.cursor.advance();
      yield oldest.item;
    }
  }
}
