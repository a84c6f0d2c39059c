/**
 * Real writes through the handler into dynalite, with the table created from template.yaml's own definition.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { readConfig } from '../../../authenticated/src/config.ts';
import { createPostAuthenticationHandler } from '../../../authenticated/src/record-sign-in.ts';
import { createHistoryClient, createHistoryWriter } from '../../../authenticated/src/write-history.ts';
import { loadTemplate, tableCreateInput } from '../../../dev/build/template.ts';
import { type RunningDynalite, startDynalite } from '../../../dev/local-stack/dynalite.ts';
import { historyOfDay } from '../../../scripts/records/sign-ins.ts';
import { captureLogs, lambdaContext, sampleEvent, useLocalAwsEnvironment } from '../../helpers/events.ts';

useLocalAwsEnvironment();
const TABLE = 'login-history-it';

describe('login history on dynalite', () => {
  let engine: RunningDynalite;
  let doc: DynamoDBDocumentClient;

  before(async () => {
    engine = await startDynalite();
    process.env.AWS_ENDPOINT_URL_DYNAMODB = engine.endpoint;
    doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: engine.endpoint }));
    await doc.send(new CreateTableCommand(tableCreateInput(loadTemplate(), TABLE)));
  });

  after(async () => {
    doc?.destroy();
    await engine?.close();
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  });

  function handlerAt(now: () => number, env: Record<string, string> = {}) {
    const logs = captureLogs();
    const handler = createPostAuthenticationHandler({
      configResult: readConfig({ TABLE_NAME: TABLE, ...env }),
      writeItem: createHistoryWriter(createHistoryClient(), TABLE),
      log: logs.log,
      now,
    });
    return { handler, logs };
  }

  async function itemsOf(sub: string) {
    const result = await doc.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: '#sub = :sub',
        ExpressionAttributeNames: { '#sub': 'sub' },
        ExpressionAttributeValues: { ':sub': sub },
        ScanIndexForward: false,
      }),
    );
    return result.Items ?? [];
  }

  it('stores exactly the item built from the event', async () => {
    const now = Date.parse('2026-11-26T01:02:03.004Z');
    const { handler } = handlerAt(() => now);
    const event = sampleEvent();
    event.request.userAttributes.sub = 'sub-exact';
    await handler(event, lambdaContext('req-exact'));
    assert.deepEqual(await itemsOf('sub-exact'), [
      {
        sub: 'sub-exact',
        signInId: '2026-11-26T01:02:03.004Z#req-exact',
        signedInAt: '2026-11-26T01:02:03.004Z',
        userPoolId: 'ap-northeast-1_AbCdEf123',
        userName: '97446a08-1071-7008-8a0b-abb8cc5d9bab',
        clientId: '1example23456789abcdefghij',
        email: 'demo-with-mfa@example.com',
        newDeviceUsed: false,
        triggerSource: 'PostAuthentication_Authentication',
        requestId: 'req-exact',
        dayShard: '2026-11-26#0',
        expiresAt: Math.floor(now / 1000) + 365 * 86_400,
      },
    ]);
  });

  it('stores a user without email with no email attribute at all', async () => {
    const { handler } = handlerAt(Date.now);
    const event = sampleEvent('post-authentication-no-email');
    await handler(event, lambdaContext('req-no-email'));
    const [item, ...rest] = await itemsOf(event.request.userAttributes.sub as string);
    assert.equal(rest.length, 0);
    assert.equal(item?.userName, 'kiosk-operator-07');
    assert.equal(item && 'email' in item, false);
  });

  it('keeps two sign-ins of the same user in the same millisecond as two items', async () => {
    const now = Date.parse('2026-11-26T05:00:00.000Z');
    const { handler } = handlerAt(() => now);
    const event = sampleEvent();
    event.request.userAttributes.sub = 'sub-same-ms';
    await Promise.all([handler(event, lambdaContext('req-a')), handler(event, lambdaContext('req-b'))]);
    const items = await itemsOf('sub-same-ms');
    assert.deepEqual(items.map((i) => i.requestId).sort(), ['req-a', 'req-b']);
  });

  it('never overwrites: the same sign-in delivered twice stays one item', async () => {
    const now = Date.parse('2026-11-26T06:00:00.000Z');
    const first = handlerAt(() => now);
    const event = sampleEvent();
    event.request.userAttributes.sub = 'sub-twice';
    await first.handler(event, lambdaContext('req-twice'));
    const second = handlerAt(() => now);
    event.request.userAttributes.email = 'changed@example.com';
    await second.handler(event, lambdaContext('req-twice'));
    const items = await itemsOf('sub-twice');
    assert.equal(items.length, 1);
    assert.equal(items[0]?.email, 'demo-with-mfa@example.com', 'the first write was not overwritten');
    assert.deepEqual(second.logs.codes(), ['LOGIN_HISTORY_ALREADY_RECORDED']);
  });

  it('answers "history of a user" newest first', async () => {
    const times = ['2026-11-20T10:00:00.000Z', '2026-11-22T08:30:00.000Z', '2026-11-21T23:59:59.999Z'];
    for (const [i, time] of times.entries()) {
      const { handler } = handlerAt(() => Date.parse(time));
      const event = sampleEvent();
      event.request.userAttributes.sub = 'sub-ordered';
      await handler(event, lambdaContext(`req-order-${i}`));
    }
    const items = await itemsOf('sub-ordered');
    assert.deepEqual(
      items.map((i) => i.signedInAt),
      [...times].sort().reverse(),
    );
  });

  it('answers "who signed in on day D" from every shard of the day index, without TTL when retention is 0', async () => {
    const shards = 4;
    const day = '2030-01-15';
    const subs = Array.from({ length: 12 }, (_, i) => `day-user-${i}`);
    for (const [i, sub] of subs.entries()) {
      const { handler } = handlerAt(() => Date.parse(`${day}T00:00:${String(i).padStart(2, '0')}.000Z`), {
        DAY_INDEX_SHARDS: String(shards),
        RETENTION_DAYS: '0',
      });
      const event = sampleEvent();
      event.request.userAttributes.sub = sub;
      await handler(event, lambdaContext(`req-day-${i}`));
    }
    const perShard = await Promise.all(
      Array.from({ length: shards }, (_, shard) =>
        doc.send(
          new QueryCommand({
            TableName: TABLE,
            IndexName: 'byDay',
            KeyConditionExpression: 'dayShard = :d',
            ExpressionAttributeValues: { ':d': `${day}#${shard}` },
            ScanIndexForward: false,
          }),
        ),
      ),
    );
    const found = perShard.flatMap((r) => r.Items ?? []);
    // what `npm run history -- --date` does: every shard, merged newest first
    const merged = await historyOfDay(doc, TABLE, day, shards, 100);
    assert.deepEqual(
      merged.map((i) => i.sub),
      [...subs].reverse(),
    );
    assert.deepEqual(
      (await historyOfDay(doc, TABLE, day, shards, 5)).map((i) => i.sub),
      [...subs].reverse().slice(0, 5),
    );
    assert.ok(perShard.filter((r) => (r.Count ?? 0) > 0).length > 1, 'writes spread over several shards');
    assert.deepEqual(found.map((i) => i.sub).sort(), [...subs].sort());
    assert.ok(found.every((i) => !('expiresAt' in i)));
    const scan = await doc.send(new ScanCommand({ TableName: TABLE, Select: 'COUNT' }));
    assert.ok((scan.Count ?? 0) >= subs.length);
  });
});
