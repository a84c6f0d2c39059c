/**
 * The authentication-event modes of `npm run history`: `--attempts` (every recorded event of a period) and
 * `--failed-attempts` (the failures summarised by user and by source IP), plus the one-user view's
 * failures beside the sign-ins. The entry file only parses and dispatches; the rules live here.
 *
 * Which table: the auth-events table is named by `--auth-events-table-name` wherever `--table-name` names
 * the sign-in table, or read from the stack's AuthEventsTableName output with `--stack-name`.
 */

import type { Writable } from 'node:stream';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LoginHistoryItem } from '#contract';
import { CommandError, terminalProgress, translateNotFound, UsageError } from '../core/cli.ts';
import { counted, firstOf, limited, tapped } from '../core/generic.ts';
import { ALL_OF_THE_PERIOD, type Format, moreExist } from '../core/output.ts';
import { OUTPUT, readStackIn } from '../core/stack.ts';
import { type AuthEventRecord, authEventsOfPeriod, authEventsOfUser } from '../records/auth-events.ts';
import { writeAuthEvents, writeFailureSummary, writeUserAttempts } from './auth-events-output.ts';
import { summariseFailures, userAttempts } from './auth-events-report.ts';

export const AUTH_EVENTS_OPTIONS = {
  attempts: { type: 'boolean' },
  'failed-attempts': { type: 'boolean' },
  outcome: { type: 'string' },
  'auth-events-table-name': { type: 'string' },
} as const;

export const AUTH_EVENTS_USAGE = `  --attempts --from <date or ISO time> --to <date or ISO time> [--outcome failure|success]
                                      every recorded authentication event (CloudTrail) of the period,
                                      oldest first, streamed, successes and failures (no limit unless --limit)
  --failed-attempts --from <date or ISO time> --to <date or ISO time>
                                      the period's failures by source IP (distinct users per IP: credential
                                      stuffing) and by user: count, first and last failure
  With --sub/--username/--email, the user's failed attempts and each sign-in's source IP are shown too when
  the auth-events table is known (--auth-events-table-name <table>, or the stack's AuthEventsTableName).`;

export const AUTH_EVENTS_WHERE = `  --auth-events-table-name <table>    the auth-events table (the stack output AuthEventsTableName); with
                                      --attempts/--failed-attempts it replaces --table-name`;

type Values = Record<string, unknown>;
export type AttemptsMode = 'attempts' | 'failed-attempts';

const USER_VIEW = ['sub', 'username', 'email'];
const NOT_WITH_ATTEMPTS = [
  'sub',
  'username',
  'email',
  'date',
  'inactive-since',
  'user-pool-id',
  'shards',
  'concurrency',
  'table-name',
];

/**
 * The auth-events mode asked for, if any, with every option that does not apply to it refused (exit 2):
 * the attempts modes take a period and the auth-events table; --outcome and --limit only list.
 */
export function attemptsModeOf(values: Values): AttemptsMode | undefined {
  const mode: AttemptsMode | undefined = values.attempts
    ? 'attempts'
    : values['failed-attempts']
      ? 'failed-attempts'
      : undefined;
  if (values.attempts && values['failed-attempts']) {
    throw new UsageError('give one of --attempts (the events) and --failed-attempts (their summary)');
  }
  if (!mode) {
    if (values.outcome !== undefined) throw new UsageError('--outcome goes with --attempts');
    if (values['auth-events-table-name'] !== undefined && !USER_VIEW.some((n) => values[n] !== undefined)) {
      throw new UsageError(
        '--auth-events-table-name goes with --attempts, --failed-attempts, or one user (--sub, --username, --email)',
      );
    }
    return undefined;
  }
  const misplaced = NOT_WITH_ATTEMPTS.filter((n) => values[n] !== undefined);
  if (misplaced.includes('table-name')) {
    throw new UsageError(
      `--${mode} reads the auth-events table: name it with --auth-events-table-name (the stack output ${OUTPUT.authEventsTableName}) or give --stack-name; --table-name names the sign-in table`,
    );
  }
  if (misplaced.length > 0) throw new UsageError(`--${mode} does not take --${misplaced[0]}`);
  if (values.from === undefined || values.to === undefined) {
    throw new UsageError(`--${mode} needs the period: --from <date or ISO time> --to <date or ISO time>`);
  }
  if ((values['auth-events-table-name'] === undefined) === (values['stack-name'] === undefined)) {
    throw new UsageError(`--${mode} needs exactly one of --auth-events-table-name, --stack-name`);
  }
  if (mode === 'failed-attempts') {
    if (values.outcome !== undefined)
      throw new UsageError('--failed-attempts reads failures only; --outcome goes with --attempts');
    if (values.limit !== undefined)
      throw new UsageError('--failed-attempts summarises the whole period; --limit goes with --attempts');
  }
  if (values.outcome !== undefined && values.outcome !== 'failure' && values.outcome !== 'success') {
    throw new UsageError(`--outcome must be failure or success, got "${values.outcome}"`);
  }
  return mode;
}

/** The auth-events table of the attempts modes: named, or the stack's output (refused when not deployed). */
async function attemptsTable(values: Values, region: string | undefined): Promise<string> {
  if (values['auth-events-table-name'] !== undefined) return String(values['auth-events-table-name']);
  const stackName = String(values['stack-name']);
  const table = (await readStackIn(region, stackName)).optionalOutput(OUTPUT.authEventsTableName);
  if (!table) {
    throw new CommandError(
      `stack "${stackName}" records no authentication events (no ${OUTPUT.authEventsTableName} output): deploy it with AuthEvents=enabled (docs/auth-events-reading.md)`,
    );
  }
  return table;
}

/** The table errors of an auth-events read, translated into what to check. */
export function authEventsTableError(error: unknown, table: string): unknown {
  const { name, message } = error as Error;
  if (name === 'ValidationException' && /key schema|specified index|query key condition/i.test(message)) {
    return new CommandError(
      `table ${table} is not an auth-events table (it has no pk/sk keys or no bySub index): give the stack output ${OUTPUT.authEventsTableName}`,
    );
  }
  return translateNotFound(error, `auth-events table ${table}`, '--auth-events-table-name / --stack-name');
}

/** Runs --attempts or --failed-attempts for the period (ISO bounds, both included). */
export async function runAttempts(
  mode: AttemptsMode,
  values: Values,
  period: { from: string; to: string },
  format: Format,
  limit: number | undefined,
  reader: DynamoDBDocumentClient,
  stdout: Writable,
): Promise<void> {
  const table = await attemptsTable(values, values.region as string | undefined);
  const fromMs = Date.parse(period.from);
  const toMs = Date.parse(period.to);
  const progress = terminalProgress(mode === 'attempts' ? 'events' : 'failures read');
  let read = 0;
  try {
    if (mode === 'attempts') {
      const outcome = values.outcome as 'success' | 'failure' | undefined;
      const records = authEventsOfPeriod(reader, table, fromMs, toMs, outcome ? { outcome } : {});
      let more = false;
      const count = await writeAuthEvents(
        tapped(
          limited(records, limit, () => {
            more = true;
          }),
          () => progress.update(++read),
        ),
        format,
        stdout,
      );
      progress.end();
      if (count === 0 && format === 'table') console.log('No authentication events found.');
      if (more) {
        const events = counted(limit ?? 0, `${outcome ? `${outcome} ` : ''}event`);
        moreExist(`the first ${events} of the period`, ALL_OF_THE_PERIOD);
      }
      return;
    }
    const failures = authEventsOfPeriod(reader, table, fromMs, toMs, { outcome: 'failure' });
    const summary = await summariseFailures(tapped(failures, () => progress.update(++read)));
    progress.end();
    await writeFailureSummary(summary, format, stdout);
  } catch (error) {
    progress.end();
    throw authEventsTableError(error, table);
  }
}

/**
 * One user's view with their authentication events: the newest `limit` rows of sign-ins and events merged,
 * each marked success or failure, a sign-in showing the IP of its CloudTrail event where one matches.
 * `signIns` may hold one more than `limit` (and one more event is read): `more` says whether rows were left
 * out.
 */
export async function writeUserView(
  reader: DynamoDBDocumentClient,
  table: string,
  sub: string,
  signIns: LoginHistoryItem[],
  limit: number,
  format: Format,
  stdout: Writable,
): Promise<{ count: number; more: boolean }> {
  const events: AuthEventRecord[] = [];
  try {
    for await (const e of authEventsOfUser(reader, table, sub, { newestFirst: true })) {
      events.push(e);
      if (events.length > limit) break;
    }
  } catch (error) {
    throw authEventsTableError(error, table);
  }
  const rows = firstOf(userAttempts(signIns, events), limit);
  return { count: await writeUserAttempts(rows.items, format, stdout), more: rows.more };
}
