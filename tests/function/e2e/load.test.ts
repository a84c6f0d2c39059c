/**
 * A load test on the local stack, bounded in count and time and on loopback only: 2,000 sign-ins at a
 * concurrency of 50 — 1,800 invocations through the Lambda endpoint with the events Cognito sends, and 200 real
 * sign-ins through cognito-local — each answered inside Cognito's 5 s, every one recorded exactly once, no
 * failure record. The handler's p50/p99 are reported (a measurement, not an assertion).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type DemoUser, signIn } from '../../../dev/local-stack/user-pool-fixtures.ts';
import { mapBounded, quantile } from '../../../scripts/core/generic.ts';
import { createReader } from '../../../scripts/records/sign-ins.ts';
import { sampleEvent } from '../../helpers/events.ts';
import { failureItems, scanAll, useStackWithUsers } from '../../helpers/local-stack.ts';

const INVOCATIONS = 1800;
const REAL_SIGN_INS = 200;
const CONCURRENCY = 50;
const COGNITO_LIMIT_MS = 5000;
const USERS = 20;

describe('load on the local stack', { timeout: 240_000 }, () => {
  const local = useStackWithUsers({
    poolName: 'load',
    users: USERS,
    userName: (i) => `load${i}@example.com`,
    email: true,
  });

  it(`${INVOCATIONS + REAL_SIGN_INS} sign-ins at concurrency ${CONCURRENCY}: all answered in < 5 s, recorded once each`, async (t) => {
    const { stack, cognito, pool, users } = local;
    const lambda = new LambdaClient({ maxAttempts: 1 });
    const answers: number[] = [];
    const errors: string[] = [];
    const started = performance.now();
    // 90% as Cognito's Invoke calls, 10% as real sign-ins (InitiateAuth → trigger → tokens), interleaved.
    const work = Array.from({ length: INVOCATIONS + REAL_SIGN_INS }, (_, i) => i);
    await mapBounded(work, CONCURRENCY, async (i) => {
      const user = users[i % USERS] as DemoUser & { sub: string };
      const t0 = performance.now();
      if (i % 10 === 0) {
        const tokens = await signIn(cognito, pool.clientId, user);
        if (!tokens.IdToken) errors.push(`sign-in ${i}: no tokens`);
      } else {
        const event = sampleEvent();
        event.userName = user.username;
        event.userPoolId = pool.poolId;
        event.callerContext.clientId = pool.clientId;
        event.request.userAttributes = { sub: user.sub, email: user.username };
        const r = await lambda.send(
          new InvokeCommand({ FunctionName: stack.functionArn, Payload: Buffer.from(JSON.stringify(event)) }),
          { abortSignal: AbortSignal.timeout(COGNITO_LIMIT_MS) },
        );
        if (r.FunctionError) errors.push(`invoke ${i}: ${Buffer.from(r.Payload ?? []).toString()}`);
      }
      answers.push(performance.now() - t0);
    });
    const seconds = (performance.now() - started) / 1000;
    lambda.destroy();

    assert.deepEqual(errors, []);
    assert.equal(answers.length, INVOCATIONS + REAL_SIGN_INS);
    assert.ok(Math.max(...answers) < COGNITO_LIMIT_MS, `slowest answer ${Math.max(...answers)} ms`);

    // Items == sign-ins, no duplicates: every stored item has its own request id and key.
    const doc: DynamoDBDocumentClient = createReader();
    const items = await scanAll(doc, stack.tableName);
    doc.destroy();
    assert.equal(items.length, INVOCATIONS + REAL_SIGN_INS);
    assert.equal(new Set(items.map((i) => `${i.sub}|${i.signInId}`)).size, items.length);
    assert.equal(new Set(items.map((i) => i.requestId)).size, items.length);
    assert.deepEqual(failureItems(stack), [], 'no failure records');

    const handler = stack.lambda.reports.map((r) => r.durationMs);
    assert.equal(handler.length, INVOCATIONS + REAL_SIGN_INS);
    const round = (n: number) => Math.round(n * 10) / 10;
    t.diagnostic(
      `load: ${answers.length} sign-ins in ${round(seconds)} s (${Math.round(answers.length / seconds)}/s) at concurrency ${CONCURRENCY}; ` +
        `answered p50 ${round(quantile(answers, 0.5))} ms, p99 ${round(quantile(answers, 0.99))} ms, max ${round(Math.max(...answers))} ms; ` +
        `handler p50 ${round(quantile(handler, 0.5))} ms, p99 ${round(quantile(handler, 0.99))} ms`,
    );
  });
});
