/** moto's server (AWS APIs emulated in Python) on a free loopback port, for tests that need its behaviour. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findTool, TOOLS } from '../build/toolchain.ts';
import { freePort, hasExited } from './servers.ts';

const withoutProfile = ({ AWS_PROFILE: _, ...env }: NodeJS.ProcessEnv) => env;

export interface RunningMoto {
  endpoint: string;
  /** The server's process (its Python), for a test that ends it from outside. */
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts moto_server, or returns undefined when it is not installed. `env` adds to its environment, e.g. moto's
 * request recorder (MOTO_RECORDER_FILEPATH) or the account its ARNs name (MOTO_ACCOUNT_ID; 123456789012 without).
 */
export async function startMoto(env: Record<string, string> = {}): Promise<RunningMoto | undefined> {
  const executable = findTool(TOOLS.moto);
  if (!executable) return undefined;
  const port = await freePort();
  // Run moto's server through its venv's Python with a watchdog on stdin: if this process dies without
  // stopping it, stdin closes and the server exits instead of lingering.
  const python = join(dirname(executable), process.platform === 'win32' ? 'python.exe' : 'python');
  const watchdog = [
    '-c',
    'import os, sys, threading\n' +
      'threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()\n' +
      'from moto.server import main\n' +
      `main(["-H", "127.0.0.1", "-p", "${port}"])`,
  ];
  const [command, args] = existsSync(python)
    ? [python, watchdog]
    : [executable, ['-H', '127.0.0.1', '-p', String(port)]];
  const child: ChildProcess = spawn(command, args, {
    stdio: ['pipe', 'ignore', 'pipe'],
    // moto's botocore fails every request when AWS_PROFILE names a profile it cannot find; moto needs none.
    env: { ...withoutProfile(process.env), MOTO_ALLOW_NONEXISTENT_REGION: 'false', ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  // Ended by a signal (not only by exiting), it never emits 'exit' again: waiting for one would hang.
  const stop = () =>
    new Promise<void>((resolve) => {
      if (hasExited(child)) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (hasExited(child)) throw new Error(`moto_server exited: ${stderr}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return { endpoint, pid: child.pid as number, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`moto_server did not start within 30 s: ${stderr}`);
}

/** Creates an IAM role through moto's query API (the project does not depend on the IAM client). */
export async function createMotoRole(endpoint: string, roleName: string): Promise<string> {
  const body = new URLSearchParams({
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: roleName,
    AssumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    }),
  });
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
  });
  const arn = /<Arn>(.*?)<\/Arn>/.exec(await response.text())?.[1];
  if (!arn) throw new Error(`moto CreateRole failed with HTTP ${response.status}`);
  return arn;
}
