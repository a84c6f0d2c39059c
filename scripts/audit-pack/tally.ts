/**
 * The audit pack's figures, counted while the records stream past: per-day counts (what the charts draw),
 * counts by app client and identity provider, and the sources and users of failed attempts. Pure: no I/O.
 * Memory grows with the number of days, clients, providers, users and failing sources, never with records.
 */

import type { LoginHistoryItem } from '#contract';
import { TOP_FAILING } from '../lake/queries.ts';
import type { AuthEventRecord } from '../records/auth-events.ts';

/** The label for sign-ins with no identityProvider: users of the pool itself (not federated). */
export const POOL_PROVIDER = 'COGNITO';
/** The label for sign-ins whose item has no clientId (recorded before the field existed). */
export const NO_CLIENT = '(none)';

export type Counts = Record<string, number>;

const add = (counts: Map<string, number>, key: string, by = 1) =>
  counts.set(key, (counts.get(key) ?? 0) + by);

/** Every day from `fromDay` to `toDay` (YYYY-MM-DD, both included). */
export function daysBetween(fromDay: string, toDay: string): string[] {
  const days: string[] = [];
  for (let ms = Date.parse(`${fromDay}T00:00:00.000Z`); ; ms += 86_400_000) {
    const day = new Date(ms).toISOString().slice(0, 10);
    if (day > toDay) return days;
    days.push(day);
  }
}

/** Sorted by count (largest first), then by key; the first `limit` entries. */
export function topEntries(counts: Map<string, number> | Counts, limit: number): [string, number][] {
  const entries = counts instanceof Map ? [...counts] : Object.entries(counts);
  return entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limit);
}

export interface SignInTotals {
  signIns: number;
  users: number;
  perDay: Counts;
  byClient: Counts;
  byProvider: Counts;
  first?: string;
  last?: string;
}

export class SignInTally {
  private count = 0;
  /** Each user's latest sign-in of the period (the dormant review skips the users it proves active). */
  private readonly latest = new Map<string, string>();
  private readonly perDay = new Map<string, number>();
  private readonly byClient = new Map<string, number>();
  private readonly byProvider = new Map<string, number>();
  private first?: string;
  private last?: string;

  constructor(private readonly days: string[]) {}

  add(item: LoginHistoryItem): void {
    this.count++;
    const latest = this.latest.get(item.sub);
    if (latest === undefined || item.signedInAt > latest) this.latest.set(item.sub, item.signedInAt);
    add(this.perDay, item.signedInAt.slice(0, 10));
    add(this.byClient, typeof item.clientId === 'string' ? item.clientId : NO_CLIENT);
    add(this.byProvider, typeof item.identityProvider === 'string' ? item.identityProvider : POOL_PROVIDER);
    if (this.first === undefined || item.signedInAt < this.first) this.first = item.signedInAt;
    if (this.last === undefined || item.signedInAt > this.last) this.last = item.signedInAt;
  }

  /** The user's latest sign-in of the period, if any. */
  latestOf(sub: string): string | undefined {
    return this.latest.get(sub);
  }

  totals(): SignInTotals {
    return {
      signIns: this.count,
      users: this.latest.size,
      // every day of the period, zeros included, so a quiet day shows as a gap in the chart
      perDay: Object.fromEntries(this.days.map((d) => [d, this.perDay.get(d) ?? 0])),
      byClient: Object.fromEntries(topEntries(this.byClient, Number.POSITIVE_INFINITY)),
      byProvider: Object.fromEntries(topEntries(this.byProvider, Number.POSITIVE_INFINITY)),
      ...(this.first ? { first: this.first, last: this.last } : {}),
    };
  }
}

/** How many failing sources and users the summary lists (the CSV has every event): the lake's queries' too. */
export { TOP_FAILING };

export interface AuthEventTotals {
  events: number;
  successes: number;
  failures: number;
  failuresPerDay: Counts;
  successesPerDay: Counts;
  sourceIps: number;
  failuresByErrorCode: Counts;
  topFailingSourceIps: { sourceIp: string; failures: number }[];
  /** By sub when the event has one (CloudTrail names the user of some failures only), else by nothing. */
  topFailingUsers: { sub: string; failures: number }[];
  failuresWithoutSub: number;
}

export class AuthEventTally {
  private events = 0;
  private failures = 0;
  private failuresWithoutSub = 0;
  private readonly failuresPerDay = new Map<string, number>();
  private readonly successesPerDay = new Map<string, number>();
  private readonly ips = new Set<string>();
  private readonly failingIps = new Map<string, number>();
  private readonly failingSubs = new Map<string, number>();
  private readonly errorCodes = new Map<string, number>();

  constructor(private readonly days: string[]) {}

  add(event: AuthEventRecord): void {
    this.events++;
    const day = event.eventTime.slice(0, 10);
    if (event.sourceIp) this.ips.add(event.sourceIp);
    if (event.outcome !== 'failure') {
      add(this.successesPerDay, day);
      return;
    }
    this.failures++;
    add(this.failuresPerDay, day);
    add(this.errorCodes, event.errorCode ?? '(none)');
    if (event.sourceIp) add(this.failingIps, event.sourceIp);
    if (event.sub) add(this.failingSubs, event.sub);
    else this.failuresWithoutSub++;
  }

  totals(): AuthEventTotals {
    const perDay = (counts: Map<string, number>) =>
      Object.fromEntries(this.days.map((d) => [d, counts.get(d) ?? 0]));
    return {
      events: this.events,
      successes: this.events - this.failures,
      failures: this.failures,
      failuresPerDay: perDay(this.failuresPerDay),
      successesPerDay: perDay(this.successesPerDay),
      sourceIps: this.ips.size,
      failuresByErrorCode: Object.fromEntries(topEntries(this.errorCodes, Number.POSITIVE_INFINITY)),
      topFailingSourceIps: topEntries(this.failingIps, TOP_FAILING).map(([sourceIp, failures]) => ({
        sourceIp,
        failures,
      })),
      topFailingUsers: topEntries(this.failingSubs, TOP_FAILING).map(([sub, failures]) => ({
        sub,
        failures,
      })),
      failuresWithoutSub: this.failuresWithoutSub,
    };
  }
}
