/** Starts dynalite (a DynamoDB engine) on a free loopback port. */
import dynalite from 'dynalite';
import { closeServer, loopbackUrl } from './servers.ts';

export interface RunningDynalite {
  endpoint: string;
  close(): Promise<void>;
}

export async function startDynalite(options: { path?: string } = {}): Promise<RunningDynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...options });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: loopbackUrl(server),
    close: () => closeServer(server),
  };
}
