/**
 * `npm run history`'s modes: the command line read into one request (pure: every usage error is found
 * before anything is read), and the request run against the table. A mode is one entry in MODES, its
 * options in OPTIONS_BY_MODE and its reader in RUNNERS.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  CommandError,
  parseOptions,
  positiveInteger,
  refuseOptionsOutsideMode,
  requireOne,
  terminalProgress,
  translateNotFound,
  UsageError,
} from '../core/cli.ts';
import { clientConfig } from '../core/clients.ts';
import { counted, firstOf, limited } from '../core/generic.ts';
import {
  ALL_OF_THE_PERIOD,
  FORMATS,
  type Format,
  moreExist,
  writeDormantAccounts,
  writeSignIns,
} from '../core/output.ts';
import { isCalendarDate, period } from '../core/period.ts';
import { checkWhere, resolveWhere } from '../core/stack.ts';
import { dormantAccounts, listPoolUsers } from '../records/dormant-accounts.ts';
import {
  createReader,
  DAY_MS,
  dayOf,
  firstRecordedSignIn,
  historyOfDay,
  historyOfUser,
  signInsBetween,
} from '../records/sign-ins.ts';
import { lookUpSub } from '../user-pool/user-lookup.ts';
import {
  type AttemptsMode,
  AUTH_EVENTS_OPTIONS,
  AUTH_EVENTS_USAGE,
  AUTH_EVENTS_WHERE,
  attemptsModeOf,
  runAttempts,
  writeUserView,
} from './auth-events-modes.ts';

export const USAGE = `usage: npm run history -- <what> <where> [--format table|json|jsonl|csv | --json] [--region <region>]

what (exactly one):
  --sub <sub> | --username <name> --user-pool-id <id> | --email <email> --user-pool-id <id>
                                      one user's sign-ins, newest first (--limit N, default 50)
  --date <YYYY-MM-DD>                 one day's sign-ins, newest first (--limit N, default 50)
  --from <date or ISO time> --to <date or ISO time>
                                      every sign-in of the period, oldest first, streamed (dates are whole
                                      UTC days, both ends included; no limit unless --limit is given)
  --inactive-since <N>d --user-pool-id <id>
                                      users with no recorded sign-in in the last N days, or none at all
                                      (--concurrency N, default 16)
${AUTH_EVENTS_USAGE}
where (exactly one):
  --table-name <table> [--shards N]   --shards: the stack parameter DayIndexShards (default 1)
  --stack-name <stack>                reads the table, shards and DayIndex from the stack
${AUTH_EVENTS_WHERE}`;

/** The command, in process: resolves to its exit code (runCli maps thrown errors to 1 and 2). */
export async function run(argv: readonly string[]): Promise<number> {
  return runHistory(historyRequest(parseOptions(argv, HISTORY_OPTIONS)));
}

export const HISTORY_OPTIONS = {
  sub: { type: 'string' },
  username: { type: 'string' },
  email: { type: 'string' },
  date: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'inactive-since': { type: 'string' },
  'user-pool-id': { type: 'string' },
  'table-name': { type: 'string' },
  'stack-name': { type: 'string' },
  shards: { type: 'string' },
  limit: { type: 'string' },
  concurrency: { type: 'string' },
  format: { type: 'string' },
  json: { type: 'boolean', default: false },
  region: { type: 'string' },
  ...AUTH_EVENTS_OPTIONS,
} as const;

export type HistoryValues = ReturnType<typeof parseOptions<typeof HISTORY_OPTIONS>>;

/** The modes, each named by its option (`from` stands for --from/--to). */
export const MODES = ['sub', 'username', 'email', 'date', 'from', 'inactive-since'] as const;
export type Mode = (typeof MODES)[number];

/** The options only some modes use; any other mode refuses them. */
const OPTIONS_BY_MODE: Record<string, readonly Mode[]> = {
  'user-pool-id': ['username', 'email', 'inactive-since'],
  limit: ['sub', 'username', 'email', 'date', 'from'],
  concurrency: ['inactive-since'],
  shards: ['date', 'from', 'inactive-since'],
};

export interface HistoryRequest {
  mode: Mode;
  /** --attempts / --failed-attempts: the period's authentication events instead of its sign-ins. */
  attempts?: AttemptsMode;
  values: HistoryValues;
  format: Format;
  limit: number | undefined;
  concurrency: number;
  /** --from/--to as the ISO times items hold. */
  period?: { from: string; to: string };
  /** --inactive-since in days. */
  days?: number;
}

function inactiveDays(value: string): number {
  const match = /^([1-9]\d{0,4})d$/.exec(value);
  if (!match) {
    throw new UsageError(
      `--inactive-since must be a number of days such as 90d (1d to 99999d), got "${value}"`,
    );
  }
  return Number(match[1]);
}

/** The command line as one request; a UsageError for anything wrong, before any AWS call. */
export function historyRequest(values: HistoryValues): HistoryRequest {
  if ((values.from === undefined) !== (values.to === undefined)) {
    throw new UsageError('--from and --to go together: give both ends of the period');
  }
  const attempts = attemptsModeOf(values);
  const mode = requireOne({ ...values, from: values.from ?? values.to }, [...MODES]) as Mode;
  // The attempts modes read the auth-events table (--auth-events-table-name or --stack-name).
  if (!attempts) checkWhere(values, ['shards']);
  refuseOptionsOutsideMode(values, mode, OPTIONS_BY_MODE);
  if (values.json && values.format !== undefined && values.format !== 'json') {
    throw new UsageError('--json is --format json; give one of them');
  }
  const format = (values.json ? 'json' : (values.format ?? 'table')) as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  if ((mode === 'username' || mode === 'email' || mode === 'inactive-since') && !values['user-pool-id']) {
    throw new UsageError(`--${mode} needs --user-pool-id`);
  }
  const request: HistoryRequest = {
    mode,
    ...(attempts ? { attempts } : {}),
    values,
    format,
    limit: positiveInteger('limit', values.limit, mode === 'from' ? 1_000_000_000 : MAX_LIMIT),
    concurrency: positiveInteger('concurrency', values.concurrency, 256) ?? 16,
  };
  if (mode === 'date' && !isCalendarDate(String(values.date))) {
    throw new UsageError(`--date "${values.date}" is not a date (YYYY-MM-DD, UTC)`);
  }
  if (mode === 'from') {
    request.period = period(String(values.from), String(values.to));
  }
  if (mode === 'inactive-since') request.days = inactiveDays(String(values['inactive-since']));
  return request;
}

/** Where the history is: the table, its DayIndexShards, and whether it has the byDay index (if known). */
interface Source {
  reader: DynamoDBDocumentClient;
  table: string;
  shards: number;
  dayIndex: string | undefined;
  /** The auth-events table, where named or deployed: one user's view then shows their failed attempts. */
  authEventsTable: string | undefined;
}

type Runner = (request: HistoryRequest, source: Source) => Promise<void>;

/** One user's or one day's rows: shown without --limit, and at most with it. */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 10_000;
const NEWEST_HINT = `--limit shows up to ${MAX_LIMIT}`;

const RUNNERS: Record<Mode, Runner> = {
  sub: oneUser,
  username: oneUser,
  email: oneUser,
  date: async ({ values, limit = DEFAULT_LIMIT, format }, { reader, table, shards, dayIndex }) => {
    if (dayIndex === 'disabled') throw noDayIndex(table, '--date');
    const found = firstOf(await historyOfDay(reader, table, String(values.date), shards, limit + 1), limit);
    await writeFound(found.items, format);
    if (found.more) moreExist(`the newest ${counted(limit, 'sign-in')} of ${values.date}`, NEWEST_HINT);
  },
  from: async ({ period, limit, format }, { reader, table, shards, dayIndex }) => {
    if (dayIndex === 'disabled') throw noDayIndex(table, '--from/--to');
    const { from, to } = period as { from: string; to: string };
    let more = false;
    const signIns = limited(signInsBetween(reader, table, shards, from, to), limit, () => {
      more = true;
    });
    await writeFound(signIns, format);
    if (more) moreExist(`the first ${counted(limit ?? 0, 'sign-in')} of the period`, ALL_OF_THE_PERIOD);
  },
  'inactive-since': dormantReport,
};

/** Runs the request: exit code 0, or an error runCli turns into 1. */
export async function runHistory(request: HistoryRequest): Promise<number> {
  const { values } = request;
  if (request.attempts) {
    const reader = createReader(values.region);
    try {
      const { period, format, limit } = request;
      await runAttempts(
        request.attempts,
        values,
        period as { from: string; to: string },
        format,
        limit,
        reader,
        process.stdout,
      );
      return 0;
    } finally {
      reader.destroy();
    }
  }
  const source = await resolveSource(values);
  try {
    await RUNNERS[request.mode](request, source);
    return 0;
  } catch (error) {
    throw tableError(error, source.table, request.mode === 'from' ? '--from/--to' : `--${request.mode}`);
  } finally {
    source.reader.destroy();
  }
}

async function resolveSource(values: HistoryValues): Promise<Source> {
  const where = await resolveWhere(values, values.region);
  return {
    table: where.table,
    shards: where.shards,
    dayIndex: where.dayIndex,
    authEventsTable: 'table' in where.authEvents ? where.authEvents.table : undefined,
    reader: createReader(values.region),
  };
}

async function oneUser(
  { mode, values, limit = DEFAULT_LIMIT, format }: HistoryRequest,
  { reader, table, authEventsTable }: Source,
) {
  const sub = mode === 'sub' ? String(values.sub) : await lookUpSub(values, values.region);
  // One more than shown: it says whether more exist.
  const signIns = await historyOfUser(reader, table, sub, limit + 1);
  if (authEventsTable) {
    const { more } = await writeUserView(
      reader,
      authEventsTable,
      sub,
      signIns,
      limit,
      format,
      process.stdout,
    );
    if (more) moreExist(`the newest ${counted(limit, 'row')}`, NEWEST_HINT);
    return;
  }
  const found = firstOf(signIns, limit);
  await writeFound(found.items, format);
  if (found.more) moreExist(`the newest ${counted(limit, 'sign-in')}`, NEWEST_HINT);
}

async function writeFound(items: Parameters<typeof writeSignIns>[0], format: Format) {
  const count = await writeSignIns(items, format, process.stdout);
  if (count === 0 && format === 'table') console.log('No sign-ins found.');
}

function noDayIndex(table: string, what: string): CommandError {
  return new CommandError(
    `table ${table} has no byDay index (deployed with DayIndex=disabled); ${what} needs it (it would otherwise scan the whole table). Redeploy with DayIndex=enabled: the existing items are indexed too.`,
  );
}

/** Translates the table errors every mode can meet. */
function tableError(error: unknown, table: string, what: string): unknown {
  if (/specified index/i.test((error as Error).message)) return noDayIndex(table, what);
  return translateNotFound(error, `table ${table}`, '--table-name / --stack-name');
}

async function dormantReport(request: HistoryRequest, { reader, table, shards }: Source) {
  const { values, concurrency, format } = request;
  const days = request.days as number;
  const poolId = String(values['user-pool-id']);
  const cognito = new CognitoIdentityProviderClient(clientConfig(values.region));
  let users: Awaited<ReturnType<typeof listPoolUsers>>;
  try {
    users = await listPoolUsers(cognito, poolId);
  } catch (error) {
    throw translateNotFound(error, `user pool ${poolId}`, '--user-pool-id');
  } finally {
    cognito.destroy();
  }
  const now = Date.now();
  const cutoffMs = now - days * DAY_MS;
  const progress = terminalProgress('checking users');
  const accounts = await dormantAccounts({
    doc: reader,
    table,
    users,
    cutoffMs,
    concurrency,
    onProgress: (done, total) => progress.update(done, total),
  });
  progress.end();

  // "Never" means "never since the history began": say when that was. No sign-in of these users can
  // predate their accounts, so the search starts at the oldest account's creation day.
  const oldestAccountMs = users.reduce((min, u) => Math.min(min, Date.parse(u.createdAt)), now);
  let since: string;
  try {
    const first = await firstRecordedSignIn(reader, table, shards, dayOf(oldestAccountMs), dayOf(now));
    since = first
      ? `The history holds sign-ins since ${first}: "never recorded" means none since then.`
      : 'The history holds no sign-in yet.';
  } catch (error) {
    if (!/specified index/i.test((error as Error).message)) throw error;
    since = 'When the history begins is not known (DayIndex=disabled).';
  }
  const heading = [
    `${accounts.length} of ${counted(users.length, 'user')} of ${poolId} ${accounts.length === 1 ? 'has' : 'have'} no recorded sign-in since ${new Date(cutoffMs).toISOString()} (${counted(days, 'day')}).`,
    `${since} Disabled accounts are marked.`,
  ].join('\n');
  if (format === 'table') {
    console.log(heading);
    console.log('');
    if (accounts.length === 0) console.log('No dormant accounts.');
  } else {
    console.error(heading);
  }
  await writeDormantAccounts(accounts, format, process.stdout);
}
