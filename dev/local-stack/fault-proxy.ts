/**
 * A fault-injecting HTTP proxy between the function and dynalite, for the fault matrix:
 * refuse (connection refused), blackhole (accepts, never answers), throttle (DynamoDB's
 * ThrottlingException), slow (holds each request 3 s before passing it on; dropped if the client gave up).
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault = 'none' | 'refuse' | 'blackhole' | 'throttle' | 'slow';

export class FaultProxy {
  fault: Fault = 'none';
  endpoint = '';
  private port = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((req, res) => this.handle(req, res));

  constructor(
    private readonly target: string,
    private readonly slowMs = 3000,
  ) {
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    await this.listen(0);
    this.port = (this.server.address() as AddressInfo).port;
    this.endpoint = `http://127.0.0.1:${this.port}`;
    return this;
  }

  /** Switches the fault; `refuse` stops listening so that connecting fails, as with a dead endpoint. */
  async set(fault: Fault): Promise<void> {
    if (fault === this.fault) return;
    if (this.fault === 'refuse') await this.listen(this.port);
    this.dropConnections();
    if (fault === 'refuse') await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.fault = fault;
  }

  async stop(): Promise<void> {
    this.dropConnections();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  private dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    switch (this.fault) {
      case 'blackhole':
        req.resume(); // read the request, never answer
        return;
      case 'throttle':
        req.resume();
        res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
            message: 'Rate of requests exceeds the allowed throughput.',
          }),
        );
        return;
      case 'slow': {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        const timer = setTimeout(() => this.forward(req, res, Buffer.concat(chunks)), this.slowMs);
        res.on('close', () => clearTimeout(timer)); // the client gave up: the request never reaches DynamoDB
        return;
      }
      default: {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => this.forward(req, res, Buffer.concat(chunks)));
      }
    }
  }

  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    if (res.destroyed) return;
    const upstream = request(
      `${this.target}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  }
}
