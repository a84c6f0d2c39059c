/**
 * The safety net of attach/detach, on failures the emulators do not produce: a pool that comes back from
 * UpdateUserPool with a setting lost, a rejected update, and an update whose outcome is unknown; and restore's
 * rejected update, named by pool and call.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  DescribeUserPoolCommand,
  GetUserPoolMfaConfigCommand,
  UpdateUserPoolCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetPolicyCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { CommandError } from '../../../../scripts/core/cli.ts';
import {
  attachPostAuthenticationTrigger,
  createClients,
  restoreFromBackup,
} from '../../../../scripts/user-pool/trigger-attachment.ts';

const POOL_ARN = 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC';
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:login-history';
const pool: UserPoolType = {
  Id: 'us-east-1_AbC',
  Arn: POOL_ARN,
  AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
  MfaConfiguration: 'ON',
  LambdaConfig: {},
};
const policy = JSON.stringify({
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'cognito-idp.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Condition: { ArnLike: { 'AWS:SourceArn': POOL_ARN } },
    },
  ],
});

const scratch = mkdtempSync(join(tmpdir(), 'attach-unit-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function setup() {
  const clients = createClients('us-east-1');
  const cognito = mockClient(clients.cognito);
  cognito.on(GetUserPoolMfaConfigCommand).resolves({ MfaConfiguration: 'OFF' });
  mockClient(clients.lambda).on(GetPolicyCommand).resolves({ Policy: policy });
  const run = () =>
    attachPostAuthenticationTrigger(clients, {
      userPoolId: 'us-east-1_AbC',
      region: 'us-east-1',
      functionArn: FN,
      dryRun: false,
      replace: false,
      skipPermissionCheck: false,
      backupFile: join(scratch, `${Math.random()}.json`),
      out: () => undefined,
    });
  return { cognito, run };
}

describe('attach safety net', () => {
  it('names the lost setting and how to restore when the pool comes back changed', async () => {
    const { cognito, run } = setup();
    const lost = {
      ...pool,
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      LambdaConfig: { PostAuthentication: FN },
    };
    cognito.on(DescribeUserPoolCommand).resolvesOnce({ UserPool: pool }).resolves({ UserPool: lost });
    cognito.on(UpdateUserPoolCommand).resolves({});
    await assert.rejects(run(), (error: Error) => {
      assert.match(
        error.message,
        /changed in ways that were not asked for:\n {2}AdminCreateUserConfig\.AllowAdminCreateUserOnly\n/,
      );
      assert.match(error.message, /npm run restore -- --backup-file ".*\.json"/);
      return true;
    });
    const sent = cognito.commandCalls(UpdateUserPoolCommand)[0]?.args[0].input;
    assert.deepEqual(sent, {
      UserPoolId: 'us-east-1_AbC',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      LambdaConfig: { PostAuthentication: FN },
    });
  });

  it('says nothing changed when UpdateUserPool is rejected', async () => {
    const { cognito, run } = setup();
    cognito.on(DescribeUserPoolCommand).resolves({ UserPool: pool });
    cognito.on(UpdateUserPoolCommand).rejects(
      Object.assign(new Error('Invalid MFA configuration'), {
        name: 'InvalidParameterException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await assert.rejects(run(), /UpdateUserPool was rejected, nothing changed: InvalidParameterException/);
    assert.equal(cognito.commandCalls(DescribeUserPoolCommand).length, 1);
  });

  it('says the outcome is unknown, and how to restore, when the update times out', async () => {
    const { cognito, run } = setup();
    cognito.on(DescribeUserPoolCommand).resolves({ UserPool: pool });
    cognito
      .on(UpdateUserPoolCommand)
      .rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    await assert.rejects(run(), /may or may not have been applied.*npm run restore -- --backup-file/s);
  });
});

describe('restore', () => {
  it('names the pool and the call AWS refused, in one line', async () => {
    const clients = createClients('us-east-1');
    const cognito = mockClient(clients.cognito);
    cognito.on(DescribeUserPoolCommand).resolves({ UserPool: { ...pool, MfaConfiguration: 'OFF' } });
    cognito
      .on(UpdateUserPoolCommand)
      .rejects(Object.assign(new Error('Invalid MFA configuration'), { name: 'InvalidParameterException' }));
    await assert.rejects(
      restoreFromBackup(clients.cognito, { UserPool: pool }, 'us-east-1', () => undefined),
      (error: Error) =>
        error instanceof CommandError &&
        error.message ===
          'UpdateUserPool of user pool us-east-1_AbC failed: InvalidParameterException: Invalid MFA configuration',
    );
  });
});
