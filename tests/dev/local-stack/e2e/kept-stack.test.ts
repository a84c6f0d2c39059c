/**
 * `npm run local-stack -- start|stop`: README's local-stack block run verbatim with bash, as a user types it
 * (the recorded sign-ins, the dormant user, the CSV export, then nothing left running: no process, no port),
 * and the stack's life across starts (a second start reprints the same exports; a stack whose process died
 * is cleaned up; the kept pool and its sign-ins are read back, never mixed with a new pool).
 *
 * Each test gets its own stack home (LOGIN_HISTORY_LOCAL_STACK_DIR), so a developer's own kept stack is
 * never touched, and stops it in `after`, also when an assertion failed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { entryOf } from '../../../../dev/build/commands.ts';
import { PROJECT_ROOT } from '../../../../dev/build/template.ts';
import { readmeBlock } from '../../../helpers/readme.ts';
import { skipBecause } from '../../../helpers/skip.ts';

type Run = { code: number; stdout: string; stderr: string };

/** A user's shell: this machine's environment minus any AWS setting, no AWS profile, our stack home. */
function userEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(AWS_|LOGIN_HISTORY_)/.test(name)),
    ),
    PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    LOGIN_HISTORY_LOCAL_STACK_DIR: home,
  };
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: PROJECT_ROOT, env, maxBuffer: 16 * 1024 * 1024, timeout: 300_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The command itself (what `npm run local-stack --` runs), for the steps around the README block. */
const localStack = (home: string, command: string, env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['--import', 'tsx', entryOf('local-stack'), command], {
    ...userEnv(home),
    ...env,
  });

/** Processes that mention `text` in their command line or environment (Linux /proc; our own only). */
function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    for (const file of ['cmdline', 'environ']) {
      try {
        if (readFileSync(`/proc/${entry}/${file}`, 'latin1').includes(text)) {
          found.push(Number(entry));
          break;
        }
      } catch {
        // gone meanwhile, or not ours to read
      }
    }
  }
  return found;
}

/** Does anything accept connections at this URL's port? */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function parseExports(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/^export ([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]),
  );
}

/** Stops the stack of `home` with its own command, then ends whatever of it is still left (a failed test). */
async function cleanUp(home: string): Promise<void> {
  await localStack(home, 'stop');
  for (const pid of processesMentioning(home)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(home, { recursive: true, force: true });
}

const canRun = () => existsSync('/bin/bash') && existsSync('/proc/self/environ');
const NO_PROC = 'needs bash and Linux /proc (to prove no process is left)';

describe('README: a local stack you can keep, verbatim', () => {
  const home = mkdtempSync(join(tmpdir(), 'kept-stack-readme-'));
  after(() => cleanUp(home));

  it('shows the recorded sign-ins, the dormant user and a CSV of the sign-ins, then leaves nothing running', async (t) => {
    if (!canRun()) return void skipBecause(t, NO_PROC);
    // xtrace shows each exported variable as the eval runs it: the endpoints to check after stop.
    const result = await run(
      '/bin/bash',
      ['-euo', 'pipefail', '-c', `set -x\n${readmeBlock('local-stack')}`],
      userEnv(home),
    );
    const transcript = `${result.stdout}\n${result.stderr}`;
    assert.equal(result.code, 0, transcript);

    // stdout: npm's two-line banner ("> cognito-login-history@… history", "> node scripts/run.mjs …") before
    // each command's output.
    const [, byDate, byUser, dormant, csv] = result.stdout.split(/^> cognito-login-history@.*\n> .*$/m);
    const rows = (text = '') => text.split('\n').filter((line) => /^\d{4}-\d\d-\d\dT/.test(line));
    const dayRows = rows(byDate);
    assert.equal(dayRows.length, 3, byDate);
    for (const name of ['admin@example.com', 'kiosk-07', 'demo-with-mfa@example.com']) {
      assert.equal(dayRows.filter((row) => row.includes(` ${name} `)).length, 1, `${name} once:\n${byDate}`);
    }
    assert.equal(rows(byUser).length, 1, byUser);
    assert.match(rows(byUser)[0] as string, / admin@example\.com /);
    assert.match(dormant ?? '', /^1 of 4 users of local_\w+ has no recorded sign-in since/m);
    assert.match(dormant ?? '', /^never recorded\s+left-the-company@example\.com\s/m);
    const records = parse((csv ?? '').trim(), { columns: true }) as Record<string, string>[];
    assert.deepEqual(records.map((r) => r.userName).sort(), [
      'admin@example.com',
      'demo-with-mfa@example.com',
      'kiosk-07',
    ]);
    assert.ok(
      records.every((r) => /^local_\w+$/.test(r.userPoolId ?? '')),
      csv,
    );
    assert.match(result.stderr, /Stop it with: npm run local-stack -- stop/);

    // After stop: the state is gone, no process of this stack is left, and no port answers.
    assert.equal(existsSync(join(home, 'local-stack.json')), false);
    assert.deepEqual(processesMentioning(home), [], 'processes of the stack left running');
    const endpoints = [...result.stderr.matchAll(/^\++ export AWS_ENDPOINT_URL_\w+=(\S+)$/gm)].map(
      (m) => m[1] as string,
    );
    assert.equal(endpoints.length, 3, result.stderr);
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
    assert.match(first.stdout, /^(export [A-Z_]+=\S+\n)+$/);
    const exports = parseExports(first.stdout);
    for (const name of [
      'AWS_REGION',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_ENDPOINT_URL_DYNAMODB',
      'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
      'USER_POOL_ID',
      'TABLE_NAME',
      'FUNCTION_ARN',
    ]) {
      assert.ok(exports[name], `${name} exported`);
    }

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
      'AWS_ENDPOINT_URL_DYNAMODB',
      'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
      'AWS_ENDPOINT_URL_LAMBDA',
    ]) {
      assert.equal(await listening(kept[name] as string), false, `${name} still answers`);
    }
    const stopAgain = await localStack(home, 'stop');
    assert.equal(stopAgain.code, 0);
    assert.match(stopAgain.stderr, /not running/);
  });

  it('--help prints the usage on stdout and starts nothing; a wrong command is a usage error', async () => {
    const help = await localStack(home, '--help');
    assert.equal(help.code, 0);
    assert.match(
      help.stdout,
      /^usage: npm run local-stack -- start .*eval "\$\(npm run --silent local-stack -- start\)"/,
    );
    assert.equal(existsSync(join(home, 'local-stack.json')), false);
    const wrong = await localStack(home, 'restart');
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /unknown command "restart"/);
    assert.equal(wrong.stdout, '');
  });
});
