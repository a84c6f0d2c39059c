/**
 * The SDK's own errors reach users as what to do, not as `Error: Region is missing` or Node's
 * `connect ECONNREFUSED …`. The commands run as a user runs them, with no AWS configuration at all; the only
 * endpoints they could reach are loopback ports the test reserved and closed again, and the EC2 metadata lookup
 * is off (no address off the machine is ever contacted).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { entryOf } from '../../../../dev/build/commands.ts';
import { PROJECT_ROOT } from '../../../../dev/build/template.ts';
import { explainAwsError } from '../../../../scripts/core/cli.ts';
import { closedPorts } from '../../../helpers/closed-port.ts';

/** Where nothing listens: DynamoDB's endpoint for every run, CloudFormation's for the stack's. */
let dynamodb = '';
let cloudformation = '';

function history(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  return spawnSync(process.execPath, ['--import', 'tsx', entryOf('history'), ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: {
      ...clean,
      AWS_CONFIG_FILE: join(PROJECT_ROOT, 'does-not-exist', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(PROJECT_ROOT, 'does-not-exist', 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb,
      ...env,
    },
  });
}

describe('SDK errors are translated into what to do', () => {
  before(async () => {
    const [one, two] = await closedPorts(2);
    dynamodb = `http://127.0.0.1:${one}`;
    cloudformation = `http://127.0.0.1:${two}`;
  });

  it('no region: says to pass --region or set AWS_REGION', () => {
    const r = history(['--sub', 'x', '--table-name', 'login-history'], {});
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr.trim(),
      'error: no AWS region: pass --region, or set AWS_REGION (or a region in your AWS profile)',
    );
  });

  it('no credentials: says how to sign in', () => {
    const r = history(['--sub', 'x', '--table-name', 'login-history', '--region', 'us-east-1'], {});
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error: no AWS credentials found: sign in \(aws sso login, or aws configure\)/);
  });

  it('nothing listening: says which endpoint could not be reached', () => {
    const r = history(['--sub', 'x', '--table-name', 'login-history', '--region', 'us-east-1'], {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr.trim(),
      `error: cannot reach the AWS endpoint ${dynamodb} (AWS_ENDPOINT_URL_DYNAMODB): nothing accepts connections there; a network or endpoint problem, not a wrong name: check the network, --region and any AWS_ENDPOINT_URL_* variable`,
    );
  });

  it('a stack that cannot be reached is a network problem, not a wrong --stack-name', () => {
    // CloudFormation, where the stack is read, does not answer: the line names it, not the stack.
    const r = history(
      ['--date', '2026-11-01', '--stack-name', 'cognito-login-history', '--region', 'us-east-1'],
      {
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_CLOUDFORMATION: cloudformation,
        AWS_MAX_ATTEMPTS: '1',
      },
    );
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `^error: cannot reach the AWS endpoint ${cloudformation} \\(AWS_ENDPOINT_URL_CLOUDFORMATION\\): nothing accepts connections there; a network or endpoint problem, not a wrong name`,
      ),
    );
    assert.doesNotMatch(r.stderr, /--stack-name/);
  });

  it('leaves errors it does not know to the command', () => {
    assert.equal(
      explainAwsError(Object.assign(new Error('boom'), { name: 'ValidationException' })),
      undefined,
    );
    assert.match(
      explainAwsError(Object.assign(new Error('expired'), { name: 'ExpiredTokenException' })) ?? '',
      /expired: sign in again/,
    );
  });
});
