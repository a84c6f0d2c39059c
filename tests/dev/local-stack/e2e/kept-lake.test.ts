/**
 * The kept stack's lake (dev/local-stack/kept-lake.ts), as a user meets it after
 * `eval "$(npm run --silent local-stack -- start)"`: the bucket named by LAKE_BUCKET holds exactly the tables'
 * records as OCSF Parquet in Security Lake's layout (the lake function's own objects); a sign-in made after
 * start is there after `npm run local-stack -- seal`; `audit-pack --source lake` gives the same pack as the
 * tables; `erase --lake` removes the person's rows; and the next start, which rebuilds the lake from the
 * tables, brings none of them back.
 *
 * The lake is read back as any user of it would: downloaded from the bucket with the S3 API and queried with
 * DuckDB. The commands run as processes with the exported variables only.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { itemProblem } from '#contract';
import { LAKE_SOURCE } from '../../../../authenticated/src/lake-layout.ts';
import { entryOf } from '../../../../dev/build/commands.ts';
import type { DemoPool } from '../../../../dev/local-stack/demo-pool.ts';
import { localS3 } from '../../../../dev/local-stack/digests-local.ts';
import { localClientConfig, localDocumentClient } from '../../../../dev/local-stack/local-clients.ts';
import { signIn } from '../../../../dev/local-stack/user-pool-fixtures.ts';
import { downloadLake } from '../../../../scripts/lake/s3-lake.ts';
import {
  canRunKeptStack,
  cleanUp,
  localStack,
  NO_PROC,
  parseExports,
  run,
  userEnv,
} from '../../../helpers/kept-stack.ts';
import { queryLake } from '../../../helpers/lake.ts';
import { scanAll } from '../../../helpers/local-stack.ts';
import { skipBecause } from '../../../helpers/skip.ts';

/** Each record's id and sub, per dataset: the request id of a sign-in, CloudTrail's eventID of an attempt. */
type Records = { 'sign-ins': Map<string, string | null>; 'auth-events': Map<string, string | null> };

const sorted = (records: Map<string, string | null>) => [...records].sort(([a], [b]) => (a < b ? -1 : 1));

describe('the kept stack has a lake', () => {
  const home = mkdtempSync(join(tmpdir(), 'kept-lake-'));
  after(() => cleanUp(home));

  it('holds the tables, takes a new sign-in at seal, answers the pack as the tables do, and loses an erased person for good', async (t) => {
    if (!canRunKeptStack()) return void skipBecause(t, NO_PROC);
    const started = await localStack(home, 'start');
    assert.equal(started.code, 0, started.stderr);
    let env = parseExports(started.stdout);
    assert.equal(env.LAKE_BUCKET, 'login-history-lake-local');

    /** The records of both tables (the sign-ins table's erasure records are no sign-ins). */
    const tables = async (): Promise<Records> => {
      const doc = localDocumentClient(env.AWS_ENDPOINT_URL_DYNAMODB as string);
      try {
        const scan = (table: string) => scanAll(doc, table);
        const signIns = (await scan(env.TABLE_NAME as string)).filter((item) => !itemProblem(item));
        const events = await scan(env.AUTH_EVENTS_TABLE_NAME as string);
        return {
          'sign-ins': new Map(signIns.map((item) => [String(item.requestId), String(item.sub)])),
          'auth-events': new Map(
            events.map((item) => [String(item.eventId), item.sub ? String(item.sub) : null]),
          ),
        };
      } finally {
        doc.destroy();
      }
    };

    /** The lake as its users read it: every object downloaded from the bucket, queried with DuckDB. */
    let copies = 0;
    const lake = async (): Promise<Records> => {
      const s3 = localS3(env.AWS_ENDPOINT_URL_S3 as string);
      const folder = join(home, `lake-${copies++}`);
      try {
        const keys = (
          (await s3.send(new ListObjectsV2Command({ Bucket: env.LAKE_BUCKET }))).Contents ?? []
        ).map((object) => object.Key as string);
        // Security Lake's layout, the objects named after a stream sequence number, as the function names them.
        for (const key of keys) {
          assert.match(
            key,
            /^ext\/cognito-(sign-ins|auth-events)\/region=us-east-1\/accountId=000000000000\/eventDay=\d{8}\/\d{21,}\.parquet$/,
          );
        }
        await downloadLake(s3, { bucket: env.LAKE_BUCKET as string, prefix: '' }, folder, [
          { logName: 'sign-ins', toDay: '99991231' },
          { logName: 'auth-events', toDay: '99991231' },
        ]);
        const rows = async (dataset: 'sign-ins' | 'auth-events') => {
          if (!keys.some((key) => key.startsWith(`ext/${LAKE_SOURCE[dataset]}/`))) return new Map();
          const found = await queryLake(
            folder,
            LAKE_SOURCE[dataset],
            `SELECT metadata.uid AS id, "user".uid AS sub, class_uid, metadata.log_name AS log FROM {lake}`,
          );
          for (const row of found) assert.deepEqual([row.class_uid, row.log], [3002, dataset]);
          const ids = found.map((row) => String(row.id));
          assert.equal(new Set(ids).size, ids.length, `no ${dataset} record twice in the lake`);
          return new Map(found.map((row) => [String(row.id), row.sub === null ? null : String(row.sub)]));
        };
        return { 'sign-ins': await rows('sign-ins'), 'auth-events': await rows('auth-events') };
      } finally {
        s3.destroy();
        rmSync(folder, { recursive: true, force: true });
      }
    };
    const assertLakeHoldsTables = async (when: string) => {
      const [inTables, inLake] = [await tables(), await lake()];
      for (const dataset of ['sign-ins', 'auth-events'] as const) {
        assert.deepEqual(sorted(inLake[dataset]), sorted(inTables[dataset]), `${dataset} ${when}`);
      }
      return inLake;
    };

    // After start: the start's three sign-ins and its attempts, nothing more, nothing less.
    const atStart = await assertLakeHoldsTables('after start');
    assert.equal(atStart['sign-ins'].size, 3);
    assert.ok(atStart['auth-events'].size >= 5, 'three sign-ins and two refusals, through CloudTrail');

    // A sign-in after start reaches the lake by the next seal.
    const pool = JSON.parse(readFileSync(join(home, 'data', 'demo-pool.json'), 'utf8')) as DemoPool;
    const cognito = new CognitoIdentityProviderClient(
      localClientConfig(env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER as string),
    );
    try {
      await signIn(cognito, pool.clientId, pool.kiosk);
    } finally {
      cognito.destroy();
    }
    const sealed = await localStack(home, 'seal');
    assert.equal(sealed.code, 0, sealed.stderr);
    assert.match(
      sealed.stdout,
      /^ {2}lake +sign-ins 1 new record, auth-events (?:1 new record|(?!1 )[1-9]\d* new records) copied by LakeFunction to s3:\/\/login-history-lake-local\/$/m,
    );
    const afterSeal = await assertLakeHoldsTables('after the seal');
    assert.equal(afterSeal['sign-ins'].size, 4);

    // The pack from the lake is the pack from the tables.
    const command = (name: string, ...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', entryOf(name), ...args], { ...userEnv(home), ...env });
    const today = new Date().toISOString().slice(0, 10);
    const pack = async (name: string, ...source: string[]) => {
      const out = join(home, name);
      const result = await command(
        'audit-pack',
        ...['--from', today, '--to', today, '--user-pool-id', env.USER_POOL_ID as string],
        ...[
          '--table-name',
          env.TABLE_NAME as string,
          '--auth-events-table-name',
          env.AUTH_EVENTS_TABLE_NAME as string,
        ],
        ...['--digest-bucket', env.DIGEST_BUCKET as string, '--out', out, ...source],
      );
      assert.equal(result.code, 0, result.stderr);
      return (file: string) => readFileSync(join(out, file), 'utf8');
    };
    const fromTables = await pack('pack-tables');
    const fromLake = await pack(
      'pack-lake',
      '--source',
      'lake',
      '--lake',
      `s3://${env.LAKE_BUCKET}/`,
      '--records',
      'csv',
    );
    for (const file of ['sign-ins.csv', 'auth-events.csv', 'dormant-accounts.csv']) {
      assert.equal(fromLake(file), fromTables(file), file);
    }
    assert.equal(fromLake('sign-ins.csv').trim().split('\n').length, 1 + 4, 'the header and four sign-ins');
    const counts = (text: string) => {
      const summary = JSON.parse(text);
      // The dormant review's moment is each pack's own.
      const { asOf: _, cutoff: __, ...dormant } = summary.dormantAccounts;
      return [summary.signIns, summary.authEvents, dormant];
    };
    assert.deepEqual(counts(fromLake('summary.json')), counts(fromTables('summary.json')));
    // The sign-in came right after start, usually in the same second as the start's seal: its CloudTrail event,
    // timed to the whole second, must still fall after that seal (kept-stack.ts: sealMoment), or verify-trail
    // would call it inserted and the pack's trail would not be intact.
    assert.equal(JSON.parse(fromLake('summary.json')).integrity.intact, true, fromLake('integrity.json'));

    // erase --lake: the person's rows leave the lake with their items.
    const kiosk = pool.kiosk.sub;
    const hisRows = [...afterSeal['sign-ins'].values(), ...afterSeal['auth-events'].values()].filter(
      (sub) => sub === kiosk,
    ).length;
    assert.ok(hisRows >= 4, 'two sign-ins and their events');
    const erased = await command(
      'erase',
      ...['--username', pool.kiosk.username, '--user-pool-id', env.USER_POOL_ID as string],
      ...[
        '--table-name',
        env.TABLE_NAME as string,
        '--auth-events-table-name',
        env.AUTH_EVENTS_TABLE_NAME as string,
      ],
      ...['--salt-secret', env.SALT_SECRET as string, '--lake', `s3://${env.LAKE_BUCKET}/`, '--yes'],
    );
    assert.equal(erased.code, 0, erased.stderr);
    assert.match(
      erased.stdout,
      new RegExp(`^Removed ${hisRows} rows from the lake \\(login-history-lake-local\\)\\.$`, 'm'),
    );
    const afterErase = await assertLakeHoldsTables('after the erasure');
    const erasedIds = [...afterSeal['sign-ins']].filter(([, sub]) => sub === kiosk).map(([id]) => id);
    assert.equal(erasedIds.length, 2);
    assert.equal([...afterErase['sign-ins'].values()].filter((sub) => sub === kiosk).length, 0);

    // The next start rebuilds the lake from the tables: the erased rows stay gone.
    assert.equal((await localStack(home, 'stop')).code, 0);
    const again = await localStack(home, 'start');
    assert.equal(again.code, 0, again.stderr);
    env = parseExports(again.stdout);
    const rebuilt = await assertLakeHoldsTables('after the next start');
    assert.equal(rebuilt['sign-ins'].size, 2 + 3, "the first start's two left, and the second start's three");
    for (const id of erasedIds) assert.equal(rebuilt['sign-ins'].has(id), false, `erased ${id} came back`);
  });
});
