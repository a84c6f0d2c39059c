/**
 * Verifying the trail: every sealed interval of a period checked against the tables as they are now. For each
 * table's chain: the digest objects (every version, every delete marker), each signature (with the stack's
 * public key, offline), the chain's links, the sealed leaves against the leaves recomputed from the table.
 * Each difference is named, and explained where a legitimate act accounts for it: TTL (the item had
 * expired), an erasure (its announced key hashes) or a replay (its announced leaves). Used by
 * `npm run verify-trail` and by the audit pack.
 */
import type { KeyObject } from 'node:crypto';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type ObjectVersion,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  ERASURE_KEYS_PARTITION,
  type ErasureKeysRecord,
  REPLAY_PARTITION,
  type ReplayRecord,
} from '#contract';
import { parseSealed, type StoredDigest, s3DigestStore } from '../../authenticated/src/digest-store.ts';
import {
  daysOf,
  type IntervalSource,
  itemsInOrder,
  pages,
  type Query,
  sortKeyOf,
} from '../../authenticated/src/interval-items.ts';
import {
  DIGEST_PREFIX,
  digestDayPrefix,
  itemHashOf,
  keyHashOf,
  keyOf,
  type Leaf,
  parseLeaves,
  rootOf,
  sha256Hex,
  signatureVerifies,
  type TrailTable,
} from '../../authenticated/src/trail-digest.ts';

export type DifferenceKind =
  | 'altered'
  | 'removed'
  | 'inserted'
  | 'missing digest'
  | 'bad signature'
  | 'broken chain'
  | 'bad leaves'
  | 'overwritten'
  | 'deleted';

/** Why a difference is legitimate. */
export type Explanation =
  | { code: 'ttl'; expiredAt: string }
  | { code: 'erasure'; requestedAt: string }
  | { code: 'replay'; replayedAt: string; replayedBy: string };

export interface Difference {
  kind: DifferenceKind;
  table: TrailTable;
  /** The sealed interval it concerns, ISO bounds. */
  interval?: { start: string; end: string };
  /** The digest object it concerns. */
  object?: string;
  /** The item's key hash, and its key when the item is still in the table. */
  keyHash?: string;
  key?: Record<string, unknown>;
  explanation?: Explanation;
}

export interface TableVerdict {
  table: TrailTable;
  tableName: string;
  /** Sealed intervals that overlap the period, and how many of them verified without a difference. */
  intervals: number;
  verifiedIntervals: number;
  sealedItems: number;
  /** The part of the period no digest covers (yet, or before the first one). */
  unsealed: { start: string; end: string; reason: 'after-last-seal' | 'before-first-seal' }[];
}

export interface Verdict {
  period: { from: string; to: string };
  verifiedAt: string;
  tables: TableVerdict[];
  differences: Difference[];
  /** True when every difference is explained. */
  intact: boolean;
}

export interface TrailVerification {
  doc: DynamoDBDocumentClient;
  s3: S3Client;
  bucket: string;
  /** The sign-in table, where the erasure and replay announcements are. */
  signInTable: string;
  sources: IntervalSource[];
  /** The key digests must be signed with: its public key, and its ARN when known (digests name it). */
  signingKey: { arn?: string; publicKey: KeyObject };
  now?: () => Date;
  progress?: (stage: string, done: number, total?: number) => void;
  /** Called with each sealed version read (the audit pack keeps their signed text and signature). */
  onDigest?: (key: string, sealed: StoredDigest['sealed']) => void;
}

interface DigestVersions {
  key: string;
  /** Oldest first: the first is the sealed one (Object Lock keeps it whatever came later). */
  versions: ObjectVersion[];
  deleteMarkers: number;
}

/** Every digest object of the table filed under the days of the period, with all its versions. */
async function digestObjects(s3: S3Client, bucket: string, table: TrailTable, days: string[]) {
  const objects = new Map<string, DigestVersions>();
  for (const day of days) {
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          Prefix: digestDayPrefix(table, day),
          KeyMarker: keyMarker,
          VersionIdMarker: versionMarker,
        }),
      );
      for (const version of page.Versions ?? []) {
        if (!version.Key?.endsWith('.json.gz')) continue;
        const entry = objects.get(version.Key) ?? { key: version.Key, versions: [], deleteMarkers: 0 };
        entry.versions.push(version);
        objects.set(version.Key, entry);
      }
      for (const marker of page.DeleteMarkers ?? []) {
        if (!marker.Key) continue;
        const entry = objects.get(marker.Key) ?? { key: marker.Key, versions: [], deleteMarkers: 0 };
        entry.deleteMarkers++;
        objects.set(marker.Key, entry);
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
  }
  for (const entry of objects.values()) {
    entry.versions.sort((a, b) => (a.LastModified?.getTime() ?? 0) - (b.LastModified?.getTime() ?? 0));
  }
  return [...objects.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}

async function readVersion(s3: S3Client, bucket: string, key: string, versionId?: string) {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  const body = await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
  return parseSealed(key, body);
}

export function signatureIsValid(stored: StoredDigest, signingKey: TrailVerification['signingKey']): boolean {
  if (signingKey.arn !== undefined && stored.digest.signingKeyArn !== signingKey.arn) return false;
  return signatureVerifies(stored.sealed, signingKey.publicKey);
}

/** What legitimately removed or inserted items: erasures' and replays' announcements since `sinceIso`. */
async function announcements(doc: DynamoDBDocumentClient, table: string, sinceIso: string) {
  const erased = new Map<string, string>();
  const replayed = new Map<string, { replayedAt: string; replayedBy: string }>();
  const query: Query = (input) => doc.send(new QueryCommand(input));
  const since = async function* (partition: string) {
    for await (const page of pages(query, {
      TableName: table,
      KeyConditionExpression: '#sub = :p AND signInId >= :since',
      ExpressionAttributeNames: { '#sub': 'sub' },
      ExpressionAttributeValues: { ':p': partition, ':since': sinceIso },
      ConsistentRead: true,
    })) {
      yield* page;
    }
  };
  for await (const record of since(ERASURE_KEYS_PARTITION)) {
    const { keyHashes, requestedAt } = record as unknown as ErasureKeysRecord;
    for (const hash of keyHashes ?? []) erased.set(hash, requestedAt);
  }
  for await (const record of since(REPLAY_PARTITION)) {
    const { leaves, replayedAt, replayedBy } = record as unknown as ReplayRecord;
    for (const leaf of leaves ?? []) replayed.set(leaf, { replayedAt, replayedBy });
  }
  return { erased, replayed };
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function verifyTrail(v: TrailVerification, fromIso: string, toIso: string): Promise<Verdict> {
  const now = v.now?.() ?? new Date();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  // `to` is inclusive (a whole day ends at .999): intervals overlapping [from, to + 1 ms).
  const fromMs = Date.parse(fromIso);
  const endMs = Date.parse(toIso) + 1;
  const { erased, replayed } = await announcements(v.doc, v.signInTable, fromIso);
  const differences: Difference[] = [];
  const tables: TableVerdict[] = [];

  for (const source of v.sources) {
    const { table } = source;
    const objects = (await digestObjects(v.s3, v.bucket, table, daysOf(fromMs, endMs))).filter((o) => {
      const [start, end] = intervalOfKey(o.key);
      return start < endMs && end > fromMs;
    });
    const verdict: TableVerdict = {
      table,
      tableName: source.tableName,
      intervals: 0,
      verifiedIntervals: 0,
      sealedItems: 0,
      unsealed: [],
    };
    let previous: StoredDigest | undefined;
    let done = 0;
    // The period's items in time order, one pass: each sealed interval takes the items before its end.
    const query: Query = (input) => v.doc.send(new QueryCommand(input));
    const spans = objects.map((o) => intervalOfKey(o.key));
    // No digest in the period (it lies before the first seal): nothing is compared, and an empty span is read.
    const streamStart = spans.length > 0 ? Math.max(fromMs, Math.min(...spans.map(([s]) => s))) : fromMs;
    const streamEnd = spans.length > 0 ? Math.max(...spans.map(([, e]) => e)) : fromMs;
    const stream = itemsInOrder(query, source, iso(streamStart), iso(streamEnd));
    let waiting: IteratorResult<Record<string, unknown>> | undefined;
    const itemsBefore = async (startIso: string, endIso: string): Promise<Record<string, unknown>[]> => {
      const items: Record<string, unknown>[] = [];
      for (;;) {
        const next = waiting ?? (await stream.next());
        waiting = next;
        if (next.done) return items;
        const key = sortKeyOf(table, next.value);
        if (key >= endIso) return items;
        if (key >= startIso) items.push(next.value);
        waiting = undefined;
      }
    };
    // The next digest's object is fetched while this one's items are read and compared.
    const read = (o: DigestVersions | undefined) =>
      o?.versions[0]
        ? readVersion(v.s3, v.bucket, o.key, o.versions[0].VersionId)
        : Promise.resolve(undefined);
    let pending = read(objects[0]);
    for (const [index, object] of objects.entries()) {
      v.progress?.(`${table} intervals verified`, done++, objects.length);
      const before = differences.length;
      const stored = await pending;
      pending = read(objects[index + 1]);
      if (object.deleteMarkers > 0) differences.push({ kind: 'deleted', table, object: object.key });
      if (!stored) {
        // Only delete markers: the sealed version is gone (no Object Lock on this bucket).
        continue;
      }
      v.onDigest?.(object.key, stored.sealed);
      const interval = { start: stored.digest.intervalStart, end: stored.digest.intervalEnd };
      verdict.intervals++;
      for (const later of object.versions.slice(1)) {
        const other = await readVersion(v.s3, v.bucket, object.key, later.VersionId).catch(() => undefined);
        if (other?.sealed.digest !== stored.sealed.digest || other.sealed.leaves !== stored.sealed.leaves)
          differences.push({ kind: 'overwritten', table, object: object.key, interval });
      }
      if (!signatureIsValid(stored, v.signingKey)) {
        differences.push({ kind: 'bad signature', table, object: object.key, interval });
        previous = stored;
        continue;
      }
      const sealedLeaves = parseLeaves(stored.sealed.leaves);
      if (
        rootOf(stored.sealed.leaves) !== stored.digest.root ||
        sealedLeaves.length !== stored.digest.itemCount
      ) {
        differences.push({ kind: 'bad leaves', table, object: object.key, interval });
      }
      verdict.sealedItems += stored.digest.itemCount;
      differences.push(...(await chainProblems(v, table, stored, previous)));
      previous = stored;

      // The table now, against what was sealed: an item whose hash was sealed is unchanged (one hash per
      // item); only the others are keyed, to tell an altered item from a removed and an inserted one.
      const sealedByItem = new Map(sealedLeaves.map((leaf) => [leaf.itemHash, leaf]));
      const unmatched: { item: Record<string, unknown>; itemHash: string }[] = [];
      for (const item of await itemsBefore(interval.start, interval.end)) {
        const itemHash = itemHashOf(item);
        if (!sealedByItem.delete(itemHash)) unmatched.push({ item, itemHash });
      }
      const sealedByKey = new Map([...sealedByItem.values()].map((leaf) => [leaf.keyHash, leaf]));
      const altered: Leaf[] = [];
      const inserted: Leaf[] = [];
      const keys = new Map<string, Record<string, unknown>>();
      for (const { item, itemHash } of unmatched) {
        const keyHash = keyHashOf(table, item);
        keys.set(keyHash, keyOf(table, item));
        if (sealedByKey.delete(keyHash)) altered.push({ keyHash, itemHash });
        else inserted.push({ keyHash, itemHash });
      }
      const removed = [...sealedByKey.values()];
      for (const leaf of altered) {
        differences.push({
          kind: 'altered',
          table,
          interval,
          keyHash: leaf.keyHash,
          key: keys.get(leaf.keyHash),
        });
      }
      for (const leaf of removed) {
        const erasedAt = erased.get(leaf.keyHash);
        const explanation: Explanation | undefined = erasedAt
          ? { code: 'erasure', requestedAt: erasedAt }
          : leaf.expiresAt !== undefined && leaf.expiresAt <= nowSeconds
            ? { code: 'ttl', expiredAt: iso(leaf.expiresAt * 1000) }
            : undefined;
        differences.push({
          kind: 'removed',
          table,
          interval,
          keyHash: leaf.keyHash,
          ...(explanation ? { explanation } : {}),
        });
      }
      for (const leaf of inserted) {
        const replay = replayed.get(`${leaf.keyHash} ${leaf.itemHash}`);
        differences.push({
          kind: 'inserted',
          table,
          interval,
          keyHash: leaf.keyHash,
          key: keys.get(leaf.keyHash),
          ...(replay ? { explanation: { code: 'replay', ...replay } } : {}),
        });
      }
      if (differences.slice(before).every((d) => d.explanation)) verdict.verifiedIntervals++;
    }
    v.progress?.(`${table} intervals verified`, done, objects.length);
    // What the chain covers: from its first digest to its newest. A part of the period inside that span that
    // no digest of the listing covers is a missing digest; outside it, the period is not sealed (yet).
    const chain = await chainSpan(v.s3, v.bucket, table, now, v.signingKey);
    const covered = objects.map((o) => intervalOfKey(o.key)).sort(([a], [b]) => a - b);
    const spanStart = Math.max(fromMs, chain?.start ?? endMs);
    const spanEnd = Math.min(endMs, chain?.end ?? fromMs);
    let cursor = spanStart;
    for (const [start, end] of covered) {
      if (start > cursor && cursor < spanEnd) {
        differences.push({
          kind: 'missing digest',
          table,
          interval: { start: iso(cursor), end: iso(Math.min(start, spanEnd)) },
        });
      }
      cursor = Math.max(cursor, end);
    }
    if (cursor < spanEnd)
      differences.push({
        kind: 'missing digest',
        table,
        interval: { start: iso(cursor), end: iso(spanEnd) },
      });
    if (!chain || chain.start > fromMs) {
      verdict.unsealed.push({
        start: iso(fromMs),
        end: iso(Math.min(endMs, chain?.start ?? endMs)),
        reason: 'before-first-seal',
      });
    }
    if (chain && chain.end < endMs && chain.end >= fromMs) {
      verdict.unsealed.push({
        start: iso(Math.max(fromMs, chain.end)),
        end: iso(endMs),
        reason: 'after-last-seal',
      });
    }
    tables.push(verdict);
  }
  return {
    period: { from: fromIso, to: toIso },
    verifiedAt: now.toISOString(),
    tables,
    differences,
    intact: differences.every((d) => d.explanation !== undefined),
  };
}

/** The interval a digest key names (its bounds are in the file name). */
function intervalOfKey(key: string): [number, number] {
  const match = /\/(\d{8}T\d{6}(?:\.\d{3})?Z)--(\d{8}T\d{6}(?:\.\d{3})?Z)\.json\.gz$/.exec(key);
  if (!match) return [Number.NaN, Number.NaN];
  const parse = (compact: string) =>
    Date.parse(
      `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}T${compact.slice(9, 11)}:${compact.slice(11, 13)}:${compact.slice(13)}`,
    );
  return [parse(match[1] as string), parse(match[2] as string)];
}

/** The span of the table's whole chain: the start of its first digest, the end of its newest. */
async function chainSpan(
  s3: S3Client,
  bucket: string,
  table: TrailTable,
  now: Date,
  signingKey: TrailVerification['signingKey'],
) {
  const first = await s3.send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: `${DIGEST_PREFIX}${table}/`, MaxKeys: 1 }),
  );
  const firstKey = first.Contents?.[0]?.Key;
  if (!firstKey) return undefined;
  const head = await s3DigestStore(s3, bucket).head(table, now.toISOString().slice(0, 10), (stored) =>
    signatureIsValid(stored, signingKey),
  );
  return {
    start: intervalOfKey(firstKey)[0],
    end: head ? Date.parse(head.digest.intervalEnd) : intervalOfKey(firstKey)[1],
  };
}

/**
 * The link from `stored` back to the digest before it: the previous digest named, present (read when it is
 * outside the period), with the SHA-256 named, and ending where this one starts.
 */
async function chainProblems(
  v: TrailVerification,
  table: TrailTable,
  stored: StoredDigest,
  previous: StoredDigest | undefined,
): Promise<Difference[]> {
  const link = stored.digest.previousDigest;
  const interval = { start: stored.digest.intervalStart, end: stored.digest.intervalEnd };
  if (link === null) {
    // The chain's first digest: nothing before it may be in the period's listing.
    return previous ? [{ kind: 'broken chain', table, interval, object: stored.key }] : [];
  }
  let before = previous?.key === link.key ? previous : undefined;
  if (!before) {
    // A gap in the listing is reported as a missing digest (verifyTrail); here only the link itself.
    if (previous && previous.digest.intervalEnd < stored.digest.intervalStart) return [];
    before = await readVersion(v.s3, v.bucket, link.key).catch(() => undefined);
    if (!before) return [{ kind: 'broken chain', table, interval, object: stored.key }];
  }
  if (
    sha256Hex(Buffer.from(before.sealed.digest, 'utf8')) !== link.sha256 ||
    before.digest.intervalEnd !== stored.digest.intervalStart
  ) {
    return [{ kind: 'broken chain', table, interval, object: stored.key }];
  }
  return [];
}
