/**
 * `npm run local-stack -- start|seal|stop`: README's local-stack block run verbatim with bash, as a user types
 * it (the day's sign-ins, the failed attempts, the audit pack with its integrity section written outside the
 * checkout and verified, an erase dry run, a seal and verify-trail passing, then nothing left running: no
 * process, no port), and the stack's life across starts (a second start reprints the same exports; a stack
 * killed with -9 is cleaned up and loses no record; the kept pool, records and table settings are read back,
 * never mixed with a new pool).
 *
 * Each test gets its own stack home (LOGIN_HISTORY_LOCAL_STACK_DIR), so a developer's own kept stack is
 * never touched, and stops it in `after`, also when an assertion failed.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { entryOf } from '../../../../dev/build/commands.ts';
import { PROJECT_ROOT } from '../../../../dev/build/template.ts';
import { localClientConfig } from '../../../../dev/local-stack/local-clients.ts';
import {
  canRunKeptStack,
  cleanUp,
  listening,
  localStack,
  NO_PROC,
  parseExports,
  processesMentioning,
  run,
  userEnv,
} from '../../../helpers/kept-stack.ts';
import { readmeBlock } from '../../../helpers/readme.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const canRun = canRunKeptStack;

describe('README: a local stack you can keep, verbatim', () => {
  const home = mkdtempSync(join(tmpdir(), 'kept-stack-readme-'));
  after(() => cleanUp(home));

  it('shows sign-ins, failed attempts, a verified pack, an erase dry run and an intact trail, then leaves nothing running', async (t) => {
    if (!canRun()) return void skipBecause(t, NO_PROC);
    // xtrace shows each exported variable as the eval runs it (the endpoints to check after stop) and the
    // pack's folder; mktemp makes that folder under the test's home (TMPDIR), removed with it.
    const result = await run(
      '/bin/bash',
      ['-euo', 'pipefail', '-c', `set -x\n${readmeBlock('local-stack')}`],
      {
        ...userEnv(home),
        TMPDIR: home,
      },
    );
    const transcript = `${result.stdout}\n${result.stderr}`;
    assert.equal(result.code, 0, transcript);

    // stdout: npm's two-line banner ("> cognito-login-history@… history", "> node scripts/run.mjs …") before
    // each command's output.
    const [, byDate, failed, pack, verified, erase, sealed, trail] = result.stdout.split(
      /^> cognito-login-history@.*\n> .*$/m,
    );
    const rows = (text = '') => text.split('\n').filter((line) => /^\d{4}-\d\d-\d\dT/.test(line));
    const dayRows = rows(byDate);
    assert.equal(dayRows.length, 3, byDate);
    for (const name of ['admin@example.com', 'kiosk-07', 'demo-with-mfa@example.com']) {
      assert.equal(dayRows.filter((row) => row.includes(` ${name} `)).length, 1, `${name} once:\n${byDate}`);
    }
    // The start's wrong password and wrong MFA code, from the CloudTrail recorder's events.
    assert.match(failed ?? '', /^2 failed attempts\./m);
    assert.match(failed ?? '', /^127\.0\.0\.1 +2 +2 /m);

    const folder = /^\++ pack=(\S+)$/m.exec(result.stderr)?.[1] ?? '';
    assert.ok(folder.startsWith(`${home}/`), `the pack is written outside the checkout: ${folder}`);
    assert.match(pack ?? '', /3 sign-ins by 3 users over 1 day; \d+ authentication events \(2 failed\)/);
    assert.match(pack ?? '', /integrity: 2 intervals sealed, 2 verified; 0 altered.*intact/);
    const summary = JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8'));
    // What the template declares, as the engine reports it (dynalite reported TTL disabled on every table).
    assert.deepEqual(
      {
        retention: summary.protection.retention.status,
        recovery: summary.protection.pointInTimeRecovery.status,
        deletion: summary.protection.deletionProtection.status,
        policy: summary.protection.appendOnlyPolicy.status,
        trail: summary.protection.authEventTrail.status,
      },
      { retention: 'enabled', recovery: 'enabled', deletion: 'enabled', policy: 'enabled', trail: 'logging' },
    );
    assert.match(verified ?? '', /: intact \(every file matches manifest\.json\)/);

    assert.match(erase ?? '', /^ {2}sign-ins +1 .*\(login-history-local\)$/m);
    assert.match(erase ?? '', /^ {2}auth events +\d+ .*\(auth-events-local\)$/m);
    assert.match(erase ?? '', /^Dry run: nothing was deleted\.$/m);
    assert.match(sealed ?? '', /^Sealed up to \d{4}-.*Z:$/m);
    assert.match(
      trail ?? '',
      /^sign-ins \(login-history-local\): \d+ intervals? sealed, \d+ verified, 3 items;/m,
    );
    assert.match(trail ?? '', /^auth-events \(auth-events-local\): .* verified/m);
    assert.match(trail ?? '', /^Trail intact: every difference is explained\.$/m);
    assert.match(result.stderr, /Stop it with: npm run local-stack -- stop/);

    // After stop: the state is gone, no process of this stack is left, and no port answers.
    assert.equal(existsSync(join(home, 'local-stack.json')), false);
    assert.deepEqual(processesMentioning(home), [], 'processes of the stack left running');
    const endpoints = new Set(
      [...result.stderr.matchAll(/^\++ export AWS_ENDPOINT_URL\w*=(\S+)$/gm)].map((m) => m[1] as string),
    );
    assert.equal(endpoints.size, 3, `moto, the CloudTrail recorder, the Lambda endpoint:\n${result.stderr}`);
    for (const endpoint of endpoints)
      assert.equal(await listening(endpoint), false, `${endpoint} still answers`);
  });

  it('README.ja.md shows the same block', () => {
    const japanese = readFileSync(join(PROJECT_ROOT, 'README.ja.md'), 'utf8');
    assert.ok(japanese.includes(`\`\`\`bash\n${readmeBlock('local-stack')}\`\`\``));
  });
});

describe('npm run local-stack across starts', () => {
  const home = mkdtempSync(join(tmpdir(), 'kept-stack-life-'));
  after(() => cleanUp(home));

  it('reprints the exports while running, cleans up after a dead process, and reads the kept pool back', async (t) => {
    if (!canRun()) return void skipBecause(t, NO_PROC);
    // A profile named in the shell: the stack's own process drops it (its attach step would fail otherwise),
    // and start says how to drop it from the shell.
    const first = await localStack(home, 'start', { AWS_PROFILE: 'no-such-profile' });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /AWS_PROFILE=no-such-profile.*Run: unset AWS_PROFILE/);
    // stdout holds export lines only, so `eval "$(…)"` runs nothing else.
    assert.match(first.stdout, /^(export [A-Z0-9_]+=\S+\n)+$/);
    const exports = parseExports(first.stdout);
    for (const name of [
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_ENDPOINT_URL',
      'AWS_ENDPOINT_URL_DYNAMODB',
      'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
      'AWS_ENDPOINT_URL_LAMBDA',
      'AWS_ENDPOINT_URL_S3',
      'AWS_ENDPOINT_URL_KMS',
      'AWS_ENDPOINT_URL_STS',
      'AWS_ENDPOINT_URL_SECRETS_MANAGER',
      'USER_POOL_ID',
      'TABLE_NAME',
      'AUTH_EVENTS_TABLE_NAME',
      'FUNCTION_ARN',
      'SALT_SECRET',
      'DIGEST_BUCKET',
    ]) {
      assert.ok(exports[name], `${name} exported`);
    }
    // Every endpoint is on loopback, and every variable is documented: in docs/local-stack.md, and in the
    // usage (which sums up AWS_* as region, local credentials and AWS_ENDPOINT_URL_*).
    const docs = readFileSync(join(PROJECT_ROOT, 'docs', 'local-stack.md'), 'utf8');
    const usage = (await localStack(home, '--help')).stdout;
    for (const [name, value] of Object.entries(exports)) {
      if (/^https?:/.test(value)) assert.match(value, /^http:\/\/127\.0\.0\.1:\d+$/, name);
      assert.ok(docs.includes(`\`${name}\``), `docs/local-stack.md names ${name}`);
      if (!name.startsWith('AWS_'))
        assert.match(usage, new RegExp(`\\b${name}\\b`), `the usage names ${name}`);
    }
    const salt = async (env: Record<string, string>) => {
      const secrets = new SecretsManagerClient(
        localClientConfig(env.AWS_ENDPOINT_URL_SECRETS_MANAGER as string),
      );
      try {
        return (await secrets.send(new GetSecretValueCommand({ SecretId: env.SALT_SECRET }))).SecretString;
      } finally {
        secrets.destroy();
      }
    };
    const firstSalt = await salt(exports);
    assert.match(firstSalt ?? '', /^[A-Za-z0-9]{64}$/, 'a salt as the template generates it');

    const again = await localStack(home, 'start');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, first.stdout, 'the same exports');
    assert.match(again.stderr, /already running/);

    // The background process dies without stop (kill -9, a reboot): its function environments go with it.
    const { pid } = JSON.parse(readFileSync(join(home, 'local-stack.json'), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (processesMentioning(home).length > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(processesMentioning(home), [], 'nothing of the killed stack is left');

    const third = await localStack(home, 'start');
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stderr, new RegExp(`recorded as pid ${pid} is no longer running; cleaned up`));
    assert.match(third.stderr, /Kept pool/);
    const kept = parseExports(third.stdout);
    assert.equal(kept.USER_POOL_ID, exports.USER_POOL_ID, 'the same pool');
    assert.equal(await salt(kept), firstSalt, 'the same erasure salt: earlier erasure records stay linkable');
    // The tables' settings came back with the replay: the start found nothing to put in place.
    const tableLines = readFileSync(join(home, 'local-stack.log'), 'utf8')
      .split('\n')
      .filter((line) => / table (login-history|auth-events)-local /.test(line))
      .map((line) => line.replace(/^\S+ /, ''));
    assert.deepEqual(tableLines.slice(-2), [
      'table login-history-local kept',
      'table auth-events-local kept',
    ]);
    assert.match(
      tableLines[0] ?? '',
      /created; set point-in-time recovery: set to on, 35 days; TTL: enabled on expiresAt; resource policy/,
    );

    // Read back, not mixed: the same four users, and admin's sign-ins of both starts.
    const history = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', entryOf('history'), ...args], {
        ...userEnv(home),
        ...kept,
      });
    const admin = await history(
      '--username',
      'admin@example.com',
      '--user-pool-id',
      kept.USER_POOL_ID as string,
      '--table-name',
      kept.TABLE_NAME as string,
    );
    assert.equal(admin.code, 0, admin.stderr);
    assert.equal(
      admin.stdout.split('\n').filter((line) => /^\d{4}-\d\d-\d\dT.* admin@example\.com /.test(line)).length,
      2,
      admin.stdout,
    );
    const dormant = await history(
      '--inactive-since',
      '90d',
      '--user-pool-id',
      kept.USER_POOL_ID as string,
      '--table-name',
      kept.TABLE_NAME as string,
    );
    assert.match(dormant.stdout, /^1 of 4 users of /m);

    const stop = await localStack(home, 'stop');
    assert.equal(stop.code, 0, stop.stderr);
    assert.deepEqual(processesMentioning(home), []);
    for (const name of [
      'AWS_ENDPOINT_URL',
      'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
      'AWS_ENDPOINT_URL_LAMBDA',
    ]) {
      assert.equal(await listening(kept[name] as string), false, `${name} still answers`);
    }
    const stopAgain = await localStack(home, 'stop');
    assert.equal(stopAgain.code, 0);
    assert.match(stopAgain.stderr, /not running/);
  });

  it('--help prints the usage on stdout and starts nothing; seal without a stack says so; a wrong command is a usage error', async () => {
    const help = await localStack(home, '--help');
    assert.equal(help.code, 0);
    assert.match(
      help.stdout,
      /^usage: npm run local-stack -- start .*eval "\$\(npm run --silent local-stack -- start\)"/,
    );
    assert.equal(existsSync(join(home, 'local-stack.json')), false);
    const seal = await localStack(home, 'seal');
    assert.equal(seal.code, 1);
    assert.match(seal.stderr, /the local stack is not running; start it with: eval/);
    const wrong = await localStack(home, 'restart');
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /unknown command "restart"/);
    assert.equal(wrong.stdout, '');
  });
});
