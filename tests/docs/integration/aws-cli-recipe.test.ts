/**
 * The attach recipe in docs/aws-cli-recipes.md, for people who use only the AWS CLI (v2 from Debian,
 * /usr/bin/aws) and jq, run verbatim against cognito-local, so the documentation cannot rot. `npm test` installs
 * the tools where missing (as root); elsewhere the test skips quoting why (REQUIRE_TOOLCHAIN=1 turns a skip into a failure).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { AWS_CLI_PROBLEM_ENV, AWS_CLI_RECIPE_TOOLS, missingTools } from '../../../dev/build/debian-tools.ts';
import { type LocalStack, startLocalStack } from '../../../dev/local-stack/local-stack.ts';
import { createPoolWithClient, realisticPoolInput } from '../../../dev/local-stack/user-pool-fixtures.ts';
import { CARRIED_FIELDS, unexpectedChanges } from '../../../scripts/user-pool/user-pool-config.ts';
import { readmeBlock } from '../../helpers/readme.ts';
import { skipBecause } from '../../helpers/skip.ts';

const AWS_CLI = '/usr/bin/aws';

/** Skips quoting why `npm test` could not install the tools (or how to get them), when any is missing. */
function toolsMissing(t: TestContext): boolean {
  if (!existsSync('/bin/bash')) return skipBecause(t, 'bash is not installed');
  const missing = missingTools(AWS_CLI_RECIPE_TOOLS);
  if (missing.length === 0) return false;
  const packages = missing.map((tool) => tool.debianPackage).join(' ');
  return skipBecause(
    t,
    process.env[AWS_CLI_PROBLEM_ENV] ??
      `${missing.map((tool) => tool.path).join(', ')} not installed (Debian: apt-get install ${packages})`,
  );
}

describe('docs/aws-cli-recipes.md: attach with the AWS CLI alone', () => {
  let stack: LocalStack;
  let scratch: string;

  before(async () => {
    stack = await startLocalStack();
    scratch = mkdtempSync(join(tmpdir(), 'aws-cli-recipe-'));
  });
  after(async () => {
    await stack?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('carries exactly the fields the attach command carries', () => {
    const list = /IN\(([^)]*)\)/.exec(readmeBlock('aws-cli-recipe'))?.[1] ?? '';
    const fields = [...list.matchAll(/"([A-Za-z]+)"/g)].map((m) => m[1]);
    assert.deepEqual(fields, [...CARRIED_FIELDS]);
  });

  it('changes only LambdaConfig.PostAuthentication on a pool with many settings', async (t) => {
    if (toolsMissing(t)) return;
    const cognito = new CognitoIdentityProviderClient({
      endpoint: stack.cognitoEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const pool = await createPoolWithClient(cognito, {
      ...realisticPoolInput('cli-recipe'),
      LambdaConfig: { PreSignUp: 'arn:aws:lambda:local:000000000000:function:pre-sign-up' },
    });
    const describe = async () =>
      (await cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.poolId }))).UserPool as UserPoolType;
    const before = await describe();

    // AWS CLI 2.9 (Debian's) predates AWS_ENDPOINT_URL_*; a wrapper adds --endpoint-url instead.
    const bin = join(scratch, 'bin');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'aws'),
      `#!/bin/sh\nexec ${AWS_CLI} --endpoint-url "${stack.cognitoEndpoint}" --region us-east-1 "$@"\n`,
    );
    chmodSync(join(bin, 'aws'), 0o755);

    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        '/bin/bash',
        ['-euo', 'pipefail', '-c', readmeBlock('aws-cli-recipe')],
        {
          cwd: scratch,
          env: {
            PATH: `${bin}:/usr/bin:/bin`,
            HOME: scratch,
            AWS_ACCESS_KEY_ID: 'local',
            AWS_SECRET_ACCESS_KEY: 'local',
            AWS_PAGER: '',
            USER_POOL_ID: pool.poolId,
            FUNCTION_ARN: stack.functionArn,
          },
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
    cognito.destroy();
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /OK: only LambdaConfig\.PostAuthentication changed/);
    const afterPool = await new CognitoIdentityProviderClient({
      endpoint: stack.cognitoEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }).send(new DescribeUserPoolCommand({ UserPoolId: pool.poolId }));
    assert.equal(afterPool.UserPool?.LambdaConfig?.PostAuthentication, stack.functionArn);
    assert.deepEqual(
      unexpectedChanges(before, afterPool.UserPool as UserPoolType, ['LambdaConfig.PostAuthentication']),
      [],
    );
    assert.ok(existsSync(join(scratch, 'pool-before.json')), 'the recipe keeps a backup');
  });
});
