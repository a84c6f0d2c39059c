/**
 * Replay's writes spread over worker threads. One thread tops out near 1,700 conditional puts a second (the
 * SDK's per-request work — middleware, serialisation, signing — is ~0.55 ms of CPU), so an outage's million
 * records is CPU-bound on one thread; each worker thread has its own SDK client and can use another core.
 * Threads, not processes: they share one process, so the whole replay stays within its memory bound.
 * The main thread keeps reading, parsing and reporting; a worker only writes the items it is sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LoginHistoryItem } from '#contract';
import type { AwsCredentialIdentity } from '../core/clients.ts';
import type { RecordWriter, ReplayOptions } from './replay.ts';

type Reply =
  | { id: number; present: boolean }
  | {
      id: number;
      /** Plain data: what explainAwsError reads (the network error's code and where it was). */
      error: {
        name: string;
        message: string;
        code?: string;
        hostname?: string;
        address?: string;
        port?: number;
      };
    };

export interface WriterPool {
  write: RecordWriter;
  close(): Promise<void>;
}

export type WriterOptions = Pick<ReplayOptions, 'dryRun' | 'baseBackoffMs' | 'maxBackoffMs'> & {
  region?: string;
  /** The ReplayRole's session (plain data: it crosses to the writer threads). */
  credentials?: AwsCredentialIdentity;
};

const WORKER = new URL('./worker.ts', import.meta.url);

/**
 * The worker's code as one bundle (esbuild, the SDK tree-shaken and minified, as the function is built): a
 * thread that loads it holds about 28 MB instead of about 50 MB for the SDK's hundreds of separate modules,
 * which is what keeps a replay with two writer threads under 256 MB (bench "replay"). Written to a temporary
 * folder for this run (esbuild is a runtime dependency, the version the function is built with); should that
 * fail, the TypeScript file itself runs, slower to load and larger.
 */
export async function bundledWorker(): Promise<{ url: URL; remove(): void }> {
  try {
    const esbuild = await import('esbuild');
    const dir = mkdtempSync(join(tmpdir(), 'login-history-replay-'));
    const outfile = join(dir, 'replay-worker.mjs');
    await esbuild.build({
      entryPoints: [fileURLToPath(WORKER)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      mainFields: ['module', 'main'],
      minify: true,
      outfile,
      logLevel: 'silent',
    });
    return { url: pathToFileURL(outfile), remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch {
    return { url: WORKER, remove: () => undefined };
  }
}

/** Worker threads load the worker's TypeScript with Node's own type stripping (Node 22.18 and later). */
export function workerThreadsAvailable(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 18);
}

export async function startWriterPool(
  workers: number,
  tableName: string,
  options: WriterOptions,
): Promise<WriterPool> {
  const script = await bundledWorker();
  const pending = new Map<number, { resolve: (present: boolean) => void; reject: (e: Error) => void }>();
  const inFlight = new Map<Worker, number>();
  let nextId = 0;
  const threads = Array.from({ length: workers }, () => {
    const worker = new Worker(script.url, { workerData: { tableName, options }, execArgv: [] });
    inFlight.set(worker, 0);
    worker.on('message', (reply: Reply) => {
      inFlight.set(worker, (inFlight.get(worker) ?? 1) - 1);
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if ('error' in reply) {
        const { message, ...rest } = reply.error;
        waiter?.reject(Object.assign(new Error(message), rest));
      } else {
        waiter?.resolve(reply.present);
      }
    });
    worker.on('error', (error) => {
      for (const [id, waiter] of pending) {
        waiter.reject(error);
        pending.delete(id);
      }
    });
    return worker;
  });
  return {
    write: (item: LoginHistoryItem) =>
      new Promise<boolean>((resolve, reject) => {
        const id = nextId++;
        // The least busy worker takes the record.
        const worker = threads.reduce((a, b) => ((inFlight.get(b) ?? 0) < (inFlight.get(a) ?? 0) ? b : a));
        pending.set(id, { resolve, reject });
        inFlight.set(worker, (inFlight.get(worker) ?? 0) + 1);
        worker.postMessage({ id, item });
      }),
    close: async () => {
      await Promise.all(threads.map((worker) => worker.terminate()));
      script.remove();
    },
  };
}
