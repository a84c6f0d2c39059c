/**
 * How `npm run history` prints: a table for people, JSON / JSON Lines for scripts, CSV (RFC 4180) for
 * spreadsheets and auditors. Everything is written as it arrives, with the stream's backpressure honoured,
 * so an export of a million sign-ins holds only the current page in memory.
 */
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { LoginHistoryItem } from '#contract';
import type { DormantAccount } from '../records/dormant-accounts.ts';
import { CommandError, fileProblem } from './cli.ts';

export const FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

/** The export's columns, in this order (the README's audit recipes rely on it). */
export const EXPORT_COLUMNS = [
  'signedInAt',
  'sub',
  'userName',
  'email',
  'clientId',
  'userPoolId',
  'identityProvider',
  'newDeviceUsed',
  'requestId',
] as const;

/** `userName` as in the sign-in export (Cognito's API says `Username`, the command line `--username`). */
export const DORMANT_COLUMNS = [
  'userName',
  'sub',
  'email',
  'enabled',
  'userStatus',
  'createdAt',
  'lastSignedInAt',
] as const;

/**
 * OWASP's CSV-injection advice: a cell a spreadsheet would evaluate as a formula (it starts with =, +, -, @,
 * a tab or a carriage return) gets a leading apostrophe, which spreadsheets show as text and do not keep.
 */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** One CSV record, CRLF-terminated, quoted where RFC 4180 requires it (csv-stringify does the quoting). */
export function csvRecord(cells: readonly string[]): string {
  return stringify([cells.map(neutraliseFormula)], { record_delimiter: 'windows' });
}

/**
 * Rows were left out by a limit: said on stderr, so that stdout stays exactly the rows (json, jsonl and csv
 * parse as they are) while a person at the terminal sees that the list is not the whole story.
 */
export function moreExist(shown: string, hint: string): void {
  console.error(`showing ${shown}; more exist (${hint})`);
}
/** The hint of a period's listing (it has no limit unless --limit is given). */
export const ALL_OF_THE_PERIOD = 'raise --limit, or leave it out for all of them';

/** A cell's text: empty for a missing value. */
export const cellOf = (value: unknown): string =>
  value === undefined || value === null ? '' : String(value);

/** Writes `text`, waiting for the stream to drain when its buffer is full (backpressure). */
export async function writeText(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/** Columns of the table, computed from the first rows (so a long export can stream at fixed widths). */
const TABLE_SAMPLE_ROWS = 500;

/** A table for people: fixed columns, widths from the first rows; returns how many rows were written. */
export async function writeTable(
  stream: Writable,
  header: string[],
  rows: AsyncIterable<string[]>,
): Promise<number> {
  const iterator = rows[Symbol.asyncIterator]();
  const sample: string[][] = [];
  while (sample.length < TABLE_SAMPLE_ROWS) {
    const next = await iterator.next();
    if (next.done) break;
    sample.push(next.value);
  }
  if (sample.length === 0) return 0;
  const widths = header.map((h, c) => Math.max(h.length, ...sample.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    `${cells
      .map((cell, c) => cell.padEnd(widths[c] as number))
      .join('  ')
      .trimEnd()}\n`;
  await writeText(stream, line(header));
  await writeText(stream, line(widths.map((w) => '-'.repeat(w))));
  let count = 0;
  for (const row of sample) {
    await writeText(stream, line(row));
    count++;
  }
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    await writeText(stream, line(next.value));
    count++;
  }
  return count;
}

export async function* mapAsync<T, R>(
  items: AsyncIterable<T> | Iterable<T>,
  f: (item: T) => R,
): AsyncGenerator<R> {
  for await (const item of items) yield f(item);
}

/** Writes sign-ins in `format`; returns how many were written (a table with none prints nothing). */
export async function writeSignIns(
  items: AsyncIterable<LoginHistoryItem> | Iterable<LoginHistoryItem>,
  format: Format,
  stream: Writable,
): Promise<number> {
  let count = 0;
  switch (format) {
    case 'table':
      return writeTable(
        stream,
        ['signed in (UTC)', 'user', 'provider', 'app client', 'new device', 'sub'],
        mapAsync(items, (i) => [
          i.signedInAt,
          cellOf(i.userName ?? i.sub),
          cellOf(i.identityProvider ?? '-'),
          cellOf(i.clientId ?? '-'),
          i.newDeviceUsed === undefined ? '-' : i.newDeviceUsed ? 'yes' : 'no',
          i.sub,
        ]),
      );
    case 'csv':
      await writeText(stream, csvRecord(EXPORT_COLUMNS));
      for await (const item of items) {
        await writeText(stream, csvRecord(EXPORT_COLUMNS.map((c) => cellOf(item[c]))));
        count++;
      }
      return count;
    case 'jsonl':
      for await (const item of items) {
        await writeText(stream, `${JSON.stringify(item)}\n`);
        count++;
      }
      return count;
    case 'json':
      await writeText(stream, '[');
      for await (const item of items) {
        await writeText(stream, `${count === 0 ? '\n' : ',\n'}  ${JSON.stringify(item)}`);
        count++;
      }
      await writeText(stream, count === 0 ? ']\n' : '\n]\n');
      return count;
  }
}

/** Writes the dormant-account report in `format`. */
export async function writeDormantAccounts(
  accounts: DormantAccount[],
  format: Format,
  stream: Writable,
): Promise<void> {
  const record = (a: DormantAccount) => DORMANT_COLUMNS.map((c) => cellOf(a[c]));
  switch (format) {
    case 'table':
      await writeTable(
        stream,
        ['last sign-in (UTC)', 'user', 'email', 'account', 'status', 'created', 'sub'],
        mapAsync(accounts, (a) => [
          a.lastSignedInAt ?? 'never recorded',
          a.userName,
          a.email ?? '-',
          a.enabled ? 'enabled' : 'DISABLED',
          a.userStatus,
          a.createdAt.slice(0, 10),
          a.sub,
        ]),
      );
      return;
    case 'csv':
      await writeText(stream, csvRecord(DORMANT_COLUMNS));
      for (const a of accounts) await writeText(stream, csvRecord(record(a)));
      return;
    case 'jsonl':
      for (const a of accounts) await writeText(stream, `${JSON.stringify(a)}\n`);
      return;
    case 'json':
      await writeText(stream, `${JSON.stringify(accounts, null, 2)}\n`);
      return;
  }
}

/**
 * A folder that does not exist yet, or is empty: a pack or an export never overwrites or mixes with other
 * files. Returns the undo: removing the folder again if this made it and it is still empty (a run that failed
 * early). `what` names the output in the refusal.
 */
export function prepareOutFolder(out: string, what = 'the pack'): () => void {
  const existed = existsSync(out);
  if (existed && !statSync(out).isDirectory()) {
    throw new CommandError(
      `--out ${out} is a file, not a folder: give a new folder for ${what} (nothing was written)`,
    );
  }
  if (existed && readdirSync(out).length > 0) {
    throw new CommandError(`${out} is not empty: give a new folder for ${what} (nothing was written)`);
  }
  try {
    mkdirSync(out, { recursive: true });
  } catch (error) {
    throw new CommandError(`cannot create the folder ${out}: ${fileProblem(error)} (nothing was written)`);
  }
  return () => {
    if (!existed && readdirSync(out).length === 0) rmSync(out, { recursive: true });
  };
}
