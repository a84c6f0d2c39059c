/**
 * The lake function end to end on moto: both tables with their streams as the template declares them, items
 * written, the stream records read back with DynamoDB Streams' own API and handed to the handler as Lambda
 * hands them (eventSourceARN added), objects written to moto's S3, copied back with the SDK and read by
 * DuckDB. Checks: every new item is in the lake, once, in Security Lake's layout, with the mapping's values;
 * erasure records and removals are not copied; a retried or halved batch adds no duplicate.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { ERASURE_PARTITION } from '#contract';
import { createLakeHandler } from '../../../authenticated/src/lake-batch.ts';
import { LAKE_SOURCE } from '../../../authenticated/src/lake-layout.ts';
import { createLakeObjectWriter } from '../../../authenticated/src/write-lake-object.ts';
import {
  AUTH_EVENTS_TABLE_ID,
  loadTemplate,
  TABLE_ID,
  tableCreateInput,
} from '../../../dev/build/template.ts';
import { missingToolNotice, TOOLS } from '../../../dev/build/toolchain.ts';
import { type RunningMoto, startMoto } from '../../../dev/local-stack/moto.ts';
import { downloadLake } from '../../../scripts/lake/s3-lake.ts';
import { authEvent, authEventItem } from '../../helpers/auth-events.ts';
import { captureLogs, lambdaContext, useLocalAwsEnvironment } from '../../helpers/events.ts';
import { POOL, queryLake, SUBS, signInItem } from '../../helpers/lake.ts';
import { skipBecause } from '../../helpers/skip.ts';

const ACCOUNT = '123456789012';
const BUCKET = 'lake-bucket';

describe('lake function on moto: DynamoDB Streams in, OCSF Parquet in S3 out', () => {
  let moto: RunningMoto | undefined;
  let scratch = '';
  const clients: { destroy(): void }[] = [];

  before(async () => {
    useLocalAwsEnvironment();
    moto = await startMoto();
    scratch = mkdtempSync(join(tmpdir(), 'lake-stream-'));
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await moto?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('copies each new item once, in the layout, and never an erasure record or a removal', async (t) => {
    if (!moto) return void skipBecause(t, missingToolNotice(TOOLS.moto));
    const config = { endpoint: moto.endpoint, region: 'us-east-1' };
    const ddb = new DynamoDBClient(config);
    const doc = DynamoDBDocumentClient.from(ddb);
    const streams = new DynamoDBStreamsClient(config);
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    clients.push(ddb, streams, s3);

    // Both tables as the template declares them, streams included.
    const template = loadTemplate();
    const streamArns: Record<string, string> = {};
    for (const [id, name] of [
      [TABLE_ID, 'history'],
      [AUTH_EVENTS_TABLE_ID, 'auth-events'],
    ] as const) {
      const props = template.Resources[id].Properties;
      assert.equal(props.StreamSpecification.StreamViewType, 'NEW_AND_OLD_IMAGES');
      const created = await ddb.send(
        new CreateTableCommand({
          ...tableCreateInput(template, name, {}, id),
          StreamSpecification: {
            StreamEnabled: true,
            StreamViewType: props.StreamSpecification.StreamViewType,
          },
        }),
      );
      streamArns[name] = created.TableDescription?.LatestStreamArn as string;
    }
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));

    const signIns = [
      signInItem(SUBS.alice, '2026-11-29T10:00:00.000Z', { email: 'alice@example.com', clientId: 'web' }),
      signInItem(SUBS.bob, '2026-11-29T23:59:59.999Z', { email: 'ボブ@example.jp' }),
      signInItem(SUBS.alice, '2026-11-30T00:00:00.000Z', { provider: 'Google', clientId: 'web' }),
    ];
    for (const Item of signIns) await doc.send(new PutCommand({ TableName: 'history', Item }));
    // The table's own partition: an erasure record is no sign-in.
    await doc.send(
      new PutCommand({
        TableName: 'history',
        Item: { sub: ERASURE_PARTITION, signInId: 'h#2026#1-started' },
      }),
    );
    await doc.send(
      new DeleteCommand({
        TableName: 'history',
        Key: { sub: signIns[0]?.sub, signInId: signIns[0]?.signInId },
      }),
    );
    const events = [
      authEvent({ eventTime: '2026-11-30T08:00:00.000Z', userPoolId: POOL }),
      authEvent({
        eventTime: '2026-11-30T08:00:01.000Z',
        outcome: 'success',
        errorCode: undefined,
        sub: SUBS.bob,
        userPoolId: POOL,
      }),
    ];
    for (const e of events)
      await doc.send(new PutCommand({ TableName: 'auth-events', Item: authEventItem(e) }));

    /** The stream's records as Lambda delivers them: eventSourceARN added. */
    const recordsOf = async (table: string): Promise<DynamoDBRecord[]> => {
      const arn = streamArns[table] as string;
      const shards =
        (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription?.Shards ?? [];
      const records: DynamoDBRecord[] = [];
      for (const shard of shards) {
        const { ShardIterator } = await streams.send(
          new GetShardIteratorCommand({
            StreamArn: arn,
            ShardId: shard.ShardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        );
        const page = await streams.send(new GetRecordsCommand({ ShardIterator }));
        for (const r of page.Records ?? []) records.push({ ...(r as DynamoDBRecord), eventSourceARN: arn });
      }
      return records;
    };
    const historyRecords = await recordsOf('history');
    assert.deepEqual(
      historyRecords.map((r) => r.eventName),
      ['INSERT', 'INSERT', 'INSERT', 'INSERT', 'REMOVE'],
      'moto streams what the table did',
    );
    const batch: DynamoDBStreamEvent = { Records: [...historyRecords, ...(await recordsOf('auth-events'))] };

    const logs = captureLogs();
    const handler = createLakeHandler({
      configResult: {
        config: {
          bucket: BUCKET,
          region: 'us-east-1',
          accountId: ACCOUNT,
          signInsTable: 'history',
          authEventsTable: 'auth-events',
        },
        problems: [],
      },
      putObject: createLakeObjectWriter(s3, BUCKET),
      log: logs.log,
    });
    await handler(batch, lambdaContext('lake-1', 60_000));
    const keysAfterFirst = ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? [])
      .map((o) => o.Key)
      .sort();
    // A retried batch, and the same batch split inside a day's group (BisectBatchOnFunctionError): the first
    // part rewrites the day's object with fewer rows, the rest starts an object of its own; no row twice.
    await handler(batch, lambdaContext('lake-2', 60_000));
    await handler({ Records: batch.Records.slice(0, 1) }, lambdaContext('lake-3', 60_000));
    await handler({ Records: batch.Records.slice(1) }, lambdaContext('lake-4', 60_000));

    const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map(
      (o) => o.Key as string,
    );
    const prefix = (source: string, day: string) =>
      `ext/${source}/region=us-east-1/accountId=${ACCOUNT}/eventDay=${day}/`;
    assert.ok(
      keysAfterFirst.every((k) => /\/\d+\.parquet$/.test(k ?? '')),
      'named after a stream sequence number',
    );
    assert.deepEqual([...new Set(keys.map((k) => k.slice(0, k.lastIndexOf('/') + 1)))].sort(), [
      prefix(LAKE_SOURCE['auth-events'], '20261130'),
      prefix(LAKE_SOURCE['sign-ins'], '20261129'),
      prefix(LAKE_SOURCE['sign-ins'], '20261130'),
    ]);

    const local = join(scratch, 'copy');
    await downloadLake(s3, { bucket: BUCKET, prefix: '' }, local, [
      { logName: 'sign-ins', toDay: '20261231' },
      { logName: 'auth-events', toDay: '20261231' },
    ]);
    const signInRows = await queryLake(
      local,
      LAKE_SOURCE['sign-ins'],
      `SELECT metadata.uid AS uid, "user".uid AS sub, "user".email_addr AS email, unmapped.email_addr AS other_email, actor.idp.name AS idp FROM {lake} ORDER BY "time"`,
    );
    assert.deepEqual(signInRows, [
      {
        uid: signIns[0]?.requestId,
        sub: SUBS.alice,
        email: 'alice@example.com',
        other_email: null,
        idp: null,
      },
      { uid: signIns[1]?.requestId, sub: SUBS.bob, email: null, other_email: 'ボブ@example.jp', idp: null },
      { uid: signIns[2]?.requestId, sub: SUBS.alice, email: null, other_email: null, idp: 'Google' },
    ]);
    const eventRows = await queryLake(
      local,
      LAKE_SOURCE['auth-events'],
      `SELECT metadata.uid AS uid, status_id FROM {lake} ORDER BY "time"`,
    );
    assert.deepEqual(
      eventRows,
      events.map((e) => ({ uid: e.eventId, status_id: e.outcome === 'failure' ? 2 : 1 })),
    );
    assert.deepEqual(
      logs.lines.filter((l) => l.record.code === 'LAKE_RECORD_SKIPPED').map((l) => l.level),
      ['debug', 'debug', 'debug'],
      'the erasure record, once per run that saw it, at debug level',
    );
  });
});
