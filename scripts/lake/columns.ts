/**
 * The lake's one column schema (authenticated/src/ocsf-columns.ts) in the words of the engines that read it:
 * DuckDB's types (the typed empty view of a source with no files yet) and Hive's, which the Glue table in
 * template.yaml spells out (a test holds the two together).
 */
import { type Column, OCSF_COLUMNS, PARTITION_COLUMNS } from '../../authenticated/src/ocsf-columns.ts';

const DUCKDB_LEAF = {
  int: 'INTEGER',
  bigint: 'BIGINT',
  string: 'VARCHAR',
  boolean: 'BOOLEAN',
  'string[]': 'VARCHAR[]',
};
const HIVE_LEAF = {
  int: 'int',
  bigint: 'bigint',
  string: 'string',
  boolean: 'boolean',
  'string[]': 'array<string>',
};

export function duckdbType(column: Column): string {
  if ('fields' in column) {
    return `STRUCT(${column.fields.map((f) => `"${f.name}" ${duckdbType(f)}`).join(', ')})`;
  }
  return DUCKDB_LEAF[column.type];
}

export function hiveType(column: Column): string {
  if ('fields' in column) return `struct<${column.fields.map((f) => `${f.name}:${hiveType(f)}`).join(',')}>`;
  return HIVE_LEAF[column.type];
}

/** The Glue table's columns as template.yaml declares them (partition keys aside). */
export const GLUE_COLUMNS = OCSF_COLUMNS.map((c) => ({ Name: c.name, Type: hiveType(c) }));

/** A SELECT of no rows with every column typed: a source without files still answers, with nothing. */
export const EMPTY_LAKE_SELECT = `SELECT ${[
  ...OCSF_COLUMNS.map((c) => `CAST(NULL AS ${duckdbType(c)}) AS "${c.name}"`),
  ...PARTITION_COLUMNS.map((p) => `CAST(NULL AS VARCHAR) AS "${p}"`),
].join(', ')} WHERE false`;
