/**
 * OCSF events as one Parquet file, in the lake's column schema (ocsf-columns.ts), written by hyparquet-writer:
 * pure JavaScript, so the lake function bundles it (no native module in the Lambda package) and the export
 * command writes the very same bytes. Snappy-compressed (built in; Athena, Glue and DuckDB read it).
 */
import { ByteWriter, parquetWriteRows } from 'hyparquet-writer';
import type { OcsfAuthentication } from './ocsf.ts';
import { type Column, OCSF_COLUMNS } from './ocsf-columns.ts';

type SchemaElement = {
  name: string;
  type?: 'BOOLEAN' | 'INT32' | 'INT64' | 'BYTE_ARRAY';
  converted_type?: 'UTF8' | 'LIST';
  repetition_type?: 'REQUIRED' | 'OPTIONAL' | 'REPEATED';
  num_children?: number;
};

/** Rows per row group: readers skip a group by its statistics (files are written in time order). */
export const ROW_GROUP_SIZE = 100_000;

function elementsOf(column: Column): SchemaElement[] {
  if ('fields' in column) {
    return [
      { name: column.name, repetition_type: 'OPTIONAL', num_children: column.fields.length },
      ...column.fields.flatMap(elementsOf),
    ];
  }
  const utf8 = { type: 'BYTE_ARRAY', converted_type: 'UTF8' } as const;
  switch (column.type) {
    case 'string':
      return [{ name: column.name, ...utf8, repetition_type: 'OPTIONAL' }];
    case 'int':
      return [{ name: column.name, type: 'INT32', repetition_type: 'OPTIONAL' }];
    case 'bigint':
      return [{ name: column.name, type: 'INT64', repetition_type: 'OPTIONAL' }];
    case 'boolean':
      return [{ name: column.name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' }];
    case 'string[]':
      // Parquet's three-level LIST, as Athena, Glue and DuckDB expect it.
      return [
        { name: column.name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', ...utf8, repetition_type: 'OPTIONAL' },
      ];
  }
}

/** The Parquet schema of the lake's files. */
export const PARQUET_SCHEMA: SchemaElement[] = [
  { name: 'schema', repetition_type: 'REQUIRED', num_children: OCSF_COLUMNS.length },
  ...OCSF_COLUMNS.flatMap(elementsOf),
];

/** A value as the writer takes it: 64-bit integers as bigint, everything else as the event holds it. */
function parquetValue(column: Column, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if ('fields' in column) {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(column.fields.map((f) => [f.name, parquetValue(f, record[f.name])]));
  }
  return column.type === 'bigint' ? BigInt(value as number) : value;
}

function parquetRow(event: OcsfAuthentication): Record<string, unknown> {
  const record = event as unknown as Record<string, unknown>;
  return Object.fromEntries(OCSF_COLUMNS.map((c) => [c.name, parquetValue(c, record[c.name])]));
}

type Writer = Parameters<typeof parquetWriteRows>[0]['writer'];

function writeRows(writer: Writer, rows: Iterable<unknown> | AsyncIterable<unknown>) {
  return parquetWriteRows({
    writer,
    // biome-ignore lint/suspicious/noExplicitAny: rows are records of the schema's columns
    rows: rows as any,
    columns: OCSF_COLUMNS.map((c) => ({ name: c.name })),
    // biome-ignore lint/suspicious/noExplicitAny: hyparquet's SchemaElement type is wider than ours
    schema: PARQUET_SCHEMA as any,
    rowGroupSize: ROW_GROUP_SIZE,
    createdBy: 'cognito-login-history (hyparquet-writer)',
  });
}

/** One Parquet file holding `events` in the given order, in memory (the lake function's batches). */
export function ocsfParquet(events: Iterable<OcsfAuthentication>): Uint8Array {
  const writer = new ByteWriter();
  writeRows(
    writer,
    (function* () {
      for (const event of events) yield parquetRow(event);
    })(),
  );
  return new Uint8Array(writer.getBuffer());
}

/**
 * `events` streamed into `writer` (a file writer that flushes each row group): memory holds one row group,
 * whatever the number of events (the export's days).
 */
export async function writeOcsfParquet(
  writer: Writer,
  events: AsyncIterable<OcsfAuthentication>,
): Promise<number> {
  let count = 0;
  await writeRows(
    writer,
    (async function* () {
      for await (const event of events) {
        count++;
        yield parquetRow(event);
      }
    })(),
  );
  return count;
}
