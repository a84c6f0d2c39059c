/**
 * `npm run history`: the login history, read the ways auditors ask for it: one user's or one day's sign-ins
 * (newest first), every sign-in of a period (oldest first, streamed, for spreadsheets), and the dormant
 * accounts of a pool.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  CommandError,
  parseOptions,
  positiveInteger,
  requireOne,
  runCli,
  terminalProgress,
  UsageError,
} from './ops/cli.ts';
import { dormantAccounts, listPoolUsers } from './ops/dormant-accounts.ts';
import { FORMATS, type Format, writeDormantAccounts, writeSignIns } from './ops/history-output.ts';
import {
  createReader,
  DAY_MS,
  dayOf,
  firstRecordedSignIn,
  type HistoryItem,
  historyOfDay,
  historyOfUser,
  signInsBetween,
} from './ops/history-query.ts';
import { DATE, period as periodOf } from './ops/period.ts';
import { readStackIn } from './ops/stack.ts';
import { lookUpSub } from './ops/user-lookup.ts';

const USAGE = `usage: npm run history -- <what> <where> [--format table|json|jsonl|csv | --json] [--region <region>]

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
where (exactly one):
  --table-name <table> [--shards N]   --shards: the stack parameter DayIndexShards (default 1)
  --stack-name <stack>                reads the table, shards and DayIndex from the stack`;

function inactiveDays(value: string): number {
  const match = /^([1-9]\d{0,4})d$/.exec(value);
  if (!match) {
    throw new UsageError(
      `--inactive-since must be a number of days such as 90d (1d to 99999d), got "${value}"`,
    );
  }
  return Number(match[1]);
}

async function resolveTable(values: Record<string, unknown>, region: string | undefined) {
  if (values['table-name']) {
    return { table: String(values['table-name']), shards: Number(values.shards ?? 1), dayIndex: undefined };
  }
  const stack = await readStackIn(region, String(values['stack-name']));
  return {
    table: stack.output('TableName'),
    shards: Number(stack.parameter('DayIndexShards') ?? 1),
    dayIndex: stack.parameter('DayIndex'),
  };
}

function noDayIndex(table: string, what: string): CommandError {
  return new CommandError(
    `table ${table} has no byDay index (deployed with DayIndex=disabled); ${what} needs it (it would otherwise scan the whole table). Redeploy with DayIndex=enabled: the existing items are indexed too.`,
  );
}

/** Translates the table errors every mode can meet. */
function tableError(error: unknown, table: string, what: string): unknown {
  if ((error as Error).name === 'ResourceNotFoundException') {
    return new CommandError(`table ${table} does not exist (check --table-name / --stack-name and --region)`);
  }
  if (/specified index/i.test((error as Error).message)) return noDayIndex(table, what);
  return error;
}

async function* limited<T>(items: AsyncIterable<T>, limit: number | undefined): AsyncGenerator<T> {
  if (limit === undefined) return yield* items;
  let n = 0;
  for await (const item of items) {
    if (n++ >= limit) return;
    yield item;
  }
}

await runCli(USAGE, async () => {
  const values = parseOptions(process.argv.slice(2), {
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
  });
  if ((values.from === undefined) !== (values.to === undefined)) {
    throw new UsageError('--from and --to go together: give both ends of the period');
  }
  const by = requireOne({ ...values, from: values.from ?? values.to }, [
    'sub',
    'username',
    'email',
    'date',
    'from',
    'inactive-since',
  ]);
  requireOne(values, ['table-name', 'stack-name']);
  if (values.json && values.format !== undefined && values.format !== 'json') {
    throw new UsageError('--json is --format json; give one of them');
  }
  const format = (values.json ? 'json' : (values.format ?? 'table')) as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  if (values.shards !== undefined && !/^([1-9]\d?|100)$/.test(values.shards)) {
    throw new UsageError('--shards must be 1 to 100 (the stack parameter DayIndexShards)');
  }
  const isExport = by === 'from';
  const limit = positiveInteger('limit', values.limit, isExport ? 1_000_000_000 : 10_000);
  const concurrency = positiveInteger('concurrency', values.concurrency, 256) ?? 16;
  if (by === 'date' && !DATE.test(String(values.date)))
    throw new UsageError('--date must be YYYY-MM-DD (UTC)');
  if ((by === 'username' || by === 'email' || by === 'inactive-since') && !values['user-pool-id']) {
    throw new UsageError(`--${by} needs --user-pool-id`);
  }
  let period: { from: string; to: string } | undefined;
  if (isExport) {
    period = periodOf(String(values.from), String(values.to));
  }
  const days = by === 'inactive-since' ? inactiveDays(String(values['inactive-since'])) : 0;

  const { table, shards, dayIndex } = await resolveTable(values, values.region);
  const reader = createReader(values.region);
  try {
    if (by === 'inactive-since') {
      await dormantReport(values, table, shards, days, concurrency, format, reader);
      return 0;
    }
    if (period) {
      if (dayIndex === 'disabled') throw noDayIndex(table, '--from/--to');
      const items = limited(signInsBetween(reader, table, shards, period.from, period.to), limit);
      const count = await writeSignIns(items, format, process.stdout);
      if (count === 0 && format === 'table') console.log('No sign-ins found.');
      return 0;
    }
    let items: HistoryItem[];
    if (by === 'date') {
      if (dayIndex === 'disabled') throw noDayIndex(table, '--date');
      items = await historyOfDay(reader, table, String(values.date), shards, limit ?? 50);
    } else {
      const sub = by === 'sub' ? String(values.sub) : await lookUpSub(values, values.region);
      items = await historyOfUser(reader, table, sub, limit ?? 50);
    }
    const count = await writeSignIns(items, format, process.stdout);
    if (count === 0 && format === 'table') console.log('No sign-ins found.');
    return 0;
  } catch (error) {
    throw tableError(error, table, by === 'from' ? '--from/--to' : `--${by}`);
  } finally {
    reader.destroy();
  }
});

async function dormantReport(
  values: Record<string, unknown>,
  table: string,
  shards: number,
  days: number,
  concurrency: number,
  format: Format,
  reader: ReturnType<typeof createReader>,
) {
  const poolId = String(values['user-pool-id']);
  const cognito = new CognitoIdentityProviderClient(values.region ? { region: String(values.region) } : {});
  let users: Awaited<ReturnType<typeof listPoolUsers>>;
  try {
    users = await listPoolUsers(cognito, poolId);
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      throw new CommandError(`user pool ${poolId} does not exist (check --user-pool-id and --region)`);
    }
    throw error;
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
    `${accounts.length} of ${users.length} users of ${poolId} have no recorded sign-in since ${new Date(cutoffMs).toISOString()} (${days} days).`,
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
