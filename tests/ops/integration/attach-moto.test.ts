/**
 * attach / detach against moto, whose UpdateUserPool resets omitted settings the way AWS does and which
 * serves Lambda GetPolicy for the permission check. Skipped with a notice when moto is not installed;
 * CI (REQUIRE_TOOLCHAIN=1) installs it and fails if it is missing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  UpdateUserPoolCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PROJECT_ROOT } from '../../../scripts/build/template.ts';
import { missingToolNotice, TOOLS } from '../../../scripts/build/toolchain.ts';
import { createMotoRole, type RunningMoto, startMoto } from '../../../scripts/local-stack/moto.ts';
import { realisticPoolInput } from '../../../scripts/local-stack/user-pool-fixtures.ts';
import {
  type AttachOptions,
  attachPostAuthenticationTrigger,
  createClients,
  detachPostAuthenticationTrigger,
} from '../../../scripts/ops/trigger-attachment.ts';
import { unexpectedChanges } from '../../../scripts/ops/user-pool-config.ts';
import { skipBecause } from '../../helpers/skip.ts';

const REGION = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('attach and detach on moto (resets omitted settings like AWS)', () => {
  let moto: RunningMoto | undefined;
  let cognito: CognitoIdentityProviderClient;
  let functionArn = '';
  let scratch = '';

  before(async () => {
    moto = await startMoto();
    if (!moto) return;
    for (const service of ['COGNITO_IDENTITY_PROVIDER', 'LAMBDA', 'CLOUDFORMATION']) {
      process.env[`AWS_ENDPOINT_URL_${service}`] = moto.endpoint;
    }
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: REGION,
    });
    cognito = new CognitoIdentityProviderClient({ region: REGION, endpoint: moto.endpoint, credentials });
    const lambda = new LambdaClient({ region: REGION, endpoint: moto.endpoint, credentials });
    const role = await createMotoRole(moto.endpoint, 'login-history-role');
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'login-history',
        Runtime: 'nodejs22.x',
        Role: role,
        Handler: 'post-authentication.handler',
        Code: { ZipFile: Buffer.from('placeholder: moto never runs it') },
      }),
    );
    functionArn = created.FunctionArn as string;
    lambda.destroy();
    scratch = mkdtempSync(join(tmpdir(), 'attach-moto-'));
  });

  after(async () => {
    cognito?.destroy();
    await moto?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  function skipWithoutMoto(t: { skip(message: string): void }): boolean {
    return moto ? false : skipBecause(t, missingToolNotice(TOOLS.moto));
  }

  async function newPool(name: string): Promise<UserPoolType> {
    const { UserPool } = await cognito.send(
      new CreateUserPoolCommand({
        ...realisticPoolInput(name),
        UsernameAttributes: undefined,
        SmsAuthenticationMessage: 'Your sign-in code is {####}',
        LambdaConfig: { PreSignUp: 'arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up' },
      }),
    );
    return UserPool as UserPoolType;
  }

  const describePool = async (id: string) =>
    (await cognito.send(new DescribeUserPoolCommand({ UserPoolId: id }))).UserPool as UserPoolType;

  const options = (poolId: string, extra: Partial<AttachOptions> = {}): AttachOptions => ({
    userPoolId: poolId,
    region: REGION,
    functionArn,
    dryRun: false,
    replace: false,
    skipPermissionCheck: false,
    backupFile: join(scratch, `${poolId}-${Math.random()}.json`),
    out: () => undefined,
    ...extra,
  });

  it('--stack-name reads the function ARN from the stack outputs (CloudFormation on moto)', async (t) => {
    if (skipWithoutMoto(t)) return;
    const cfn = new CloudFormationClient({ region: REGION, endpoint: moto?.endpoint, credentials });
    await cfn.send(
      new CreateStackCommand({
        StackName: 'cognito-login-history',
        TemplateBody: JSON.stringify({
          Resources: { Placeholder: { Type: 'AWS::SNS::Topic' } },
          Outputs: { FunctionArn: { Value: functionArn } },
        }),
      }),
    );
    cfn.destroy();
    const pool = await newPool('by-stack');
    const lambda = new LambdaClient({ region: REGION, endpoint: moto?.endpoint, credentials });
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: functionArn,
        StatementId: `Cognito-${pool.Id}`,
        Action: 'lambda:InvokeFunction',
        Principal: 'cognito-idp.amazonaws.com',
        SourceArn: pool.Arn,
        SourceAccount: '123456789012',
      }),
    );
    lambda.destroy();
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          'scripts/attach.ts',
          '--user-pool-id',
          pool.Id as string,
          '--stack-name',
          'cognito-login-history',
          '--backup-file',
          join(scratch, 'by-stack.json'),
        ],
        { cwd: PROJECT_ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' } },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
    assert.equal(result.code, 0, result.out);
    assert.equal((await describePool(pool.Id as string)).LambdaConfig?.PostAuthentication, functionArn);
  });

  it('the naive update resets AllowAdminCreateUserOnly, DeletionProtection and the other trigger', async (t) => {
    if (skipWithoutMoto(t)) return;
    const pool = await newPool('naive');
    await cognito.send(
      new UpdateUserPoolCommand({ UserPoolId: pool.Id, LambdaConfig: { PostAuthentication: functionArn } }),
    );
    const after = await describePool(pool.Id as string);
    assert.equal(after.AdminCreateUserConfig?.AllowAdminCreateUserOnly, false);
    assert.notEqual(after.DeletionProtection, 'ACTIVE');
    assert.equal(after.LambdaConfig?.PreSignUp, undefined);
  });

  it('refuses while the function has no permission for the pool, then attaches and detaches cleanly', async (t) => {
    if (skipWithoutMoto(t)) return;
    const pool = await newPool('safe');
    const poolId = pool.Id as string;
    const original = await describePool(poolId);
    await assert.rejects(
      attachPostAuthenticationTrigger(createClients(REGION), options(poolId)),
      /every sign-in would fail/,
    );
    assert.deepEqual(unexpectedChanges(original, await describePool(poolId), []), []);

    const lambda = new LambdaClient({ region: REGION, endpoint: moto?.endpoint, credentials });
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: functionArn,
        StatementId: 'CognitoInvokePermission',
        Action: 'lambda:InvokeFunction',
        Principal: 'cognito-idp.amazonaws.com',
        SourceArn: pool.Arn,
        SourceAccount: '123456789012',
      }),
    );
    lambda.destroy();

    assert.equal(await attachPostAuthenticationTrigger(createClients(REGION), options(poolId)), 'changed');
    const attached = await describePool(poolId);
    assert.equal(attached.LambdaConfig?.PostAuthentication, functionArn);
    assert.deepEqual(unexpectedChanges(original, attached, ['LambdaConfig.PostAuthentication']), []);
    assert.equal(attached.AdminCreateUserConfig?.AllowAdminCreateUserOnly, true);
    assert.equal(attached.DeletionProtection, 'ACTIVE');

    assert.equal(await detachPostAuthenticationTrigger(createClients(REGION), options(poolId)), 'changed');
    assert.deepEqual(unexpectedChanges(original, await describePool(poolId), []), []);
  });
});
