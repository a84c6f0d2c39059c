/**
 * `npm run audit-pack -- --source lake`: on the same data, the pack from the lake equals the pack from the
 * tables, byte for byte (CSVs and summary.json, both made at the same moment); the lake is the export's
 * Parquet (npm run export-ocsf), read by DuckDB from a folder and from S3 (moto), and by the Athena engine
 * (moto's Athena, answering with DuckDB's answers to the very SQL it was sent). By default the records come
 * as Parquet with the CSV's columns. Bad lake options are usage errors that write nothing.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AthenaClient,
  CreateWorkGroupCommand,
  GetQueryExecutionCommand,
  paginateListQueryExecutions,
} from '@aws-sdk/client-athena';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { parse } from 'csv-parse/sync';
import { lakeRecords } from '../../../../scripts/audit-pack/lake-records.ts';
import { type PackRecords, writeAuditPack } from '../../../../scripts/audit-pack/pack.ts';
import { tableRecords } from '../../../../scripts/audit-pack/table-records.ts';
import { athenaEngine, athenaParameter } from '../../../../scripts/lake/athena.ts';
import { duckdbEngine, type LakeEngine } from '../../../../scripts/lake/engine.ts';
import { type LakeParameter, type LakeQuery, orderedSql } from '../../../../scripts/lake/queries.ts';
import { listPoolUsers } from '../../../../scripts/records/dormant-accounts.ts';
import { createReader } from '../../../../scripts/records/sign-ins.ts';
import {
  AUTH_EVENTS_TABLE,
  auditPack,
  type PackFixture,
  runScript,
  SHARDS,
  SHARDS_AND_AUTH_EVENTS,
  startPackFixture,
} from '../../../helpers/audit-pack.ts';
import { uploadLake } from '../../../helpers/lake.ts';
import { useMoto } from '../../../helpers/moto.ts';

const COMPARED = ['sign-ins.csv', 'auth-events.csv', 'dormant-accounts.csv', 'summary.json'];
const rows = (csv: string) => parse(csv, { columns: true }) as Record<string, string>[];

describe('npm run audit-pack -- --source lake', () => {
  let fixture: PackFixture;
  let scratch = '';
  let lakeDir = '';
  const file = (pack: string, name: string) => readFileSync(join(scratch, pack, name), 'utf8');

  /** A pack written in process from `records`, at a fixed moment, with the fixture's options. */
  async function packIn(name: string, records: PackRecords, now: Date) {
    const ddb = new DynamoDBClient({});
    mkdirSync(join(scratch, name));
    try {
      await writeAuditPack({
        out: join(scratch, name),
        from: `${fixture.from}T00:00:00.000Z`,
        to: `${fixture.to}T23:59:59.999Z`,
        userPoolId: fixture.poolId,
        table: fixture.stack.tableName,
        authEvents: { table: AUTH_EVENTS_TABLE },
        integrity: { absent: 'not-named' },
        inactiveDays: 90,
        lang: 'en',
        parameters: {},
        ddb,
        records,
        tool: { name: 'test', version: '0', gitCommit: null },
        identity: { arn: 'arn:aws:iam::000000000000:user/test', account: '000000000000' },
        now: () => now,
      });
    } finally {
      ddb.destroy();
    }
  }

  before(async () => {
    fixture = await startPackFixture();
    scratch = mkdtempSync(join(tmpdir(), 'audit-pack-lake-'));
    lakeDir = join(scratch, 'lake');
    // The whole history (the pool's accounts are 200 days old): the dormant review looks back past the
    // period, to mallory's only sign-in.
    const exported = await runScript(fixture.stack, 'export-ocsf', [
      '--from',
      new Date(Date.now() - 201 * 86_400_000).toISOString().slice(0, 10),
      '--to',
      fixture.to,
      '--table-name',
      fixture.stack.tableName,
      ...SHARDS_AND_AUTH_EVENTS,
      '--format',
      'parquet',
      '--out',
      lakeDir,
    ]);
    assert.equal(exported.code, 0, exported.stderr);
  });
  after(async () => {
    await fixture?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('the lake pack equals the tables pack byte for byte: sign-ins, attempts, dormant review, summary', async () => {
    const now = new Date();
    const cognito = new CognitoIdentityProviderClient({});
    const users = await listPoolUsers(cognito, fixture.poolId);
    cognito.destroy();
    const reader = createReader();
    try {
      await packIn(
        'from-tables',
        tableRecords({ reader, table: fixture.stack.tableName, shards: SHARDS, users, concurrency: 4 }),
        now,
      );
    } finally {
      reader.destroy();
    }
    const engine = await duckdbEngine(lakeDir);
    try {
      await packIn('from-lake', lakeRecords({ engine, users: { list: users }, records: 'csv' }), now);
    } finally {
      await engine.close();
    }
    for (const name of COMPARED) assert.equal(file('from-lake', name), file('from-tables', name), name);
    const summary = JSON.parse(file('from-lake', 'summary.json'));
    assert.equal(summary.signIns.signIns, 8, 'the fixture has sign-ins to compare');
    assert.ok(summary.authEvents.failures > 0 && summary.dormantAccounts.dormant === 2);
  });

  it('as a command: --records csv gives the tables path’s CSVs; the default gives the same rows as Parquet', async () => {
    const tables = await auditPack(fixture, join(scratch, 'cli-tables'));
    const lakeCsv = await auditPack(fixture, join(scratch, 'cli-lake-csv'), [
      '--source',
      'lake',
      '--lake-dir',
      lakeDir,
      '--records',
      'csv',
    ]);
    const lakeParquet = await auditPack(fixture, join(scratch, 'cli-lake'), [
      '--source',
      'lake',
      '--lake-dir',
      lakeDir,
    ]);
    for (const run of [tables, lakeCsv, lakeParquet]) assert.equal(run.code, 0, run.stderr);
    for (const name of ['sign-ins.csv', 'auth-events.csv', 'dormant-accounts.csv']) {
      assert.equal(file('cli-lake-csv', name), file('cli-tables', name), name);
    }
    assert.deepEqual(readdirSync(join(scratch, 'cli-lake')).sort(), [
      'auth-events.parquet',
      'dormant-accounts.csv',
      'manifest.json',
      'report.html',
      'sign-ins.parquet',
      'summary.json',
    ]);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const read = async (name: string, order: string) =>
        (
          await connection.runAndReadAll(
            `SELECT * EXCLUDE (t), strftime(t, '%Y-%m-%dT%H:%M:%S.%g') || 'Z' AS ${order} FROM (SELECT * RENAME (${order} AS t) FROM read_parquet('${join(scratch, 'cli-lake', name)}')) ORDER BY ${order}, 2`,
          )
        ).getRowObjectsJson();
      const signIns = await read('sign-ins.parquet', 'signedInAt');
      const csv = rows(file('cli-tables', 'sign-ins.csv'));
      assert.equal(signIns.length, csv.length);
      for (const [i, row] of csv.entries()) {
        const parquet = signIns[i] as Record<string, unknown>;
        for (const [column, value] of Object.entries(row)) {
          assert.equal(parquet[column] === null ? '' : String(parquet[column]), value, `${i} ${column}`);
        }
      }
      const events = await read('auth-events.parquet', 'eventTime');
      assert.deepEqual(
        events.map((e) => e.eventId),
        rows(file('cli-tables', 'auth-events.csv')).map((e) => e.eventId),
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  describe('on moto: a lake in S3, and the Athena engine', () => {
    const motoFor = useMoto();

    it('--lake s3://…: the objects are copied with the SDK and give the same pack', async (t) => {
      const moto = motoFor.ready(t);
      if (!moto) return;
      const s3 = new S3Client({ endpoint: moto.endpoint, forcePathStyle: true, region: 'us-east-1' });
      await uploadLake(s3, 'lake-bucket', lakeDir, 'copy/');
      s3.destroy();
      const run = await auditPack(
        fixture,
        join(scratch, 'cli-s3'),
        ['--source', 'lake', '--lake', 's3://lake-bucket/copy', '--records', 'csv'],
        { AWS_ENDPOINT_URL_S3: moto.endpoint },
      );
      assert.equal(run.code, 0, run.stderr);
      for (const name of ['sign-ins.csv', 'auth-events.csv', 'dormant-accounts.csv']) {
        assert.equal(file('cli-s3', name), file('cli-tables', name), name);
      }
    });

    it('--engine athena: the same SQL and parameters reach Athena, and its answers make the same pack', async (t) => {
      const moto = motoFor.ready(t);
      if (!moto) return;
      const endpoint = moto.endpoint;
      const now = new Date();
      const cognito = new CognitoIdentityProviderClient({});
      const users = await listPoolUsers(cognito, fixture.poolId);
      cognito.destroy();

      // DuckDB's answers, recorded query by query, are what moto's Athena will answer in the same order.
      const duck = await duckdbEngine(lakeDir);
      const asked: {
        sql: string;
        parameters: string[];
        rows: Record<string, unknown>[];
        columns: string[];
      }[] = [];
      /** DuckDB's answer to `query`, recorded with the SQL Athena is sent (`sql`). */
      const answered = async (query: LakeQuery, parameters: readonly LakeParameter[], sql: string) => {
        const answer = await duck.rows(query, parameters);
        asked.push({
          sql,
          parameters: parameters.map(athenaParameter),
          rows: answer,
          columns: Object.keys(query.columns),
        });
        return answer;
      };
      const recording: LakeEngine = {
        ...duck,
        rows: (query, parameters) => answered(query, parameters, orderedSql(query)),
        async *stream(query, parameters) {
          yield* await answered(query, parameters, orderedSql(query));
        },
        async toLocalTable(table, query, parameters) {
          const answer = await answered({ ...query, orderBy: undefined }, parameters, query.sql);
          await duck.local.tableFrom(table, query.columns, answer);
        },
      };
      try {
        await packIn('duck', lakeRecords({ engine: recording, users: { list: users }, records: 'csv' }), now);
      } finally {
        await duck.close();
      }
      const cell = (v: unknown) => (v === null || v === undefined ? {} : { VarCharValue: String(v) });
      const queued = await fetch(`${endpoint}/moto-api/static/athena/query-results`, {
        method: 'POST',
        body: JSON.stringify({
          region: 'us-east-1',
          results: asked.map((a) => ({
            rows: [
              { Data: a.columns.map((c) => ({ VarCharValue: c })) },
              ...a.rows.map((r) => ({ Data: a.columns.map((c) => cell(r[c])) })),
            ],
            column_info: a.columns.map((c) => ({ Name: c, Type: 'varchar' })),
          })),
        }),
      });
      assert.equal(queued.status, 201);

      const env = { AWS_ENDPOINT_URL_ATHENA: endpoint };
      Object.assign(process.env, env);
      const athena = new AthenaClient({ endpoint, region: 'us-east-1' });
      await athena.send(new CreateWorkGroupCommand({ Name: 'lake-workgroup' }));
      const engine = await athenaEngine({
        workgroup: 'lake-workgroup',
        database: 'lake_db',
        region: 'us-east-1',
      });
      try {
        await packIn('athena', lakeRecords({ engine, users: { list: users }, records: 'csv' }), now);
      } finally {
        await engine.close();
        delete process.env.AWS_ENDPOINT_URL_ATHENA;
      }
      for (const name of COMPARED) assert.equal(file('athena', name), file('duck', name), name);

      const ids: string[] = [];
      for await (const page of paginateListQueryExecutions(
        { client: athena },
        { WorkGroup: 'lake-workgroup' },
      ))
        ids.push(...(page.QueryExecutionIds ?? []));
      const sent = await Promise.all(
        ids.map(
          async (id) =>
            (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution,
        ),
      );
      athena.destroy();
      assert.deepEqual(
        sent.map((e) => [e?.Query, e?.ExecutionParameters ?? [], e?.QueryExecutionContext?.Database]).sort(),
        asked.map((a) => [a.sql, a.parameters, 'lake_db']).sort(),
      );
    });
  });

  it('bad lake options: one usage line each, nothing written', async () => {
    const cases: [string[], RegExp][] = [
      [['--source', 'pond'], /--source must be one of table, lake/],
      [['--lake-dir', lakeDir], /--lake-dir does not apply to --source table; it goes with --source lake/],
      [['--source', 'lake'], /--source lake needs --lake <s3 url> or --lake-dir <folder>/],
      [['--source', 'lake', '--lake', 'http://x'], /--lake "http:\/\/x" is not an S3 URL/],
      [
        ['--source', 'lake', '--lake-dir', lakeDir, '--engine', 'spark'],
        /--engine must be one of duckdb, athena/,
      ],
      [['--source', 'lake', '--engine', 'athena'], /--engine athena needs --stack-name/],
      [
        ['--source', 'lake', '--lake-dir', lakeDir, '--concurrency', '4'],
        /--concurrency does not apply to --source lake/,
      ],
    ];
    for (const [extra, message] of cases) {
      const out = join(scratch, 'refused');
      const run = await auditPack(fixture, out, extra);
      assert.equal(run.code, 2, `${extra.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split('\n').length, 2, run.stderr);
      assert.deepEqual(readdirSync(scratch).includes('refused'), false);
    }
  });
});
