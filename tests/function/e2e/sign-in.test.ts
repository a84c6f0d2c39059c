/**
 * End to end on the local stack: real sign-ins on cognito-local invoke the bundle built like `sam build`
 * through the local Lambda endpoint, which writes into dynalite. The trigger is attached with the same
 * code as `npm run attach`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { LocalStack } from '../../../dev/local-stack/local-stack.ts';
import {
  createUser,
  type DemoUser,
  enableTotpMfa,
  signIn,
} from '../../../dev/local-stack/user-pool-fixtures.ts';
import { createReader, historyOfUser } from '../../../scripts/records/sign-ins.ts';
import { attachLocally, type LocalPool, startStackWithPool } from '../../helpers/local-stack.ts';

const PASSWORD = 'Correct-Horse-42';

describe('sign-ins on the local stack', () => {
  let stack: LocalStack;
  let cognito: CognitoIdentityProviderClient;
  let pool: LocalPool;
  let users: (DemoUser & { sub: string })[];
  const reader = () => createReader();

  before(async () => {
    ({ stack, cognito, pool } = await startStackWithPool('e2e'));
    users = [];
    for (let i = 0; i < 5; i++) {
      users.push(
        await createUser(cognito, pool.poolId, `user${i}@example.com`, PASSWORD, {
          email: `user${i}@example.com`,
        }),
      );
    }
  });

  after(async () => {
    cognito?.destroy();
    await stack?.stop();
  });

  async function countItems(sub: string) {
    return (await historyOfUser(reader(), stack.tableName, sub, 1000)).length;
  }

  it('records nothing before the trigger is attached, and every sign-in after', async () => {
    const [user] = users;
    assert.ok(user);
    const tokensBefore = await signIn(cognito, pool.clientId, user);
    assert.ok(tokensBefore.AccessToken);
    assert.equal(await countItems(user.sub), 0);

    const result = await attachLocally(stack, pool.poolId);
    assert.equal(result, 'changed');

    const tokens = await signIn(cognito, pool.clientId, user);
    assert.ok(tokens.AccessToken && tokens.IdToken, 'the sign-in returns tokens');
    const items = await historyOfUser(reader(), stack.tableName, user.sub, 10);
    assert.equal(items.length, 1);
    assert.equal(items[0]?.sub, user.sub);
    assert.equal(items[0]?.userPoolId, pool.poolId);
    assert.equal(items[0]?.clientId, pool.clientId);
    assert.equal(items[0]?.email, 'user0@example.com');
    assert.equal(items[0]?.triggerSource, 'PostAuthentication_Authentication');
  });

  it('records 20 concurrent sign-ins of 5 users as 20 items, none overwritten', async () => {
    const before = await Promise.all(users.map((u) => countItems(u.sub)));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => signIn(cognito, pool.clientId, users[i % 5] as DemoUser)),
    );
    assert.deepEqual(
      results.filter((r) => r.status === 'rejected'),
      [],
    );
    const afterCounts = await Promise.all(users.map((u) => countItems(u.sub)));
    assert.deepEqual(
      afterCounts.map((n, i) => n - (before[i] as number)),
      [4, 4, 4, 4, 4],
    );
  });

  it('records a TOTP MFA sign-in (RespondToAuthChallenge) exactly once', async () => {
    const mfaUser = await createUser(cognito, pool.poolId, 'demo-with-mfa@example.com', PASSWORD, {
      email: 'demo-with-mfa@example.com',
    });
    await enableTotpMfa(cognito, pool.clientId, mfaUser); // this first sign-in is recorded too
    const before = await countItems(mfaUser.sub);
    const tokens = await signIn(cognito, pool.clientId, mfaUser);
    assert.ok(tokens.AccessToken);
    assert.equal((await countItems(mfaUser.sub)) - before, 1);
  });

  it('records a user without an email attribute, with no email in the item', async () => {
    const kiosk = await createUser(cognito, pool.poolId, 'kiosk-07', PASSWORD);
    await signIn(cognito, pool.clientId, kiosk);
    const [item] = await historyOfUser(reader(), stack.tableName, kiosk.sub, 10);
    assert.equal(item?.userName, 'kiosk-07');
    assert.equal(item && 'email' in item, false);
  });
});
