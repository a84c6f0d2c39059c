/**
 * attach / detach against moto, whose UpdateUserPool resets omitted settings the way AWS does and which
 * serves Lambda GetPolicy for the permission check. Skipped with a notice when moto is not installed;
 * CI (REQUIRE_TOOLCHAIN=1) installs it and fails if it is missing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  type CreateUserPoolCommandInput,
  DescribeUserPoolCommand,
  GetUserPoolMfaConfigCommand,
  SetUserPoolMfaConfigCommand,
  UpdateUserPoolCommand,
  type UpdateUserPoolCommandInput,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { entryOf } from '../../../../dev/build/commands.ts';
import { PROJECT_ROOT } from '../../../../dev/build/template.ts';
import { missingToolNotice, TOOLS } from '../../../../dev/build/toolchain.ts';
import { createMotoRole, type RunningMoto, startMoto } from '../../../../dev/local-stack/moto.ts';
import { realisticPoolInput } from '../../../../dev/local-stack/user-pool-fixtures.ts';
import {
  type AttachOptions,
  attachPostAuthenticationTrigger,
  createClients,
  detachPostAuthenticationTrigger,
} from '../../../../scripts/user-pool/trigger-attachment.ts';
import { unexpectedChanges } from '../../../../scripts/user-pool/user-pool-config.ts';
import { skipBecause } from '../../../helpers/skip.ts';

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
    for (const service of ['COGNITO_IDENTITY_PROVIDER', 'LAMBDA', 'CLOUDFORMATION', 'CLOUDTRAIL']) {
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

  async function newPool(
    name: string,
    extra: Partial<CreateUserPoolCommandInput> = {},
  ): Promise<UserPoolType> {
    const { UserPool } = await cognito.send(
      new CreateUserPoolCommand({
        ...realisticPoolInput(name),
        UsernameAttributes: undefined,
        SmsAuthenticationMessage: 'Your sign-in code is {####}',
        LambdaConfig: { PreSignUp: 'arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up' },
        ...extra,
      }),
    );
    return UserPool as UserPoolType;
  }

  /** What `sam deploy` with CognitoUserPoolArn=<pool ARN> creates: the permission for this pool only. */
  async function grantInvoke(pool: UserPoolType) {
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
    await grantInvoke(pool);
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          entryOf('attach'),
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
    // moto's CloudTrail has no trail: attach says what that means for failed sign-ins.
    assert.match(result.out, /WARNING: no CloudTrail trail logs us-east-1's management events/);
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

    await grantInvoke(pool);

    assert.equal(await attachPostAuthenticationTrigger(createClients(REGION), options(poolId)), 'changed');
    const attached = await describePool(poolId);
    assert.equal(attached.LambdaConfig?.PostAuthentication, functionArn);
    assert.deepEqual(unexpectedChanges(original, attached, ['LambdaConfig.PostAuthentication']), []);
    assert.equal(attached.AdminCreateUserConfig?.AllowAdminCreateUserOnly, true);
    assert.equal(attached.DeletionProtection, 'ACTIVE');

    assert.equal(await detachPostAuthenticationTrigger(createClients(REGION), options(poolId)), 'changed');
    assert.deepEqual(unexpectedChanges(original, await describePool(poolId), []), []);
  });

  /** Grants the invoke permission as the stack does, and returns clients that record each UpdateUserPool. */
  async function permitAndSpy(pool: UserPoolType) {
    await grantInvoke(pool);
    const clients = createClients(REGION);
    const updates: UpdateUserPoolCommandInput[] = [];
    clients.cognito.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateUserPoolCommand') {
          updates.push(structuredClone(args.input as UpdateUserPoolCommandInput));
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordUpdateUserPool' },
    );
    return { clients, updates };
  }

  const mfaOf = async (id: string) => {
    const { $metadata: _, ...mfa } = await cognito.send(new GetUserPoolMfaConfigCommand({ UserPoolId: id }));
    return mfa;
  };

  it('a pool with no triggers at all (no LambdaConfig in DescribeUserPool): attach and detach without a false alarm', async (t) => {
    if (skipWithoutMoto(t)) return;
    const { UserPool } = await cognito.send(new CreateUserPoolCommand({ PoolName: 'no-triggers' }));
    const pool = UserPool as UserPoolType;
    const original = await describePool(pool.Id as string);
    assert.equal(original.LambdaConfig, undefined, 'moto omits LambdaConfig for a trigger-less pool');
    const { clients } = await permitAndSpy(pool);
    assert.equal(await attachPostAuthenticationTrigger(clients, options(pool.Id as string)), 'changed');
    assert.equal((await describePool(pool.Id as string)).LambdaConfig?.PostAuthentication, functionArn);
    assert.equal(await detachPostAuthenticationTrigger(clients, options(pool.Id as string)), 'changed');
    const detached = await describePool(pool.Id as string);
    assert.deepEqual(detached.LambdaConfig ?? {}, {});
    assert.deepEqual(unexpectedChanges(original, detached, []), []);
  });

  for (const mode of ['ON', 'OPTIONAL', 'OFF'] as const) {
    it(`MFA ${mode}${mode === 'OFF' ? '' : ' through authenticator apps'}: sent as it is, kept, backed up with GetUserPoolMfaConfig`, async (t) => {
      if (skipWithoutMoto(t)) return;
      // moto's DescribeUserPool reports the creation-time MfaConfiguration, so create the pool with it too.
      const pool = await newPool(`mfa-${mode.toLowerCase()}`, { MfaConfiguration: mode });
      const id = pool.Id as string;
      await cognito.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: id,
          MfaConfiguration: mode,
          SoftwareTokenMfaConfiguration: { Enabled: mode !== 'OFF' },
        }),
      );
      const before = await describePool(id);
      const mfaBefore = await mfaOf(id);
      assert.equal(mfaBefore.MfaConfiguration, mode);
      const { clients, updates } = await permitAndSpy(pool);
      const backupFile = join(scratch, `mfa-${mode}.json`);
      assert.equal(await attachPostAuthenticationTrigger(clients, options(id, { backupFile })), 'changed');

      // What was sent: the pool's own MfaConfiguration (docs/design.md, "What attach sends"), no UserPoolTier.
      assert.equal(updates.length, 1);
      assert.equal(updates[0]?.MfaConfiguration, mode);
      assert.equal('UserPoolTier' in (updates[0] ?? {}), false, 'UserPoolTier is never sent');
      assert.equal('PoolName' in (updates[0] ?? {}), false);
      // What the pool holds afterwards: everything as before, MFA methods included.
      assert.deepEqual(
        unexpectedChanges(before, await describePool(id), ['LambdaConfig.PostAuthentication']),
        [],
      );
      assert.deepEqual(await mfaOf(id), mfaBefore);
      const backup = JSON.parse(readFileSync(backupFile, 'utf8'));
      assert.equal(backup.UserPool.Id, id);
      assert.deepEqual(backup.MfaConfig, JSON.parse(JSON.stringify(mfaBefore)));
    });
  }

  it('restore re-applies the MFA settings of the backup (SetUserPoolMfaConfig) along with the pool', async (t) => {
    if (skipWithoutMoto(t)) return;
    const pool = await newPool('mfa-restore', { MfaConfiguration: 'ON' });
    const id = pool.Id as string;
    await cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: id,
        MfaConfiguration: 'ON',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    const mfaBefore = await mfaOf(id);
    const { clients } = await permitAndSpy(pool);
    const backupFile = join(scratch, 'mfa-restore.json');
    await attachPostAuthenticationTrigger(clients, options(id, { backupFile }));
    // Someone turns authenticator-app MFA off and detaches the trigger by hand.
    await cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: id,
        MfaConfiguration: 'OFF',
        SoftwareTokenMfaConfiguration: { Enabled: false },
      }),
    );
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', entryOf('restore'), '--backup-file', backupFile],
        { cwd: PROJECT_ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' } },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Restoring .*MfaConfig\.MfaConfiguration/);
    assert.match(r.out, /Restored: .* matches the backup, MFA settings included\./);
    assert.deepEqual(await mfaOf(id), mfaBefore);
  });
});
