/**
 * `npm run doctor` with explicit names against the local stack (dynalite, cognito-local, the local Lambda
 * endpoint; tests/helpers/local-stack.ts), run as a user runs it. The trigger and its permission are answered by
 * the local engines and are ok; everything the local engines cannot answer - CloudTrail, EventBridge and the
 * alarm have no endpoint here, the trail's integrity is found only through a stack, dynalite has no deletion
 * protection, continuous backups or resource policies and answers TTL with a stub - is "not checked", never ok.
 * After `npm run detach`, doctor exits 1 naming the trigger.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { LocalStack } from '../../../../dev/local-stack/local-stack.ts';
import { runCommand } from '../../../helpers/commands.ts';
import { attachLocally, type LocalPool, startStackWithPool } from '../../../helpers/local-stack.ts';

describe('npm run doctor against the local stack, with explicit names', () => {
  let stack: LocalStack;
  let cognito: CognitoIdentityProviderClient;
  let pool: LocalPool;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    ({ stack, cognito, pool } = await startStackWithPool('doctor'));
    await attachLocally(stack, pool.poolId);
    // The local stack's own environment, as `eval "$(npm run local-stack -- start)"` gives a shell.
    env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
    Object.assign(env, stack.clientEnv);
  });
  after(async () => {
    cognito?.destroy();
    await stack?.stop();
  });

  const doctor = () =>
    runCommand(
      'doctor',
      ['--user-pool-id', pool.poolId, '--table-name', stack.tableName, '--function-arn', stack.functionArn],
      env,
    );

  it('passes: ok only where a local engine answers, "not checked" with the reason everywhere else', async () => {
    const result = await doctor();
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const lines = result.stdout.trim().split('\n');
    const summary = lines.pop() as string;
    const status = Object.fromEntries(
      lines.map((line) => [line.slice(13, line.indexOf(': ', 13)), line.slice(0, 12).trim()]),
    );
    assert.deepEqual(status, {
      trigger: 'ok',
      'invoke permission': 'ok',
      trail: 'not checked',
      rules: 'not checked',
      [`resource policy of ${stack.tableName}`]: 'not checked',
      [`deletion protection of ${stack.tableName}`]: 'not checked',
      [`point-in-time recovery of ${stack.tableName}`]: 'not checked',
      [`TTL of ${stack.tableName}`]: 'not checked',
      integrity: 'not checked',
      'alarm subscription': 'not checked',
      'auth events arriving': 'not checked',
    });
    assert.equal(summary, '2 ok, 0 FAIL, 9 not checked.');
    const why = (check: string) =>
      lines.find((l) => l.slice(13).startsWith(`${check}:`))?.slice(13 + check.length + 2);
    assert.match(
      String(why('trail')),
      /^DynamoDB is a local endpoint \(http:\/\/127\.0\.0\.1:\d+\) and AWS_ENDPOINT_URL_CLOUDTRAIL is not set/,
    );
    assert.equal(why('rules'), 'no --stack-name: the rules are found through the stack');
    assert.equal(
      why('integrity'),
      "no --stack-name: the trail's digest bucket and signing key are found through the stack",
    );
    assert.equal(
      why(`deletion protection of ${stack.tableName}`),
      'the endpoint does not report DeletionProtectionEnabled',
    );
    assert.equal(
      why(`point-in-time recovery of ${stack.tableName}`),
      'the endpoint does not implement this call',
    );
    assert.match(
      String(why(`TTL of ${stack.tableName}`)),
      /does not implement DescribeContinuousBackups, so it is an emulator, and its answer \(TTL DISABLED\) is not the table's/,
    );
    assert.equal(why('auth events arriving'), 'no --auth-events-table-name was given');
  });

  it('exits 1 after npm run detach, naming the trigger and how to attach it again', async () => {
    const detach = await runCommand(
      'detach',
      ['--user-pool-id', pool.poolId, '--backup-file', join(stack.dataDir, 'detach.backup.json')],
      env,
    );
    assert.equal(detach.code, 0, detach.stderr);
    const result = await doctor();
    assert.equal(result.code, 1);
    const trigger = result.stdout.split('\n').find((l) => l.startsWith('FAIL'));
    assert.equal(
      trigger,
      `FAIL         trigger: the PostAuthentication trigger of ${pool.poolId} is not set, not ${stack.functionArn}: no sign-in is recorded. Fix: npm run attach -- --user-pool-id ${pool.poolId} --function-arn ${stack.functionArn}`,
    );
    assert.match(result.stdout, /1 ok, 1 FAIL, 9 not checked\.\n$/);
  });
});
