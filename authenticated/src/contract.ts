/**
 * The contract between the functions and the tools that read what they write (`npm run history`, `npm run
 * replay`, `npm run audit-pack`, the bench): each table's item shape, how its keys are made, the one write
 * condition, and the failure record. Defined once, here: the functions bundle it (their CodeUri is
 * authenticated/), the tools import it as `#contract` (package.json "imports"). Changing anything here changes
 * a table's data format.
 */

// ---- The login-history table (one item per successful sign-in, written by the PostAuthentication trigger).

export type LoginHistoryItem = {
  /** Partition key: the user's stable id (`userName` is not stable across pool types). */
  sub: string;
  /** Sort key: `<signedInAt>#<requestId>` (signInIdOf), unique per sign-in and ordered by time. */
  signInId: string;
  signedInAt: string;
  userPoolId: string;
  userName?: string;
  clientId?: string;
  email?: string;
  /** Federated users only: `providerName` of the primary entry of the `identities` attribute. */
  identityProvider?: string;
  newDeviceUsed?: boolean;
  triggerSource: string;
  requestId: string;
  /** Day-index partition key: `<YYYY-MM-DD>#<shard>` (dayShardOf). */
  dayShard: string;
  /** DynamoDB TTL (epoch seconds); absent when retention is 0 (keep forever). */
  expiresAt?: number;
};

/** The sort key: the sign-in's ISO time (millisecond, UTC) then the Lambda request id. */
export const signInIdOf = (signedInAt: string, requestId: string) => `${signedInAt}#${requestId}`;

/** The index that answers "who signed in on day D" (and "which sign-ins fall in this interval"). */
export const DAY_INDEX = 'byDay';

/** The byDay index's partition key: the sign-in's UTC day and its shard (0 … DayIndexShards - 1). */
export const dayShardOf = (day: string, shard: number) => `${day.slice(0, 10)}#${shard}`;

/**
 * The write condition, the function's and replay's: never overwrite. The key holds the sign-in's millisecond
 * and request id, so an existing item with this key is this very sign-in again.
 */
export const NO_OVERWRITE = {
  ConditionExpression: 'attribute_not_exists(#sub)',
  ExpressionAttributeNames: { '#sub': 'sub' },
} as const;

/** The failure record's code: the metric filter, the alarm and replay look for it. */
export const WRITE_FAILED = 'LOGIN_HISTORY_WRITE_FAILED';

/**
 * The failure record: the one log line that carries the complete item the table would have held (and, next
 * to it, the identifiers every line of the function carries).
 */
export type FailureRecord = {
  code: typeof WRITE_FAILED;
  message: string;
  errorName: string;
  errorMessage: string;
  policy: string;
  item: LoginHistoryItem;
} & Record<string, unknown>;

/** The attributes every item has, as non-empty strings. */
const REQUIRED_STRINGS = ['sub', 'signInId', 'signedInAt', 'userPoolId', 'requestId', 'dayShard'] as const;

/**
 * Why a value read back (from a failure record) is not an item of this contract, or undefined when it is:
 * the keys present and consistent, as the table and the queries rely on them.
 */
export function itemProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return 'the record has no item object';
  const item = value as Record<string, unknown>;
  const missing = REQUIRED_STRINGS.filter((name) => typeof item[name] !== 'string' || item[name] === '');
  if (missing.length > 0) return `the item lacks ${missing.join(', ')}`;
  // Partitions starting with '#' are the table's own (the erasure records): a sign-in never has one.
  if (String(item.sub).startsWith('#')) return 'sub starts with #, which no Cognito sub does';
  if (item.signInId !== signInIdOf(String(item.signedInAt), String(item.requestId)))
    return 'signInId does not match signedInAt and requestId';
  return undefined;
}

// ---- The auth-events table (one item per sign-in attempt from CloudTrail, written by AuthEventsFunction).

/** Day shards per day: a credential-stuffing burst spreads over 16 partitions (docs/auth-events.md). */
export const AUTH_EVENT_SHARDS = 16;

/** The partition key of a day's shard, `<YYYY-MM-DD>#<00..15>`: the writer's and the readers' one format. */
export const authEventPartitionOf = (day: string, shard: number) =>
  `${day}#${String(shard).padStart(2, '0')}`;

export type Outcome = 'success' | 'failure';

/** One authentication event as stored (attribute names are the JSON/CSV field names of the reader). */
export interface AuthEventItem {
  /** Partition key: `<YYYY-MM-DD of eventTime>#<shard 00..15>`. */
  pk: string;
  /** Sort key: `<eventTime, ISO-8601 ms>#<eventId>`; also the range key of both indexes. */
  sk: string;
  eventTime: string;
  eventId: string;
  eventName: string;
  outcome: Outcome;
  errorCode?: string;
  sourceIp?: string;
  userAgent?: string;
  sub?: string;
  clientId?: string;
  userPoolId: string;
  authFlow?: string;
  /** DynamoDB TTL (epoch seconds) from eventTime; absent when retention is 0 (keep forever). */
  expiresAt?: number;
}

/** Idempotent on eventId: the key holds it, so an existing item with this key is this very event again. */
export const AUTH_EVENT_NO_OVERWRITE = {
  ConditionExpression: 'attribute_not_exists(pk)',
} as const;

// ---- The trail's own records, in the sign-in table's '#' partitions (no Cognito sub starts with '#').

/** Erasure records (started, completed): scripts/records/erasure-record.ts. */
export const ERASURE_PARTITION = '#erasures';

/**
 * Before an erasure deletes a page of items it announces their key hashes (trail-digest.ts keyHashOf) here, so
 * that the change detector and verify-trail can tell its removals from tampering. Sort key
 * `<requestedAt>#<subHash>#<table>#<page, 6 digits>`: time-ordered, one person's pages together.
 */
export const ERASURE_KEYS_PARTITION = '#erasure-keys';

export interface ErasureKeysRecord {
  sub: typeof ERASURE_KEYS_PARTITION;
  signInId: string;
  kind: 'erasure-keys';
  requestedAt: string;
  subHash: string;
  table: 'sign-ins' | 'auth-events';
  keyHashes: string[];
}

/**
 * Before replay puts a page of missed sign-ins it announces their leaves (`<key hash> <item hash>`), so that
 * verify-trail can tell a late insertion by replay from one by anybody else. Sort key
 * `<replayedAt>#<run id>#<page, 6 digits>`.
 */
export const REPLAY_PARTITION = '#replays';

export interface ReplayRecord {
  sub: typeof REPLAY_PARTITION;
  signInId: string;
  kind: 'replay';
  replayedAt: string;
  replayedBy: string;
  leaves: string[];
}

/** Key hashes (or leaves) per record: a page stays far below DynamoDB's 400 KB item limit. */
export const HASHES_PER_RECORD = 1000;
