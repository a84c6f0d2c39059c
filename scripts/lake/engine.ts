/**
 * Where the lake's questions are answered. Both engines run the same SQL (queries.ts) and hand their answers
 * back in the declared column types; big answers land in a local DuckDB database (file-backed, so it spills to
 * disk instead of running out of memory), where the pack joins them with the pool's users.
 *
 * - DuckDB (the default): embedded, over a folder in the lake's layout (a copy downloaded from S3 with the
 *   SDK: DuckDB's own S3 reader is an extension it would download, and commands run offline too).
 * - Athena (`--engine athena`): the stack's workgroup and Glue tables, over the bucket itself (athena.ts).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { LAKE_SOURCE } from '../../authenticated/src/lake-layout.ts';
import { LOG_NAME, type LogName } from '../../authenticated/src/ocsf.ts';
import { EMPTY_LAKE_SELECT } from './columns.ts';
import { type LakeParameter, type LakeQuery, orderedSql, type ResultType } from './queries.ts';

export type Value = string | number | boolean | null;
export type Row = Record<string, Value>;

/** The lake's tables as the SQL names them (the Glue tables have the same names). */
export const LAKE_TABLE: Readonly<Record<LogName, string>> = {
  [LOG_NAME.signIns]: 'sign_ins',
  [LOG_NAME.authEvents]: 'auth_events',
};

/**
 * DuckDB's buffer memory: what the pack's 2 GB budget leaves for it (the process holds the dormant list and
 * the SDK beside it; DuckDB's limit bounds its buffers, not the process).
 */
export const DUCKDB_MEMORY_LIMIT = '1200MB';
/** A COPY of the period's records streams: it needs far less. */
const COPY_MEMORY_LIMIT = '600MB';

export interface LakeEngine {
  /** Every row of a query with a small answer (the totals and groups). */
  rows(query: LakeQuery, parameters: readonly LakeParameter[]): Promise<Row[]>;
  /** The rows of a query with a large answer, one at a time (the period's records). */
  stream(query: LakeQuery, parameters: readonly LakeParameter[]): AsyncGenerator<Row>;
  /** A query's answer as a table of the local database, for joins there. */
  toLocalTable(table: string, query: LakeQuery, parameters: readonly LakeParameter[]): Promise<void>;
  /**
   * A query's answer, unordered, as one Parquet file at `path` (the pack's records), its columns as
   * `select(from)` shapes them (a local DuckDB SELECT over `from`); returns the rows written.
   */
  toParquet(
    query: LakeQuery,
    parameters: readonly LakeParameter[],
    select: (from: string) => string,
    path: string,
  ): Promise<number>;
  /** The local database. */
  local: LocalDatabase;
  close(): Promise<void>;
}

/** A value of the declared type: DuckDB's BIGINT is a JS bigint, Athena answers in strings. */
export function typed(type: ResultType, value: unknown): Value {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'number':
      return Number(value);
    case 'boolean':
      return typeof value === 'boolean' ? value : value === 'true';
    case 'string':
      return String(value);
  }
}

const duckdbParameter = (p: LakeParameter): DuckDBValue => ('day' in p ? p.day : BigInt(p.ms));

/** A string as a SQL literal. */
export const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;

const DUCKDB_TYPE: Record<ResultType, string> = { string: 'VARCHAR', number: 'BIGINT', boolean: 'BOOLEAN' };

/** A file-backed DuckDB database in a folder of its own, removed on close. */
export class LocalDatabase {
  private constructor(
    private readonly folder: string,
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  static async open(): Promise<LocalDatabase> {
    const folder = mkdtempSync(join(tmpdir(), 'lake-duckdb-'));
    try {
      const instance = await DuckDBInstance.create(join(folder, 'lake.duckdb'), {
        memory_limit: DUCKDB_MEMORY_LIMIT,
        threads: String(cpus().length),
        temp_directory: join(folder, 'spill'),
        preserve_insertion_order: 'false',
        // A typo'd s3:// path must fail at once, not try to download DuckDB's httpfs extension.
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
      });
      return new LocalDatabase(folder, instance, await instance.connect());
    } catch (error) {
      rmSync(folder, { recursive: true, force: true });
      throw error;
    }
  }

  async run(sql: string, parameters: readonly DuckDBValue[] = []): Promise<void> {
    await this.connection.run(sql, [...parameters]);
  }

  async *stream(sql: string, parameters: readonly DuckDBValue[], columns: Record<string, ResultType>) {
    const result = await this.connection.stream(sql, [...parameters]);
    for await (const rows of result.yieldRowObjectJs()) {
      for (const row of rows) {
        yield Object.fromEntries(
          Object.entries(columns).map(([name, type]) => [name, typed(type, row[name])]),
        );
      }
    }
  }

  async all(
    sql: string,
    parameters: readonly DuckDBValue[],
    columns: Record<string, ResultType>,
  ): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const row of this.stream(sql, parameters, columns)) rows.push(row);
    return rows;
  }

  /** A table of these typed columns, filled from `rows` through DuckDB's appender. */
  async tableFrom(
    table: string,
    columns: Record<string, ResultType>,
    rows: AsyncIterable<Row> | Iterable<Row>,
  ) {
    await this.run(
      `CREATE TABLE ${table} (${Object.entries(columns)
        .map(([name, type]) => `"${name}" ${DUCKDB_TYPE[type]}`)
        .join(', ')})`,
    );
    const appender = await this.connection.createAppender(table);
    const names = Object.keys(columns);
    for await (const row of rows) {
      for (const name of names) {
        const value = row[name] ?? null;
        if (value === null) appender.appendNull();
        else if (columns[name] === 'number') appender.appendBigInt(BigInt(value as number));
        else if (columns[name] === 'boolean') appender.appendBoolean(value as boolean);
        else appender.appendVarchar(String(value));
      }
      appender.endRow();
    }
    appender.closeSync();
  }

  /**
   * A local SELECT's rows as one Parquet file (zstd); returns how many. A COPY streams, so it runs under a
   * smaller buffer limit: what DuckDB's buffers hold at the limit stays in the process's memory.
   */
  async copyToParquet(select: string, parameters: readonly DuckDBValue[], path: string): Promise<number> {
    await this.run(`SET memory_limit = '${COPY_MEMORY_LIMIT}'`);
    try {
      await this.run(`COPY (${select}) TO ${quoted(path)} (FORMAT parquet, COMPRESSION zstd)`, parameters);
    } finally {
      await this.run(`SET memory_limit = '${DUCKDB_MEMORY_LIMIT}'`);
    }
    const [counted] = await this.all(`SELECT count(*) AS n FROM read_parquet(${quoted(path)})`, [], {
      n: 'number',
    });
    return Number(counted?.n ?? 0);
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** The Parquet files of one source under a lake folder, in the layout's partition depth. */
function sourceGlob(folder: string, logName: LogName): string | undefined {
  const root = join(folder, 'ext', LAKE_SOURCE[logName]);
  if (!existsSync(root)) return undefined;
  const files = readdirSync(root, { recursive: true }).map(String);
  return files.some((f) => f.endsWith('.parquet')) ? `${root}/*/*/*/*.parquet` : undefined;
}

/** DuckDB over a folder in the lake's layout: the tables are views over its files. */
export async function duckdbEngine(folder: string): Promise<LakeEngine> {
  const local = await LocalDatabase.open();
  try {
    for (const logName of Object.values(LOG_NAME)) {
      const glob = sourceGlob(folder, logName);
      // Partitions as strings, always: DuckDB would read accountId=012345678901 as a number.
      const source = glob
        ? `SELECT * FROM read_parquet(${quoted(glob)}, hive_partitioning = true, hive_types = {'region': VARCHAR, 'accountId': VARCHAR, 'eventDay': VARCHAR})`
        : EMPTY_LAKE_SELECT;
      await local.run(`CREATE VIEW ${LAKE_TABLE[logName]} AS ${source}`);
    }
  } catch (error) {
    await local.close();
    throw error;
  }
  const bind = (parameters: readonly LakeParameter[]) => parameters.map(duckdbParameter);
  return {
    local,
    rows: (query, parameters) => local.all(orderedSql(query), bind(parameters), query.columns),
    stream: (query, parameters) => local.stream(orderedSql(query), bind(parameters), query.columns),
    async toLocalTable(table, query, parameters) {
      // A large GROUP BY (each user's last sign-in: millions of string keys) on one thread: with two, each
      // builds a hash table and 100 million sign-ins ran out of 1.2 GB; with one it spilled and finished in
      // 17 s at 0.6 GB (bench lake, 2 cores).
      await local.run('SET threads = 1');
      try {
        await local.run(`CREATE TABLE ${table} AS ${query.sql}`, bind(parameters));
      } finally {
        await local.run(`SET threads = ${cpus().length}`);
      }
    },
    async toParquet(query, parameters, select, path) {
      return local.copyToParquet(select(`(${query.sql})`), bind(parameters), path);
    },
    close: () => local.close(),
  };
}
