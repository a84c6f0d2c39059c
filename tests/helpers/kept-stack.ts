/**
 * Running the kept local stack (`npm run local-stack`) as a user does, in a stack home of the test's own
 * (LOGIN_HISTORY_LOCAL_STACK_DIR), and proving afterwards that nothing of it is left: no process, no port.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { entryOf } from '../../dev/build/commands.ts';
import { PROJECT_ROOT } from '../../dev/build/template.ts';

export type Run = { code: number; stdout: string; stderr: string };

/** A user's shell: this machine's environment minus any AWS setting, no AWS profile, the stack home given. */
export function userEnv(home: string): NodeJS.ProcessEnv {
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

export function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: PROJECT_ROOT, env, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The command itself (what `npm run local-stack --` runs), for the steps around a README block. */
export const localStack = (home: string, command: string, env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['--import', 'tsx', entryOf('local-stack'), command], {
    ...userEnv(home),
    ...env,
  });

/** Processes that mention `text` in their command line or environment (Linux /proc; our own only). */
export function processesMentioning(text: string): number[] {
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
export function listening(url: string): Promise<boolean> {
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

export function parseExports(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/^export ([A-Z0-9_]+)=(\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]),
  );
}

/** Stops the stack of `home` with its own command, then ends whatever of it is still left (a failed test). */
export async function cleanUp(home: string): Promise<void> {
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

/** The kept-stack tests need bash and Linux /proc (to prove no process is left). */
export const canRunKeptStack = () => existsSync('/bin/bash') && existsSync('/proc/self/environ');
export const NO_PROC = 'needs bash and Linux /proc (to prove no process is left)';
