/** Starts dynalite (a DynamoDB engine) on a free port of loopback, or of `host` (e.g. a Docker bridge address). */
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { closeServer } from './servers.ts';

export interface RunningDynalite {
  endpoint: string;
  close(): Promise<void>;
}

export async function startDynalite(
  options: { path?: string; host?: string; port?: number } = {},
): Promise<RunningDynalite> {
  const { host = '127.0.0.1', port = 0, ...engineOptions } = options;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...engineOptions });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    endpoint: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () => closeServer(server),
  };
}
