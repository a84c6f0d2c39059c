import { createServer, type Server, type Socket } from 'node:net';
import { after, before } from 'node:test';

/**
 * For the enclosing describe: a loopback server that accepts connections and never answers, set as the
 * DynamoDB endpoint in `before` and removed (the previous endpoint restored) in `after`, so that the
 * function's time budget, not the SDK's defaults, decides when a write gives up.
 */
export function useSilentDynamoDbEndpoint(): void {
  let blackHole: Server;
  const sockets = new Set<Socket>();
  const savedEndpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;

  before(async () => {
    blackHole = createServer((socket) => {
      sockets.add(socket); // accept and never answer
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const address = blackHole.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    process.env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${address.port}`;
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    else process.env.AWS_ENDPOINT_URL_DYNAMODB = savedEndpoint;
  });
}
