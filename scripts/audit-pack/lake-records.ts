/**
 * The pack's records answered from the lake (`--source lake`): the same questions as the tables' path, as
 * SQL (scripts/lake/queries.ts) on DuckDB or Athena. The figures are grouped by the engine and ordered here
 * with the tally's own rules, so the summary equals the tables' path on the same data; the dormant review is a
 * join in the local database (the pool's users against each user's last sign-in), not a query per user.
 * The period's records go into the pack as Parquet (the CSV's columns; a billion rows fit no spreadsheet),
 * or, with `--records csv`, as the very CSV files the tables' path writes.
 */
import type { LoginHistoryItem } from '#contract';
import { CommandError } from '../core/cli.ts';
import { cellOf, csvRecord, EXPORT_COLUMNS, writeDormantAccounts, writeText } from '../core/output.ts';
import { type LakeEngine, quoted, type Row } from '../lake/engine.ts';
import { type LakeParameter, type LakeQuery, periodParameters, QUERIES } from '../lake/queries.ts';
import { AUTH_EVENT_FIELDS, type AuthEventRecord } from '../records/auth-events.ts';
import { byDormancy, type DormantAccount, type PoolUser } from '../records/dormant-accounts.ts';
import { finish, type PackRecords, packFile, type RecordsAnswer, type RecordsContext } from './pack.ts';
import { FILES } from './summary.ts';
import {
  type AuthEventTotals,
  NO_CLIENT,
  POOL_PROVIDER,
  type SignInTotals,
  TOP_FAILING,
  topEntries,
} from './tally.ts';

/** The pack's records in Parquet (the default from the lake). */
export const LAKE_FILES = { signIns: 'sign-ins.parquet', authEvents: 'auth-events.parquet' } as const;
export const RECORD_FORMATS = ['parquet', 'csv'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/** The columns a `--users` file must have, as DuckDB types them (the dormant CSV's columns). */
export const USERS_FILE_COLUMNS = {
  userName: 'VARCHAR',
  sub: 'VARCHAR',
  email: 'VARCHAR',
  enabled: 'BOOLEAN',
  userStatus: 'VARCHAR',
  createdAt: 'VARCHAR',
} as const;

export interface LakeRecordsOptions {
  engine: LakeEngine;
  /** The pool's users: read from the pool by the caller, or a Parquet file of them (`--users`). */
  users: { list: PoolUser[] } | { file: string };
  records: RecordFormat;
}

type Value = Row[string] | undefined;
const iso = (ms: Value) => new Date(Number(ms)).toISOString();
const text = (value: Value) => (value === null || value === undefined ? undefined : String(value));
const dayOfPartition = (eventDay: string) =>
  `${eventDay.slice(0, 4)}-${eventDay.slice(4, 6)}-${eventDay.slice(6, 8)}`;
const countsOf = (rows: Row[], key: string, absent: string) =>
  new Map(rows.map((r) => [r[key] === null ? absent : String(r[key]), Number(r.n)]));

/** A lake row of QUERIES.signIns as the sign-in export's columns. */
function signInOf(row: Row): Pick<LoginHistoryItem, (typeof EXPORT_COLUMNS)[number]> {
  return {
    signedInAt: iso(row.time_ms),
    sub: String(row.sub),
    userName: text(row.user_name),
    email: text(row.email),
    clientId: text(row.client_id),
    userPoolId: String(row.user_pool_id),
    identityProvider: text(row.identity_provider),
    newDeviceUsed: row.new_device_used === null ? undefined : Boolean(row.new_device_used),
    requestId: String(row.request_id),
  };
}

/** A lake row of QUERIES.authEvents as the auth-events reader's record. */
function authEventOf(row: Row): AuthEventRecord {
  return {
    eventTime: iso(row.time_ms),
    eventId: String(row.event_id),
    eventName: String(row.event_name),
    outcome: row.status_id === 2 ? 'failure' : 'success',
    errorCode: text(row.error_code),
    sourceIp: text(row.source_ip),
    userAgent: text(row.user_agent),
    sub: text(row.sub),
    clientId: text(row.client_id),
    userPoolId: String(row.user_pool_id),
    authFlow: text(row.auth_flow),
  };
}

/**
 * One dataset's records in the pack: the lake's query; the Parquet file, its columns the CSV's with times as UTC
 * timestamps (a local DuckDB SELECT over `from`); and the CSV the tables' path writes, a record per row.
 */
interface LakeDataset<T> {
  query: LakeQuery;
  parquet: { file: string; select: (from: string) => string };
  csv: { file: string; columns: readonly (keyof T & string)[]; recordOf: (row: Row) => T };
}

const SIGN_IN_RECORDS: LakeDataset<ReturnType<typeof signInOf>> = {
  query: QUERIES.signIns,
  parquet: {
    file: LAKE_FILES.signIns,
    select: (from) =>
      `SELECT epoch_ms(time_ms) AT TIME ZONE 'UTC' AS signedInAt, sub, user_name AS userName, email, client_id AS clientId, user_pool_id AS userPoolId, identity_provider AS identityProvider, new_device_used AS newDeviceUsed, request_id AS requestId FROM ${from}`,
  },
  csv: { file: FILES.signIns, columns: EXPORT_COLUMNS, recordOf: signInOf },
};

const AUTH_EVENT_RECORDS: LakeDataset<AuthEventRecord> = {
  query: QUERIES.authEvents,
  parquet: {
    file: LAKE_FILES.authEvents,
    select: (from) =>
      `SELECT epoch_ms(time_ms) AT TIME ZONE 'UTC' AS eventTime, event_id AS eventId, event_name AS eventName, CASE status_id WHEN 2 THEN 'failure' ELSE 'success' END AS outcome, error_code AS errorCode, source_ip AS sourceIp, user_agent AS userAgent, sub, client_id AS clientId, user_pool_id AS userPoolId, auth_flow AS authFlow FROM ${from}`,
  },
  csv: { file: FILES.authEvents, columns: AUTH_EVENT_FIELDS, recordOf: authEventOf },
};

/** The period's records of one dataset into the pack, as Parquet or (`--records csv`) as the tables' CSV. */
async function packRecords<T>(
  engine: LakeEngine,
  context: RecordsContext,
  format: RecordFormat,
  period: LakeParameter[],
  { query, parquet, csv }: LakeDataset<T>,
): Promise<void> {
  if (format === 'parquet') {
    await engine.toParquet(query, period, parquet.select, context.path(parquet.file));
    return;
  }
  const file = packFile(context.path(csv.file));
  await writeText(file, csvRecord(csv.columns));
  for await (const row of engine.stream(query, period)) {
    const record = csv.recordOf(row);
    await writeText(file, csvRecord(csv.columns.map((column) => cellOf(record[column]))));
  }
  await finish(file);
}

async function signInTotals(
  engine: LakeEngine,
  context: RecordsContext,
  period: LakeParameter[],
): Promise<SignInTotals> {
  const [totals] = await engine.rows(QUERIES.signInTotals, period);
  const perDay = countsOf(await engine.rows(QUERIES.signInsPerDay, period), 'day', '');
  const byClient = countsOf(await engine.rows(QUERIES.signInsByClient, period), 'client', NO_CLIENT);
  const byProvider = countsOf(
    await engine.rows(QUERIES.signInsByProvider, period),
    'provider',
    POOL_PROVIDER,
  );
  const signIns = Number(totals?.sign_ins ?? 0);
  return {
    signIns,
    users: Number(totals?.users ?? 0),
    perDay: Object.fromEntries(context.days.map((d) => [d, perDay.get(d.replaceAll('-', '')) ?? 0])),
    byClient: Object.fromEntries(topEntries(byClient, Number.POSITIVE_INFINITY)),
    byProvider: Object.fromEntries(topEntries(byProvider, Number.POSITIVE_INFINITY)),
    ...(signIns > 0 ? { first: iso(totals?.first_ms ?? 0), last: iso(totals?.last_ms ?? 0) } : {}),
  };
}

async function authEventTotals(
  engine: LakeEngine,
  context: RecordsContext,
  period: LakeParameter[],
): Promise<
  Omit<AuthEventTotals, 'topFailingUsers'> & { topFailingUsers: { sub: string; failures: number }[] }
> {
  const [totals] = await engine.rows(QUERIES.authEventTotals, period);
  const perDay = await engine.rows(QUERIES.authEventsPerDay, period);
  const byDay = (failed: boolean) => {
    const counts = new Map(
      perDay
        .filter((r) => (r.status_id === 2) === failed)
        .map((r) => [dayOfPartition(String(r.day)), Number(r.n)]),
    );
    return Object.fromEntries(context.days.map((d) => [d, counts.get(d) ?? 0]));
  };
  const events = Number(totals?.events ?? 0);
  const failures = Number(totals?.failures ?? 0);
  const ips = countsOf(await engine.rows(QUERIES.failuresByIp, period), 'source_ip', '');
  const subs = countsOf(await engine.rows(QUERIES.failuresByUser, period), 'sub', '');
  return {
    events,
    successes: events - failures,
    failures,
    failuresPerDay: byDay(true),
    successesPerDay: byDay(false),
    sourceIps: Number(totals?.source_ips ?? 0),
    failuresByErrorCode: Object.fromEntries(
      topEntries(
        countsOf(await engine.rows(QUERIES.failuresByErrorCode, period), 'code', '(none)'),
        Number.POSITIVE_INFINITY,
      ),
    ),
    topFailingSourceIps: topEntries(ips, TOP_FAILING).map(([sourceIp, n]) => ({ sourceIp, failures: n })),
    topFailingUsers: topEntries(subs, TOP_FAILING).map(([sub, n]) => ({ sub, failures: n })),
    failuresWithoutSub: Number(totals?.failures_without_sub ?? 0),
  };
}

/** The local table `pool_users`: its columns as the local database reads them. */
const POOL_USER_COLUMNS = {
  userName: 'string',
  sub: 'string',
  email: 'string',
  enabled: 'boolean',
  userStatus: 'string',
  createdAt: 'string',
} as const;

/** The pool's users as the local table `pool_users`, from the pool's listing or a checked Parquet file. */
async function loadUsers(engine: LakeEngine, users: LakeRecordsOptions['users']): Promise<void> {
  if ('list' in users) {
    await engine.local.tableFrom(
      'pool_users',
      POOL_USER_COLUMNS,
      users.list.map((u) => ({ ...u, email: u.email ?? null })),
    );
    return;
  }
  const file = quoted(users.file);
  let found: Row[];
  try {
    found = await engine.local.all(
      `SELECT column_name AS name, column_type AS type FROM (DESCRIBE SELECT * FROM read_parquet(${file}))`,
      [],
      { name: 'string', type: 'string' },
    );
  } catch (error) {
    throw new CommandError(
      `--users ${users.file} is not a Parquet file DuckDB can read: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  const types = new Map(found.map((r) => [String(r.name), String(r.type)]));
  const wrong = Object.entries(USERS_FILE_COLUMNS).filter(([name, type]) => types.get(name) !== type);
  if (wrong.length > 0) {
    throw new CommandError(
      `--users ${users.file} needs the columns ${Object.entries(USERS_FILE_COLUMNS)
        .map(([n, t]) => `${n} ${t}`)
        .join(', ')}; ${wrong.map(([n]) => `${n} is ${types.get(n) ?? 'missing'}`).join(', ')}`,
    );
  }
  await engine.local.run(
    `CREATE TABLE pool_users AS SELECT ${Object.keys(POOL_USER_COLUMNS)
      .map((c) => `"${c}"`)
      .join(', ')} FROM read_parquet(${file})`,
  );
}

/** The review: the users that existed at the moment whose last sign-in is missing or before the cutoff. */
async function dormantReview(engine: LakeEngine, context: RecordsContext) {
  const asOfMs = Date.parse(context.asOfIso);
  context.progress('last sign-in of each user', 0);
  await engine.toLocalTable('last_sign_ins', QUERIES.lastSignIns, [
    { day: context.asOfIso.slice(0, 10).replaceAll('-', '') },
    { ms: asOfMs },
  ]);
  const [existing] = await engine.local.all(
    'SELECT count(*) AS n FROM pool_users WHERE "createdAt" <= ?',
    [context.asOfIso],
    { n: 'number' },
  );
  const dormant: DormantAccount[] = [];
  for await (const row of engine.local.stream(
    `SELECT u."userName", u.sub, u.email, u.enabled, u."userStatus", u."createdAt", l.last_ms
       FROM pool_users u LEFT JOIN last_sign_ins l ON l.sub = u.sub
      WHERE u."createdAt" <= ? AND (l.last_ms IS NULL OR l.last_ms < ?)`,
    [context.asOfIso, BigInt(context.cutoffMs)],
    { ...POOL_USER_COLUMNS, last_ms: 'number' },
  )) {
    dormant.push({
      userName: String(row.userName),
      sub: String(row.sub),
      ...(row.email === null ? {} : { email: String(row.email) }),
      enabled: row.enabled === true,
      userStatus: String(row.userStatus),
      createdAt: String(row.createdAt),
      lastSignedInAt: row.last_ms === null ? null : iso(row.last_ms),
    });
  }
  return { dormant: dormant.sort(byDormancy), existingUsers: Number(existing?.n ?? 0) };
}

export function lakeRecords(options: LakeRecordsOptions): PackRecords {
  const { engine } = options;
  return async (context) => {
    const period = periodParameters(context.fromMs, context.toMs);
    await loadUsers(engine, options.users);

    // 1. The period's sign-ins: the records (Parquet, or the CSV on request) and their figures.
    context.progress('sign-ins', 0);
    await packRecords(engine, context, options.records, period, SIGN_IN_RECORDS);
    const signIns = await signInTotals(engine, context, period);

    // 2. The authentication events, when the stack records them.
    let authEvents: RecordsAnswer['authEvents'];
    if ('table' in context.authEvents) {
      context.progress('authentication events', 0);
      await packRecords(engine, context, options.records, period, AUTH_EVENT_RECORDS);
      const totals = await authEventTotals(engine, context, period);
      const subs = totals.topFailingUsers.map((u) => u.sub);
      const names = new Map(
        subs.length === 0
          ? []
          : (
              await engine.local.all(
                `SELECT sub, "userName" FROM pool_users WHERE sub IN (${subs.map(() => '?').join(', ')})`,
                subs,
                { sub: 'string', userName: 'string' },
              )
            ).map((r) => [String(r.sub), String(r.userName)]),
      );
      authEvents = {
        ...totals,
        topFailingUsers: totals.topFailingUsers.map((u) => ({
          ...u,
          ...(names.has(u.sub) ? { userName: names.get(u.sub) } : {}),
        })),
      };
    }

    // 3. The dormant-account review as of the end of the period.
    const { dormant, existingUsers } = await dormantReview(engine, context);
    const dormantFile = packFile(context.path(FILES.dormant));
    await writeDormantAccounts(dormant, 'csv', dormantFile);
    await finish(dormantFile);
    return { signIns, authEvents, dormant, existingUsers };
  };
}
