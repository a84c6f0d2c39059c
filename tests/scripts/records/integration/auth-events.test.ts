/**
 * The auth-events reader on dynalite: a period comes back oldest first, merged over the 16 day-shards of
 * every day, bounds included, pages followed; one user's events come back through bySub.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type RunningDynalite, startDynalite } from '../../../../dev/local-stack/dynalite.ts';
import { localDynamoDB } from '../../../../dev/local-stack/local-clients.ts';
import {
  AUTH_EVENT_FIELDS,
  type AuthEventRecord,
  authEventsOfPeriod,
  authEventsOfUser,
} from '../../../../scripts/records/auth-events.ts';
import {
  authEvent,
  byTimeThenId,
  createAuthEventsTable,
  putAuthEvents,
} from '../../../helpers/auth-events.ts';

const TABLE = 'auth-events-test';
const T0 = Date.parse('2026-11-02T22:00:00.000Z');

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('auth-events reader', () => {
  let dynalite: RunningDynalite;
  let ddb: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  let sends = 0;
  const events: AuthEventRecord[] = [];

  before(async () => {
    dynalite = await startDynalite();
    ddb = localDynamoDB(dynalite.endpoint);
    ddb.middlewareStack.add(
      (next) => (args) => {
        sends++;
        return next(args);
      },
      { step: 'initialize' },
    );
    doc = DynamoDBDocumentClient.from(ddb);
    await createAuthEventsTable(ddb, TABLE);
    // 400 events over three UTC days (22:00 on day 1 to 02:00 on day 3), several sharing a millisecond.
    for (let i = 0; i < 400; i++) {
      const failed = i % 3 !== 0;
      events.push(
        authEvent({
          eventTime: new Date(T0 + (Math.floor(i / 2) * 25 * 60_000) / 2.5).toISOString(),
          outcome: failed ? 'failure' : 'success',
          ...(failed ? {} : { errorCode: undefined }),
          ...(i % 5 === 0 ? { sub: 'sub-alice' } : i % 5 === 1 ? { sub: 'sub-bob' } : {}),
          sourceIp: `198.51.100.${i % 7}`,
        }),
      );
    }
    for (const e of events) if (e.errorCode === undefined) delete e.errorCode;
    await putAuthEvents(doc, TABLE, events);
  });
  after(async () => {
    ddb?.destroy();
    await dynalite?.close();
  });

  const within = (from: number, to: number) =>
    events.filter((e) => Date.parse(e.eventTime) >= from && Date.parse(e.eventTime) <= to).sort(byTimeThenId);

  it('returns every event of a period spanning days, oldest first, both bounds included', async () => {
    const from = Date.parse(events[10]!.eventTime);
    const to = Date.parse(events[390]!.eventTime);
    const expected = within(from, to);
    assert.ok(new Set(expected.map((e) => e.eventTime.slice(0, 10))).size === 3, 'the period spans 3 days');
    const got = await collect(authEventsOfPeriod(doc, TABLE, from, to));
    assert.deepEqual(got, expected);
  });

  it('merges correctly across pages of every shard', async () => {
    const got = await collect(authEventsOfPeriod(doc, TABLE, T0, T0 + 3 * 86_400_000, { pageSize: 2 }));
    assert.deepEqual(got, [...events].sort(byTimeThenId));
  });

  it('returns records with the documented attribute names only (no keys, no expiresAt)', async () => {
    const [first] = await collect(authEventsOfPeriod(doc, TABLE, T0, T0));
    assert.ok(first);
    for (const key of Object.keys(first))
      assert.ok((AUTH_EVENT_FIELDS as readonly string[]).includes(key), key);
  });

  it('keeps only failures or only successes when asked', async () => {
    const all = within(T0, T0 + 3 * 86_400_000);
    for (const outcome of ['failure', 'success'] as const) {
      const got = await collect(authEventsOfPeriod(doc, TABLE, T0, T0 + 3 * 86_400_000, { outcome }));
      assert.deepEqual(
        got,
        all.filter((e) => e.outcome === outcome),
      );
    }
  });

  it('is streamed: the first record costs one query per shard of the first day, not of every day', async () => {
    const before = sends;
    const iterator = authEventsOfPeriod(doc, TABLE, T0, T0 + 3 * 86_400_000)[Symbol.asyncIterator]();
    const first = await iterator.next();
    await iterator.return?.(undefined);
    assert.equal(first.done, false);
    assert.equal(sends - before, 16);
  });

  it('returns nothing for an empty period or a reversed one', async () => {
    assert.deepEqual(await collect(authEventsOfPeriod(doc, TABLE, T0 - 86_400_000, T0 - 1)), []);
    assert.deepEqual(await collect(authEventsOfPeriod(doc, TABLE, T0 + 1, T0)), []);
  });

  it("returns one user's events oldest first through bySub, within optional bounds", async () => {
    const alice = events.filter((e) => e.sub === 'sub-alice').sort(byTimeThenId);
    assert.deepEqual(await collect(authEventsOfUser(doc, TABLE, 'sub-alice', { pageSize: 7 })), alice);
    const from = Date.parse(alice[5]!.eventTime);
    const to = Date.parse(alice[20]!.eventTime);
    const inRange = (e: AuthEventRecord) => Date.parse(e.eventTime) >= from && Date.parse(e.eventTime) <= to;
    assert.deepEqual(
      await collect(authEventsOfUser(doc, TABLE, 'sub-alice', { fromMs: from, toMs: to })),
      alice.filter(inRange),
    );
    assert.deepEqual(
      await collect(authEventsOfUser(doc, TABLE, 'sub-alice', { fromMs: from })),
      alice.filter((e) => Date.parse(e.eventTime) >= from),
    );
    assert.deepEqual(
      await collect(authEventsOfUser(doc, TABLE, 'sub-alice', { toMs: to })),
      alice.filter((e) => Date.parse(e.eventTime) <= to),
    );
    assert.deepEqual(await collect(authEventsOfUser(doc, TABLE, 'sub-nobody')), []);
  });
});
