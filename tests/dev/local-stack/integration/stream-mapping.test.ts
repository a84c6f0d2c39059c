/**
 * The kept stack's stand-in for the lake's event source mappings (dev/local-stack/stream-mapping.ts), on moto's
 * DynamoDB Streams: the settings are the template's; a mapping started at the stream's end hands over only
 * what is written after; batches never exceed the batch size; removals are filtered out as the template's
 * filter says; a batch the function fails is handed over again by the next drain, never skipped or doubled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { LAKE_STREAM_IDS, loadTemplate, TABLE_ID } from '../../../../dev/build/template.ts';
import { missingToolNotice, TOOLS } from '../../../../dev/build/toolchain.ts';
import { localClientConfig, localDynamoDB } from '../../../../dev/local-stack/local-clients.ts';
import { type RunningMoto, startMoto } from '../../../../dev/local-stack/moto.ts';
import {
  filterOf,
  type MappingSettings,
  mappingSettings,
  StreamMapping,
} from '../../../../dev/local-stack/stream-mapping.ts';
import { ensureTemplateTable } from '../../../../dev/local-stack/template-tables.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const template = loadTemplate();
const LAKE = { AuthEvents: 'enabled', Lake: 'enabled' };

describe('the lake mappings read from the template', () => {
  it('take the batch size, batching window and INSERT filter of both mappings', () => {
    for (const id of Object.values(LAKE_STREAM_IDS)) {
      const settings = mappingSettings(template, id, LAKE);
      assert.deepEqual([settings.batchSize, settings.batchingWindowSeconds], [1000, 300], id);
      assert.equal(settings.passes({ eventName: 'INSERT' }), true);
      assert.equal(settings.passes({ eventName: 'REMOVE' }), false);
      assert.equal(settings.passes({ eventName: 'MODIFY' }), false);
    }
  });

  it('refuse a filter pattern they cannot read rather than read it wrongly', () => {
    assert.throws(
      () => filterOf('{"dynamodb": {"NewImage": {"sub": {"S": [{"prefix": "#"}]}}}}'),
      /understands only \{"field": \["value", …\]\} patterns/,
    );
  });
});

describe('StreamMapping on moto', () => {
  let moto: RunningMoto | undefined;
  let ddb: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  before(async () => {
    moto = await startMoto();
    if (moto) {
      ddb = localDynamoDB(moto.endpoint);
      streams = new DynamoDBStreamsClient(localClientConfig(moto.endpoint));
    }
  });
  after(async () => {
    ddb?.destroy();
    streams?.destroy();
    await moto?.stop();
  });
  const skipped = (t: TestContext) => !moto && skipBecause(t, missingToolNotice(TOOLS.moto));

  it('hands over what is new, in batches of at most the batch size, again after a failure, never twice', async (t) => {
    if (skipped(t)) return;
    const table = 'mapped-sign-ins';
    await ensureTemplateTable(ddb, template, { tableId: TABLE_ID, tableName: table });
    const put = (n: number) =>
      ddb.send(
        new PutItemCommand({
          TableName: table,
          Item: { sub: { S: 'user' }, signInId: { S: `2026-12-06T00:00:0${n}.000Z#${n}` } },
        }),
      );
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: table }));
    const arn = Table?.LatestStreamArn as string;
    await put(0); // before the mapping: not handed over

    const settings: MappingSettings = {
      ...mappingSettings(template, LAKE_STREAM_IDS.signIns, LAKE),
      batchSize: 2,
    };
    const batches: DynamoDBRecord[][] = [];
    let failing = false;
    const mapping = await StreamMapping.atLatest(streams, arn, settings, async (records) => {
      if (failing) throw new Error('the function failed');
      batches.push(records);
    });
    for (const n of [1, 2, 3]) await put(n);
    await ddb.send(
      new DeleteItemCommand({
        TableName: table,
        Key: { sub: { S: 'user' }, signInId: { S: '2026-12-06T00:00:01.000Z#1' } },
      }),
    );

    failing = true;
    await assert.rejects(mapping.drain(), /the function failed/);
    assert.equal(batches.length, 0, 'nothing handed over while the function fails');

    failing = false;
    const drained = await mapping.drain();
    const ids = batches.map((batch) =>
      batch.map((record) => record.dynamodb?.NewImage?.signInId?.S?.slice(-1)),
    );
    assert.deepEqual(
      ids,
      [['1', '2'], ['3']],
      'the new items, in stream order, two at a time; the removal left out',
    );
    assert.deepEqual(drained, { read: 4, handedOver: 3, invocations: 2 });
    for (const record of batches.flat()) {
      assert.equal(record.eventSourceARN, arn, 'with the stream ARN, as Lambda hands records over');
      assert.equal(typeof record.dynamodb?.ApproximateCreationDateTime, 'number');
    }

    await put(4);
    assert.deepEqual(await mapping.drain(), { read: 1, handedOver: 1, invocations: 1 });
    assert.deepEqual(await mapping.drain(), { read: 0, handedOver: 0, invocations: 0 }, 'nothing twice');
  });
});
