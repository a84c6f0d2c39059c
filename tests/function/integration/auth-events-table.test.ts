/**
 * The auth-events function as deployed - bundled from template.yaml's BuildProperties like `sam build`, its
 * environment from the template - writing the whole CloudTrail corpus, each event delivered twice, into
 * dynalite with AuthEventsTable created from the template's own definition.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { buildAuthEventItem } from '../../../authenticated/src/auth-event-record.ts';
import { AUTH_EVENT_SHARDS } from '../../../authenticated/src/contract.ts';
import { buildFunctionBundle } from '../../../dev/build/bundle.ts';
import {
  AUTH_EVENTS_FUNCTION_ID,
  AUTH_EVENTS_TABLE_ID,
  functionSettings,
  loadTemplate,
  tableCreateInput,
} from '../../../dev/build/template.ts';
import { type RunningDynalite, startDynalite } from '../../../dev/local-stack/dynalite.ts';
import {
  APP_CLIENT_ID,
  EXPECTED,
  loadCorpus,
  POOL_ID,
  STACK_PARAMETERS,
  SUB,
} from '../../helpers/cloudtrail-corpus.ts';
import { lambdaContext, useLocalAwsEnvironment } from '../../helpers/events.ts';

useLocalAwsEnvironment();
const TABLE = 'auth-events-it';
const template = loadTemplate();
const corpus = loadCorpus();

describe('auth events on dynalite, through the built function', () => {
  let engine: RunningDynalite;
  let doc: DynamoDBDocumentClient;
  let handler: (event: unknown, context: unknown) => Promise<void>;
  const scratch = mkdtempSync(join(tmpdir(), 'auth-events-it-'));
  const stdout: string[] = [];
  const savedEnv = { ...process.env };
  const results = new Map<string, PromiseSettledResult<void>[]>();

  before(async () => {
    engine = await startDynalite();
    doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: engine.endpoint }));
    await doc.send(
      new CreateTableCommand(tableCreateInput(template, TABLE, STACK_PARAMETERS, AUTH_EVENTS_TABLE_ID)),
    );
    const settings = functionSettings(template, {
      tableName: TABLE,
      parameters: STACK_PARAMETERS,
      functionId: AUTH_EVENTS_FUNCTION_ID,
    });
    assert.deepEqual(
      [settings.environment.USER_POOL_ID, settings.environment.CLIENT_IDS],
      [POOL_ID, APP_CLIENT_ID],
      'the template derives the pool id from the ARN and passes the client ids',
    );
    Object.assign(process.env, settings.environment, settings.runtimeEnvironment, {
      AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
    });
    const modulePath = await buildFunctionBundle(settings, join(scratch, 'build'));
    handler = (await import(pathToFileURL(modulePath).href))[settings.handlerExport];

    // Every event twice, concurrently (EventBridge delivers at least once); stdout captured for the log lines.
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      stdout.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      await Promise.all(
        Object.entries(corpus).map(async ([name, event]) => {
          results.set(
            name,
            await Promise.allSettled([
              handler(event, lambdaContext(`${name}-1`, 10_000)),
              handler(event, lambdaContext(`${name}-2`, 10_000)),
            ]),
          );
        }),
      );
    } finally {
      process.stdout.write = write;
    }
  });

  after(async () => {
    doc?.destroy();
    await engine?.close();
    rmSync(scratch, { recursive: true, force: true });
    process.env = savedEnv;
  });

  it('stores exactly one item per recorded event, equal to the mapping, duplicates absorbed', async () => {
    const items = (await doc.send(new ScanCommand({ TableName: TABLE }))).Items ?? [];
    const options = { userPoolId: POOL_ID, clientIds: [APP_CLIENT_ID], retentionDays: 365 };
    const expected = Object.entries(EXPECTED)
      .filter(([, e]) => 'record' in e)
      .map(([name]) => {
        const result = buildAuthEventItem(corpus[name], options);
        assert.equal(result.kind, 'record');
        return result.kind === 'record' ? result.item : undefined;
      });
    const bySk = (a: { sk?: unknown }, b: { sk?: unknown }) => String(a.sk).localeCompare(String(b.sk));
    assert.deepEqual(
      items.sort(bySk),
      expected.sort((a, b) => bySk(a ?? {}, b ?? {})),
    );
  });

  it('succeeds for recorded and skipped events and fails (for retry and the DLQ) only for malformed ones', () => {
    for (const [name, expectation] of Object.entries(EXPECTED)) {
      const statuses = results.get(name)?.map((r) => r.status);
      const fails = 'rejected' in expectation;
      assert.deepEqual(statuses, fails ? ['rejected', 'rejected'] : ['fulfilled', 'fulfilled'], name);
    }
  });

  it('finds a day through its 16 shards, an address through bySourceIp and a user through bySub', async () => {
    const query = async (input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>) =>
      (await doc.send(new QueryCommand({ TableName: TABLE, ...input }))).Items ?? [];
    let day = 0;
    for (let shard = 0; shard < AUTH_EVENT_SHARDS; shard++) {
      day += (
        await query({
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `2026-11-26#${String(shard).padStart(2, '0')}` },
        })
      ).length;
    }
    const recorded = Object.values(EXPECTED).filter((e) => 'record' in e).length;
    assert.equal(day, recorded, 'every record of the day, no scan');

    const fromAttacker = await query({
      IndexName: 'bySourceIp',
      KeyConditionExpression: 'sourceIp = :ip',
      ExpressionAttributeValues: { ':ip': '192.0.2.44' },
    });
    assert.deepEqual(
      fromAttacker.map((i) => [i.eventName, i.errorCode, i.sub]),
      [
        ['InitiateAuth', 'UserNotFoundException', undefined],
        ['InitiateAuth', 'NotAuthorizedException', undefined],
      ],
      'unknown users, oldest first, without a sub',
    );

    const user = await query({
      IndexName: 'bySub',
      KeyConditionExpression: '#sub = :sub',
      ExpressionAttributeNames: { '#sub': 'sub' },
      ExpressionAttributeValues: { ':sub': SUB },
    });
    assert.ok(user.some((i) => i.outcome === 'failure') && user.some((i) => i.outcome === 'success'));
    assert.ok(user.every((i) => i.sub === SUB));
  });

  it('logs each failed attempt once as a top-level JSON line the metric filter and Contributor Insights read', () => {
    const lines = stdout.flatMap((chunk) => chunk.split('\n')).filter((line) => line.startsWith('{'));
    const records = lines.map((line) => JSON.parse(line));
    const failures = records.filter((r) => r.code === 'AUTH_EVENT_RECORDED' && r.outcome === 'failure');
    const expectedFailures = Object.values(EXPECTED).filter(
      (e) => 'record' in e && e.record.outcome === 'failure',
    ).length;
    assert.equal(failures.length, expectedFailures, 'the duplicate delivery logs ALREADY_RECORDED instead');
    const options = { userPoolId: POOL_ID, clientIds: [APP_CLIENT_ID], retentionDays: 365 };
    const sourceIpOf = new Map(
      Object.values(corpus).flatMap((event) => {
        const result = buildAuthEventItem(event, options);
        return result.kind === 'record' ? [[result.item.eventId, result.item.sourceIp]] : [];
      }),
    );
    for (const line of failures) {
      assert.equal(line.level, 'INFO');
      assert.equal(line.sourceIp, sourceIpOf.get(line.eventId), 'the stored address (none when malformed)');
    }
    assert.equal(
      records.filter((r) => r.code === 'AUTH_EVENT_RECORDED' && r.outcome === 'success').length,
      0,
      'successes are DEBUG',
    );
    assert.doesNotMatch(
      lines.join('\n'),
      /Mozilla|97446a08|HIDDEN_/,
      'no user agent, sub or hidden values in logs',
    );
  });
});
