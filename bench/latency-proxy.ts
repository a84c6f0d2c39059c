/**
 * A TCP proxy that delays every chunk from the client by a fixed time before passing it on: each request
 * then takes that much longer, as over a network, at almost no CPU cost (no HTTP parsing).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export async function startLatencyProxy(
  target: string,
  delayMs: number,
): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      setTimeout(() => upstream.write(chunk), delayMs);
    });
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
