/**
 * `--source lake`: the options that choose the lake and its engine, checked before anything is read, and the
 * engine opened on them (a local folder, an S3 lake copied to a temporary folder, or Athena in the stack's
 * workgroup). What the pack then asks is lake-records.ts.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { LOG_NAME } from '../../authenticated/src/ocsf.ts';
import { CommandError, readableFile, refuseOptionsOutsideMode, UsageError } from '../core/cli.ts';
import { clientConfig } from '../core/clients.ts';
import { OUTPUT, type RecordsWhere } from '../core/stack.ts';
import { athenaEngine } from '../lake/athena.ts';
import { duckdbEngine, type LakeEngine } from '../lake/engine.ts';
import { downloadLake, s3Location } from '../lake/s3-lake.ts';
import type { PoolUser } from '../records/dormant-accounts.ts';
import { lakeRecords, RECORD_FORMATS, type RecordFormat } from './lake-records.ts';
import type { PackRecords } from './pack.ts';

export const SOURCES = ['table', 'lake'] as const;
export const ENGINES = ['duckdb', 'athena'] as const;

export const SOURCE_OPTIONS = {
  source: { type: 'string' },
  lake: { type: 'string' },
  'lake-dir': { type: 'string' },
  engine: { type: 'string' },
  users: { type: 'string' },
  records: { type: 'string' },
} as const;

export interface SourceValues {
  source?: string;
  lake?: string;
  'lake-dir'?: string;
  engine?: string;
  users?: string;
  records?: string;
  concurrency?: string;
  'stack-name'?: string;
}

const oneOf = (name: string, value: string | undefined, allowed: readonly string[]) => {
  if (value !== undefined && !allowed.includes(value)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  }
  return value;
};

/** The usage checks, before anything is read; returns the source. */
export function checkSource(values: SourceValues): (typeof SOURCES)[number] {
  const source = (oneOf('source', values.source, SOURCES) ?? 'table') as (typeof SOURCES)[number];
  refuseOptionsOutsideMode(values as Record<string, unknown>, `source ${source}`, {
    lake: ['source lake'],
    'lake-dir': ['source lake'],
    engine: ['source lake'],
    users: ['source lake'],
    records: ['source lake'],
    concurrency: ['source table'],
  });
  if (source === 'table') return source;
  oneOf('engine', values.engine, ENGINES);
  oneOf('records', values.records, RECORD_FORMATS);
  if (values.lake !== undefined && values['lake-dir'] !== undefined) {
    throw new UsageError('give one of --lake, --lake-dir');
  }
  if (values.lake !== undefined) s3Location('lake', values.lake);
  if (values.engine === 'athena') {
    if (values['stack-name'] === undefined)
      throw new UsageError("--engine athena needs --stack-name (the stack's workgroup)");
    if (values.lake !== undefined || values['lake-dir'] !== undefined) {
      throw new UsageError("--engine athena reads the stack's lake where it is; drop --lake / --lake-dir");
    }
  } else if (
    values.lake === undefined &&
    values['lake-dir'] === undefined &&
    values['stack-name'] === undefined
  ) {
    throw new UsageError(
      '--source lake needs --lake <s3 url> or --lake-dir <folder> (or --stack-name: its lake)',
    );
  }
  return source;
}

export interface OpenedLake {
  records: PackRecords;
  close(): Promise<void>;
}

/**
 * The engine on the chosen lake and the pack's records from it. An S3 lake is copied first: every sign-in up
 * to the end of the period (the dormant review looks back over all of them), the period's days of attempts.
 */
export async function openLake(
  values: SourceValues,
  where: RecordsWhere,
  region: string | undefined,
  period: { from: string; to: string },
  users: () => Promise<PoolUser[]>,
  progress: (stage: string, done: number) => void,
): Promise<OpenedLake> {
  const usersSource = values.users
    ? { file: readableFile('users', resolve(values.users)) }
    : { list: await users() };
  const records = (values.records ?? 'parquet') as RecordFormat;
  let engine: LakeEngine;
  let scratch: string | undefined;
  if (values.engine === 'athena') {
    const stack = where.stack as NonNullable<RecordsWhere['stack']>;
    const workgroup = stack.optionalOutput(OUTPUT.lakeWorkGroup);
    const database = stack.optionalOutput(OUTPUT.lakeDatabase);
    if (!workgroup || !database) {
      throw new CommandError(
        `stack ${stack.name} has no lake (deploy it with Lake=enabled) for --engine athena`,
      );
    }
    engine = await athenaEngine({ workgroup, database, region });
  } else if (values['lake-dir'] !== undefined) {
    const folder = resolve(values['lake-dir']);
    if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
      throw new CommandError(`--lake-dir ${values['lake-dir']} is not a folder`);
    }
    engine = await duckdbEngine(folder);
  } else {
    const bucket = values.lake ?? lakeOfStack(where);
    scratch = mkdtempSync(join(tmpdir(), 'audit-pack-lake-'));
    const s3 = new S3Client(clientConfig(region));
    try {
      const day = (iso: string) => iso.slice(0, 10).replaceAll('-', '');
      await downloadLake(
        s3,
        s3Location('lake', bucket),
        scratch,
        [
          { logName: LOG_NAME.signIns, toDay: day(period.to) },
          ...('table' in where.authEvents
            ? [{ logName: LOG_NAME.authEvents, fromDay: day(period.from), toDay: day(period.to) }]
            : []),
        ],
        (files) => progress('lake files copied', files),
      );
      engine = await duckdbEngine(scratch);
    } catch (error) {
      rmSync(scratch, { recursive: true, force: true });
      throw error;
    } finally {
      s3.destroy();
    }
  }
  return {
    records: lakeRecords({ engine, users: usersSource, records }),
    async close() {
      await engine.close();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}

function lakeOfStack(where: RecordsWhere): string {
  const bucket = where.stack?.optionalOutput(OUTPUT.lakeBucketName);
  if (!bucket) throw new CommandError(`stack ${where.stack?.name} has no lake (deploy it with Lake=enabled)`);
  return `s3://${bucket}/`;
}
