/**
 * What a pack holds: its files, and the summary (summary.json) that the report and the command's last lines
 * are made from. Types and names only, so that the writer (pack.ts) and the report share them without
 * importing each other.
 */
import type { ProtectionStatus } from '../account/protection.ts';
import type { AuthEventTotals, SignInTotals } from './tally.ts';

export const FILES = {
  signIns: 'sign-ins.csv',
  authEvents: 'auth-events.csv',
  dormant: 'dormant-accounts.csv',
  summary: 'summary.json',
  report: 'report.html',
} as const;

/** Where the authentication events come from, or why the pack has none. */
export type AuthEventsSource = { table: string } | { absent: string };

export interface PackSummary {
  generatedAt: string;
  period: { from: string; to: string; fromDay: string; toDay: string; days: number };
  userPoolId: string;
  table: string;
  stackName?: string;
  signIns: SignInTotals;
  authEvents:
    | ({ recorded: true; table: string } & Omit<AuthEventTotals, 'topFailingUsers'> & {
          topFailingUsers: { sub: string; userName?: string; failures: number }[];
        })
    | { recorded: false; reason: string };
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
}
