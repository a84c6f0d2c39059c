/**
 * The failure policy end to end: DynamoDB is stopped, a real sign-in still goes through in `allow` mode
 * (with the complete item in the failure record) and fails with our message in `deny` mode; either way
 * Cognito gets its answer well within its 5 s.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DENY_MESSAGE } from '../../../authenticated/src/record-sign-in.ts';
import { type LocalStack, startLocalStack } from '../../../dev/local-stack/local-stack.ts';
import {
  createPoolWithClient,
  createUser,
  realisticPoolInput,
  signIn,
} from '../../../dev/local-stack/user-pool-fixtures.ts';
import { attachLocally, failureItems } from '../../helpers/local-stack.ts';

const COGNITO_LIMIT_MS = 5000;

for (const policy of ['allow', 'deny'] as const) {
  describe(`DynamoDB down, OnWriteFailure=${policy}`, () => {
    let stack: LocalStack;
    let cognito: CognitoIdentityProviderClient;

    before(async () => {
      stack = await startLocalStack({ parameters: { OnWriteFailure: policy } });
      Object.assign(process.env, stack.clientEnv);
      cognito = new CognitoIdentityProviderClient({});
    });
    after(async () => {
      cognito?.destroy();
      await stack?.stop();
    });

    it(
      policy === 'allow'
        ? 'lets the user in and logs the complete item'
        : 'fails the sign-in with our message',
      async () => {
        const pool = await createPoolWithClient(cognito, realisticPoolInput(`fault-${policy}`));
        stack.grantInvoke(pool.poolArn);
        const user = await createUser(cognito, pool.poolId, 'admin@example.com', 'Correct-Horse-42', {
          email: 'admin@example.com',
        });
        await attachLocally(stack, pool.poolId);
        await signIn(cognito, pool.clientId, user); // warm: the environment exists, as in steady state
        await stack.stopDynamo();

        const started = performance.now();
        const outcome = await signIn(cognito, pool.clientId, user).then(
          (tokens) => ({ tokens, error: undefined }),
          (error: Error) => ({ tokens: undefined, error }),
        );
        const elapsed = performance.now() - started;
        assert.ok(elapsed < COGNITO_LIMIT_MS, `the sign-in took ${elapsed} ms`);

        if (policy === 'allow') {
          assert.equal(outcome.error, undefined);
          assert.ok(outcome.tokens?.AccessToken, 'tokens are returned');
        } else {
          assert.equal(outcome.error?.name, 'UserLambdaValidationException');
          assert.equal(outcome.error?.message, `PostAuthentication failed with error ${DENY_MESSAGE}.`);
        }
        const items = failureItems(stack);
        assert.equal(items.length, 1, 'exactly one failure record');
        const item = items[0] as Record<string, any>;
        assert.equal(item.sub, user.sub);
        assert.equal(item.userPoolId, pool.poolId);
        assert.equal(item.clientId, pool.clientId);
        assert.equal(item.email, 'admin@example.com');
        assert.match(item.signInId, /^\d{4}-\d{2}-\d{2}T.*#/);
        // The functions' one log format: our record is the line itself, a top-level JSON object that metric
        // filters address as $.code (not nested in Lambda's "message").
        const line = stack.lambda.logs.find((l) => l.text.includes('LOGIN_HISTORY_WRITE_FAILED'));
        const record = JSON.parse(line?.text ?? '{}');
        assert.equal(record.level, 'ERROR');
        assert.equal(record.requestId, item.requestId);
        assert.equal(record.code, 'LOGIN_HISTORY_WRITE_FAILED');
      },
    );
  });
}
