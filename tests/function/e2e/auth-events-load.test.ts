/**
 * A credential-stuffing burst on the local stack (AuthEvents enabled): 5,000 failed sign-in attempts at a
 * concurrency of 50, many for unknown user names (no sub), from many source IPs, while real users keep
 * signing in. Part goes through cognito-local and the CloudTrail recorder (the events it writes, delivered
 * to AuthEventsFunction through the local Lambda endpoint); the rest, to stay within the time a test may
 * take on two cores, are invoked directly with events shaped like the recorder's (and AWS's). A tenth of the
 * events are delivered twice, as EventBridge may. Every attempt is recorded exactly once, the day spreads
 * over the 16 partitions, and the sign-in path is untouched: every sign-in answered and recorded once in its
 * own table, no write failure, no auth-event item in it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { describe, it } from 'node:test';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AUTH_EVENTS_FUNCTION_ID, FUNCTION_ID } from '../../../dev/build/template.ts';
import type { EventBridgeEnvelope } from '../../../dev/local-stack/cloudtrail-recorder.ts';
import { type DemoUser, initiatePasswordAuth, signIn } from '../../../dev/local-stack/user-pool-fixtures.ts';
import { mapBounded } from '../../../scripts/core/generic.ts';
import { summariseFailures } from '../../../scripts/history/auth-events-report.ts';
import { authEventsOfPeriod } from '../../../scripts/records/auth-events.ts';
import { createReader } from '../../../scripts/records/sign-ins.ts';
import { failureItems, scanAll, useStackWithUsers } from '../../helpers/local-stack.ts';

const ATTEMPTS = 5000;
/** Attempts that go through cognito-local and the recorder; the rest are invoked directly. */
const THROUGH_RECORDER = 150;
const CONCURRENCY = 50;
/** At least this many sign-ins; more while the burst lasts. */
const SIGN_INS = 20;
const SIGN_IN_PAUSE_MS = 100;
const USERS = 10;
/** Every DUPLICATE_EVERY-th event is delivered a second time. */
const DUPLICATE_EVERY = 10;
/** Source addresses of the recorder's clients (all of 127.0.0.0/8 is loopback). */
const ATTACKER_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

describe('auth events under a credential-stuffing burst', { timeout: 300_000 }, () => {
  const local = useStackWithUsers({
    poolName: 'stuffing',
    options: { authEvents: true },
    users: USERS,
    userName: (i) => `user${i}@example.com`,
  });

  it(`${ATTEMPTS} failed attempts at concurrency ${CONCURRENCY}: each recorded once, sign-ins unaffected`, async (t) => {
    const { stack, cognito, pool, users } = local;
    const recorder = stack.authEvents?.recorder;
    assert.ok(recorder && stack.authEvents);
    const attackers = ATTACKER_ADDRESSES.map(
      (address) =>
        new CognitoIdentityProviderClient({
          maxAttempts: 1,
          requestHandler: { httpAgent: new Agent({ localAddress: address, keepAlive: true }) },
        }),
    );
    const lambda = new LambdaClient({ maxAttempts: 1 });
    const started = performance.now();

    // A template of the event CloudTrail writes for a wrong password, taken from the recorder itself.
    const emittedBefore = recorder.events.length;
    await assert.rejects(initiatePasswordAuth(cognito, pool.clientId, 'user0@example.com', 'not-it'));
    await recorder.drain();
    const shape = recorder.events[emittedBefore] as EventBridgeEnvelope;
    assert.equal(shape.detail.errorCode, 'NotAuthorizedException');

    const direct: EventBridgeEnvelope[] = [];
    const deliver = async (event: EventBridgeEnvelope) => {
      const r = await lambda.send(
        new InvokeCommand({ FunctionName: AUTH_EVENTS_FUNCTION_ID, Payload: JSON.stringify(event) }),
      );
      if (r.FunctionError) throw new Error(Buffer.from(r.Payload ?? []).toString('utf8'));
    };
    const signInErrors: string[] = [];
    let signedIn = 0;
    let bursting = true;
    // Three streams at once: attempts through cognito-local and the recorder, attempts delivered directly
    // (together CONCURRENCY at a time), and real users signing in one after another until the burst ends.
    // The burst's duration is reported (a measurement, not an assertion).
    const throughRecorder = Array.from({ length: THROUGH_RECORDER }, (_, i) => i);
    const directly = Array.from({ length: ATTEMPTS - THROUGH_RECORDER }, (_, i) => i);
    const recorderConcurrency = Math.round((CONCURRENCY * THROUGH_RECORDER) / ATTEMPTS) + 5;
    const signingIn = (async () => {
      for (let i = 0; (bursting || i < SIGN_INS) && signInErrors.length === 0; i++) {
        try {
          await signIn(cognito, pool.clientId, users[i % USERS] as DemoUser);
          signedIn++;
        } catch (error) {
          signInErrors.push(`${(error as Error).name}: ${(error as Error).message}`);
        }
        // A steady stream of users, not a second burst competing for the two cores.
        await new Promise((resolve) => setTimeout(resolve, SIGN_IN_PAUSE_MS));
      }
    })();
    const burst = Promise.all([
      mapBounded(throughRecorder, recorderConcurrency, async (i) => {
        const unknownUser = i % 2 === 0;
        await assert.rejects(
          initiatePasswordAuth(
            attackers[i % attackers.length] as CognitoIdentityProviderClient,
            pool.clientId,
            unknownUser ? `guess${i}@example.com` : `user${i % USERS}@example.com`,
            `Password${i}!`,
          ),
        );
      }),
      mapBounded(directly, CONCURRENCY - recorderConcurrency, async (i) => {
        const unknownUser = i % 2 === 0;
        const detail = {
          ...shape.detail,
          eventID: randomUUID(),
          eventTime: `${new Date().toISOString().slice(0, 19)}Z`,
          sourceIPAddress: `198.51.100.${i % 200}`,
          errorCode: unknownUser ? 'UserNotFoundException' : 'NotAuthorizedException',
          ...(unknownUser ? { additionalEventData: undefined } : {}),
        };
        const event = { ...shape, id: randomUUID(), time: detail.eventTime, detail };
        direct.push(event);
        await deliver(event);
      }),
    ]);
    try {
      await burst;
    } finally {
      bursting = false; // also when the burst failed: the sign-in loop must end
      await signingIn;
    }
    await recorder.drain();
    const burstSeconds = (performance.now() - started) / 1000;

    // EventBridge delivers at least once: a tenth of the events again.
    // Failures the recorder saw: the attackers' (from their addresses), and any a loaded cognito-local gave
    // the users signing in (the SDK retries those; each is a failed attempt CloudTrail would log too).
    const recordedFailures = recorder.events
      .slice(emittedBefore)
      .filter((e) => e.detail.errorCode !== undefined);
    const attempts = [
      ...recordedFailures.filter((e) => ATTACKER_ADDRESSES.includes(String(e.detail.sourceIPAddress))),
      ...direct,
    ];
    const duplicates = attempts.filter((_, i) => i % DUPLICATE_EVERY === 0);
    await mapBounded(duplicates, CONCURRENCY, deliver);
    for (const client of attackers) client.destroy();
    lambda.destroy();

    assert.deepEqual(recorder.undelivered, [], 'the recorder delivered every event');
    assert.equal(attempts.length, ATTEMPTS, 'every attempt made an event');
    const doc = createReader();
    const records = (await scanAll(doc, stack.authEvents.tableName)).filter((r) => r.outcome === 'failure');
    // Also recorded: the template's own wrong password, and any failure of a user signing in.
    const expectedIds = new Set([...recordedFailures, ...direct].map((e) => String(e.detail.eventID)));
    assert.equal(records.length, expectedIds.size, 'one record per failed attempt, duplicates included');
    assert.deepEqual(new Set(records.map((r) => r.eventId)), expectedIds);
    const withoutSub = records.filter((r) => r.sub === undefined).length;
    assert.ok(withoutSub >= ATTEMPTS / 2, `${withoutSub} records of unknown users (no sub)`);
    const already = stack.lambda.logs.filter(
      (l) => l.functionName === AUTH_EVENTS_FUNCTION_ID && l.text.includes('AUTH_EVENT_ALREADY_RECORDED'),
    ).length;
    assert.equal(already, duplicates.length, 'each duplicate was recognised as already recorded');

    // No hot partition: the day's 16 shards each hold a fair part of the burst.
    const perShard = new Map<string, number>();
    for (const r of records) perShard.set(String(r.pk), (perShard.get(String(r.pk)) ?? 0) + 1);
    const counts = [...perShard.values()];
    assert.ok(perShard.size >= 16, `${perShard.size} partitions`);
    assert.ok(Math.max(...counts) < (2 * records.length) / 16, `largest shard ${Math.max(...counts)}`);

    // Found without a scan: the reader's period query and the failure summary see every attempt.
    const now = Date.now();
    const summary = await summariseFailures(
      authEventsOfPeriod(doc, stack.authEvents.tableName, now - 3_600_000, now),
    );
    assert.equal(summary.failures, records.length);
    assert.ok(summary.bySourceIp.length >= 200 + ATTACKER_ADDRESSES.length);

    // The sign-in path: every sign-in answered and recorded once in its own table; no write failed; no
    // auth-event item landed there.
    assert.deepEqual(signInErrors, []);
    const signIns = await scanAll(doc, stack.tableName);
    doc.destroy();
    assert.equal(signIns.length, signedIn);
    assert.ok(signIns.every((item) => typeof item.signInId === 'string' && item.eventId === undefined));
    assert.deepEqual(failureItems(stack), [], 'no sign-in write failed');
    const signInReports = stack.lambda.reports.filter((r) => r.functionName === FUNCTION_ID);
    assert.equal(signInReports.length, signedIn);
    assert.ok(signInReports.every((r) => !r.error));
    t.diagnostic(
      `auth-events load: ${attempts.length} failed attempts (${attempts.length - direct.length} through the recorder; ${recordedFailures.length - (attempts.length - direct.length)} other failures recorded) and ${signedIn} sign-ins in ${burstSeconds.toFixed(1)} s at concurrency ${CONCURRENCY}; ${duplicates.length} duplicates; largest of ${perShard.size} shards ${Math.max(...counts)}`,
    );
  });
});
