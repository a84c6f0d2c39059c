/**
 * Erasing one person's history (GDPR Art. 17, APPI Art. 35): what there is, then every item deleted, then
 * an erasure record. Idempotent and resumable: a rerun deletes what is left and completes the record the
 * interrupted run started; after completion a rerun finds nothing and writes nothing.
 *
 * A person is named by their sub, or - for authentication events that name no user (an attempt for an unknown
 * user name, a managed-login request Cognito logged without a sub) - by the source address they give: only such
 * events of that address are erased; one that names a user belongs to that user and is erased by their sub.
 */

import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  ERASURE_KEYS_PARTITION,
  ERASURE_PARTITION,
  type ErasureKeysRecord,
  HASHES_PER_RECORD,
} from '#contract';
import { keyHashOf } from '../../authenticated/src/trail-digest.ts';
import { BY_SOURCE_IP_INDEX, BY_SUB_INDEX } from '../records/auth-events.ts';
import {
  completedRecord,
  type ErasureRecord,
  type ItemCounts,
  recordPrefix,
  startedRecord,
} from '../records/erasure-record.ts';

/** The auth-events table's index by user (issue 18: HASH sub, RANGE sk). */
/** Deletes in flight at once: one person's history is small; throttling is retried by the SDK. */
const DELETE_CONCURRENCY = 8;

export interface ErasureTarget {
  signInTable: string;
  /** Only when the stack records authentication events. */
  authEventsTable?: string;
  /** Whose items: a user (sub), or the auth events of a source address that name no user. */
  subject: { sub: string } | { sourceIp: string };
  /** The salted hash the erasure records of this subject are keyed by (erasure-record.ts). */
  subHash: string;
}

export interface KindSummary {
  count: number;
  /** By source address: that address's events that name a user, left to that user's erasure. */
  namingAUser?: number;
  /** ISO times of the oldest and newest item, when there is one. */
  first?: string;
  last?: string;
  /** When an interrupted erasure is resumed: how many of them it found already (recorded before it began). */
  olderThanResumed?: number;
  /** The UTC days (YYYYMMDD) the items fall on: the lake's folders that hold the person's rows. */
  eventDays: string[];
}

export interface ErasurePlan {
  signIns: KindSummary;
  authEvents?: KindSummary;
  /** The latest erasure record of this person: `started` means an interrupted erasure to resume. */
  latest?: ErasureRecord;
}

type Key = Record<string, unknown>;

/** Every key of one kind, page by page (a person's history can outgrow one page). */
async function* keysOf(
  doc: DynamoDBDocumentClient,
  target: ErasureTarget,
  kind: keyof ItemCounts,
): AsyncGenerator<{ key: Key; time: string; namesAUser?: boolean }[]> {
  const { subject } = target;
  let input: QueryCommandInput;
  if (kind === 'signIns') {
    if (!('sub' in subject)) return;
    input = {
      TableName: target.signInTable,
      KeyConditionExpression: '#k = :k',
      ExpressionAttributeNames: { '#k': 'sub' },
      ExpressionAttributeValues: { ':k': subject.sub },
      ProjectionExpression: '#k, signInId',
      // The base table reads its own writes: a rerun sees exactly what is left.
      ConsistentRead: true,
    };
  } else {
    const bySub = 'sub' in subject;
    input = {
      TableName: target.authEventsTable,
      IndexName: bySub ? BY_SUB_INDEX : BY_SOURCE_IP_INDEX,
      KeyConditionExpression: '#k = :k',
      ExpressionAttributeNames: { '#k': bySub ? 'sub' : 'sourceIp', '#sub': 'sub' },
      ExpressionAttributeValues: { ':k': bySub ? subject.sub : subject.sourceIp },
      ProjectionExpression: 'pk, sk, #sub',
    };
  }
  let start: Key | undefined;
  do {
    const page = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    yield (page.Items ?? []).map((item) =>
      kind === 'signIns'
        ? { key: { sub: item.sub, signInId: item.signInId }, time: timeOf(String(item.signInId)) }
        : {
            key: { pk: item.pk, sk: item.sk },
            time: timeOf(String(item.sk)),
            namesAUser: item.sub !== undefined,
          },
    );
    start = page.LastEvaluatedKey;
  } while (start);
}

/** By source address, an event that names a user is that user's: left to an erasure by their sub. */
const belongsTo = (target: ErasureTarget, item: { namesAUser?: boolean }) =>
  'sub' in target.subject || !item.namesAUser;

/** Both sort keys begin with the ISO time (`<time>#<id>`). */
const timeOf = (sortKey: string) => sortKey.slice(0, sortKey.indexOf('#'));

async function summary(
  doc: DynamoDBDocumentClient,
  target: ErasureTarget,
  kind: keyof ItemCounts,
  resumedFrom: string | undefined,
): Promise<KindSummary> {
  const result: KindSummary = { count: 0, ...(resumedFrom ? { olderThanResumed: 0 } : {}), eventDays: [] };
  const days = new Set<string>();
  for await (const page of keysOf(doc, target, kind)) {
    for (const item of page) {
      if (!belongsTo(target, item)) {
        result.namingAUser = (result.namingAUser ?? 0) + 1;
        continue;
      }
      const { time } = item;
      result.count++;
      days.add(time.slice(0, 10).replaceAll('-', ''));
      if (!result.first || time < result.first) result.first = time;
      if (!result.last || time > result.last) result.last = time;
      if (resumedFrom && time <= resumedFrom) result.olderThanResumed = (result.olderThanResumed ?? 0) + 1;
    }
  }
  result.eventDays = [...days].sort();
  return result;
}

export async function latestRecord(
  doc: DynamoDBDocumentClient,
  signInTable: string,
  hash: string,
): Promise<ErasureRecord | undefined> {
  const page = await doc.send(
    new QueryCommand({
      TableName: signInTable,
      KeyConditionExpression: '#sub = :partition AND begins_with(signInId, :prefix)',
      ExpressionAttributeNames: { '#sub': 'sub' },
      ExpressionAttributeValues: { ':partition': ERASURE_PARTITION, ':prefix': recordPrefix(hash) },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return page.Items?.[0] as ErasureRecord | undefined;
}

export async function planErasure(doc: DynamoDBDocumentClient, target: ErasureTarget): Promise<ErasurePlan> {
  const latest = await latestRecord(doc, target.signInTable, target.subHash);
  const resumedFrom = latest?.status === 'started' ? latest.requestedAt : undefined;
  const [signIns, authEvents] = await Promise.all([
    summary(doc, target, 'signIns', resumedFrom),
    target.authEventsTable ? summary(doc, target, 'authEvents', resumedFrom) : undefined,
  ]);
  return { signIns, authEvents, latest };
}

const countsOf = (plan: ErasurePlan): ItemCounts => ({
  signIns: plan.signIns.count,
  authEvents: plan.authEvents?.count ?? 0,
});

/** Of the items an interrupted erasure found, how many are still there (items recorded since are new). */
const leftOfResumed = (plan: ErasurePlan): ItemCounts => ({
  signIns: plan.signIns.olderThanResumed ?? plan.signIns.count,
  authEvents: plan.authEvents?.olderThanResumed ?? plan.authEvents?.count ?? 0,
});

export type ErasureOutcome =
  | { kind: 'nothing-to-do'; latest?: ErasureRecord }
  | { kind: 'completed'; record: ErasureRecord; resumed: boolean };

/**
 * Deletes every item of the plan's person and records the erasure. The started record is written before the
 * first delete, so an interruption always leaves a record to resume from.
 */
export async function erase(
  doc: DynamoDBDocumentClient,
  target: ErasureTarget,
  plan: ErasurePlan,
  options: {
    requestedBy: string;
    now?: () => Date;
    onProgress?: (deleted: number, total: number) => void;
    /** Removes the person's rows from the lake on these days (Lake=enabled); returns how many. */
    eraseLake?: (days: { signIns: string[]; authEvents: string[] }) => Promise<ItemCounts>;
  },
): Promise<ErasureOutcome> {
  const now = options.now ?? (() => new Date());
  const remaining = countsOf(plan);
  const resuming = plan.latest?.status === 'started' ? plan.latest : undefined;
  if (!resuming && remaining.signIns + remaining.authEvents === 0) {
    return { kind: 'nothing-to-do', latest: plan.latest };
  }
  const started =
    resuming ??
    startedRecord({
      subHash: target.subHash,
      ...('sourceIp' in target.subject ? { subject: 'source-ip' as const } : {}),
      requestedAt: now().toISOString(),
      requestedBy: options.requestedBy,
      itemsFound: remaining,
    });
  if (!resuming) await putRecord(doc, target.signInTable, started);

  // The lake's copy first, while the items still say which days hold the person's rows: an interruption
  // leaves items to find those days again.
  const lakeRows = await options.eraseLake?.({
    signIns: plan.signIns.eventDays,
    authEvents: plan.authEvents?.eventDays ?? [],
  });

  const total = remaining.signIns + remaining.authEvents;
  let done = 0;
  const deletedNow: ItemCounts = { signIns: 0, authEvents: 0 };
  const kinds: (keyof ItemCounts)[] = target.authEventsTable ? ['signIns', 'authEvents'] : ['signIns'];
  // This run's announcements have their own sort keys: a resumed erasure never collides with the first run's.
  const run = { at: now().toISOString(), page: 0 };
  for (const kind of kinds) {
    const table = kind === 'signIns' ? target.signInTable : (target.authEventsTable as string);
    for await (const all of keysOf(doc, target, kind)) {
      const page = all.filter((item) => belongsTo(target, item));
      // Announced before they are deleted: the change detector and verify-trail explain these removals.
      for (let i = 0; i < page.length; i += HASHES_PER_RECORD) {
        const keys = page.slice(i, i + HASHES_PER_RECORD).map(({ key }) => key);
        await putRecord(doc, target.signInTable, erasureKeysRecord(started, kind, keys, run.at, ++run.page));
      }
      for (let i = 0; i < page.length; i += DELETE_CONCURRENCY) {
        const deleted = await Promise.all(
          page.slice(i, i + DELETE_CONCURRENCY).map(({ key }) => deleteOne(doc, table, key)),
        );
        deletedNow[kind] += deleted.filter(Boolean).length;
        done += deleted.length;
        options.onProgress?.(done, Math.max(done, total));
      }
    }
  }
  const record = completedRecord(started, {
    remaining: resuming ? leftOfResumed(plan) : remaining,
    deletedNow,
    completedAt: now().toISOString(),
    lakeRows,
  });
  await putRecord(doc, target.signInTable, record);
  return { kind: 'completed', record, resumed: resuming !== undefined };
}

/** True when the item was there (an index can still list an item another run already deleted). */
async function deleteOne(doc: DynamoDBDocumentClient, table: string, key: Key): Promise<boolean> {
  const result = await doc.send(new DeleteCommand({ TableName: table, Key: key, ReturnValues: 'ALL_OLD' }));
  return result.Attributes !== undefined;
}

/** The announcement of a page of keys about to be deleted (contract.ts ErasureKeysRecord). */
export function erasureKeysRecord(
  started: ErasureRecord,
  kind: keyof ItemCounts,
  keys: Key[],
  runAt: string,
  page: number,
): ErasureKeysRecord {
  const table = kind === 'signIns' ? 'sign-ins' : 'auth-events';
  return {
    sub: ERASURE_KEYS_PARTITION,
    signInId: `${started.requestedAt}#${started.subHash}#${table}#${runAt}#${String(page).padStart(6, '0')}`,
    kind: 'erasure-keys',
    requestedAt: started.requestedAt,
    subHash: started.subHash,
    table,
    keyHashes: keys.map((key) => keyHashOf(table, key)),
  };
}

/** Never overwrites: a record that is already there (a rerun racing another) stays as it was written. */
async function putRecord(
  doc: DynamoDBDocumentClient,
  table: string,
  record: ErasureRecord | ErasureKeysRecord,
): Promise<void> {
  try {
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: record,
        ConditionExpression: 'attribute_not_exists(signInId)',
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}
