/**
 * The lake's questions on Athena (`--engine athena`): the same SQL as DuckDB's (queries.ts), run in the
 * stack's workgroup against its Glue database, the parameters passed as ExecutionParameters (SQL literals).
 * Answers come back through GetQueryResults (1,000 rows a call) in the declared column types; large ones
 * land in the local DuckDB database, where the pack joins them as it does with DuckDB's own.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { CommandError } from '../core/cli.ts';
import { clientConfig } from '../core/clients.ts';
import { type LakeEngine, LocalDatabase, type Row, typed } from './engine.ts';
import { type LakeParameter, type LakeQuery, orderedSql } from './queries.ts';

/** How long one query may run before the pack gives up on it (Athena's own DML timeout is 30 minutes). */
export const QUERY_TIMEOUT_MS = 30 * 60_000;
const POLL_MS = { first: 250, max: 5_000 };

export interface AthenaLake {
  workgroup: string;
  database: string;
  region?: string;
}

/** A parameter as Athena takes it: the text of a SQL literal. */
export const athenaParameter = (p: LakeParameter) => ('day' in p ? `'${p.day}'` : String(p.ms));

export async function athenaEngine(lake: AthenaLake): Promise<LakeEngine> {
  const athena = new AthenaClient(clientConfig(lake.region));
  const local = await LocalDatabase.open();

  /** Starts the query and waits for it; the execution id of a query that succeeded. */
  async function execute(
    query: LakeQuery,
    parameters: readonly LakeParameter[],
    ordered = true,
  ): Promise<string> {
    const { QueryExecutionId: id } = await athena.send(
      new StartQueryExecutionCommand({
        QueryString: ordered ? orderedSql(query) : query.sql,
        WorkGroup: lake.workgroup,
        QueryExecutionContext: { Database: lake.database },
        ...(parameters.length > 0 ? { ExecutionParameters: parameters.map(athenaParameter) } : {}),
      }),
    );
    if (!id) throw new CommandError(`Athena did not start ${query.name}`);
    const deadline = Date.now() + QUERY_TIMEOUT_MS;
    for (let wait = POLL_MS.first; ; wait = Math.min(wait * 2, POLL_MS.max)) {
      const { QueryExecution: execution } = await athena.send(
        new GetQueryExecutionCommand({ QueryExecutionId: id }),
      );
      const state = execution?.Status?.State;
      if (state === 'SUCCEEDED') return id;
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new CommandError(
          `Athena query ${query.name} (${id}) ${state.toLowerCase()}: ${execution?.Status?.StateChangeReason ?? 'no reason given'}`,
        );
      }
      if (Date.now() > deadline)
        throw new CommandError(`Athena query ${query.name} (${id}) did not finish in 30 minutes`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** The answer's rows, page by page; the first row of a SELECT's answer is its header. */
  async function* rowsOf(
    query: LakeQuery,
    parameters: readonly LakeParameter[],
    ordered = true,
  ): AsyncGenerator<Row> {
    const id = await execute(query, parameters, ordered);
    let token: string | undefined;
    let header = true;
    do {
      const page = await athena.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1000, NextToken: token }),
      );
      const names = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => String(c.Name));
      for (const row of page.ResultSet?.Rows ?? []) {
        if (header) {
          header = false;
          continue;
        }
        const values = Object.fromEntries((row.Data ?? []).map((d, i) => [names[i], d.VarCharValue]));
        yield Object.fromEntries(
          Object.entries(query.columns).map(([name, type]) => [name, typed(type, values[name])]),
        );
      }
      token = page.NextToken;
    } while (token);
  }

  return {
    local,
    async rows(query, parameters) {
      const rows: Row[] = [];
      for await (const row of rowsOf(query, parameters)) rows.push(row);
      return rows;
    },
    stream: rowsOf,
    async toLocalTable(table, query, parameters) {
      await local.tableFrom(table, query.columns, rowsOf(query, parameters, false));
    },
    async toParquet(query, parameters, select, path) {
      await local.tableFrom('athena_answer', query.columns, rowsOf(query, parameters, false));
      try {
        return await local.copyToParquet(select('athena_answer'), [], path);
      } finally {
        await local.run('DROP TABLE athena_answer');
      }
    },
    async close() {
      athena.destroy();
      await local.close();
    },
  };
}
