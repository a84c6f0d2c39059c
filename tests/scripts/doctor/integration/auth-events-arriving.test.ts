/**
 * doctor's "recorded attempts keep up with CloudTrail", on dynalite with the auth-events table from template.yaml,
 * and an Event history serving the CloudTrail corpus (moto has no LookupEvents). The newest record is read as
 * the command reads it: the newest item of each of today's 16 day-shards. Also the trail check's FAIL on moto,
 * in a region where no trail logs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { buildAuthEventItem } from '../../../../authenticated/src/auth-event-record.ts';
import { loadTemplate, tableCreateInput } from '../../../../dev/build/template.ts';
import { type RunningDynalite, startDynalite } from '../../../../dev/local-stack/dynalite.ts';
import { LOCAL_CREDENTIALS, localDynamoDB } from '../../../../dev/local-stack/local-clients.ts';
import {
  checkAuthEventsArriving,
  checkTrail,
  RecentEvents,
  type Target,
} from '../../../../scripts/doctor/checks.ts';
import type { EventHistory } from '../../../../scripts/doctor/rule-events.ts';
import type { CloudTrailRecord } from '../../../../scripts/doctor/samples.ts';
import { loadCorpus, POOL_ID } from '../../../helpers/cloudtrail-corpus.ts';
import { useMoto } from '../../../helpers/moto.ts';

const TABLE = 'auth-events-arriving';
const NOW = new Date('2026-11-26T12:00:00Z');
const corpus = Object.values(loadCorpus()).map((event) => event.detail as CloudTrailRecord);
/** The corpus's successful sign-ins that name the pool (no client ids are known without the stack). */
const successes = corpus
  .map((record) => buildAuthEventItem(record, { userPoolId: POOL_ID, clientIds: [], retentionDays: 1 }))
  .flatMap((r) => (r.kind === 'record' && r.item.outcome === 'success' ? [r.item] : []))
  .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
const cloudTrailNewest = successes.at(-1)?.eventTime as string;

const target = (authEventsTable: Target['authEventsTable']): Target => ({
  region: 'ap-northeast-1',
  userPoolId: POOL_ID,
  functionArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:f',
  tables: [],
  authEventsTable,
  where: `--table-name t`,
});
const history = (records: CloudTrailRecord[]): EventHistory => ({
  lookup: async (attribute) => records.filter((r) => r.eventSource === attribute.value),
});

describe('doctor: recorded attempts keep up with CloudTrail', () => {
  let dynalite: RunningDynalite;
  let doc: DynamoDBDocumentClient;
  const saved = process.env.AWS_ENDPOINT_URL_DYNAMODB;

  before(async () => {
    // As on AWS: DynamoDB is not a local endpoint, so CloudTrail is asked (here, the fake history).
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    dynalite = await startDynalite();
    const client = localDynamoDB(dynalite.endpoint);
    await client.send(
      new CreateTableCommand(
        tableCreateInput(loadTemplate(), TABLE, { AuthEvents: 'enabled' }, 'AuthEventsTable'),
      ),
    );
    doc = DynamoDBDocumentClient.from(client);
  });
  after(async () => {
    if (saved !== undefined) process.env.AWS_ENDPOINT_URL_DYNAMODB = saved;
    doc?.destroy();
    await dynalite?.close();
  });

  const check = (records: CloudTrailRecord[], table: Target['authEventsTable'] = { table: TABLE }) =>
    checkAuthEventsArriving(
      target(table),
      { doc, now: () => NOW },
      new RecentEvents(history(records), () => NOW),
    );

  it('FAILs when CloudTrail has a successful sign-in newer than every record', async () => {
    assert.ok(successes.length >= 3, 'the corpus has successes that name the pool');
    const older = successes[0];
    await doc.send(new PutCommand({ TableName: TABLE, Item: older }));
    const result = await check(corpus);
    assert.equal(result.status, 'fail', JSON.stringify(result));
    assert.match(
      result.status === 'fail' ? result.problem : '',
      new RegExp(
        `CloudTrail has a successful sign-in at ${cloudTrailNewest}, the newest recorded attempt is ${older?.eventTime}`,
      ),
    );
  });

  it('is ok once the newest sign-in is recorded', async () => {
    await doc.send(new PutCommand({ TableName: TABLE, Item: successes.at(-1) }));
    const result = await check(corpus);
    assert.equal(result.status, 'ok', JSON.stringify(result));
  });

  it('is not checked without a recent sign-in older than the delivery grace, or without the table', async () => {
    const fresh = corpus.map((r) => ({ ...r, eventTime: new Date(NOW.getTime() - 60_000).toISOString() }));
    assert.deepEqual(await check(fresh), {
      check: 'auth events arriving',
      status: 'not-checked',
      reason: { code: 'no-events', what: 'successful sign-in older than 15 minutes', hours: 24 },
    });
    assert.deepEqual(
      (await check(corpus, { reason: { code: 'not-deployed', part: 'AuthEvents' } })).status,
      'not-checked',
    );
  });
});

describe("doctor's trail check on moto", () => {
  const motoFor = useMoto();

  it('FAILs where no trail logs the region, with the commands that create one', async (t: TestContext) => {
    const moto = motoFor.ready(t);
    if (!moto) return;
    const endpoint = moto.endpoint;
    const clients: CloudTrailClient[] = [];
    const result = await checkTrail('ap-south-1', (region) => {
      const client = new CloudTrailClient({ region, endpoint, credentials: LOCAL_CREDENTIALS });
      clients.push(client);
      return client;
    });
    for (const client of clients) client.destroy();
    assert.equal(result.status, 'fail', JSON.stringify(result));
    assert.match(
      result.status === 'fail' ? result.problem : '',
      /no CloudTrail trail logs ap-south-1's management events/,
    );
    assert.match(
      result.status === 'fail' ? result.fix : '',
      /^aws cloudtrail create-trail --name management-events .* && aws cloudtrail start-logging --name management-events --region ap-south-1$/,
    );
  });
});
