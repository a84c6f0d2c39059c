/**
 * Every word report.html shows, as one typed dictionary per language (en.ts, ja.ts): a key missing from one
 * fails `tsc`. Reasons, statuses and fact names arrive as codes (scripts/core/reason.ts, account/protection.ts)
 * and are worded here too, so the Japanese page holds no English sentence; only names, ids, numbers and AWS's
 * own error text stay as they are.
 */
import type { FactName, Status } from '../../account/protection.ts';
import type { Reason } from '../../core/reason.ts';
import type { AuthEventsAbsent } from '../summary.ts';

export const LANGS = ['en', 'ja'] as const;
export type Lang = (typeof LANGS)[number];

/** The rows of the protection table, in the order shown. */
export const PROTECTIONS = [
  'retention',
  'pointInTimeRecovery',
  'deletionProtection',
  'appendOnlyPolicy',
  'alarmSubscription',
  'authEventTrail',
] as const;
export type Protection = (typeof PROTECTIONS)[number];

/** A reason worded: one function per code, each given its own parameters. */
export type ReasonWords = { [C in Reason['code']]: (reason: Extract<Reason, { code: C }>) => string };

export interface Words {
  /** The page's locale, for numbers and the html lang attribute. */
  locale: string;
  title: string;
  period: string;
  pool: string;
  table: string;
  generated: string;
  tool: string;
  identity: string;
  figures: string;
  signIns: string;
  users: string;
  failures: string;
  dormant: string;
  notRecorded: string;
  signInsPerDay: string;
  failuresPerDay: string;
  byClient: string;
  byProvider: string;
  topIps: string;
  topUsers: string;
  count: string;
  noFailures: string;
  /** Why failed attempts are not in the pack. */
  noAuthEvents: Record<AuthEventsAbsent, string>;
  failuresWithoutSub: (n: number, formatted: string) => string;
  /** The period reaches past the pack's creation: what that means for the figures. */
  futurePeriod: (generated: string) => string;
  dormantHeading: string;
  dormantIntro: (d: { asOf: string; inactiveDays: number; dormant: string; users: string }) => string;
  dormantColumns: [string, string, string, string, string];
  never: string;
  disabled: string;
  enabled: string;
  dormantMore: (shown: string, all: string) => string;
  noDormant: string;
  protectionHeading: string;
  protectionIntro: string;
  protectionNames: Record<Protection, string>;
  statusWords: Record<Status, string>;
  factNames: Record<FactName, string>;
  reasons: ReasonWords;
  coverageHeading: string;
  coverage: string[];
  filesHeading: string;
  filesIntro: string;
  filesColumns: [string, string, string];
  verifyHow: string;
}

/** One reason in the dictionary's language. */
export function wordReason(reasons: ReasonWords, reason: Reason): string {
  return (reasons[reason.code] as (r: Reason) => string)(reason);
}
