/**
 * `npm run erase` with the lake (Lake=enabled): the person's rows leave the lake's Parquet objects too (moto's
 * S3 holds the lake npm run export-ocsf wrote from dynalite's tables), other people's rows stay byte for byte
 * readable, an object left empty is deleted, and the erasure record counts the rows removed per dataset.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ERASURE_PARTITION } from '#contract';
import { dayPrefix, eventDayOf, LAKE_SOURCE } from '../../../../authenticated/src/lake-layout.ts';
import { signInToOcsf } from '../../../../authenticated/src/ocsf.ts';
import { ocsfParquet } from '../../../../authenticated/src/ocsf-parquet.ts';
import { entryOf } from '../../../../dev/build/commands.ts';
import { PROJECT_ROOT } from '../../../../dev/build/template.ts';
import { missingToolNotice, TOOLS } from '../../../../dev/build/toolchain.ts';
import { LOCAL_CREDENTIALS, localDocumentClient } from '../../../../dev/local-stack/local-clients.ts';
import { type RunningMoto, startMoto } from '../../../../dev/local-stack/moto.ts';
import { downloadLake } from '../../../../scripts/lake/s3-lake.ts';
import type { ErasureRecord } from '../../../../scripts/records/erasure-record.ts';
import { runCommand } from '../../../helpers/commands.ts';
import {
  type LakeTables,
  queryLake,
  SUBS,
  signInItem,
  startLakeTables,
  TO,
  uploadLake,
} from '../../../helpers/lake.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const SALT = 'a-test-salt-of-sixty-four-characters-0123456789abcdefghijklmnopq';
const BUCKET = 'erase-lake';

describe('npm run erase: the lake too', () => {
  let moto: RunningMoto | undefined;
  let tables: LakeTables;
  let scratch = '';
  let env: NodeJS.ProcessEnv = {};
  let saltArn = '';
  let s3: S3Client;

  before(async () => {
    moto = await startMoto();
    tables = await startLakeTables();
    scratch = mkdtempSync(join(tmpdir(), 'erase-lake-'));
    if (!moto) return;
    const config = { region: 'us-east-1', endpoint: moto.endpoint, credentials: LOCAL_CREDENTIALS };
    const secrets = new SecretsManagerClient(config);
    saltArn = (await secrets.send(new CreateSecretCommand({ Name: 'salt', SecretString: SALT })))
      .ARN as string;
    secrets.destroy();
    env = {
      ...tables.env,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_STS: moto.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
      AWS_ENDPOINT_URL_S3: moto.endpoint,
      NODE_NO_WARNINGS: '1',
    };
    // The lake as the stack keeps it: the export's Parquet, in S3.
    const lake = join(scratch, 'lake');
    const exported = await runCommand(
      'export-ocsf',
      ['--from', '2026-11-01', '--to', TO, ...tables.tableOptions, '--format', 'parquet', '--out', lake],
      env,
    );
    assert.equal(exported.code, 0, exported.stderr);
    s3 = new S3Client({ ...config, forcePathStyle: true });
    await uploadLake(s3, BUCKET, lake);
  });
  after(async () => {
    s3?.destroy();
    await tables?.stop();
    await moto?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const erase = (more: string[]) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', entryOf('erase'), ...more],
        { cwd: PROJECT_ROOT, env },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
  const lakeRows = async (folder: string) => {
    await downloadLake(s3, { bucket: BUCKET, prefix: '' }, folder, [
      { logName: 'sign-ins', toDay: '20991231' },
      { logName: 'auth-events', toDay: '20991231' },
    ]);
    const subsOf = async (source: string) =>
      (
        await queryLake(folder, source, `SELECT "user".uid AS sub FROM {lake} ORDER BY "time", metadata.uid`)
      ).map((r) => r.sub);
    return {
      signIns: await subsOf(LAKE_SOURCE['sign-ins']),
      authEvents: await subsOf(LAKE_SOURCE['auth-events']),
    };
  };

  it("removes the person's rows from every object that held them, and counts them in the erasure record", async (t) => {
    if (!moto) return void skipBecause(t, missingToolNotice(TOOLS.moto));
    const before = await lakeRows(join(scratch, 'before'));
    const aliceRows = {
      signIns: before.signIns.filter((s) => s === SUBS.alice).length,
      authEvents: before.authEvents.filter((s) => s === SUBS.alice).length,
    };
    assert.deepEqual(
      aliceRows,
      { signIns: 3, authEvents: 2 },
      'the fixture gives alice rows in both datasets',
    );
    const objectsBefore = (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).KeyCount ?? 0;

    const where = [
      '--table-name',
      tables.table,
      '--auth-events-table-name',
      tables.authEventsTable,
      '--salt-secret',
      saltArn,
      '--lake',
      `s3://${BUCKET}/`,
    ];
    const run = await erase(['--sub', SUBS.alice, ...where, '--yes']);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /Removed 5 rows from the lake \(erase-lake\)/);

    const after = await lakeRows(join(scratch, 'after'));
    assert.deepEqual(
      after.signIns,
      before.signIns.filter((s) => s !== SUBS.alice),
      "everyone else's rows stay, in order",
    );
    assert.deepEqual(
      after.authEvents,
      before.authEvents.filter((s) => s !== SUBS.alice),
    );
    const objectsAfter = (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).KeyCount ?? 0;
    assert.ok(objectsAfter < objectsBefore, 'an object that held only her rows is deleted, not left empty');

    const doc = localDocumentClient(tables.endpoint);
    const records = (
      await doc.send(
        new QueryCommand({
          TableName: tables.table,
          KeyConditionExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'sub' },
          ExpressionAttributeValues: { ':s': ERASURE_PARTITION },
        }),
      )
    ).Items as ErasureRecord[];
    doc.destroy();
    const completed = records.find((r) => r.status === 'completed');
    assert.deepEqual(completed?.lakeRowsErased, aliceRows);
    assert.ok(!JSON.stringify(records).includes(SUBS.alice), 'the record holds no sub');

    const again = await erase(['--sub', SUBS.alice, ...where, '--yes']);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /Nothing to erase in the tables\.\nThe lake holds none of this person's rows\./);

    // A sign-in made just before the erasure reaches the lake after it (the stream is copied every few
    // minutes): the copy writes it, beside someone else's, into today's folder of the region and account.
    const [, region, accountId] = /region=([^/]+)\/accountId=([^/]+)\//.exec(
      (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents?.[0]?.Key ?? '',
    ) ?? ['', '', ''];
    const now = Date.now();
    const late = [SUBS.alice, SUBS.bob].map((sub, i) =>
      signInToOcsf(signInItem(sub, new Date(now - 60_000 + i).toISOString(), { clientId: 'web' }), {
        region: region as string,
        accountId: accountId as string,
      }),
    );
    const lateKey = `${dayPrefix('sign-ins', region as string, accountId as string, eventDayOf(now - 60_000))}late.parquet`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: lateKey, Body: ocsfParquet(late) }));

    const dryRun = await erase(['--sub', SUBS.alice, ...where, '--dry-run']);
    assert.equal(dryRun.code, 0, dryRun.out);
    assert.match(
      dryRun.out,
      /Dry run: would remove this person's rows from the lake \(erase-lake\), days \d{8} … \d{8}; nothing was changed\./,
    );
    const withoutYes = await erase(['--sub', SUBS.alice, ...where]);
    assert.equal(withoutYes.code, 1, withoutYes.out);
    assert.match(withoutYes.out, /refusing to erase without --yes \(nothing was changed\)/);
    const untouched = await lakeRows(join(scratch, 'untouched'));
    assert.deepEqual(untouched.signIns.slice(-2), [SUBS.alice, SUBS.bob], 'the dry run left the late row');

    const sweep = await erase(['--sub', SUBS.alice, ...where, '--yes']);
    assert.equal(sweep.code, 0, sweep.out);
    assert.match(
      sweep.out,
      new RegExp(`Removed 1 row that reached the lake after the erasure of ${completed?.completedAt}\\.`),
    );
    const swept = await lakeRows(join(scratch, 'swept'));
    assert.deepEqual(
      swept.signIns,
      [...after.signIns, SUBS.bob],
      "her late row is gone, bob's beside it stays",
    );
    assert.deepEqual(swept.authEvents, after.authEvents);
  });

  it('--lake must be an S3 URL, and goes with --table-name only', async (t) => {
    if (!moto) return void skipBecause(t, missingToolNotice(TOOLS.moto));
    const bad = await erase([
      '--sub',
      SUBS.bob,
      '--table-name',
      tables.table,
      '--salt-secret',
      saltArn,
      '--lake',
      'lake-bucket',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.out, /--lake "lake-bucket" is not an S3 URL/);
    const both = await erase(['--sub', SUBS.bob, '--stack-name', 's', '--lake', `s3://${BUCKET}/`]);
    assert.equal(both.code, 2);
    assert.match(both.out, /--stack-name supplies the tables, the salt secret and the lake/);
  });
});
