/**
 * `npm run export-ocsf`'s usage and run: the period and the tables checked, the records' account and region
 * read from the table, then the events streamed to stdout (jsonl) or into a folder (parquet).
 */
import { relative, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LAKE_SOURCE } from '../../authenticated/src/lake-layout.ts';
import { LOG_NAME, OCSF_VERSION } from '../../authenticated/src/ocsf.ts';
import { CommandError, parseOptions, terminalProgress, translateNotFound, UsageError } from '../core/cli.ts';
import { clientConfig } from '../core/clients.ts';
import { counted } from '../core/generic.ts';
import { prepareOutFolder } from '../core/output.ts';
import { period } from '../core/period.ts';
import { checkWhere, resolveWhere, WHERE_OPTIONS } from '../core/stack.ts';
import { tableOrigin } from '../records/origin.ts';
import { createReader } from '../records/sign-ins.ts';
import { EXPORT_FILE, type ExportSource, writeJsonl, writeLakeFolder } from './export.ts';

export const FORMATS = ['jsonl', 'parquet'] as const;

export const USAGE = `usage: npm run export-ocsf -- --from <date|ISO> --to <date|ISO> <where> [--format jsonl|parquet]
                          [--out <folder>] [--region <region>]

Exports the period's sign-ins and authentication events as OCSF ${OCSF_VERSION} Authentication events
(class_uid 3002, cloud profile), the format SIEMs and Amazon Security Lake read (docs/security-lake.md).
  --from, --to       the period: dates (whole UTC days, both included) or ISO times
  --format jsonl     (default) one event per line on stdout, both datasets merged, oldest first
  --format parquet   Parquet files in Security Lake's custom-source layout under --out (a new or empty
                     folder): ext/<source>/region=<r>/accountId=<id>/eventDay=<YYYYMMDD>/${EXPORT_FILE},
                     sources ${LAKE_SOURCE[LOG_NAME.signIns]} and ${LAKE_SOURCE[LOG_NAME.authEvents]}
where (exactly one):
  --stack-name <stack>  reads the tables and shards from the stack
  --table-name <table> [--shards N] [--auth-events-table-name <table>]
                        without the stack: name the authentication-events table if it records them`;

/** The command, in process: resolves to its exit code (runCli maps thrown errors to 1 and 2). */
export async function run(argv: readonly string[]): Promise<number> {
  const values = parseOptions(argv, {
    from: { type: 'string' },
    to: { type: 'string' },
    ...WHERE_OPTIONS,
    format: { type: 'string' },
    out: { type: 'string' },
    region: { type: 'string' },
  });
  for (const name of ['from', 'to'] as const) {
    if (values[name] === undefined) throw new UsageError(`--${name} is required`);
  }
  checkWhere(values, ['shards', 'auth-events-table-name']);
  const format = values.format ?? 'jsonl';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  }
  if (format === 'parquet' && values.out === undefined) throw new UsageError('--format parquet needs --out');
  if (format === 'jsonl' && values.out !== undefined) {
    throw new UsageError('--out goes with --format parquet; jsonl goes to stdout (redirect it to a file)');
  }
  const bounds = period(String(values.from), String(values.to));
  const region = values.region;

  const where = await resolveWhere(values, region);
  if (where.dayIndex === 'disabled') {
    throw new CommandError(
      `stack ${values['stack-name']} has no byDay index (DayIndex=disabled); the period's sign-ins need it. Redeploy with DayIndex=enabled: existing items are indexed too.`,
    );
  }
  const check = '--table-name / --stack-name';
  const ddb = new DynamoDBClient(clientConfig(region));
  const reader = createReader(region);
  const progress = terminalProgress('events exported');
  let exported = 0;
  const onEvent = () => progress.update(++exported);
  try {
    const source: ExportSource = {
      reader,
      table: where.table,
      shards: where.shards,
      ...('table' in where.authEvents ? { authEventsTable: where.authEvents.table } : {}),
      origin: await tableOrigin(ddb, where.table, check),
    };
    const failure = (error: Error) => {
      if (/specified index/i.test(error.message)) {
        return new CommandError(
          `table ${where.table} has no byDay index (DayIndex=disabled); the period's sign-ins need it`,
        );
      }
      return translateNotFound(
        error,
        `a table (${[where.table, source.authEventsTable].filter(Boolean).join(' or ')})`,
        check,
      );
    };
    if (format === 'jsonl') {
      await writeJsonl(source, bounds.from, bounds.to, process.stdout, onEvent).catch((error: Error) => {
        throw failure(error);
      });
      progress.end();
      return 0;
    }
    const out = resolve(String(values.out));
    const undoFolder = prepareOutFolder(out, 'the export');
    try {
      const written = await writeLakeFolder(source, bounds.from, bounds.to, out, onEvent);
      progress.end();
      const shown = relative(process.cwd(), out) || '.';
      console.log(
        `Exported ${counted(written.counts[LOG_NAME.signIns], 'sign-in')} and ${counted(written.counts[LOG_NAME.authEvents], 'authentication event')} to ${shown}/ (${counted(written.files.length, 'file')}, OCSF ${OCSF_VERSION})`,
      );
      if (!source.authEventsTable) {
        console.log(
          `  no authentication events: ${values['stack-name'] ? 'the stack records none' : 'name their table with --auth-events-table-name'}`,
        );
      }
      return 0;
    } catch (error) {
      undoFolder();
      throw failure(error as Error);
    }
  } finally {
    progress.end();
    ddb.destroy();
    reader.destroy();
  }
}
