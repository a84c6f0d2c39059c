/**
 * What the authentication-event records answer beyond a listing: the failed attempts of a period summarised
 * by user and by source IP (many distinct users failing from one IP is the credential-stuffing signal), and
 * one user's failures beside their recorded sign-ins.
 */
import type { LoginHistoryItem } from '#contract';
import type { AuthEventRecord } from '../records/auth-events.ts';

/** Failures of one user (by sub), or of every attempt Cognito could not tie to a user (sub undefined). */
export interface UserFailures {
  sub?: string;
  failures: number;
  firstFailure: string;
  lastFailure: string;
  /** Distinct source IPs the failures came from. */
  sourceIps: number;
}

export interface SourceIpFailures {
  sourceIp: string;
  failures: number;
  firstFailure: string;
  lastFailure: string;
  /** Distinct users (subs) that failed from this IP. */
  distinctUsers: number;
  /** Failures with no sub: unknown user names, or attempts Cognito did not tie to a user. */
  failuresWithoutUser: number;
}

export interface FailureSummary {
  failures: number;
  byUser: UserFailures[];
  bySourceIp: SourceIpFailures[];
}

/** The IP shown when CloudTrail gave none (never expected for a user-pool API call, but never dropped). */
export const UNKNOWN_IP = 'unknown';

/**
 * Summarises failures, one pass, memory bounded by distinct users and IPs (not by attempts). Successes are
 * ignored. Sorted by most failures first (ties: the earlier first failure), as an investigation reads them.
 */
export async function summariseFailures(
  records: AsyncIterable<AuthEventRecord> | Iterable<AuthEventRecord>,
): Promise<FailureSummary> {
  const users = new Map<string | undefined, UserFailures & { ips: Set<string> }>();
  const ips = new Map<string, SourceIpFailures & { subs: Set<string> }>();
  let failures = 0;
  for await (const r of records) {
    if (r.outcome !== 'failure') continue;
    failures++;
    const ip = r.sourceIp ?? UNKNOWN_IP;
    let user = users.get(r.sub);
    if (!user) {
      user = {
        sub: r.sub,
        failures: 0,
        firstFailure: r.eventTime,
        lastFailure: r.eventTime,
        sourceIps: 0,
        ips: new Set(),
      };
      users.set(r.sub, user);
    }
    user.failures++;
    if (r.eventTime < user.firstFailure) user.firstFailure = r.eventTime;
    if (r.eventTime > user.lastFailure) user.lastFailure = r.eventTime;
    user.ips.add(ip);
    let source = ips.get(ip);
    if (!source) {
      source = {
        sourceIp: ip,
        failures: 0,
        firstFailure: r.eventTime,
        lastFailure: r.eventTime,
        distinctUsers: 0,
        failuresWithoutUser: 0,
        subs: new Set(),
      };
      ips.set(ip, source);
    }
    source.failures++;
    if (r.eventTime < source.firstFailure) source.firstFailure = r.eventTime;
    if (r.eventTime > source.lastFailure) source.lastFailure = r.eventTime;
    if (r.sub === undefined) source.failuresWithoutUser++;
    else source.subs.add(r.sub);
  }
  const mostFirst = (a: { failures: number; firstFailure: string }, b: typeof a) =>
    b.failures - a.failures ||
    (a.firstFailure < b.firstFailure ? -1 : a.firstFailure > b.firstFailure ? 1 : 0);
  return {
    failures,
    byUser: [...users.values()].map(({ ips: set, ...u }) => ({ ...u, sourceIps: set.size })).sort(mostFirst),
    bySourceIp: [...ips.values()]
      .map(({ subs, ...s }) => ({ ...s, distinctUsers: subs.size }))
      .sort((a, b) => b.distinctUsers - a.distinctUsers || mostFirst(a, b)),
  };
}

/** One row of a user's view: a recorded sign-in or a recorded authentication event, marked by outcome. */
export interface UserAttempt {
  eventTime: string;
  outcome: 'success' | 'failure';
  /** `sign-in`: the PostAuthentication record; `auth-event`: CloudTrail's record of the API call. */
  recordedBy: 'sign-in' | 'auth-event';
  eventName?: string;
  errorCode?: string;
  sourceIp?: string;
  userAgent?: string;
  clientId?: string;
  signInId?: string;
  eventId?: string;
}

/**
 * A successful API call and the sign-in it produced are recorded by different paths whose times differ by
 * the trigger's latency: within this window, the CloudTrail event lends its IP and user agent to the sign-in.
 */
export const SAME_SIGN_IN_MS = 10_000;

/**
 * A user's sign-ins and authentication events, newest first. Each sign-in takes the source IP of the
 * nearest unmatched successful event within SAME_SIGN_IN_MS; successes CloudTrail saw that match no sign-in,
 * and every failure, are rows of their own.
 */
export function userAttempts(signIns: LoginHistoryItem[], events: AuthEventRecord[]): UserAttempt[] {
  const successes = events
    .filter((e) => e.outcome === 'success')
    .map((e) => ({ event: e, ms: Date.parse(e.eventTime), used: false }));
  const matched = new Set<AuthEventRecord>();
  const rows: UserAttempt[] = [];
  for (const s of signIns) {
    const ms = Date.parse(s.signedInAt);
    let best: (typeof successes)[number] | undefined;
    for (const c of successes) {
      if (c.used || Math.abs(c.ms - ms) > SAME_SIGN_IN_MS) continue;
      if (!best || Math.abs(c.ms - ms) < Math.abs(best.ms - ms)) best = c;
    }
    if (best) {
      best.used = true;
      matched.add(best.event);
    }
    rows.push({
      eventTime: s.signedInAt,
      outcome: 'success',
      recordedBy: 'sign-in',
      ...(best ? { eventName: best.event.eventName } : {}),
      ...(best?.event.sourceIp ? { sourceIp: best.event.sourceIp } : {}),
      ...(best?.event.userAgent ? { userAgent: best.event.userAgent } : {}),
      ...(typeof s.clientId === 'string' ? { clientId: s.clientId } : {}),
      signInId: s.signInId,
      ...(best ? { eventId: best.event.eventId } : {}),
    });
  }
  for (const e of events) {
    if (matched.has(e)) continue;
    rows.push({
      eventTime: e.eventTime,
      outcome: e.outcome,
      recordedBy: 'auth-event',
      eventName: e.eventName,
      ...(e.errorCode ? { errorCode: e.errorCode } : {}),
      ...(e.sourceIp ? { sourceIp: e.sourceIp } : {}),
      ...(e.userAgent ? { userAgent: e.userAgent } : {}),
      ...(e.clientId ? { clientId: e.clientId } : {}),
      eventId: e.eventId,
    });
  }
  return rows.sort((a, b) => (a.eventTime < b.eventTime ? 1 : a.eventTime > b.eventTime ? -1 : 0));
}
