/**
 * The local stack kept running in the background (`npm run local-stack -- start|stop`), so a user can try
 * every command against it. One detached process (`serve`) holds dynalite (data on disk), cognito-local
 * (data on disk), the local Lambda endpoint running the freshly built function, and the demo's pool with the
 * trigger attached by the same code as `npm run attach`. `start` waits for it, records its pid and the
 * `export` lines in the state file, and prints those lines; `stop` ends it by that pid.
 *
 * Everything lives under one home folder (.local-stack/, git-ignored; LOGIN_HISTORY_LOCAL_STACK_DIR moves it,
 * which the tests use): local-stack.json (pid and exports while running), local-stack.log (the background
 * process's output, the function's log lines among it) and data/ (kept across stop and start).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CommandError } from '../../scripts/core/cli.ts';
import {
  attachPostAuthenticationTrigger,
  createClients,
} from '../../scripts/user-pool/trigger-attachment.ts';
import { entryOf } from '../build/commands.ts';
import { PROJECT_ROOT } from '../build/template.ts';
import { activeUsers, createDemoPool, type DemoPool } from './demo-pool.ts';
import { LOCAL_SDK_REGION } from './local-clients.ts';
import { type LocalStack, startLocalStack, useLocalStack } from './local-stack.ts';
import { signIn } from './user-pool-fixtures.ts';

export const STACK_HOME = resolve(
  process.env.LOGIN_HISTORY_LOCAL_STACK_DIR ?? join(PROJECT_ROOT, '.local-stack'),
);
const STATE_FILE = join(STACK_HOME, 'local-stack.json');
export const LOG_FILE = join(STACK_HOME, 'local-stack.log');
export const DATA_DIR = join(STACK_HOME, 'data');
/** The pool `start` created first, read back on every later start so its data is never mixed with another's. */
const POOL_FILE = join(DATA_DIR, 'demo-pool.json');
/** Building the function and starting three engines takes a few seconds; far more means something hangs. */
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;
/** What identifies our background process in /proc/<pid>/cmdline, so a reused pid is never signalled. */
const SERVE_MARKER = entryOf('local-stack');

const STOP_HINT = 'Stop it with: npm run local-stack -- stop';

interface State {
  pid: number;
  /** Absent while the background process is still starting. */
  exports?: Record<string, string>;
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

/** `export NAME=value` lines a POSIX shell can eval; values are quoted when they hold anything unusual. */
export function exportLines(exports: Record<string, string>): string {
  const quote = (value: string) =>
    /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
  return Object.entries(exports)
    .map(([name, value]) => `export ${name}=${quote(value)}\n`)
    .join('');
}

/** Is `pid` our background process? Where /proc exists, a reused pid or a zombie does not count. */
function isOurs(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(SERVE_MARKER);
  } catch {
    return false;
  }
}

/** The running stack's state; the state of one whose process is gone is removed (and said so). */
function running(): State | undefined {
  if (!existsSync(STATE_FILE)) return undefined;
  let state: State;
  try {
    state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as State;
  } catch {
    rmSync(STATE_FILE, { force: true });
    return undefined;
  }
  if (isOurs(state.pid)) return state;
  progress(`The local stack recorded as pid ${state.pid} is no longer running; cleaned up its state.`);
  rmSync(STATE_FILE, { force: true });
  return undefined;
}

/** The SDK ignores the exported keys while a profile is named; an exported empty AWS_PROFILE breaks the AWS CLI. */
function warnOfProfile(): void {
  const profile = process.env.AWS_PROFILE;
  if (!profile) return;
  progress(
    `Note: this shell sets AWS_PROFILE=${profile}, and the SDK then uses that profile instead of the local keys ` +
      '(an expired SSO session fails every command). Run: unset AWS_PROFILE',
  );
}

export async function startKeptStack(): Promise<number> {
  warnOfProfile();
  const current = running();
  if (current && !current.exports) {
    throw new CommandError(
      `another start of the local stack is under way (pid ${current.pid}); run start again once it is up`,
    );
  }
  if (current?.exports) {
    progress(`The local stack is already running (pid ${current.pid}); its variables again:`);
    process.stdout.write(exportLines(current.exports));
    progress(STOP_HINT);
    return 0;
  }
  mkdirSync(STACK_HOME, { recursive: true });
  const log = openSync(LOG_FILE, 'a');
  // Detached (its own session and process group) with no pipe to this process, so `$(… start)` returns
  // as soon as this process exits; progress comes over the IPC channel, which is closed once it is up.
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, SERVE_MARKER), 'serve'], {
    detached: true,
    stdio: ['ignore', log, log, 'ipc'],
    cwd: PROJECT_ROOT,
    env: { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
  });
  // Recorded at once, so a second start waits its turn and `stop` can end a start that hangs.
  const writeState = (state: State) => writeFileSync(STATE_FILE, `${JSON.stringify(state)}\n`);
  writeState({ pid: child.pid as number });
  const exports = await new Promise<Record<string, string>>((done, reject) => {
    const timer = setTimeout(() => {
      // The whole detached group: the function environments it forked go too.
      process.kill(-(child.pid as number), 'SIGKILL');
      reject(
        new CommandError(
          `the local stack did not start within ${START_TIMEOUT_MS / 1000} s; see ${LOG_FILE}`,
        ),
      );
    }, START_TIMEOUT_MS);
    child.on('message', (message: { progress?: string; exports?: Record<string, string> }) => {
      if (message.progress) progress(message.progress);
      if (message.exports) {
        clearTimeout(timer);
        done(message.exports);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rmSync(STATE_FILE, { force: true });
      const tail = readFileSync(LOG_FILE, 'utf8').trim().split('\n').slice(-5).join('\n  ');
      reject(
        new CommandError(`the local stack did not start (exit ${code}):\n  ${tail}\nFull log: ${LOG_FILE}`),
      );
    });
  });
  child.removeAllListeners('exit');
  child.disconnect();
  child.unref();
  writeState({ pid: child.pid as number, exports });
  process.stdout.write(exportLines(exports));
  progress(`Local stack running in the background (pid ${child.pid}); data in ${DATA_DIR}, log ${LOG_FILE}.`);
  progress(STOP_HINT);
  return 0;
}

export async function stopKeptStack(): Promise<number> {
  const current = running();
  if (!current) {
    progress('The local stack is not running.');
    return 0;
  }
  process.kill(current.pid, 'SIGTERM'); // it closes its servers and its function environments
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline && isOurs(current.pid)) await new Promise((r) => setTimeout(r, 100));
  if (isOurs(current.pid)) {
    progress(`pid ${current.pid} did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing its process group`);
    process.kill(-current.pid, 'SIGKILL');
  }
  rmSync(STATE_FILE, { force: true });
  progress(`Stopped the local stack (pid ${current.pid}). Its data stays in ${DATA_DIR} for the next start`);
  progress(
    `(delete that folder to start afresh). This shell still has its variables: unset ${Object.keys(current.exports ?? {}).join(' ')}`,
  );
  return 0;
}

/** The pool kept in data/, checked against cognito-local's data; or a new one, saved for the next start. */
async function keptDemoPool(cognito: CognitoIdentityProviderClient): Promise<DemoPool> {
  if (existsSync(POOL_FILE)) {
    const pool = JSON.parse(readFileSync(POOL_FILE, 'utf8')) as DemoPool;
    try {
      await cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.poolId }));
    } catch (error) {
      throw new Error(
        `${POOL_FILE} names pool ${pool.poolId}, which the kept Cognito data does not hold ` +
          `(${(error as Error).name}); delete ${DATA_DIR} to start afresh`,
      );
    }
    return pool;
  }
  const pool = await createDemoPool(cognito, 'demo-users');
  // The demo users' passwords and TOTP secret: local-only credentials, readable by this user only.
  writeFileSync(POOL_FILE, `${JSON.stringify(pool, null, 2)}\n`, { mode: 0o600 });
  return pool;
}

/** What a shell needs to run every command against this stack. */
function exportsOf(stack: LocalStack, pool: DemoPool): Record<string, string> {
  return {
    ...stack.clientEnv,
    USER_POOL_ID: pool.poolId,
    TABLE_NAME: stack.tableName,
    FUNCTION_ARN: stack.functionArn,
  };
}

/** The background process: the stack, the pool, the trigger, one sign-in each; then serves until SIGTERM. */
export async function serveKeptStack(): Promise<void> {
  const tell = (line: string) => {
    console.log(`${new Date().toISOString()} ${line}`);
    process.send?.({ progress: line });
  };
  let stack: LocalStack | undefined;
  const shutdown = async (code: number) => {
    await stack?.stop();
    process.exit(code);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void shutdown(0));
  // `start` went away (Ctrl-C) before this was up: nobody has its pid, so it must not stay behind.
  let up = false;
  process.once('disconnect', () => {
    if (up) return;
    console.error('`start` went away before the stack was up (Ctrl-C?); stopping');
    void shutdown(1);
  });
  try {
    tell(
      `Starting the local stack (pid ${process.pid}): dynalite, the function built like sam build, cognito-local`,
    );
    // DEBUG: the function's one line per recorded sign-in goes to the log, as with ApplicationLogLevel DEBUG.
    stack = await startLocalStack({ dataDir: DATA_DIR, echoLogs: true, functionLogLevel: 'DEBUG' });
    useLocalStack(stack);
    const cognito = new CognitoIdentityProviderClient({});
    const kept = existsSync(POOL_FILE);
    const pool = await keptDemoPool(cognito);
    tell(`${kept ? 'Kept' : 'Created'} pool ${pool.poolId} with the demo's four users`);
    stack.grantInvoke(pool.poolArn); // what `sam deploy` with CognitoUserPoolArn=<pool ARN> creates
    mkdirSync(join(DATA_DIR, 'backups'), { recursive: true });
    await attachPostAuthenticationTrigger(createClients(LOCAL_SDK_REGION), {
      userPoolId: pool.poolId,
      region: LOCAL_SDK_REGION,
      functionArn: stack.functionArn,
      dryRun: false,
      replace: false,
      skipPermissionCheck: false,
      backupFile: join(DATA_DIR, 'backups', `user-pool-${pool.poolId}-${Date.now()}.backup.json`),
      out: (line) => console.log(line),
    });
    for (const user of activeUsers(pool)) await signIn(cognito, pool.clientId, user);
    cognito.destroy();
    tell(
      `Trigger attached; ${activeUsers(pool)
        .map((u) => u.username)
        .join(', ')} signed in once each`,
    );
    up = true;
    process.send?.({ exports: exportsOf(stack, pool) });
  } catch (error) {
    console.error(`the local stack failed to start: ${(error as Error).stack ?? error}`);
    await shutdown(1);
  }
}
