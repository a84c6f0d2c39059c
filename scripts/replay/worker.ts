/** One replay worker thread: writes the items the main thread sends, with its own SDK client (replay-workers.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import type { LoginHistoryItem } from '#contract';
import type { WriterOptions } from './workers.ts';
import { recordWriter, writerClient } from './writer.ts';

const { tableName, options } = workerData as { tableName: string; options: WriterOptions };
const doc = writerClient(options);
const write = recordWriter(doc, tableName, options);

parentPort?.on('message', async ({ id, item }: { id: number; item: LoginHistoryItem }) => {
  try {
    parentPort?.postMessage({ id, present: await write(item) });
  } catch (error) {
    parentPort?.postMessage({
      id,
      // The code too (ENOTFOUND, ECONNREFUSED…): it tells a network problem from a refusal; and where it was.
      error: {
        name: (error as Error).name,
        message: (error as Error).message,
        code: (error as NodeJS.ErrnoException).code,
        ...Object.fromEntries(
          (['hostname', 'address', 'port'] as const)
            .map((key) => [key, (error as Record<string, unknown>)[key]])
            .filter(([, value]) => value !== undefined),
        ),
      },
    });
  }
});
