/**
 * The local stack kept running in the background (`npm run local-stack -- start|seal|stop`), so a user can try
 * every command against it. One detached process (`serve`) holds moto (DynamoDB with both tables as the
 * template declares them, Secrets Manager with the erasure salt, STS, S3 and KMS for the trail and the lake; its DynamoDB
 * and Secrets Manager state kept on disk through moto's recorder), cognito-local (data on disk), the local
 * Lambda endpoint running the freshly built functions, the CloudTrail recorder feeding the auth-events
 * function, the demo's pool with the trigger attached by the same code as `npm run attach`, and the parts
 * (kept-part.ts: the trail's digest bucket and signing key, kept-trail.ts; the lake bucket and the lake
 * function fed from the tables' streams, kept-lake.ts). `start` waits for it, records its pid, its
 * control endpoint and the `export` lines in the state file, and prints those lines; `seal` asks it to seal
 * up to now; `stop` ends it by that pid.
 *
 * Everything lives under one home folder (.local-stack/, git-ignored; LOGIN_HISTORY_LOCAL_STACK_DIR moves it,
 * which the tests use): local-stack.json (pid, control endpoint and exports while running), local-stack.log
 * (the background process's output, the functions' log lines among it) and data/ (kept across stop and start).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
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
import { loadTemplate, PROJECT_ROOT, parameterDefaults } from '../build/template.ts';
import { ensurePythonTools } from '../build/toolchain.ts';
import { activeUsers, createDemoPool, type DemoPool } from './demo-pool.ts';
import { startKeptLake } from './kept-lake.ts';
import type { KeptPart } from './kept-part.ts';
import {
  ensureSaltSecret,
  importDynaliteData,
  registerRecorderTrail,
  startKeptMoto,
} from './kept-records.ts';
import { startKeptTrail } from './kept-trail.ts';
import { LOCAL_CREDENTIALS_ENV, LOCAL_SDK_REGION, localDynamoDB } from './local-clients.ts';
import { type LocalStack, startLocalStack, useLocalStack } from './local-stack.ts';
import type { RunningMoto } from './moto.ts';
import { closeServer, loopbackUrl } from './servers.ts';
import { failedSignIn, signIn } from './user-pool-fixtures.ts';

export const STACK_HOME = resolve(
  process.env.LOGIN_HISTORY_LOCAL_STACK_DIR ?? join(PROJECT_ROOT, '.local-stack'),
);
const STATE_FILE = join(STACK_HOME, 'local-stack.json');
export const LOG_FILE = join(STACK_HOME, 'local-stack.log');
export const DATA_DIR = join(STACK_HOME, 'data');
/** The pool `start` created first, read back on every later start so its data is never mixed with another's. */
const POOL_FILE = join(DATA_DIR, 'demo-pool.json');
/** Building two functions, replaying the kept state and sealing take seconds; far more means something hangs. */
const START_TIMEOUT_MS = 120_000;
/** A seal waits for the writes in flight, then reads both tables; far more means something hangs. */
const SEAL_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;
/** What identifies our background process in /proc/<pid>/cmdline, so a reused pid is never signalled. */
const SERVE_MARKER = entryOf('local-stack');

const STOP_HINT = 'Stop it with: npm run local-stack -- stop';

interface State {
  pid: number;
  /** Absent while the background process is still starting. */
  exports?: Record<string, string>;
  /** The background process's control endpoint on loopback (POST /seal). */
  control?: string;
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

/**
 * Does any process of group `pgid` still run (Linux /proc; elsewhere only the leader is watched)? Zombies do
 * not count: they have ended, and only wait to be reaped by whoever inherited them. Linux never gives a new
 * process the id of a group that still has members, so these are ours.
 */
function groupRunning(pgid: number): boolean {
  if (!existsSync('/proc/self/stat')) return false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
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
  // moto holds the kept tables, the salt, the digests: installed on first use, as `npm test` does.
  const problem = await ensurePythonTools(progress, ['moto']);
  if (problem) throw new CommandError(`the local stack needs moto: ${problem}`);
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
  const { exports, control } = await new Promise<{ exports: Record<string, string>; control: string }>(
    (done, reject) => {
      const timer = setTimeout(() => {
        // The whole detached group: the function environments it forked go too.
        process.kill(-(child.pid as number), 'SIGKILL');
        reject(
          new CommandError(
            `the local stack did not start within ${START_TIMEOUT_MS / 1000} s; see ${LOG_FILE}`,
          ),
        );
      }, START_TIMEOUT_MS);
      child.on(
        'message',
        (message: { progress?: string; exports?: Record<string, string>; control?: string }) => {
          if (message.progress) progress(message.progress);
          if (message.exports && message.control) {
            clearTimeout(timer);
            done({ exports: message.exports, control: message.control });
          }
        },
      );
      child.once('exit', (code) => {
        clearTimeout(timer);
        rmSync(STATE_FILE, { force: true });
        const tail = readFileSync(LOG_FILE, 'utf8').trim().split('\n').slice(-5).join('\n  ');
        reject(
          new CommandError(`the local stack did not start (exit ${code}):\n  ${tail}\nFull log: ${LOG_FILE}`),
        );
      });
    },
  );
  child.removeAllListeners('exit');
  child.disconnect();
  child.unref();
  writeState({ pid: child.pid as number, exports, control });
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
  // Done when its whole process group has ended, not only itself: what it started (moto, the function
  // environments it killed, esbuild's service) can take a moment longer on a busy machine.
  const groupAlive = () => groupRunning(current.pid);
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline && (isOurs(current.pid) || groupAlive()))
    await new Promise((r) => setTimeout(r, 100));
  if (isOurs(current.pid) || groupAlive()) {
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

/** `seal`: asks the running stack to seal everything up to now, and prints what it sealed. */
export async function sealKeptStack(): Promise<number> {
  const current = running();
  if (!current?.control) {
    throw new CommandError(
      current
        ? `the local stack (pid ${current.pid}) is still starting; run seal once start has returned`
        : 'the local stack is not running; start it with: eval "$(npm run --silent local-stack -- start)"',
    );
  }
  let answer: { lines?: string[]; error?: string };
  try {
    const response = await fetch(`${current.control}/seal`, {
      method: 'POST',
      signal: AbortSignal.timeout(SEAL_TIMEOUT_MS),
    });
    answer = (await response.json()) as typeof answer;
  } catch (error) {
    throw new CommandError(
      `the local stack (pid ${current.pid}) did not answer at ${current.control} (${(error as Error).message}); see ${LOG_FILE}`,
    );
  }
  if (answer.error) throw new CommandError(`sealing failed: ${answer.error} (see ${LOG_FILE})`);
  for (const line of answer.lines ?? []) console.log(line);
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

/** What a shell needs to run every command against this stack: every endpoint on loopback. */
function exportsOf(
  stack: LocalStack,
  moto: RunningMoto,
  pool: DemoPool,
  saltSecret: string,
  parts: KeptPart[],
): Record<string, string> {
  return {
    ...LOCAL_CREDENTIALS_ENV,
    // The AWS CLI v1 reads only AWS_DEFAULT_REGION; the SDKs and the CLI v2 read AWS_REGION first.
    AWS_DEFAULT_REGION: LOCAL_CREDENTIALS_ENV.AWS_REGION,
    // Every service without an endpoint of its own below (CloudFormation, CloudTrail, CloudWatch Logs, SNS, …)
    // goes to moto too: nothing a command calls leaves loopback, even where the stack has no such thing.
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: moto.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: moto.endpoint,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: stack.cognitoEndpoint,
    AWS_ENDPOINT_URL_LAMBDA: stack.lambda.endpoint,
    AWS_ENDPOINT_URL_S3: moto.endpoint,
    AWS_ENDPOINT_URL_KMS: moto.endpoint,
    AWS_ENDPOINT_URL_STS: moto.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
    USER_POOL_ID: pool.poolId,
    TABLE_NAME: stack.tableName,
    AUTH_EVENTS_TABLE_NAME: stack.authEvents?.tableName ?? '',
    FUNCTION_ARN: stack.functionArn,
    SALT_SECRET: saltSecret,
    ...Object.assign({}, ...parts.map((part) => part.exports)),
    // The functions' log lines (what CloudWatch Logs holds on AWS): `npm run replay -- --file` reads it.
    LOCAL_STACK_LOG: LOG_FILE,
  };
}

/**
 * Where a seal asked for now ends: the start of the current second. CloudTrail's eventTime has whole seconds,
 * so an attempt made later in the same second as the seal is recorded at that second's start; sealing up to
 * the millisecond would put it inside the interval just sealed, and verify-trail would call it inserted. (On
 * AWS the sealer's grace period keeps far more than a second back.)
 */
export const sealMoment = (now: number) => Math.floor(now / 1000) * 1000;

/** One seal at a time: a seal asked for while one runs waits for it, then runs. */
function serialized(run: (until: number) => Promise<string[]>): () => Promise<string[]> {
  let last: Promise<unknown> = Promise.resolve();
  return () => {
    const next = last.then(
      () => run(sealMoment(Date.now())),
      () => run(sealMoment(Date.now())),
    );
    last = next.catch(() => undefined);
    return next;
  };
}

/** The background process's control endpoint on loopback: POST /seal seals up to the time of asking. */
async function startControl(seal: () => Promise<string[]>): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/seal') {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"POST /seal only"}');
      return;
    }
    seal().then(
      (lines) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ lines })),
      (error: Error) =>
        res
          .writeHead(500, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: error.message })),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/**
 * The background process: moto with the kept state, the stack, the pool, the trigger, one sign-in of each
 * active user and two failed attempts, the parts, a first seal; then serves (sealing every
 * SealIntervalMinutes) until SIGTERM.
 */
export async function serveKeptStack(): Promise<void> {
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  const tell = (line: string) => {
    log(line);
    process.send?.({ progress: line });
  };
  let moto: RunningMoto | undefined;
  let stack: LocalStack | undefined;
  const parts: KeptPart[] = [];
  let control: Server | undefined;
  let timer: NodeJS.Timeout | undefined;
  const shutdown = async (code: number) => {
    clearInterval(timer);
    if (control) await closeServer(control);
    for (const part of parts.splice(0).reverse()) await part.stop?.().catch(() => undefined);
    await stack?.stop();
    await moto?.stop();
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
      `Starting the local stack (pid ${process.pid}): moto with the kept tables, the functions built like sam build, cognito-local, the CloudTrail recorder`,
    );
    mkdirSync(DATA_DIR, { recursive: true });
    moto = await startKeptMoto(DATA_DIR, tell);
    const template = loadTemplate();
    // DEBUG: the function's one line per recorded sign-in goes to the log, as with ApplicationLogLevel DEBUG.
    stack = await startLocalStack({
      dataDir: DATA_DIR,
      echoLogs: true,
      functionLogLevel: 'DEBUG',
      authEvents: true,
      dynamoEndpoint: moto.endpoint,
      log,
    });
    useLocalStack(stack);
    for (const service of ['', '_S3', '_KMS', '_STS', '_SECRETS_MANAGER', '_DYNAMODB_STREAMS']) {
      process.env[`AWS_ENDPOINT_URL${service}`] = moto.endpoint; // attach's trail check, the parts
    }
    const ddb = localDynamoDB(moto.endpoint);
    const imported = await importDynaliteData(DATA_DIR, ddb, [
      stack.tableName,
      stack.authEvents?.tableName ?? '',
    ]).finally(() => ddb.destroy());
    if (imported) {
      tell(
        `Copied the items an older kept stack left in dynalite's files into moto (${Object.entries(imported)
          .map(([table, count]) => `${table}: ${count}`)
          .join(', ')}); those files are now in ${join(DATA_DIR, 'dynamodb.imported')}`,
      );
    }
    const saltSecret = await ensureSaltSecret(moto.endpoint);
    await registerRecorderTrail(moto.endpoint);
    const cognito = new CognitoIdentityProviderClient({});
    const kept = existsSync(POOL_FILE);
    const pool = await keptDemoPool(cognito);
    tell(`${kept ? 'Kept' : 'Created'} pool ${pool.poolId} with the demo's four users`);
    stack.grantInvoke(pool.poolArn); // what `sam deploy` with CognitoUserPoolArn=<pool ARN> creates
    stack.authEvents?.recordPool(pool.poolArn, [pool.clientId]); // … and AuthEvents=enabled
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
    const invoked = stack.lambda.reports.length;
    for (const user of activeUsers(pool)) await signIn(cognito, pool.clientId, user);
    const durations = stack.lambda.reports
      .slice(invoked)
      .filter((report) => report.functionName === stack?.functionName)
      .map((report) => `${Math.round(report.durationMs)} ms`);
    // Failed attempts at every start, as in the demo: `history --failed-attempts` always has today's.
    const refusals = [];
    for (const [user, mistake] of [
      [pool.admin, 'wrong password'],
      [pool.mfa, 'wrong MFA code'],
    ] as const) {
      refusals.push(
        `${user.username} ${mistake} (${await failedSignIn(cognito, pool.clientId, user, mistake)})`,
      );
    }
    cognito.destroy();
    await stack.settled();
    tell(
      `Trigger attached; ${activeUsers(pool)
        .map((u) => u.username)
        .join(
          ', ',
        )} signed in once each (the trigger took ${durations.join(', ')}); refused: ${refusals.join(', ')}`,
    );

    const context = { stack, template, motoEndpoint: moto.endpoint, dataDir: DATA_DIR, log };
    parts.push(await startKeptTrail(context));
    parts.push(await startKeptLake(context));

    const running = stack;
    const seal = serialized(async (until) => {
      await running.settled(); // every write begun before `until` is in
      const lines = [`Sealed up to ${new Date(until).toISOString()}:`];
      for (const part of parts) lines.push(...((await part.seal?.(until)) ?? []).map((line) => `  ${line}`));
      return lines;
    });
    for (const line of await seal()) tell(line);
    control = await startControl(async () => {
      const lines = await seal();
      for (const line of lines) log(line);
      return lines;
    });
    // As the stack's schedule does: a seal every SealIntervalMinutes.
    const everyMs = Number(parameterDefaults(template).SealIntervalMinutes) * 60_000;
    timer = setInterval(() => {
      seal().then(
        (lines) => {
          for (const line of lines) log(line);
        },
        (error: Error) => log(`the scheduled seal failed: ${error.stack ?? error.message}`),
      );
    }, everyMs);
    up = true;
    process.send?.({
      exports: exportsOf(stack, moto, pool, saltSecret, parts),
      control: loopbackUrl(control),
    });
  } catch (error) {
    console.error(`the local stack failed to start: ${(error as Error).stack ?? error}`);
    await shutdown(1);
  }
}
