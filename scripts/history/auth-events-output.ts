/**
 * How `npm run history` prints authentication events: the same four formats as the sign-ins, the same CSV
 * (csv-stringify, formula cells neutralised), written as they arrive with the stream's backpressure honoured.
 * JSON and CSV use the record's attribute names (AUTH_EVENT_FIELDS).
 */
import type { Writable } from 'node:stream';
import { counted } from '../core/generic.ts';
import { cellOf, csvRecord, type Format, mapAsync, writeTable, writeText } from '../core/output.ts';
import { AUTH_EVENT_FIELDS, type AuthEventRecord } from '../records/auth-events.ts';
import type { FailureSummary, UserAttempt } from './auth-events-report.ts';

/** Records as JSON (one array), JSON Lines or CSV with the given columns; returns how many were written. */
async function writeRecords<T extends object>(
  stream: Writable,
  format: Exclude<Format, 'table'>,
  columns: readonly string[],
  items: AsyncIterable<T> | Iterable<T>,
): Promise<number> {
  let count = 0;
  if (format === 'csv') await writeText(stream, csvRecord(columns));
  if (format === 'json') await writeText(stream, '[');
  for await (const item of items) {
    const record = item as Record<string, unknown>;
    if (format === 'csv') await writeText(stream, csvRecord(columns.map((c) => cellOf(record[c]))));
    else if (format === 'jsonl') await writeText(stream, `${JSON.stringify(item)}\n`);
    else await writeText(stream, `${count === 0 ? '\n' : ',\n'}  ${JSON.stringify(item)}`);
    count++;
  }
  if (format === 'json') await writeText(stream, count === 0 ? ']\n' : '\n]\n');
  return count;
}

/** Every event of a period, in `format`; returns how many were written. */
export function writeAuthEvents(
  records: AsyncIterable<AuthEventRecord> | Iterable<AuthEventRecord>,
  format: Format,
  stream: Writable,
): Promise<number> {
  if (format !== 'table') return writeRecords(stream, format, AUTH_EVENT_FIELDS, records);
  return writeTable(
    stream,
    ['time (UTC)', 'outcome', 'event', 'error', 'source IP', 'sub', 'app client', 'flow'],
    mapAsync(records, (r) => [
      r.eventTime,
      r.outcome,
      r.eventName,
      r.errorCode ?? '-',
      r.sourceIp ?? '-',
      r.sub ?? '(no sub)',
      r.clientId ?? '-',
      r.authFlow ?? '-',
    ]),
  );
}

export const USER_FAILURE_COLUMNS = ['sub', 'failures', 'firstFailure', 'lastFailure', 'sourceIps'] as const;
export const SOURCE_IP_COLUMNS = [
  'sourceIp',
  'failures',
  'firstFailure',
  'lastFailure',
  'distinctUsers',
  'failuresWithoutUser',
] as const;

/**
 * The failure summary. Table: two sections, by source IP first (the credential-stuffing signal), then by
 * user. JSON: one object { failures, bySourceIp, byUser }. JSON Lines and CSV: one record per row, each
 * with a `by` column (`sourceIp` | `user`) naming its section.
 */
export async function writeFailureSummary(
  summary: FailureSummary,
  format: Format,
  stream: Writable,
): Promise<void> {
  switch (format) {
    case 'json':
      await writeText(
        stream,
        `${JSON.stringify({ failures: summary.failures, bySourceIp: summary.bySourceIp, byUser: summary.byUser }, null, 2)}\n`,
      );
      return;
    case 'jsonl':
    case 'csv': {
      const columns = ['by', ...new Set([...SOURCE_IP_COLUMNS, ...USER_FAILURE_COLUMNS])];
      const rows = [
        ...summary.bySourceIp.map((s) => ({ by: 'sourceIp', ...s })),
        ...summary.byUser.map((u) => ({ by: 'user', ...u })),
      ];
      await writeRecords(stream, format, columns, rows);
      return;
    }
    case 'table':
      await writeText(stream, `${counted(summary.failures, 'failed attempt')}.\n`);
      if (summary.failures === 0) return;
      await writeText(stream, '\nBy source IP (distinct users failing from one IP: credential stuffing)\n');
      await writeTable(
        stream,
        ['source IP', 'failures', 'distinct users', 'without user', 'first failure', 'last failure'],
        mapAsync(summary.bySourceIp, (s) => [
          s.sourceIp,
          String(s.failures),
          String(s.distinctUsers),
          String(s.failuresWithoutUser),
          s.firstFailure,
          s.lastFailure,
        ]),
      );
      await writeText(stream, '\nBy user\n');
      await writeTable(
        stream,
        ['sub', 'failures', 'source IPs', 'first failure', 'last failure'],
        mapAsync(summary.byUser, (u) => [
          u.sub ?? '(no sub: unknown user name or not identified)',
          String(u.failures),
          String(u.sourceIps),
          u.firstFailure,
          u.lastFailure,
        ]),
      );
      return;
  }
}

export const USER_ATTEMPT_COLUMNS = [
  'eventTime',
  'outcome',
  'recordedBy',
  'eventName',
  'errorCode',
  'sourceIp',
  'userAgent',
  'clientId',
  'signInId',
  'eventId',
] as const;

/** One user's sign-ins and failures, newest first; returns how many rows were written. */
export function writeUserAttempts(rows: UserAttempt[], format: Format, stream: Writable): Promise<number> {
  if (format !== 'table') return writeRecords(stream, format, USER_ATTEMPT_COLUMNS, rows);
  return writeTable(
    stream,
    ['time (UTC)', 'outcome', 'event', 'error', 'source IP', 'app client', 'recorded by'],
    mapAsync(rows, (r) => [
      r.eventTime,
      r.outcome,
      r.eventName ?? 'sign-in',
      r.errorCode ?? '-',
      r.sourceIp ?? '-',
      r.clientId ?? '-',
      r.recordedBy,
    ]),
  );
}
