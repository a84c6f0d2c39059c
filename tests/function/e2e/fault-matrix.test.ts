/**
 * The fault matrix on the local stack: a proxy between the function and DynamoDB refuses connections,
 * swallows requests, throttles, or answers after 3 s; users have enormous custom attributes. For each
 * fault and each OnWriteFailure policy, a real sign-in is answered in < 5 s, the function never hits its
 * timeout, and every sign-in is accounted for: stored items + failure records = sign-ins.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddCustomAttributesCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { WRITE_FAILED } from '#contract';
import { DENY_MESSAGE } from '../../../authenticated/src/record-sign-in.ts';
import type { Fault } from '../../../dev/local-stack/fault-proxy.ts';
import type { LocalStack } from '../../../dev/local-stack/local-stack.ts';
import { createUser, type DemoUser, signIn } from '../../../dev/local-stack/user-pool-fixtures.ts';
import { createReader, historyOfUser } from '../../../scripts/records/sign-ins.ts';
import { attachLocally, failureItems, startStackWithPool } from '../../helpers/local-stack.ts';

const COGNITO_LIMIT_MS = 5000;
const FAULTS: Fault[] = ['refuse', 'blackhole', 'throttle', 'slow'];

for (const policy of ['allow', 'deny'] as const) {
  describe(`fault matrix, OnWriteFailure=${policy}`, () => {
    let stack: LocalStack;
    let cognito: CognitoIdentityProviderClient;
    let clientId: string;
    const users: (DemoUser & { sub: string })[] = [];
    let signIns = 0;

    before(async () => {
      const started = await startStackWithPool(`faults-${policy}`, {
        parameters: { OnWriteFailure: policy },
        faultProxy: true,
      });
      ({ stack, cognito } = started);
      const { pool } = started;
      clientId = pool.clientId;
      // 20 custom attributes of 2,000 characters each: about 40 KB of attributes per event.
      await cognito.send(
        new AddCustomAttributesCommand({
          UserPoolId: pool.poolId,
          CustomAttributes: Array.from({ length: 20 }, (_, i) => ({
            Name: `notes${i}`,
            AttributeDataType: 'String',
            Mutable: true,
            StringAttributeConstraints: { MaxLength: '2048' },
          })),
        }),
      );
      const huge = Object.fromEntries(
        Array.from({ length: 20 }, (_, i) => [`custom:notes${i}`, 'x'.repeat(2000)]),
      );
      users.push(
        await createUser(cognito, pool.poolId, 'admin@example.com', 'Correct-Horse-42', {
          email: 'admin@example.com',
        }),
        await createUser(cognito, pool.poolId, 'bulky-user', 'Correct-Horse-42', huge),
      );
      await attachLocally(stack, pool.poolId);
    });

    after(async () => {
      cognito?.destroy();
      await stack?.stop();
    });

    async function timedSignIn(user: DemoUser) {
      signIns++;
      const started = performance.now();
      const outcome = await signIn(cognito, clientId, user).then(
        (tokens) => ({ tokens, error: undefined as Error | undefined }),
        (error: Error) => ({ tokens: undefined, error }),
      );
      return { ...outcome, ms: performance.now() - started };
    }

    it('healthy: both users recorded, the bulky user as a small item', async () => {
      for (const user of users) {
        const result = await timedSignIn(user);
        assert.ok(result.tokens?.AccessToken, result.error?.message);
      }
      const [item] = await historyOfUser(createReader(), stack.tableName, users[1]?.sub as string, 1);
      assert.ok(item);
      assert.ok(JSON.stringify(item).length < 1024, `item is ${JSON.stringify(item).length} bytes`);
      assert.equal(Object.keys(item).filter((k) => k.startsWith('custom')).length, 0);
    });

    for (const fault of FAULTS) {
      it(`${fault}: answered in < 5 s, ${policy === 'allow' ? 'signed in' : 'refused with our message'}`, async () => {
        await stack.faults?.set(fault);
        try {
          for (const user of users) {
            const result = await timedSignIn(user);
            assert.ok(result.ms < COGNITO_LIMIT_MS, `${fault}: the sign-in took ${Math.round(result.ms)} ms`);
            if (policy === 'allow') {
              assert.ok(result.tokens?.AccessToken, `${fault}: ${result.error?.message}`);
            } else {
              assert.equal(result.error?.name, 'UserLambdaValidationException', `${fault}: ${result.error}`);
              assert.equal(result.error?.message, `PostAuthentication failed with error ${DENY_MESSAGE}.`);
            }
          }
        } finally {
          await stack.faults?.set('none');
        }
      });
    }

    it('accounts for every sign-in: stored + failure records = sign-ins; no timeout, no attribute in logs', async () => {
      const stored = (
        await Promise.all(users.map((u) => historyOfUser(createReader(), stack.tableName, u.sub, 1000)))
      ).flat();
      const failures = failureItems(stack);
      assert.equal(
        stored.length + failures.length,
        signIns,
        `${stored.length} stored + ${failures.length} failed`,
      );
      assert.equal(failures.length, FAULTS.length * users.length);
      assert.equal(stack.lambda.logs.filter((l) => l.text.includes('Task timed out')).length, 0);
      const routine = stack.lambda.logs.filter((l) => !l.text.includes(WRITE_FAILED)).map((l) => l.text);
      assert.ok(
        !routine.some((t) => t.includes('admin@example.com') || t.includes('xxxxxxxx')),
        routine.join('\n'),
      );
      for (const item of failures) {
        assert.ok(users.some((u) => u.sub === item.sub));
        assert.ok(JSON.stringify(item).length < 1024);
      }
    });
  });
}
