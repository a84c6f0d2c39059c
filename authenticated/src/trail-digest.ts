/**
 * The sealed digest of a table's records in one time interval: what the sealer signs and stores, and what
 * `npm run verify-trail` (and an auditor, with sha256sum, jq and openssl) recomputes. Pure: no I/O, no clock.
 * The format is documented in docs/integrity.md; changing anything here breaks the verification of every
 * digest already sealed.
 *
 * - An item's canonical form is its JSON with object keys sorted by UTF-16 code units and no white space:
 *   RFC 8785 (JCS) for the strings, integers and booleans the tables hold.
 * - A leaf is one line `<key hash> <item hash> <expiresAt or ->`: the SHA-256 (hex) of the canonical key,
 *   of the canonical item, and the item's TTL (epoch seconds), so a removal by TTL can be told from others.
 *   The hashes carry no personal data: a key hash cannot be turned back into a sub.
 * - The leaves of an interval are those lines sorted, each ending in "\n"; the root is the SHA-256 of them.
 * - The digest is the canonical JSON of {format, table, tableName, intervalStart, intervalEnd, itemCount,
 *   root, previousDigest: {key, sha256} | null, signingKeyArn, signingAlgorithm}, signed as it is (KMS
 *   ECDSA_SHA_256 over the raw bytes), at most 4,096 bytes (KMS's limit for a raw message).
 * - One S3 object per interval holds {digest, signature, leaves} as gzipped JSON.
 */
import { createHash, createVerify, type KeyObject } from 'node:crypto';

export const DIGEST_FORMAT = 'login-history-digest/1';
export const SIGNING_ALGORITHM = 'ECDSA_SHA_256';
/** KMS signs a raw message of at most 4,096 bytes. */
export const MAX_DIGEST_BYTES = 4096;
export const DIGEST_PREFIX = 'digests/';
export const PUBLIC_KEY_PREFIX = 'public-keys/';

/** The tables a trail is kept of, each with its own chain. */
export const TRAIL_TABLES = ['sign-ins', 'auth-events'] as const;
export type TrailTable = (typeof TRAIL_TABLES)[number];

/** The attributes that key an item of each table (contract.ts). */
export const KEY_ATTRIBUTES: Record<TrailTable, readonly [string, string]> = {
  'sign-ins': ['sub', 'signInId'],
  'auth-events': ['pk', 'sk'],
};

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** JSON with object keys sorted and no white space (RFC 8785 for strings, integers and booleans). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('not a JSON number');
  if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol')
    throw new Error(`not a JSON value: ${typeof value}`);
  return JSON.stringify(value as Json);
}

export const sha256Hex = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');

export type TrailItem = Record<string, unknown>;

/** The item's key attributes, as an object (what the key hash is made of). */
export function keyOf(table: TrailTable, item: TrailItem): Record<string, unknown> {
  const [hash, range] = KEY_ATTRIBUTES[table];
  return { [hash]: item[hash], [range]: item[range] };
}

export const keyHashOf = (table: TrailTable, item: TrailItem) => sha256Hex(canonicalJson(keyOf(table, item)));
export const itemHashOf = (item: TrailItem) => sha256Hex(canonicalJson(item));

export interface Leaf {
  keyHash: string;
  itemHash: string;
  /** The item's TTL, epoch seconds; undefined when it is kept forever. */
  expiresAt?: number;
}

export function leafOf(table: TrailTable, item: TrailItem): Leaf {
  const expiresAt = typeof item.expiresAt === 'number' ? item.expiresAt : undefined;
  return { keyHash: keyHashOf(table, item), itemHash: itemHashOf(item), ...(expiresAt ? { expiresAt } : {}) };
}

export const leafLine = (leaf: Leaf) => `${leaf.keyHash} ${leaf.itemHash} ${leaf.expiresAt ?? '-'}\n`;

/** The leaves of an interval as they are sealed: one line per item, sorted. */
export function leavesText(leaves: Iterable<Leaf>): string {
  return [...leaves]
    .map(leafLine)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .join('');
}

/** Reads the leaves back; a line that is not a leaf is an error (the sealed text is never edited). */
export function parseLeaves(text: string): Leaf[] {
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error('the leaves do not end with a newline');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, n) => {
      const match = /^([0-9a-f]{64}) ([0-9a-f]{64}) (-|\d{1,12})$/.exec(line);
      if (!match) throw new Error(`leaf ${n + 1} is not "<key hash> <item hash> <expiresAt or ->"`);
      const expiresAt = match[3] === '-' ? undefined : Number(match[3]);
      return {
        keyHash: match[1] as string,
        itemHash: match[2] as string,
        ...(expiresAt ? { expiresAt } : {}),
      };
    });
}

export const rootOf = (leaves: string) => sha256Hex(leaves);

export interface Digest {
  format: typeof DIGEST_FORMAT;
  table: TrailTable;
  tableName: string;
  /** ISO times (ms, UTC): the interval holds the records with intervalStart <= time < intervalEnd. */
  intervalStart: string;
  intervalEnd: string;
  itemCount: number;
  root: string;
  /** The digest sealed before this one in the table's chain (null for the first). */
  previousDigest: { key: string; sha256: string } | null;
  signingKeyArn: string;
  signingAlgorithm: typeof SIGNING_ALGORITHM;
}

/** The bytes that are signed: the canonical JSON of the digest, within KMS's raw-message limit. */
export function digestBytes(digest: Digest): Buffer {
  const bytes = Buffer.from(canonicalJson(digest), 'utf8');
  if (bytes.length > MAX_DIGEST_BYTES) {
    throw new Error(`the digest is ${bytes.length} bytes; KMS signs at most ${MAX_DIGEST_BYTES}`);
  }
  return bytes;
}

/** What is stored per interval: the signed digest as its exact text, the signature, and the leaves. */
export interface SealedInterval {
  /** The signed bytes as UTF-8 text: `jq -j .digest` gives them back byte for byte. */
  digest: string;
  /** The DER-encoded ECDSA signature, base64. */
  signature: string;
  leaves: string;
}

/** True when `signature` (base64 DER) is the key's ECDSA_SHA_256 signature of the digest text. */
export function signatureVerifies(
  sealed: Pick<SealedInterval, 'digest' | 'signature'>,
  publicKey: KeyObject,
): boolean {
  try {
    return createVerify('sha256')
      .update(Buffer.from(sealed.digest, 'utf8'))
      .verify({ key: publicKey, dsaEncoding: 'der' }, Buffer.from(sealed.signature, 'base64'));
  } catch {
    return false;
  }
}

/** `20261206T101500Z` (the millisecond too, when it is not 0): sortable, and safe in a file name. */
export function compactTime(iso: string): string {
  const [date, time] = iso.replace(/[-:]/g, '').split('T') as [string, string];
  const [whole, ms = '000Z'] = time.split('.') as [string, string?];
  return `${date}T${whole}${ms === '000Z' ? 'Z' : `.${ms}`}`;
}

/** The object key of an interval's digest: by table, then the UTC day of its start, then its bounds. */
export function digestKey(table: TrailTable, intervalStart: string, intervalEnd: string): string {
  const [year, month, day] = intervalStart.slice(0, 10).split('-');
  return `${DIGEST_PREFIX}${table}/${year}/${month}/${day}/${compactTime(intervalStart)}--${compactTime(intervalEnd)}.json.gz`;
}

/** The prefix under which one table's digests of one UTC day are stored. */
export const digestDayPrefix = (table: TrailTable, day: string) =>
  `${DIGEST_PREFIX}${table}/${day.slice(0, 4)}/${day.slice(5, 7)}/${day.slice(8, 10)}/`;

export const publicKeyKey = (keyId: string) => `${PUBLIC_KEY_PREFIX}${keyId}.pem`;

/**
 * The intervals to seal next: from the end of the last sealed one (or `genesis`) up to `until`, on a grid
 * of `minutes` aligned to UTC midnight, the last one cut at `until` when `until` is not on the grid (an
 * operator's "seal up to now"); at most `max` of them.
 */
export function intervalsToSeal(
  from: number,
  until: number,
  minutes: number,
  max: number,
): { start: number; end: number }[] {
  const length = minutes * 60_000;
  const intervals: { start: number; end: number }[] = [];
  let start = from;
  while (start < until && intervals.length < max) {
    const gridEnd = Math.floor(start / length) * length + length;
    const end = Math.min(gridEnd, until);
    intervals.push({ start, end });
    start = end;
  }
  return intervals;
}

/** The leaves of the sealed interval compared with the leaves the table gives now, by key hash. */
export function compareLeaves(
  sealed: Leaf[],
  current: Leaf[],
): { altered: Leaf[]; removed: Leaf[]; inserted: Leaf[] } {
  const now = new Map(current.map((leaf) => [leaf.keyHash, leaf]));
  const before = new Map(sealed.map((leaf) => [leaf.keyHash, leaf]));
  const altered: Leaf[] = [];
  const removed: Leaf[] = [];
  for (const leaf of sealed) {
    const found = now.get(leaf.keyHash);
    if (!found) removed.push(leaf);
    else if (found.itemHash !== leaf.itemHash) altered.push(found);
  }
  const inserted = current.filter((leaf) => !before.has(leaf.keyHash));
  return { altered, removed, inserted };
}
