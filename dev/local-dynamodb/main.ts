/**
 * `npm run local-dynamodb -- start|stop`: a local DynamoDB (dynalite) with the login-history table created from
 * template.yaml's own definition, in the background, for `sam local` (README, "sam local"). `start` returns
 * once the table exists and prints the endpoint on stdout; `stop` ends it. Data lives in memory.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CommandError, parseOptions, positiveInteger, runCli, UsageError } from '../../scripts/core/cli.ts';
import { loadTemplate, PROJECT_ROOT, tableCreateInput } from '../build/template.ts';
import { findAddressForContainers } from '../docker/host-for-containers.ts';
import { startDynalite } from '../local-stack/dynalite.ts';
import { localDynamoDB } from '../local-stack/local-clients.ts';
import { LOCAL_TABLE_NAME } from '../local-stack/local-stack.ts';

const USAGE = `usage: npm run local-dynamodb -- start [--host <address> | --for-docker] [--port <port>]
       npm run local-dynamodb -- stop

start         runs dynalite in the background with the table ${LOCAL_TABLE_NAME} (env.json's TABLE_NAME)
              created from template.yaml, on --host (default 127.0.0.1) and --port (default 8000); prints
              the endpoint once the table exists.
--for-docker  listens where Docker containers started with --add-host host.docker.internal:host-gateway
              reach this machine (sam local): the default bridge's address on Linux, 127.0.0.1 with Docker
              Desktop. Asks the engine the docker command talks to.
stop          stops it. State: .local-stack/local-dynamodb.json, log: .local-stack/local-dynamodb.log.`;

// The kept stack's home (LOGIN_HISTORY_LOCAL_STACK_DIR moves it, as for npm run local-stack).
const STATE_DIR = resolve(process.env.LOGIN_HISTORY_LOCAL_STACK_DIR ?? join(PROJECT_ROOT, '.local-stack'));
const STATE_FILE = join(STATE_DIR, 'local-dynamodb.json');

type State = { pid: number; endpoint: string };

function running(): State | undefined {
  if (!existsSync(STATE_FILE)) return undefined;
  const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as State;
  try {
    process.kill(state.pid, 0);
    return state;
  } catch {
    rmSync(STATE_FILE, { force: true }); // left by a process that is gone
    return undefined;
  }
}

/** The background process: dynalite and the table, then a message to `start`, then serve until SIGTERM. */
async function serve(host: string, port: number) {
  const dynamo = await startDynalite({ host, port });
  const ddb = localDynamoDB(dynamo.endpoint);
  await ddb.send(new CreateTableCommand(tableCreateInput(loadTemplate(), LOCAL_TABLE_NAME)));
  ddb.destroy();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void dynamo.close().then(() => process.exit(0)));
  }
  process.send?.({ endpoint: dynamo.endpoint });
  process.disconnect?.();
}

async function start(host: string, port: number): Promise<number> {
  const current = running();
  if (current) {
    throw new CommandError(
      `already running at ${current.endpoint} (pid ${current.pid}); stop it first with npm run local-dynamodb -- stop`,
    );
  }
  mkdirSync(STATE_DIR, { recursive: true });
  const log = openSync(join(STATE_DIR, 'local-dynamodb.log'), 'w');
  // Detached, with no pipe to this process: `$(npm run -s local-dynamodb -- start)` returns at once.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, 'serve', '--host', host, '--port', String(port)],
    { detached: true, stdio: ['ignore', log, log, 'ipc'], cwd: PROJECT_ROOT },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { endpoint: string }) => resolve(message.endpoint));
    child.once('exit', () => {
      const output = readFileSync(join(STATE_DIR, 'local-dynamodb.log'), 'utf8');
      const reason = /EADDRINUSE/.test(output)
        ? `port ${port} on ${host} is in use`
        : /EADDRNOTAVAIL/.test(output)
          ? `${host} is not an address of this machine`
          : output.trim().split('\n').slice(-3).join(' ');
      reject(new CommandError(`local DynamoDB did not start: ${reason}`));
    });
  });
  child.unref();
  child.disconnect();
  writeFileSync(STATE_FILE, JSON.stringify({ pid: child.pid as number, endpoint } satisfies State));
  console.error(`local DynamoDB (dynalite) with table ${LOCAL_TABLE_NAME} at ${endpoint}, pid ${child.pid}`);
  console.log(endpoint);
  return 0;
}

async function stop(): Promise<number> {
  const current = running();
  if (!current) {
    console.error('local DynamoDB is not running');
    return 0;
  }
  process.kill(current.pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && running()) await new Promise((r) => setTimeout(r, 100));
  rmSync(STATE_FILE, { force: true });
  console.error(`stopped local DynamoDB at ${current.endpoint}`);
  return 0;
}

await runCli(USAGE, async () => {
  const [command, ...rest] = process.argv.slice(2);
  const values = parseOptions(rest, {
    host: { type: 'string' },
    'for-docker': { type: 'boolean', default: false },
    port: { type: 'string', default: '8000' },
  });
  if (values.host !== undefined && values['for-docker'])
    throw new UsageError('--host and --for-docker both say where to listen: give one');
  if (values.host !== undefined && !isIP(values.host))
    throw new UsageError(`--host must be an IP address, got "${values.host}"`);
  const port = positiveInteger('port', values.port, 65535) as number;
  if (command === 'serve') {
    await serve(values.host ?? '127.0.0.1', port);
    return new Promise<never>(() => undefined); // serves until SIGTERM
  }
  if (command === 'start') {
    const host = values['for-docker']
      ? await findAddressForContainers().catch((error: Error) => {
          throw new CommandError(`cannot tell where Docker containers reach this machine: ${error.message}`);
        })
      : (values.host ?? '127.0.0.1');
    return start(host, port);
  }
  if (command === 'stop') {
    if (rest.length > 0) throw new UsageError('stop takes no options');
    return stop();
  }
  throw new UsageError(command ? `unknown command "${command}"` : 'start or stop?');
});
