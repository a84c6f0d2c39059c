import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { policyAllowsPool } from '../../../../scripts/user-pool/trigger-attachment.ts';
import {
  buildUpdateUserPoolInput,
  CARRIED_FIELDS,
  differingPaths,
  READ_ONLY_FIELDS,
  unexpectedChanges,
  withTrigger,
} from '../../../../scripts/user-pool/user-pool-config.ts';

const FN = 'arn:aws:lambda:ap-northeast-1:123456789012:function:login-history';
const awsPool = (): UserPoolType =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'describe-user-pool-aws.json'), 'utf8'))
    .UserPool;

describe('buildUpdateUserPoolInput on an AWS-shaped DescribeUserPool output', () => {
  const pool = awsPool();
  const input = buildUpdateUserPoolInput(pool, withTrigger(pool, 'PostAuthentication', FN));

  it('carries every updatable setting unchanged', () => {
    for (const field of CARRIED_FIELDS) {
      if (field === 'LambdaConfig' || field === 'AdminCreateUserConfig') continue;
      assert.deepEqual(input[field], pool[field], field);
    }
    assert.equal(input.UserPoolId, 'ap-northeast-1_AbCdEf123');
    assert.equal(input.AdminCreateUserConfig?.AllowAdminCreateUserOnly, true);
    assert.deepEqual(
      input.AdminCreateUserConfig?.InviteMessageTemplate,
      pool.AdminCreateUserConfig?.InviteMessageTemplate,
    );
    assert.equal(input.Policies?.PasswordPolicy?.TemporaryPasswordValidityDays, 3);
  });

  it('adds the trigger and keeps the other triggers, PreTokenGenerationConfig, custom sender and KMS key', () => {
    assert.deepEqual(input.LambdaConfig, { ...pool.LambdaConfig, PostAuthentication: FN });
  });

  it('drops read-only fields and does not echo UnusedAccountValidityDays', () => {
    for (const field of READ_ONLY_FIELDS) assert.equal(field in input, false, field);
    assert.equal('UnusedAccountValidityDays' in (input.AdminCreateUserConfig ?? {}), false);
    assert.equal('PoolName' in input, false);
  });

  it('does not modify the described pool (the backup stays what AWS returned)', () => {
    assert.deepEqual(pool, awsPool());
  });

  it('detach removes only PostAuthentication', () => {
    const attached = { ...pool, LambdaConfig: { ...pool.LambdaConfig, PostAuthentication: FN } };
    const detached = buildUpdateUserPoolInput(
      attached,
      withTrigger(attached, 'PostAuthentication', undefined),
    );
    assert.deepEqual(detached.LambdaConfig, pool.LambdaConfig);
  });

  it('sends no LambdaConfig at all when the last trigger is removed', () => {
    const only = { ...pool, LambdaConfig: { PostAuthentication: FN } };
    assert.equal(
      buildUpdateUserPoolInput(only, withTrigger(only, 'PostAuthentication', undefined)).LambdaConfig,
      undefined,
    );
  });
});

describe('comparing pool descriptions', () => {
  it('names nested paths that differ and treats equal dates as equal', () => {
    const a = { A: { B: 1, C: [1, 2] }, D: new Date('2026-01-01T00:00:00Z') };
    const b = { A: { B: 2, C: [1, 2] }, D: '2026-01-01T00:00:00.000Z', E: true };
    assert.deepEqual(differingPaths(a, b), ['A.B', 'E']);
  });

  it('ignores LastModifiedDate and the intended path only', () => {
    const before = awsPool();
    const after: UserPoolType = {
      ...before,
      LastModifiedDate: new Date(),
      LambdaConfig: { ...before.LambdaConfig, PostAuthentication: FN },
      AdminCreateUserConfig: { ...before.AdminCreateUserConfig, AllowAdminCreateUserOnly: false },
    };
    assert.deepEqual(unexpectedChanges(before, after, ['LambdaConfig.PostAuthentication']), [
      'AdminCreateUserConfig.AllowAdminCreateUserOnly',
    ]);
  });

  it('an absent object equals an empty one (moto omits LambdaConfig, cognito-local returns {})', () => {
    assert.deepEqual(differingPaths({ Id: 'p' }, { Id: 'p', LambdaConfig: {} }), []);
    assert.deepEqual(differingPaths({ LambdaConfig: { PostAuthentication: FN } }, {}), [
      'LambdaConfig.PostAuthentication',
    ]);
    assert.deepEqual(differingPaths({}, { LambdaConfig: { PostAuthentication: FN } }), [
      'LambdaConfig.PostAuthentication',
    ]);
    // Still a difference: a value that is not empty.
    assert.deepEqual(differingPaths({ A: {} }, { A: { B: 0 } }), ['A.B']);
  });
});

describe('what attach sends for the settings UpdateUserPool treats specially', () => {
  it('never sends UserPoolTier (the one setting kept when absent) nor PoolName', () => {
    const pool = awsPool();
    assert.equal(pool.UserPoolTier, 'ESSENTIALS', 'the fixture has a feature plan');
    const input = buildUpdateUserPoolInput(pool, withTrigger(pool, 'PostAuthentication', FN));
    assert.equal('UserPoolTier' in input, false);
    assert.equal('PoolName' in input, false);
  });

  it("sends the pool's own MfaConfiguration, whatever it is (omitting it would reset ON and OPTIONAL to OFF)", () => {
    for (const mode of ['ON', 'OPTIONAL', 'OFF'] as const) {
      const pool = { ...awsPool(), MfaConfiguration: mode };
      assert.equal(buildUpdateUserPoolInput(pool, {}).MfaConfiguration, mode);
    }
  });
});

describe('policyAllowsPool', () => {
  const POOL = 'arn:aws:cognito-idp:ap-northeast-1:123456789012:userpool/ap-northeast-1_AbCdEf123';
  const statement = (condition: unknown, principal: unknown = { Service: 'cognito-idp.amazonaws.com' }) =>
    JSON.stringify({
      Statement: [
        {
          Effect: 'Allow',
          Principal: principal,
          Action: 'lambda:InvokeFunction',
          Resource: FN,
          Condition: condition,
        },
      ],
    });

  it('accepts the statement the template creates', () => {
    const policy = statement({
      ArnLike: { 'AWS:SourceArn': POOL },
      StringEquals: { 'AWS:SourceAccount': '123456789012' },
    });
    assert.equal(policyAllowsPool(policy, POOL, '123456789012'), true);
  });

  it('rejects a statement for another pool, another account or another principal', () => {
    assert.equal(policyAllowsPool(statement({ ArnLike: { 'AWS:SourceArn': `${POOL}x` } }), POOL), false);
    assert.equal(
      policyAllowsPool(
        statement({ StringEquals: { 'AWS:SourceAccount': '999999999999' } }),
        POOL,
        '123456789012',
      ),
      false,
    );
    assert.equal(
      policyAllowsPool(statement(undefined, { Service: 'apigateway.amazonaws.com' }), POOL),
      false,
    );
  });

  it('honours wildcards in ArnLike', () => {
    const policy = statement({
      ArnLike: { 'AWS:SourceArn': 'arn:aws:cognito-idp:ap-northeast-1:123456789012:userpool/*' },
    });
    assert.equal(policyAllowsPool(policy, POOL), true);
  });
});
