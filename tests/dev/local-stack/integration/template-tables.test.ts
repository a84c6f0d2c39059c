/**
 * The local stacks' tables as template.yaml declares them: on moto every setting (stream, deletion protection,
 * TTL, point-in-time recovery, the append-only resource policy naming the local roles), put back at the next
 * start when it drifted; on dynalite the same call creates the table and names what the engine lacks. And the
 * one-time copy of an older kept stack's dynalite files into moto.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  CreateTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  GetItemCommand,
  GetResourcePolicyCommand,
  PutItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  AUTH_EVENTS_TABLE_ID,
  loadTemplate,
  TABLE_ID,
  tableCreateInput,
} from '../../../../dev/build/template.ts';
import { missingToolNotice, TOOLS } from '../../../../dev/build/toolchain.ts';
import { startDynalite } from '../../../../dev/local-stack/dynalite.ts';
import { importDynaliteData } from '../../../../dev/local-stack/kept-records.ts';
import { localDynamoDB } from '../../../../dev/local-stack/local-clients.ts';
import { type RunningMoto, startMoto } from '../../../../dev/local-stack/moto.ts';
import {
  ensureTemplateTable,
  localRoleArn,
  tableActive,
} from '../../../../dev/local-stack/template-tables.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const template = loadTemplate();

describe('ensureTemplateTable on moto', () => {
  let moto: RunningMoto | undefined;
  let ddb: DynamoDBClient;
  before(async () => {
    moto = await startMoto();
    if (moto) ddb = localDynamoDB(moto.endpoint);
  });
  after(async () => {
    ddb?.destroy();
    await moto?.stop();
  });
  const skipped = (t: TestContext) => !moto && skipBecause(t, missingToolNotice(TOOLS.moto));

  it('creates both tables with every setting the template declares', async (t) => {
    if (skipped(t)) return;
    for (const [tableId, tableName, parameters] of [
      [TABLE_ID, 'sign-ins-declared', {}],
      [AUTH_EVENTS_TABLE_ID, 'auth-events-declared', { AuthEvents: 'enabled' }],
    ] as const) {
      const report = await ensureTemplateTable(ddb, template, { tableId, tableName, parameters });
      assert.equal(report.created, true);
      assert.deepEqual(report.unsupported, [], 'moto implements every setting');
      assert.deepEqual(report.failed, []);
      const table = (await ddb.send(new DescribeTableCommand({ TableName: tableName }))).Table;
      assert.equal(table?.DeletionProtectionEnabled, true);
      assert.equal(table?.StreamSpecification?.StreamViewType, 'NEW_AND_OLD_IMAGES');
      const ttl = (await ddb.send(new DescribeTimeToLiveCommand({ TableName: tableName })))
        .TimeToLiveDescription;
      assert.deepEqual(ttl, { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
      const pitr = (await ddb.send(new DescribeContinuousBackupsCommand({ TableName: tableName })))
        .ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
      assert.equal(pitr?.PointInTimeRecoveryStatus, 'ENABLED');
      const policy = JSON.parse(
        (await ddb.send(new GetResourcePolicyCommand({ ResourceArn: table?.TableArn }))).Policy ?? '{}',
      );
      // Every GetAtt resolved to the local stand-in, nothing left unresolved.
      assert.ok(JSON.stringify(policy).includes(localRoleArn('ErasureRole')), JSON.stringify(policy));
      assert.doesNotMatch(JSON.stringify(policy), /Fn::|"Ref"/);
    }
  });

  it('keeps a table and its items at the next start, and puts back a setting that drifted', async (t) => {
    if (skipped(t)) return;
    const tableName = 'sign-ins-declared';
    await ddb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { sub: { S: 'u1' }, signInId: { S: '2026-01-01T00:00:00.000Z#r' } },
      }),
    );
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: false, AttributeName: 'expiresAt' },
      }),
    );
    const report = await ensureTemplateTable(ddb, template, { tableId: TABLE_ID, tableName });
    assert.equal(report.created, false);
    assert.ok(
      report.set.some((s) => s.startsWith('TTL: ')),
      report.set.join('; '),
    );
    assert.equal(report.set.length, 1, 'only the drifted setting');
    const item = await ddb.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { sub: { S: 'u1' }, signInId: { S: '2026-01-01T00:00:00.000Z#r' } },
      }),
    );
    assert.ok(item.Item, 'the item is kept');
  });
});

describe('ensureTemplateTable on dynalite', () => {
  it('creates the table and names each setting dynalite does not implement', async () => {
    const dynalite = await startDynalite();
    const ddb = localDynamoDB(dynalite.endpoint);
    try {
      const report = await ensureTemplateTable(ddb, template, {
        tableId: TABLE_ID,
        tableName: 'sign-ins-dynalite',
      });
      assert.equal(report.created, true);
      assert.deepEqual(report.set, []);
      assert.deepEqual(report.unsupported.map((s) => s.replace(/ \(.*\)$/, '')).sort(), [
        'TTL',
        'deletion protection',
        'point-in-time recovery',
        'resource policy',
      ]);
    } finally {
      ddb.destroy();
      await dynalite.close();
    }
  });
});

describe('importDynaliteData: an older kept stack upgraded', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kept-import-'));
  let moto: RunningMoto | undefined;
  before(async () => {
    moto = await startMoto();
  });
  after(async () => {
    await moto?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("copies every item of the stack's tables into moto once, and keeps the old files aside", async (t) => {
    if (!moto) return void skipBecause(t, missingToolNotice(TOOLS.moto));
    const old = await startDynalite({ path: join(dataDir, 'dynamodb') });
    const source = localDynamoDB(old.endpoint);
    try {
      await source.send(new CreateTableCommand(tableCreateInput(template, 'login-history-local')));
      await tableActive(source, 'login-history-local');
      for (const n of [1, 2, 3]) {
        await source.send(
          new PutItemCommand({
            TableName: 'login-history-local',
            Item: {
              sub: { S: `u${n}` },
              signInId: { S: `2026-01-0${n}T00:00:00.000Z#r` },
              email: { S: `${n}@example.com` },
            },
          }),
        );
      }
    } finally {
      // Closed also when a step fails: a server left listening keeps this file's process, and CI, waiting.
      source.destroy();
      await old.close();
    }

    const target = localDynamoDB(moto.endpoint);
    try {
      await ensureTemplateTable(target, template, { tableId: TABLE_ID, tableName: 'login-history-local' });
      const copied = await importDynaliteData(dataDir, target, ['login-history-local', 'auth-events-local']);
      assert.deepEqual(copied, { 'login-history-local': 3 }, 'the auth-events table did not exist then');
      const item = await target.send(
        new GetItemCommand({
          TableName: 'login-history-local',
          Key: { sub: { S: 'u2' }, signInId: { S: '2026-01-02T00:00:00.000Z#r' } },
        }),
      );
      assert.equal(item.Item?.email?.S, '2@example.com');
      assert.equal(existsSync(join(dataDir, 'dynamodb')), false);
      assert.equal(existsSync(join(dataDir, 'dynamodb.imported')), true);
      assert.equal(await importDynaliteData(dataDir, target, ['login-history-local']), undefined, 'once');
    } finally {
      target.destroy();
    }
  });
});
