/** Small helpers for the loopback servers the local stack and the tests start. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export const loopbackUrl = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** A TCP port free on loopback at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Where `command` is: on PATH, or in the system folders a non-login root shell may lack (dockerd is in /usr/sbin). */
export function which(command: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin']) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** True once the child has ended, by exit code or by signal. */
export const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/**
 * Calls `onLine` with each complete line `stream` writes; returns what has come of the current line so far.
 * One buffer per stream, so stdout and stderr never splice into one line.
 */
export function eachLine(stream: Readable | null | undefined, onLine: (line: string) => void): () => string {
  let pending = '';
  stream?.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString('utf8')).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  return () => pending;
}

/** Stops accepting and drops idle keep-alive sockets, so close() does not wait for clients to hang up. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Ends `child` (SIGTERM, then waits for it) when this process goes away without saying so, then runs `cleanup`
 * (a shell snippet; `$1`, `$2`, … are `args`). A detached shell reads a pipe from this process: the pipe closes
 * when this process dies, however it dies. `release()` runs the cleanup on purpose and waits; it tells the shell
 * when the child has already ended, so the shell never signals its pid, which the system may by then have given
 * to another process (pids wrap at 32,768 here: a test's moto server was once ended that way).
 */
export function watchdog(
  child: ChildProcess,
  cleanup = '',
  args: string[] = [],
): { release(): Promise<void> } {
  const shell = spawn(
    'sh',
    [
      '-c',
      'read line; if [ "$line" != ended ]; then kill -TERM "$0" 2>/dev/null; ' +
        `while kill -0 "$0" 2>/dev/null; do sleep 0.2; done; fi; ${cleanup}`,
      String(child.pid),
      ...args,
    ],
    { stdio: ['pipe', 'ignore', 'ignore'], detached: true },
  );
  shell.unref(); // it must never keep this process alive
  const done = new Promise<void>((resolve) => shell.once('exit', () => resolve()));
  return {
    release: async () => {
      shell.ref(); // now its cleanup is waited for
      shell.stdin?.end(hasExited(child) ? 'ended\n' : undefined);
      await done;
    },
  };
}
