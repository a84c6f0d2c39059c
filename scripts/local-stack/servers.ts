/** Small helpers for the loopback servers the local stack and the tests start. */
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
