/** Small helpers for the loopback servers the local stack and the tests start. */
import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const loopbackUrl = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** Stops accepting and drops idle keep-alive sockets, so close() does not wait for clients to hang up. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Ends process `pid` (SIGTERM, then waits for it) when this process goes away without saying so, then runs
 * `cleanup` (a shell snippet; `$1`, `$2`, … are `args`). A detached shell reads a pipe from this process: the
 * pipe closes when this process dies, however it dies. `release()` does the same on purpose and waits.
 */
export function watchdog(pid: number, cleanup = '', args: string[] = []): { release(): Promise<void> } {
  const shell = spawn(
    'sh',
    [
      '-c',
      `read _; kill -TERM "$0" 2>/dev/null; while kill -0 "$0" 2>/dev/null; do sleep 0.2; done; ${cleanup}`,
      String(pid),
      ...args,
    ],
    { stdio: ['pipe', 'ignore', 'ignore'], detached: true },
  );
  shell.unref(); // it must never keep this process alive
  const done = new Promise<void>((resolve) => shell.once('exit', () => resolve()));
  return {
    release: async () => {
      shell.ref(); // now its cleanup is waited for
      shell.stdin?.end();
      await done;
    },
  };
}
