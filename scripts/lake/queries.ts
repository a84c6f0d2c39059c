/**
 * The audit pack's questions as SQL over the lake, in the subset DuckDB and Athena (Trino) share, so the
 * same text runs on both: `?` parameters (DuckDB binds them; Athena takes them as ExecutionParameters),
 * `time` as BIGINT epoch milliseconds and `eventday` as the 'YYYYMMDD' partition (no date functions), the
 * tables `sign_ins` and `auth_events` (DuckDB views over the files; the Glue tables in Athena), CASE counts
 * instead of FILTER, exact count(DISTINCT) only. template.yaml's named queries are these texts (a test).
 * Every result column is declared with its type: nothing is inferred from an engine's answer.
 */

export type ResultType = 'string' | 'number' | 'boolean';

/** A parameter: a partition day ('YYYYMMDD') or a time in epoch milliseconds. */
export type LakeParameter = { day: string } | { ms: number };

export interface LakeQuery {
  /** The named query's name in template.yaml. */
  name: string;
  description: string;
  /** The SELECT, without its order (the pack's Parquet needs none, and sorting a billion rows costs). */
  sql: string;
  /** The order of a listing (the CSV, the named query), when it has one. */
  orderBy?: string;
  /** What each `?` stands for, in order (documentation and the named queries' descriptions). */
  parameters: readonly string[];
  columns: Readonly<Record<string, ResultType>>;
}

const PERIOD = 'eventday BETWEEN ? AND ? AND "time" BETWEEN ? AND ?';
const PERIOD_PARAMETERS = ['first day (YYYYMMDD)', 'last day (YYYYMMDD)', 'from (epoch ms)', 'to (epoch ms)'];
const SOURCE_IP = 'coalesce(src_endpoint.ip, unmapped.src_endpoint_ip)';
const FAILURE = 'status_id = 2';

/** The rows of the largest groups, with every group tied with the last of them (ties are ordered in JS). */
const topWithTies = (select: string, limit: number) =>
  `WITH g AS (${select}) SELECT * FROM g WHERE n >= (SELECT min(n) FROM (SELECT n FROM g ORDER BY n DESC LIMIT ${limit}) t)`;

export const TOP_FAILING = 10;

export const QUERIES = {
  signInTotals: {
    name: 'sign-ins-totals',
    description: "The period's sign-ins: how many, by how many users, the first and the last.",
    sql: `SELECT count(*) AS sign_ins, count(DISTINCT "user".uid) AS users, min("time") AS first_ms, max("time") AS last_ms FROM sign_ins WHERE ${PERIOD}`,
    parameters: PERIOD_PARAMETERS,
    columns: { sign_ins: 'number', users: 'number', first_ms: 'number', last_ms: 'number' },
  },
  signInsPerDay: {
    name: 'sign-ins-per-day',
    description: "The period's sign-ins per UTC day.",
    sql: `SELECT eventday AS day, count(*) AS n FROM sign_ins WHERE ${PERIOD} GROUP BY eventday`,
    parameters: PERIOD_PARAMETERS,
    columns: { day: 'string', n: 'number' },
  },
  signInsByClient: {
    name: 'sign-ins-by-app-client',
    description: "The period's sign-ins per app client (service.uid).",
    sql: `SELECT service.uid AS client, count(*) AS n FROM sign_ins WHERE ${PERIOD} GROUP BY service.uid`,
    parameters: PERIOD_PARAMETERS,
    columns: { client: 'string', n: 'number' },
  },
  signInsByProvider: {
    name: 'sign-ins-by-identity-provider',
    description: "The period's sign-ins per identity provider (none: the pool's own users).",
    sql: `SELECT actor.idp.name AS provider, count(*) AS n FROM sign_ins WHERE ${PERIOD} GROUP BY actor.idp.name`,
    parameters: PERIOD_PARAMETERS,
    columns: { provider: 'string', n: 'number' },
  },
  signIns: {
    name: 'sign-ins-of-period',
    description: "A period's sign-ins, oldest first, in the columns of the history export.",
    sql: `SELECT "time" AS time_ms, "user".uid AS sub, "user".name AS user_name, coalesce("user".email_addr, unmapped.email_addr) AS email, service.uid AS client_id, "user".account.uid AS user_pool_id, actor.idp.name AS identity_provider, is_new_logon AS new_device_used, metadata.uid AS request_id FROM sign_ins WHERE ${PERIOD}`,
    orderBy: '"time", metadata.uid',
    parameters: PERIOD_PARAMETERS,
    columns: {
      time_ms: 'number',
      sub: 'string',
      user_name: 'string',
      email: 'string',
      client_id: 'string',
      user_pool_id: 'string',
      identity_provider: 'string',
      new_device_used: 'boolean',
      request_id: 'string',
    },
  },
  authEventTotals: {
    name: 'auth-events-totals',
    description: "The period's authentication events: how many, how many failed, from how many sources.",
    sql: `SELECT count(*) AS events, count(CASE WHEN ${FAILURE} THEN 1 END) AS failures, count(DISTINCT ${SOURCE_IP}) AS source_ips, count(CASE WHEN ${FAILURE} AND "user".uid IS NULL THEN 1 END) AS failures_without_sub FROM auth_events WHERE ${PERIOD}`,
    parameters: PERIOD_PARAMETERS,
    columns: { events: 'number', failures: 'number', source_ips: 'number', failures_without_sub: 'number' },
  },
  authEventsPerDay: {
    name: 'auth-events-per-day',
    description:
      "The period's authentication events per UTC day and outcome (status_id 1 success, 2 failure).",
    sql: `SELECT eventday AS day, status_id, count(*) AS n FROM auth_events WHERE ${PERIOD} GROUP BY eventday, status_id`,
    parameters: PERIOD_PARAMETERS,
    columns: { day: 'string', status_id: 'number', n: 'number' },
  },
  failuresByErrorCode: {
    name: 'failures-by-error-code',
    description: "The period's failed attempts per Cognito error code (status_code).",
    sql: `SELECT coalesce(status_code, '(none)') AS code, count(*) AS n FROM auth_events WHERE ${PERIOD} AND ${FAILURE} GROUP BY coalesce(status_code, '(none)')`,
    parameters: PERIOD_PARAMETERS,
    columns: { code: 'string', n: 'number' },
  },
  failuresByIp: {
    name: 'failures-by-source-ip',
    description: `The source IPs with the most failed attempts in the period (the top ${TOP_FAILING}, ties included).`,
    sql: topWithTies(
      `SELECT ${SOURCE_IP} AS source_ip, count(*) AS n FROM auth_events WHERE ${PERIOD} AND ${FAILURE} AND ${SOURCE_IP} IS NOT NULL GROUP BY ${SOURCE_IP}`,
      TOP_FAILING,
    ),
    parameters: PERIOD_PARAMETERS,
    columns: { source_ip: 'string', n: 'number' },
  },
  failuresByUser: {
    name: 'failures-by-user',
    description: `The users (sub) with the most failed attempts in the period (the top ${TOP_FAILING}, ties included).`,
    sql: topWithTies(
      `SELECT "user".uid AS sub, count(*) AS n FROM auth_events WHERE ${PERIOD} AND ${FAILURE} AND "user".uid IS NOT NULL GROUP BY "user".uid`,
      TOP_FAILING,
    ),
    parameters: PERIOD_PARAMETERS,
    columns: { sub: 'string', n: 'number' },
  },
  authEvents: {
    name: 'auth-events-of-period',
    description: "A period's authentication events, oldest first, in the columns of the history export.",
    sql: `SELECT "time" AS time_ms, metadata.uid AS event_id, metadata.event_code AS event_name, status_id, status_code AS error_code, ${SOURCE_IP} AS source_ip, http_request.user_agent AS user_agent, "user".uid AS sub, service.uid AS client_id, "user".account.uid AS user_pool_id, auth_protocol AS auth_flow FROM auth_events WHERE ${PERIOD}`,
    orderBy: '"time", metadata.uid',
    parameters: PERIOD_PARAMETERS,
    columns: {
      time_ms: 'number',
      event_id: 'string',
      event_name: 'string',
      status_id: 'number',
      error_code: 'string',
      source_ip: 'string',
      user_agent: 'string',
      sub: 'string',
      client_id: 'string',
      user_pool_id: 'string',
      auth_flow: 'string',
    },
  },
  lastSignIns: {
    name: 'last-sign-in-per-user',
    description:
      "The dormant-account review's input: each user's last sign-in at or before a moment, over the whole lake.",
    sql: `SELECT "user".uid AS sub, max("time") AS last_ms FROM sign_ins WHERE eventday <= ? AND "time" <= ? GROUP BY "user".uid`,
    parameters: ['the day of the moment (YYYYMMDD)', 'the moment (epoch ms)'],
    columns: { sub: 'string', last_ms: 'number' },
  },
} as const satisfies Record<string, LakeQuery>;

/** The query as it runs for a listing: with its ORDER BY, when it has one. */
export const orderedSql = (query: LakeQuery) =>
  query.orderBy ? `${query.sql} ORDER BY ${query.orderBy}` : query.sql;

/** The period's parameters, in the order of PERIOD. */
export function periodParameters(fromMs: number, toMs: number): LakeParameter[] {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
  return [{ day: day(fromMs) }, { day: day(toMs) }, { ms: fromMs }, { ms: toMs }];
}
