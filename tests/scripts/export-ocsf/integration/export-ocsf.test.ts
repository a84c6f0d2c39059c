/**
 * `npm run export-ocsf` against dynalite, run as a user runs it: JSON Lines on stdout (both datasets merged,
 * oldest first, each line valid OCSF), Parquet in Security Lake's layout read back by DuckDB (the same events,
 * the documented column types), and bad input that writes nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LAKE_SOURCE } from '../../../../authenticated/src/lake-layout.ts';
import { OCSF_VERSION } from '../../../../authenticated/src/ocsf.ts';
import { missingToolNotice, TOOLS } from '../../../../dev/build/toolchain.ts';
import { runCommand } from '../../../helpers/commands.ts';
import {
  FROM,
  type LakeTables,
  ocsfLines,
  parquetFiles,
  queryLake,
  startLakeTables,
  TO,
} from '../../../helpers/lake.ts';
import { ocsfValidator } from '../../../helpers/ocsf-schema.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const ACCOUNT = '000000000000'; // dynalite's account in the table ARN

describe('npm run export-ocsf', () => {
  let tables: LakeTables;
  let scratch = '';
  /** The period FROM to TO of both tables. */
  const period = () => ['--from', FROM, '--to', TO, ...tables.tableOptions];
  const exportOcsf = (args: string[]) => runCommand('export-ocsf', args, tables.env);
  const exportParquet = (out: string) => exportOcsf([...period(), '--format', 'parquet', '--out', out]);

  before(async () => {
    tables = await startLakeTables();
    scratch = mkdtempSync(join(tmpdir(), 'export-ocsf-'));
  });
  after(async () => {
    await tables?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('jsonl: every record of the period once, both datasets merged oldest first, each valid OCSF', async (t) => {
    const run = await exportOcsf(period());
    assert.equal(run.code, 0, run.stderr);
    const events = ocsfLines(run.stdout);
    assert.deepEqual(
      events.map((e) => e.metadata.uid).sort(),
      [...tables.signIns.map((s) => s.requestId), ...tables.authEvents.map((e) => e.eventId)].sort(),
      'the sign-in and the event outside the period are left out',
    );
    const times = events.map((e) => e.time);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    assert.deepEqual(
      events.filter((e) => e.metadata.log_name === 'sign-ins').map((e) => e.metadata.uid),
      tables.signIns
        .map((s) => s.signInId)
        .sort()
        .map((id) => id.slice(id.indexOf('#') + 1)),
      'sign-ins of one millisecond in the table order (signInId: time, then request id)',
    );
    assert.ok(events.every((e) => e.cloud.account.uid === ACCOUNT && e.cloud.region === 'us-east-1'));
    const validator = ocsfValidator(OCSF_VERSION);
    if (!validator) return void skipBecause(t, missingToolNotice(TOOLS.ocsfJsonSchema));
    for (const event of events) assert.deepEqual(validator.problems(event), [], JSON.stringify(event));
  });

  it('parquet: the layout of a Security Lake custom source, one file per source and day', async () => {
    const out = join(scratch, 'lake');
    const run = await exportParquet(out);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /Exported 5 sign-ins and 5 authentication events to .*lake\/ \(6 files, OCSF 1\.1\.0\)/,
    );
    const files = (source: string) => parquetFiles(join(out, 'ext', source));
    const prefix = `region=us-east-1/accountId=${ACCOUNT}`;
    assert.deepEqual(files(LAKE_SOURCE['sign-ins']), [
      `${prefix}/eventDay=20261128/export.parquet`,
      `${prefix}/eventDay=20261129/export.parquet`,
      `${prefix}/eventDay=20261130/export.parquet`,
    ]);
    assert.equal(files(LAKE_SOURCE['auth-events']).length, 3);
  });

  it('parquet read back by DuckDB: the same events as the jsonl, typed by the documented schema', async () => {
    const out = join(scratch, 'lake');
    const jsonl = await exportOcsf(period());
    const expected = new Map(ocsfLines(jsonl.stdout).map((e) => [e.metadata.uid, e]));
    for (const source of Object.values(LAKE_SOURCE)) {
      const rows = await queryLake(
        out,
        source,
        `SELECT metadata.uid AS uid, "time", eventDay, accountId, "user".uid AS sub, "user".email_addr AS email,
                unmapped.email_addr AS other_email, src_endpoint.ip AS ip, unmapped.src_endpoint_ip AS other_ip,
                status_id, is_mfa, is_new_logon, actor.idp.name AS idp, service.uid AS client
           FROM {lake} ORDER BY "time", uid`,
      );
      for (const row of rows) {
        const event = expected.get(String(row.uid)) ?? assert.fail(`unexpected ${row.uid}`);
        assert.equal(row.time, String(event.time), 'time as BIGINT epoch ms');
        assert.equal(row.eventDay, new Date(event.time).toISOString().slice(0, 10).replaceAll('-', ''));
        assert.equal(row.accountId, ACCOUNT);
        assert.deepEqual(
          [
            row.sub,
            row.email,
            row.other_email,
            row.ip,
            row.other_ip,
            row.status_id,
            row.is_mfa,
            row.is_new_logon,
            row.idp,
            row.client,
          ],
          [
            event.user.uid ?? null,
            event.user.email_addr ?? null,
            event.unmapped?.email_addr ?? null,
            event.src_endpoint?.ip ?? null,
            event.unmapped?.src_endpoint_ip ?? null,
            event.status_id,
            event.is_mfa ?? null,
            event.is_new_logon ?? null,
            event.actor?.idp.name ?? null,
            event.service.uid ?? null,
          ],
        );
        expected.delete(String(row.uid));
      }
    }
    assert.deepEqual([...expected.keys()], [], 'every event is in the lake');
    const [types] = await queryLake(
      out,
      LAKE_SOURCE['sign-ins'],
      `SELECT typeof("time") AS t, typeof(type_uid) AS u, typeof(metadata.profiles) AS p, typeof(is_mfa) AS m FROM {lake} LIMIT 1`,
    );
    assert.deepEqual(types, { t: 'BIGINT', u: 'BIGINT', p: 'VARCHAR[]', m: 'BOOLEAN' });
  });

  it('bad input: a usage error on one line, or a clear refusal; nothing written', async () => {
    const out = join(scratch, 'refused');
    const cases: [string[], number, RegExp][] = [
      [[...period(), '--format', 'csv'], 2, /--format must be one of jsonl, parquet/],
      [[...period(), '--format', 'parquet'], 2, /--format parquet needs --out/],
      [[...period(), '--out', out], 2, /--out goes with --format parquet/],
      [['--from', TO, '--to', FROM, ...tables.tableOptions], 2, /--to .* is before --from/],
      [['--from', FROM, '--to', TO], 2, /exactly one of --table-name, --stack-name/],
      [
        ['--from', FROM, '--to', TO, '--table-name', 'no-such-table'],
        1,
        /table no-such-table does not exist/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const run = await exportOcsf(args);
      assert.equal(run.code, code, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '');
      if (code === 2) assert.equal(run.stderr.trim().split('\n').length, 2, run.stderr);
    }
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'x');
    const busy = await exportParquet(out);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /is not empty: give a new folder for the export \(nothing was written\)/);
    assert.deepEqual(readdirSync(out), ['keep.txt']);
    assert.equal(existsSync(join(scratch, 'never')), false);
  });
});
