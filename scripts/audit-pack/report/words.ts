/**
 * Every word report.html shows, as one typed dictionary per language (en.ts, ja.ts): a key missing from one
 * fails `tsc`. Reasons, statuses and fact names arrive as codes (scripts/core/reason.ts, account/protection.ts)
 * and are worded here too, so the Japanese page holds no English sentence; only names, ids, numbers and AWS's
 * own error text stay as they are.
 */
import type { FactName, ProtectionStatus, Status } from '../../account/protection.ts';
import type { Reason } from '../../core/reason.ts';
import type { AuthEventsAbsent, IntegrityAbsent } from '../summary.ts';

export const LANGS = ['en', 'ja'] as const;
export type Lang = (typeof LANGS)[number];

/** A reason worded: one function per code, each given its own parameters. */
export type ReasonWords = { [C in Reason['code']]: (reason: Extract<Reason, { code: C }>) => string };

/** The rows of the protection table, in the order shown. */
export type Protection = keyof ProtectionStatus;

export interface Words {
  /** The page's locale, for numbers and the html lang attribute. */
  locale: string;
  /** The language's punctuation: a label with its value, the items of a list, the facts of one cell. */
  punctuation: {
    labelled: (label: string, value: string) => string;
    list: string;
    facts: string;
  };
  header: {
    title: string;
    period: string;
    pool: string;
    table: string;
    generated: string;
    tool: string;
    identity: string;
  };
  figures: {
    heading: string;
    signIns: string;
    users: string;
    failures: string;
    dormant: string;
    notRecorded: string;
    /** The period reaches past the pack's creation: what that means for the figures. */
    futurePeriod: (generated: string) => string;
  };
  charts: {
    signInsPerDay: string;
    failuresPerDay: string;
    byClient: string;
    byProvider: string;
    topIps: string;
    topUsers: string;
    count: string;
  };
  failures: {
    none: string;
    /** Why failed attempts are not in the pack. */
    notInPack: Record<AuthEventsAbsent, string>;
    withoutSub: (n: number, formatted: string) => string;
  };
  dormant: {
    heading: string;
    intro: (d: { asOf: string; inactiveDays: number; dormant: string; users: string }) => string;
    columns: [user: string, email: string, account: string, created: string, lastSignIn: string];
    never: string;
    disabled: string;
    enabled: string;
    more: (shown: string, all: string) => string;
    none: string;
  };
  protection: {
    heading: string;
    intro: string;
    /** Also the rows' order. */
    names: Record<Protection, string>;
    status: Record<Status, string>;
    facts: Record<FactName, string>;
    reasons: ReasonWords;
  };
  integrity: {
    heading: string;
    /** "Integrity: 2,184 intervals sealed and verified; 0 altered; 3 erasures; 12 replayed". */
    sealed: (i: {
      intervals: number;
      intervalsText: string;
      verified: string;
      altered: string;
      erased: string;
      expired: string;
      replayed: string;
    }) => string;
    intact: string;
    notIntact: (unexplained: number, formatted: string) => string;
    unsealed: (hours: string) => string;
    notRecorded: Record<IntegrityAbsent, string>;
    howToCheck: string;
  };
  coverage: { heading: string; lines: string[] };
  files: {
    heading: string;
    intro: string;
    columns: [file: string, bytes: string, sha256: string];
    verifyHow: string;
  };
}

/** One reason in the dictionary's language. */
export function wordReason(reasons: ReasonWords, reason: Reason): string {
  return (reasons[reason.code] as (r: Reason) => string)(reason);
}
