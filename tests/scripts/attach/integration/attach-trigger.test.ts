/**
 * attach / detach against cognito-local, on a pool with many non-default settings: afterwards the pool
 * deep-equals what it was except LambdaConfig.PostAuthentication. Also shows the naive update that
 * sends only LambdaConfig losing settings on the same emulator.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CognitoIdentityProviderClient,
  type CreateUserPoolCommandInput,
  DescribeUserPoolCommand,
  UpdateUserPoolCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { entryOf } from '../../../../dev/build/commands.ts';
import { PROJECT_ROOT } from '../../../../dev/build/template.ts';
import { type LocalStack, startLocalStack } from '../../../../dev/local-stack/local-stack.ts';
import { createPoolWithClient, realisticPoolInput } from '../../../../dev/local-stack/user-pool-fixtures.ts';
import { CommandError } from '../../../../scripts/core/cli.ts';
import {
  type AttachOptions,
  attachPostAuthenticationTrigger,
  BACKUP_DIR,
  createClients,
  detachPostAuthenticationTrigger,
  restoreFromBackup,
} from '../../../../scripts/user-pool/trigger-attachment.ts';
import { differingPaths, unexpectedChanges } from '../../../../scripts/user-pool/user-pool-config.ts';

const OTHER_FN = 'arn:aws:lambda:local:000000000000:function:some-other-team';

function manySettings(name: string): CreateUserPoolCommandInput {
  return {
    ...realisticPoolInput(name),
    SmsAuthenticationMessage: 'Your sign-in code is {####}',
    EmailVerificationMessage: 'Your code is {####}',
    EmailVerificationSubject: 'Your verification code',
    UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
    LambdaConfig: {
      PreSignUp: 'arn:aws:lambda:local:000000000000:function:pre-sign-up',
      PreTokenGeneration: 'arn:aws:lambda:local:000000000000:function:pre-token',
    },
  };
}

describe('attach and detach on cognito-local', () => {
  let stack: LocalStack;
  let cognito: CognitoIdentityProviderClient;
  let scratch: string;
  const lines: string[] = [];

  before(async () => {
    stack = await startLocalStack();
    Object.assign(process.env, stack.clientEnv);
    cognito = new CognitoIdentityProviderClient({});
    scratch = mkdtempSync(join(tmpdir(), 'attach-test-'));
  });
  after(async () => {
    cognito?.destroy();
    await stack?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const describePool = async (id: string) =>
    (await cognito.send(new DescribeUserPoolCommand({ UserPoolId: id }))).UserPool as UserPoolType;

  async function newPool(name: string, grant = true) {
    const pool = await createPoolWithClient(cognito, manySettings(name));
    if (grant) stack.grantInvoke(pool.poolArn);
    return pool;
  }

  function options(poolId: string, extra: Partial<AttachOptions> = {}): AttachOptions {
    lines.length = 0;
    return {
      userPoolId: poolId,
      region: 'local',
      functionArn: stack.functionArn,
      dryRun: false,
      replace: false,
      skipPermissionCheck: false,
      backupFile: join(scratch, `${poolId}-${Date.now()}-${Math.random()}.json`),
      out: (line) => lines.push(line),
      ...extra,
    };
  }
  const clients = () => createClients('local');

  it('the naive LambdaConfig-only update loses settings (what attach protects against); restore repairs it', async () => {
    const { poolId } = await newPool('naive');
    const before = await describePool(poolId);
    await cognito.send(
      new UpdateUserPoolCommand({
        UserPoolId: poolId,
        LambdaConfig: { PostAuthentication: stack.functionArn },
      }),
    );
    const lost = unexpectedChanges(before, await describePool(poolId), ['LambdaConfig.PostAuthentication']);
    for (const setting of ['AdminCreateUserConfig', 'Policies', 'MfaConfiguration', 'UserPoolTags']) {
      assert.ok(
        lost.some((path) => path.startsWith(setting)),
        `${setting} expected among lost settings: ${lost.join(', ')}`,
      );
    }
    assert.ok(lost.includes('LambdaConfig.PreSignUp'), 'the other triggers are lost too');

    // restore (what attach prints when its verification fails) brings every setting back
    const changed = await restoreFromBackup(cognito, { UserPool: before }, 'local', () => undefined);
    assert.ok(changed.length > 0);
    assert.deepEqual(unexpectedChanges(before, await describePool(poolId), []), []);
  });

  it('attach changes only LambdaConfig.PostAuthentication; detach restores the original', async () => {
    const { poolId } = await newPool('attach');
    const original = await describePool(poolId);
    const attachOptions = options(poolId);
    assert.equal(await attachPostAuthenticationTrigger(clients(), attachOptions), 'changed');

    const attached = await describePool(poolId);
    assert.equal(attached.LambdaConfig?.PostAuthentication, stack.functionArn);
    assert.deepEqual(unexpectedChanges(original, attached, ['LambdaConfig.PostAuthentication']), []);
    assert.equal(attached.AdminCreateUserConfig?.AllowAdminCreateUserOnly, true);
    assert.equal(attached.LambdaConfig?.PreSignUp, original.LambdaConfig?.PreSignUp);

    const backup = JSON.parse(readFileSync(attachOptions.backupFile as string, 'utf8')).UserPool;
    assert.deepEqual(differingPaths(backup, original), [], 'the backup is the complete original description');
    assert.ok(
      lines.some((l) => l.includes(attachOptions.backupFile as string)),
      'the backup path is printed',
    );

    assert.equal(await detachPostAuthenticationTrigger(clients(), options(poolId)), 'changed');
    const detached = await describePool(poolId);
    assert.deepEqual(unexpectedChanges(original, detached, []), []);
  });

  it('dry run prints the one change and changes nothing', async () => {
    const { poolId } = await newPool('dry');
    const before = await describePool(poolId);
    const dry = options(poolId, { dryRun: true });
    assert.equal(await attachPostAuthenticationTrigger(clients(), dry), 'dry-run');
    assert.deepEqual(lines, [
      `LambdaConfig.PostAuthentication: (none) → ${stack.functionArn}`,
      'Dry run: nothing changed.',
    ]);
    assert.equal(existsSync(dry.backupFile as string), false);
    assert.deepEqual(differingPaths(before, await describePool(poolId)), []);
  });

  it('without --backup-file, writes the backup into the git-ignored backups/ folder and says where', async () => {
    const { poolId } = await newPool('default-backup');
    await attachPostAuthenticationTrigger(clients(), options(poolId, { backupFile: undefined }));
    const printed = lines
      .map((l) => /^Backup of the complete pool configuration: (.+)$/.exec(l)?.[1])
      .find(Boolean);
    assert.ok(printed, `the backup path is printed: ${lines.join(' | ')}`);
    try {
      assert.equal(dirname(printed), BACKUP_DIR);
      assert.equal(JSON.parse(readFileSync(printed, 'utf8')).UserPool.Id, poolId);
      assert.equal(statSync(printed).mode & 0o777, 0o600, 'readable by its owner only');
      const ignored = await new Promise<boolean>((resolve) =>
        execFile('git', ['check-ignore', '-q', printed], { cwd: PROJECT_ROOT }, (error) => resolve(!error)),
      );
      assert.ok(ignored, 'git ignores it, so it cannot be committed by mistake');
    } finally {
      rmSync(printed, { force: true });
    }
  });

  it('refuses to overwrite an existing backup file, changing nothing', async () => {
    const { poolId } = await newPool('backup-exists');
    const before = await describePool(poolId);
    const existing = join(scratch, 'existing-backup.json');
    writeFileSync(existing, 'keep me');
    await assert.rejects(
      attachPostAuthenticationTrigger(clients(), options(poolId, { backupFile: existing })),
      /cannot write the backup .*it already exists.*nothing changed/,
    );
    assert.equal(readFileSync(existing, 'utf8'), 'keep me');
    assert.deepEqual(differingPaths(before, await describePool(poolId)), []);
  });

  it('is idempotent: attaching the same function again changes nothing', async () => {
    const { poolId } = await newPool('twice');
    await attachPostAuthenticationTrigger(clients(), options(poolId));
    const once = await describePool(poolId);
    const again = options(poolId);
    assert.equal(await attachPostAuthenticationTrigger(clients(), again), 'unchanged');
    assert.equal(existsSync(again.backupFile as string), false);
    assert.deepEqual(differingPaths(once, await describePool(poolId)), []);
  });

  it('refuses to replace another PostAuthentication trigger unless --replace', async () => {
    const { poolId } = await newPool('replace');
    await attachPostAuthenticationTrigger(
      clients(),
      options(poolId, { functionArn: OTHER_FN, skipPermissionCheck: true }),
    );
    const before = await describePool(poolId);
    await assert.rejects(attachPostAuthenticationTrigger(clients(), options(poolId)), (error: Error) => {
      assert.ok(error instanceof CommandError);
      assert.match(error.message, /already has a different PostAuthentication trigger.*--replace/s);
      return true;
    });
    assert.deepEqual(differingPaths(before, await describePool(poolId)), []);
    assert.equal(
      await attachPostAuthenticationTrigger(clients(), options(poolId, { replace: true })),
      'changed',
    );
    assert.equal((await describePool(poolId)).LambdaConfig?.PostAuthentication, stack.functionArn);
  });

  it('refuses, changing nothing, when the function may not be invoked by this pool', async () => {
    const { poolId } = await newPool('no-permission', false);
    const before = await describePool(poolId);
    await assert.rejects(
      attachPostAuthenticationTrigger(clients(), options(poolId)),
      /does not let cognito-idp\.amazonaws\.com invoke it .*every sign-in would fail.*--skip-permission-check/s,
    );
    assert.deepEqual(differingPaths(before, await describePool(poolId)), []);
    assert.equal(
      await attachPostAuthenticationTrigger(
        clients(),
        options(poolId, { skipPermissionCheck: true, dryRun: true }),
      ),
      'dry-run',
    );
  });

  it('refuses a missing pool, a malformed ARN and a function in another region', async () => {
    const { poolId } = await newPool('refusals');
    await assert.rejects(
      attachPostAuthenticationTrigger(clients(), options('local_DoesNotExist')),
      /user pool local_DoesNotExist does not exist/,
    );
    await assert.rejects(
      attachPostAuthenticationTrigger(clients(), options(poolId, { functionArn: 'login-history' })),
      /is not a Lambda function ARN/,
    );
    await assert.rejects(
      attachPostAuthenticationTrigger(
        clients(),
        options(poolId, { functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:login-history' }),
      ),
      /function is in eu-west-1 but the pool is in local/,
    );
  });

  describe('command line', () => {
    // Asynchronous on purpose: the emulators run in this process and must keep answering.
    const cli = (command: string, args: string[]) =>
      new Promise<{ status: number | null; out: string; err: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', entryOf(command), ...args],
          { cwd: PROJECT_ROOT, env: { ...process.env, ...stack.clientEnv, NODE_NO_WARNINGS: '1' } },
          (error, out, err) =>
            resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err }),
        );
      });

    it('exit 2 for a usage error, pointing to --help', async () => {
      const r = await cli('attach', ['--user-pool-id', 'local_x']);
      assert.equal(r.status, 2);
      assert.match(r.err, /give exactly one of --function-arn, --stack-name/);
      assert.match(r.err, /Run "npm run attach -- --help" for the usage\./);
    });

    it('exit 1 with what to do next when refused; exit 0 when done, then nothing to do', async () => {
      const { poolId } = await newPool('cli');
      const refused = await cli('attach', ['--user-pool-id', poolId, '--function-arn', 'nope']);
      assert.equal(refused.status, 1);
      assert.match(refused.err, /is not a Lambda function ARN.*--stack-name/);

      const backup = join(scratch, 'cli-backup.json');
      const done = await cli('attach', [
        '--user-pool-id',
        poolId,
        '--function-arn',
        stack.functionArn,
        '--backup-file',
        backup,
      ]);
      assert.equal(done.status, 0, done.err);
      assert.match(
        done.out,
        /Verified: DescribeUserPool differs from the backup only in LambdaConfig\.PostAuthentication/,
      );
      assert.ok(existsSync(backup));

      const again = await cli('detach', ['--user-pool-id', poolId, '--dry-run']);
      assert.equal(again.status, 0);
      assert.match(
        again.out,
        new RegExp(`LambdaConfig.PostAuthentication: ${stack.functionArn} → \\(none\\)`),
      );
    });
  });
});
