/**
 * The erasure record: the audit trail's note that one person's history was erased, with no personal data in
 * it - a salted hash of the sub, when, by whom, how many items of each kind. Pure: no I/O.
 *
 * Records live in the sign-in table's own partition ERASURE_PARTITION: the table's resource policy lets the
 * erasure role put there and nowhere else (so it cannot forge or overwrite a sign-in), and lets nobody delete
 * there. Cognito subs are UUIDs, so the partition can never be a user's. The items carry no dayShard (they are
 * absent from the byDay index, so no day or period listing shows them) and no expiresAt (TTL keeps them).
 */
import { createHmac } from 'node:crypto';
import { ERASURE_PARTITION } from '#contract';

export interface ItemCounts {
  signIns: number;
  authEvents: number;
}

export interface ErasureRecord {
  sub: typeof ERASURE_PARTITION;
  /** `<subHash>#<requestedAt>#1-started` or `#2-completed`: a person's records sort by time, completion last. */
  signInId: string;
  kind: 'erasure';
  status: 'started' | 'completed';
  /** Absent: one user, by sub. `source-ip`: the auth events of one source address that named no user. */
  subject?: 'source-ip';
  /** HMAC-SHA256 of the sub (or of `source-ip:<address>`) keyed with the stack's salt, hex. */
  subHash: string;
  requestedAt: string;
  /** The identity that ran the erasure (STS GetCallerIdentity), or "unknown" when STS was not reachable. */
  requestedBy: string;
  /** What the erasure found when it started. */
  itemsFound: ItemCounts;
  completedAt?: string;
  /** Deleted in all, across interrupted runs (found at the start plus any that arrived while it ran). */
  itemsErased?: ItemCounts;
  /** Rows removed from the lake's copy (Lake=enabled) by the run that completed the erasure. */
  lakeRowsErased?: ItemCounts;
}

export function subHash(salt: string, sub: string): string {
  if (salt.length < 32) throw new Error('the erasure salt must be at least 32 characters');
  return createHmac('sha256', salt).update(sub, 'utf8').digest('hex');
}

/** The hash that keys the erasure records of one source address (never a sub: subs hold no colon). */
export function sourceIpHash(salt: string, sourceIp: string): string {
  return subHash(salt, `source-ip:${sourceIp}`);
}

/** The sort-key prefix of one person's erasure records. */
export const recordPrefix = (hash: string) => `${hash}#`;

export function startedRecord(fields: {
  subHash: string;
  subject?: 'source-ip';
  requestedAt: string;
  requestedBy: string;
  itemsFound: ItemCounts;
}): ErasureRecord {
  return {
    sub: ERASURE_PARTITION,
    signInId: `${recordPrefix(fields.subHash)}${fields.requestedAt}#1-started`,
    kind: 'erasure',
    status: 'started',
    ...fields,
  };
}

/**
 * The completion of a started erasure. An interrupted run's deletions are not lost from the count: it deleted
 * whatever of `itemsFound` is no longer there when this run began (`remaining`: the items recorded before the
 * erasure started, still present); this run deleted `deletedNow`, including items recorded since.
 */
export function completedRecord(
  started: ErasureRecord,
  progress: { remaining: ItemCounts; deletedNow: ItemCounts; completedAt: string; lakeRows?: ItemCounts },
): ErasureRecord {
  const erased = (kind: keyof ItemCounts) =>
    Math.max(0, started.itemsFound[kind] - progress.remaining[kind]) + progress.deletedNow[kind];
  return {
    ...started,
    signInId: started.signInId.replace(/#1-started$/, '#2-completed'),
    status: 'completed',
    completedAt: progress.completedAt,
    itemsErased: { signIns: erased('signIns'), authEvents: erased('authEvents') },
    ...(progress.lakeRows ? { lakeRowsErased: progress.lakeRows } : {}),
  };
}
