/**
 * What a pack holds: its files, and the summary (summary.json) that the report and the command's last lines
 * are made from. Types and names only, so that the writer (pack.ts) and the report share them without
 * importing each other.
 */
import type { ProtectionStatus } from '../account/protection.ts';
import type { AuthEventsWhere } from '../core/stack.ts';
import type { AuthEventTotals, SignInTotals } from './tally.ts';

export const FILES = {
  signIns: 'sign-ins.csv',
  authEvents: 'auth-events.csv',
  dormant: 'dormant-accounts.csv',
  summary: 'summary.json',
  report: 'report.html',
  /** The period's sealed digests, one per line: {key, digest (the signed text), signature}. */
  digests: 'digests.jsonl',
  publicKey: 'public-key.pem',
  /** verify-trail's verdict on the period, as `npm run verify-trail -- --json` prints it. */
  integrity: 'integrity.json',
} as const;

/** Why a pack has no integrity verdict: the stack seals no digests, or no digest bucket was named. */
export type IntegrityAbsent = 'stack-without-integrity' | 'not-named';

/** What the pack says of the trail's integrity over the period (from verify-trail's verdict). */
export type IntegritySummary =
  | {
      recorded: true;
      intervals: number;
      verifiedIntervals: number;
      sealedItems: number;
      altered: number;
      erased: number;
      expired: number;
      replayed: number;
      /** Differences nothing explains (altered, removed or inserted unexplained, digest problems). */
      unexplained: number;
      /** Milliseconds of the period that no digest covers yet (after the last seal, before the first). */
      unsealedMs: number;
      intact: boolean;
    }
  | { recorded: false; reason: IntegrityAbsent };

/** Why a pack has no authentication events: the stack records none, or none was named. */
export type AuthEventsAbsent = Extract<AuthEventsWhere, { absent: string }>['absent'];

export interface PackSummary {
  generatedAt: string;
  period: {
    from: string;
    to: string;
    fromDay: string;
    toDay: string;
    days: number;
    /** The period ends after the pack was made: it holds the records up to generatedAt. */
    reachesPastGeneration: boolean;
  };
  userPoolId: string;
  table: string;
  stackName?: string;
  signIns: SignInTotals;
  authEvents:
    | ({ recorded: true; table: string } & Omit<AuthEventTotals, 'topFailingUsers'> & {
          topFailingUsers: { sub: string; userName?: string; failures: number }[];
        })
    | { recorded: false; reason: AuthEventsAbsent };
  dormantAccounts: {
    asOf: string;
    inactiveDays: number;
    cutoff: string;
    users: number;
    dormant: number;
    neverRecorded: number;
    disabled: number;
  };
  protection: ProtectionStatus;
  integrity: IntegritySummary;
}
