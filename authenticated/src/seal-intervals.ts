/**
 * The sealer's behaviour: for each table, the intervals since the last sealed one, each read, hashed,
 * signed and stored as the next link of the table's chain. Idempotent: a digest already stored for an
 * interval (a concurrent or repeated run) is taken as the chain's link instead of being replaced.
 * Dependencies are passed in; the entry file (seal-trail.ts) wires the real ones and the scheduler's clock.
 */
import { createPublicKey } from 'node:crypto';
import type { DigestStore, StoredDigest } from './digest-store.ts';
import { type IntervalSource, itemsOfInterval, type Query } from './interval-items.ts';
import type { Signer } from './kms-signer.ts';
import type { Logger } from './log.ts';
import {
  DIGEST_FORMAT,
  type Digest,
  digestBytes,
  digestKey,
  intervalsToSeal,
  leafOf,
  leavesText,
  rootOf,
  SIGNING_ALGORITHM,
  sha256Hex,
  signatureVerifies,
} from './trail-digest.ts';

export const SEALED = 'TRAIL_SEALED';
export const SEAL_FAILED = 'TRAIL_SEAL_FAILED';

export interface SealSettings {
  sources: IntervalSource[];
  /** The grid the intervals are cut on (SealIntervalMinutes). */
  intervalMinutes: number;
  /** Records may arrive this late (CloudTrail delivery, the byDay index): an interval is sealed only after. */
  graceMinutes: number;
  /** A run seals at most this many intervals per table (a day of 15-minute intervals is 96). */
  maxIntervalsPerRun: number;
}

export interface SealDependencies {
  query: Query;
  store: DigestStore;
  signer: Signer;
  log: Logger;
}

export interface SealedUpTo {
  table: string;
  sealed: number;
  /** The end of the table's newest digest after this run, or undefined when none exists yet. */
  upTo?: string;
}

const floorTo = (ms: number, minutes: number) => Math.floor(ms / (minutes * 60_000)) * minutes * 60_000;

/** Seals one interval: the next link after `previous`. */
export async function sealInterval(
  deps: SealDependencies,
  source: IntervalSource,
  interval: { start: number; end: number },
  previous: StoredDigest | undefined,
  ours: (stored: StoredDigest) => boolean = () => true,
): Promise<StoredDigest> {
  const intervalStart = new Date(interval.start).toISOString();
  const intervalEnd = new Date(interval.end).toISOString();
  const leaves = [];
  for await (const page of itemsOfInterval(deps.query, source, intervalStart, intervalEnd)) {
    for (const item of page) leaves.push(leafOf(source.table, item));
  }
  const text = leavesText(leaves);
  const digest: Digest = {
    format: DIGEST_FORMAT,
    table: source.table,
    tableName: source.tableName,
    intervalStart,
    intervalEnd,
    itemCount: leaves.length,
    root: rootOf(text),
    previousDigest: previous
      ? { key: previous.key, sha256: sha256Hex(Buffer.from(previous.sealed.digest, 'utf8')) }
      : null,
    signingKeyArn: deps.signer.keyArn,
    signingAlgorithm: SIGNING_ALGORITHM,
  };
  const bytes = digestBytes(digest);
  const signature = Buffer.from(await deps.signer.sign(bytes)).toString('base64');
  const key = digestKey(source.table, intervalStart, intervalEnd);
  const sealed = { digest: bytes.toString('utf8'), signature, leaves: text };
  if ((await deps.store.write(key, sealed)) === 'exists') {
    // Another run sealed this interval first: its digest is the link, whatever this run read; unless the
    // object there is not this stack's (a forgery written ahead): then sealing cannot go on, and says so.
    const existing = await deps.store.read(key);
    if (!ours(existing)) throw new Error(`${key} is taken by a digest this stack's key did not sign`);
    return existing;
  }
  return { key, sealed, digest };
}

/**
 * Seals what is due: intervals ending at or before `until` (default: now less the grace period, on the
 * grid), after each table's newest digest or, for a table without one, from `genesis` (default: the last
 * whole interval). Stops early when `deadline` (epoch ms) is near; the next run goes on from there.
 */
export async function sealTrail(
  deps: SealDependencies,
  settings: SealSettings,
  now: number,
  options: { until?: number; genesis?: number; deadline?: number } = {},
): Promise<SealedUpTo[]> {
  const until = options.until ?? floorTo(now - settings.graceMinutes * 60_000, settings.intervalMinutes);
  const today = new Date(now).toISOString().slice(0, 10);
  const { keyId, pem } = await deps.signer.publicKey();
  await deps.store.ensurePublicKey(keyId, pem);
  // The chain goes on from the newest digest this stack's key signed: a forged one is never built upon.
  const publicKey = createPublicKey(pem);
  const ours = (stored: StoredDigest) =>
    stored.digest.signingKeyArn === deps.signer.keyArn && signatureVerifies(stored.sealed, publicKey);
  const report: SealedUpTo[] = [];
  for (const source of settings.sources) {
    let head = await deps.store.head(source.table, today, ours);
    const from = head
      ? Date.parse(head.digest.intervalEnd)
      : (options.genesis ?? until - settings.intervalMinutes * 60_000);
    let sealed = 0;
    for (const interval of intervalsToSeal(
      from,
      until,
      settings.intervalMinutes,
      settings.maxIntervalsPerRun,
    )) {
      if (options.deadline !== undefined && Date.now() > options.deadline) break;
      head = await sealInterval(deps, source, interval, head, ours);
      sealed++;
      deps.log('info', {
        code: SEALED,
        message: 'interval sealed',
        table: source.table,
        intervalStart: head.digest.intervalStart,
        intervalEnd: head.digest.intervalEnd,
        itemCount: head.digest.itemCount,
        key: head.key,
      });
    }
    report.push({ table: source.table, sealed, ...(head ? { upTo: head.digest.intervalEnd } : {}) });
  }
  return report;
}
