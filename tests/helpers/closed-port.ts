import { createServer, type Server } from 'node:net';

/**
 * Loopback ports nothing listens on: reserved by listening on port 0 (all at once, so they differ) and closed
 * again, so a connection to one is refused (ECONNREFUSED) without leaving the machine, and no port number is
 * hard-coded.
 */
export async function closedPorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

/** One endpoint URL on a closed loopback port (closedPorts). */
export const closedEndpoint = async (): Promise<string> => `http://127.0.0.1:${(await closedPorts(1))[0]}`;
