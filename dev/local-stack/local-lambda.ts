/**
 * A small Lambda service on loopback: the Invoke API (POST /2015-03-31/functions/{name}/invocations,
 * X-Amz-Function-Error on failure, the function timeout enforced) plus AddPermission/GetPolicy, running
 * the built bundle in child processes that live on between invocations like Lambda execution environments.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename, dirname, extname, join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import type { FunctionSettings } from '../build/template.ts';
import { LOCAL_CREDENTIALS_ENV, LOCAL_SDK_REGION } from './local-clients.ts';
import { closeServer, eachLine, loopbackUrl } from './servers.ts';

const RUNTIME = join(dirname(fileURLToPath(import.meta.url)), 'lambda-runtime.mjs');
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'local';

export interface LocalFunction {
  name: string;
  modulePath: string;
  handlerExport: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
}

/**
 * The template's function `name` as `sam build` built it at `modulePath`: its handler, limits and environment
 * (what Lambda sets, then the template's), with the local credentials and region, then `environment`.
 */
export function builtFunction(
  name: string,
  modulePath: string,
  settings: FunctionSettings,
  environment: Record<string, string>,
): LocalFunction {
  return {
    name,
    modulePath,
    handlerExport: settings.handlerExport,
    timeoutSeconds: settings.timeoutSeconds,
    memoryMb: settings.memoryMb,
    environment: {
      ...settings.runtimeEnvironment,
      ...settings.environment,
      ...LOCAL_CREDENTIALS_ENV,
      ...environment,
    },
  };
}

export interface LogLine {
  functionName: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

interface Environment {
  child: ChildProcess;
  ready: Promise<void>;
  busy: boolean;
}

type InvokeResult = { functionError?: string; payload: unknown };

/** What Lambda's REPORT line says of one invocation: its request id and how long the handler ran. */
export interface InvocationReport {
  functionName: string;
  requestId: string;
  durationMs: number;
  error: boolean;
}

export class LocalLambda {
  readonly logs: LogLine[] = [];
  readonly reports: InvocationReport[] = [];
  private readonly environments = new Map<string, Environment[]>();
  private readonly policies = new Map<string, Record<string, unknown>[]>();
  private readonly waiting: (() => void)[] = [];
  /** Invocations begun and not yet answered, and who waits for there to be none. */
  private active = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly server = createServer((req, res) => {
    this.route(req, res).catch((error: Error) => send(res, 500, { Type: 'Service', Message: error.message }));
  });
  endpoint = '';

  constructor(
    private readonly functions: Map<string, LocalFunction>,
    private readonly options: { echoLogs?: boolean; maxEnvironments?: number } = {},
  ) {}

  /** Adds or replaces a function (what a deploy does); environments already running keep their settings. */
  register(fn: LocalFunction): void {
    this.functions.set(fn.name, fn);
  }

  functionArn(name: string): string {
    return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = loopbackUrl(this.server);
    return this;
  }

  async stop(): Promise<void> {
    for (const list of this.environments.values()) for (const env of list) env.child.kill('SIGKILL');
    this.environments.clear();
    await closeServer(this.server);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/(invocations|policy)\/?(?:\?.*)?$/.exec(req.url ?? '');
    const name = match ? functionNameOf(decodeURIComponent(match[1] as string)) : undefined;
    const fn = name ? this.functions.get(name) : undefined;
    if (!match || !fn) {
      send(
        res,
        404,
        { Type: 'User', Message: `Function not found: ${name ?? req.url}` },
        'ResourceNotFoundException',
      );
      return;
    }
    const body = await buffer(req);
    if (match[2] === 'invocations' && req.method === 'POST') {
      const result = await this.invoke(fn, body.length > 0 ? JSON.parse(body.toString('utf8')) : {});
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'X-Amz-Executed-Version': '$LATEST',
        ...(result.functionError ? { 'X-Amz-Function-Error': result.functionError } : {}),
      });
      res.end(JSON.stringify(result.payload));
      return;
    }
    if (match[2] === 'policy' && req.method === 'POST') {
      const input = JSON.parse(body.toString('utf8')) as Record<string, string>;
      this.addPermission(fn.name, input);
      send(res, 201, { Statement: JSON.stringify(this.policies.get(fn.name)?.at(-1)) });
      return;
    }
    if (match[2] === 'policy' && req.method === 'GET') {
      const statements = this.policies.get(fn.name);
      if (!statements?.length) {
        send(
          res,
          404,
          { Type: 'User', Message: 'The resource you requested does not exist.' },
          'ResourceNotFoundException',
        );
        return;
      }
      send(res, 200, {
        Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements }),
        RevisionId: randomUUID(),
      });
      return;
    }
    send(res, 405, { Type: 'User', Message: `${req.method} not supported` });
  }

  /** The statement Lambda's AddPermission creates, in the shape GetPolicy returns it. */
  addPermission(name: string, input: Record<string, string>): void {
    const condition: Record<string, Record<string, string>> = {};
    if (input.SourceArn) condition.ArnLike = { 'AWS:SourceArn': input.SourceArn };
    if (input.SourceAccount) condition.StringEquals = { 'AWS:SourceAccount': input.SourceAccount };
    const statements = this.policies.get(name) ?? [];
    statements.push({
      Sid: input.StatementId ?? randomUUID(),
      Effect: 'Allow',
      Principal: { Service: input.Principal },
      Action: input.Action,
      Resource: this.functionArn(name),
      ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
    });
    this.policies.set(name, statements);
  }

  /** Resolves once no invocation is running or waiting for an environment (at once when none is). */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async invoke(fn: LocalFunction, event: unknown): Promise<InvokeResult> {
    this.active++;
    try {
      return await this.invokeIn(fn, event);
    } finally {
      this.active--;
      if (this.active === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async invokeIn(fn: LocalFunction, event: unknown): Promise<InvokeResult> {
    const env = await this.acquire(fn);
    if (!('child' in env)) return env;
    const requestId = randomUUID();
    const timeoutMs = fn.timeoutSeconds * 1000;
    const id = randomUUID();
    const started = performance.now();
    try {
      const result = await new Promise<InvokeResult>((resolve) => {
        const timer = setTimeout(() => {
          env.child.kill('SIGKILL'); // Lambda ends a timed-out environment
          this.log(
            fn.name,
            'stderr',
            `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds (${requestId})`,
          );
          resolve({
            functionError: 'Unhandled',
            payload: {
              errorType: 'Sandbox.Timedout',
              errorMessage: `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
            },
          });
        }, timeoutMs);
        const onMessage = (message: {
          type: string;
          id?: string;
          ok?: boolean;
          result?: unknown;
          error?: unknown;
        }) => {
          if (message.type !== 'result' || message.id !== id) return;
          clearTimeout(timer);
          env.child.off('message', onMessage);
          resolve(
            message.ok ? { payload: message.result } : { functionError: 'Unhandled', payload: message.error },
          );
        };
        env.child.on('message', onMessage);
        env.child.send({ id, event, requestId, deadline: Date.now() + timeoutMs });
      });
      this.reports.push({
        functionName: fn.name,
        requestId,
        durationMs: performance.now() - started,
        error: result.functionError !== undefined,
      });
      return result;
    } finally {
      env.busy = false;
      this.waiting.shift()?.();
    }
  }

  /**
   * A free environment, a new one while fewer than maxEnvironments exist, or else the next one freed
   * (Lambda would scale further; two cores cannot, and queueing here only adds waiting time).
   */
  private async acquire(fn: LocalFunction): Promise<Environment | InvokeResult> {
    let env: Environment | undefined;
    while (!env) {
      const list = (this.environments.get(fn.name) ?? []).filter(
        (e) => e.child.exitCode === null && !e.child.killed,
      );
      this.environments.set(fn.name, list);
      env = list.find((e) => !e.busy);
      if (!env && list.length < (this.options.maxEnvironments ?? 4)) {
        env = this.spawn(fn);
        list.push(env);
      }
      if (!env) await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    env.busy = true;
    try {
      await env.ready;
      return env;
    } catch (error) {
      env.busy = false;
      this.waiting.shift()?.();
      return { functionError: 'Unhandled', payload: error };
    }
  }

  private spawn(fn: LocalFunction): Environment {
    const region = fn.environment.AWS_REGION ?? LOCAL_SDK_REGION;
    const child = fork(RUNTIME, [fn.modulePath, fn.handlerExport, fn.name, String(fn.memoryMb)], {
      // What Lambda defines for every function ("Defined runtime environment variables"), as SAM's emulator
      // also sets them (compared in tests/function/sam-local/runtime-parity.test.ts). PATH stays the
      // host's: there is no /var/lang/bin here.
      env: {
        PATH: process.env.PATH ?? '',
        LANG: 'en_US.UTF-8',
        TZ: ':UTC',
        _HANDLER: `${basename(fn.modulePath, extname(fn.modulePath))}.${fn.handlerExport}`,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
        AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomUUID().replaceAll('-', '')}`,
        LAMBDA_TASK_ROOT: dirname(fn.modulePath),
        LAMBDA_RUNTIME_DIR: dirname(RUNTIME),
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        ...fn.environment,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      eachLine(child[stream], (line) => {
        if (line.trim()) this.log(fn.name, stream, line);
      });
    }
    const ready = new Promise<void>((resolve, reject) => {
      child.once('message', (message: { type: string; error?: unknown }) => {
        if (message.type === 'ready') resolve();
        else reject(message.error);
      });
      child.once('exit', (code) =>
        reject({ errorType: 'Runtime.ExitError', errorMessage: `exited with ${code} during init` }),
      );
    });
    ready.catch(() => undefined);
    return { child, ready, busy: false };
  }

  private log(functionName: string, stream: 'stdout' | 'stderr', text: string): void {
    this.logs.push({ functionName, stream, text });
    if (this.options.echoLogs) console.log(`  [${functionName}] ${text}`);
  }
}

function functionNameOf(nameOrArn: string): string {
  const arn = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::.*)?$/.exec(nameOrArn);
  return arn ? (arn[1] as string) : nameOrArn;
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    ...(errorType ? { 'X-Amzn-ErrorType': errorType } : {}),
  });
  res.end(JSON.stringify(body));
}
