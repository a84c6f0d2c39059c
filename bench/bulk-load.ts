/**
 * Loads millions of items into a dynalite data folder in a minute or two instead of the ~20 minutes that
 * BatchWriteItem over HTTP takes on this machine (about 1,000 items/s: dynalite validates, locks and reads
 * before each write). The tables are created through dynalite's API; the items are then written with
 * dynalite's own storage layer, under the very keys its PutItem uses for the table and each index
 * (db.createKey, db.getIndexActions), in LevelDB batches. Only for benchmark data: nothing is validated.
 */
import { createRequire } from 'node:module';
import { CreateTableCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { startDynalite } from '../dev/local-stack/dynalite.ts';
import { localDynamoDB } from '../dev/local-stack/local-clients.ts';

interface Store {
  db: {
    batch(ops: unknown[], callback: (error?: Error) => void): void;
    close(callback: (error?: Error) => void): void;
  };
  getTable(name: string, callback: (error: Error | null, table: DynaliteTable) => void): void;
}
interface DynaliteTable {
  TableName: string;
  GlobalSecondaryIndexes?: unknown[];
}
interface DynaliteDb {
  create(options: { path: string }): Store;
  createKey(item: unknown, table: DynaliteTable): string;
  getIndexActions(
    indexes: unknown[],
    existing: unknown,
    item: unknown,
    table: DynaliteTable,
  ): { puts: { index: string; key: string; item: unknown }[] };
}

const dynaliteDb = createRequire(import.meta.url)('dynalite/db') as DynaliteDb;
const BATCH_OPS = 20_000;

/** Creates `tables` in a new dynalite data folder at `path` (through its API, then stops it). */
export async function createTables(path: string, tables: CreateTableCommandInput[]): Promise<void> {
  const server = await startDynalite({ path });
  const ddb = localDynamoDB(server.endpoint);
  try {
    for (const input of tables) await ddb.send(new CreateTableCommand(input));
    await new Promise((resolve) => setTimeout(resolve, 200)); // CREATING → ACTIVE (createTableMs 0)
  } finally {
    ddb.destroy();
    await server.close();
  }
}

/** Writes `items` (plain objects, as the SDK's document client takes them) into `table` of the folder. */
export async function bulkLoad(
  path: string,
  loads: { table: string; items: Iterable<Record<string, unknown>> }[],
  onProgress: (written: number) => void = () => undefined,
): Promise<number> {
  const store = dynaliteDb.create({ path });
  const batch = (ops: unknown[]) =>
    new Promise<void>((resolve, reject) => store.db.batch(ops, (e) => (e ? reject(e) : resolve())));
  let written = 0;
  try {
    for (const { table: name, items } of loads) {
      const table = await new Promise<DynaliteTable>((resolve, reject) =>
        store.getTable(name, (error, t) => (error ? reject(error) : resolve(t))),
      );
      let ops: unknown[] = [];
      for (const plain of items) {
        const item = marshall(plain, { removeUndefinedValues: true });
        ops.push({ type: 'put', key: `item-${name}~${dynaliteDb.createKey(item, table)}`, value: item });
        for (const put of dynaliteDb.getIndexActions(
          table.GlobalSecondaryIndexes ?? [],
          undefined,
          item,
          table,
        ).puts) {
          ops.push({ type: 'put', key: `index-global~${name}~${put.index}~${put.key}`, value: put.item });
        }
        written++;
        if (ops.length >= BATCH_OPS) {
          await batch(ops);
          ops = [];
          onProgress(written);
        }
      }
      if (ops.length > 0) await batch(ops);
      onProgress(written);
    }
  } finally {
    await new Promise<void>((resolve) => store.db.close(() => resolve()));
  }
  return written;
}
