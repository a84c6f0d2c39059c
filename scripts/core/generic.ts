/**
 * Small helpers that know nothing of sign-ins, pools or tables, shared by the commands, the local stack, the
 * tests and the bench.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder, whatever the working directory. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The q-quantile (0 ≤ q ≤ 1) of measured values, nearest rank: what the load test and the bench report. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/**
 * Runs `work` on every item, at most `concurrency` at once: the project's one bounded-concurrency helper.
 * Items are pulled as work frees up, so a stream (a log export, a paginated read) holds no more than
 * `concurrency` items in memory. `work` returning 'stop' ends the pulling; the calls in flight finish.
 */
export async function forEachBounded<T>(
  items: Iterable<T> | AsyncIterable<T>,
  concurrency: number,
  work: (item: T) => Promise<undefined | 'stop'>,
): Promise<void> {
  const source =
    Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : toAsync(items)[Symbol.asyncIterator]();
  let stopped = false;
  const worker = async () => {
    for (let next = await source.next(); !next.done && !stopped; next = await source.next()) {
      if ((await work(next.value)) === 'stop') stopped = true;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

/** `work` over an array with at most `concurrency` calls in flight; results keep the input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
  onDone?: (done: number) => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let done = 0;
  await forEachBounded(items.entries(), Math.min(concurrency, items.length), async ([index, item]) => {
    results[index] = await work(item);
    onDone?.(++done);
    return undefined;
  });
  return results;
}

/** `1 day`, `3 days`: a count with its noun, in the singular for one. */
export function counted(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}

/**
 * The first `limit` items of a stream (all of them when `limit` is undefined), still streamed; `onMore` is
 * called when the stream holds more than that (the item past the limit is read to know it, never yielded).
 */
export async function* limited<T>(
  items: AsyncIterable<T>,
  limit: number | undefined,
  onMore: () => void = () => undefined,
): AsyncGenerator<T> {
  if (limit === undefined) return yield* items;
  let n = 0;
  for await (const item of items) {
    if (n++ >= limit) {
      onMore();
      return;
    }
    yield item;
  }
}

/** At most `limit` items of a list, and whether it held more (the list was read with one item to spare). */
export function firstOf<T>(items: readonly T[], limit: number): { items: T[]; more: boolean } {
  return { items: items.slice(0, limit), more: items.length > limit };
}

/** The stream as it is, `onItem` called with each item as it passes (tallies, progress). */
export async function* tapped<T>(items: AsyncIterable<T>, onItem: (item: T) => void): AsyncGenerator<T> {
  for await (const item of items) {
    onItem(item);
    yield item;
  }
}

/**
 * Two streams, each already in order of `key`, as one stream in that order (ties: `a` first). Holds one item
 * of each; the next of each is requested as soon as its current one is taken.
 */
export async function* mergedBy<T>(
  a: AsyncIterable<T>,
  b: AsyncIterable<T>,
  key: (item: T) => string,
): AsyncGenerator<T> {
  const left = a[Symbol.asyncIterator]();
  const right = b[Symbol.asyncIterator]();
  let [l, r] = await Promise.all([left.next(), right.next()]);
  while (!l.done || !r.done) {
    if (r.done || (!l.done && key(l.value) <= key(r.value))) {
      yield l.value as T;
      l = await left.next();
    } else {
      yield r.value;
      r = await right.next();
    }
  }
}
