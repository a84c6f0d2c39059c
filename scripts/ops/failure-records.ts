/**
 * Finds failure records (LOGIN_HISTORY_WRITE_FAILED lines, which carry the complete item) in log text,
 * whatever wrapped them: a raw JSON line, Lambda's JSON log format (our line as a string or object in
 * "message"), Lambda's text format ("<time>\t<request id>\tERROR\t{…}"), or a FilterLogEvents export.
 */
export const FAILURE_CODE = 'LOGIN_HISTORY_WRITE_FAILED';

export type HistoryItemRecord = Record<string, unknown> & { sub: string; signInId: string };

export type ParsedLine =
  | { kind: 'record'; item: HistoryItemRecord }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'other' };

const KEY_FIELDS = ['sub', 'signInId', 'signedInAt', 'userPoolId', 'requestId', 'dayShard'] as const;

function findRecord(value: unknown, depth = 0): Record<string, unknown> | undefined {
  if (depth > 3 || value === null || typeof value !== 'object') {
    if (typeof value === 'string' && depth <= 3) {
      const start = value.indexOf('{');
      if (start >= 0) {
        try {
          return findRecord(JSON.parse(value.slice(start)), depth + 1);
        } catch {
          return undefined;
        }
      }
    }
    return undefined;
  }
  const obj = value as Record<string, unknown>;
  if (obj.code === FAILURE_CODE) return obj;
  return findRecord(obj.message, depth + 1);
}

/** Validates the item the way the table would: keys present and strings, nothing but plain values. */
export function validateItem(item: unknown): string | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item))
    return 'the record has no item object';
  const record = item as Record<string, unknown>;
  const missing = KEY_FIELDS.filter((field) => typeof record[field] !== 'string' || record[field] === '');
  if (missing.length > 0) return `the item lacks ${missing.join(', ')}`;
  if (!String(record.signInId).startsWith(`${record.signedInAt}#`))
    return 'signInId does not match signedInAt';
  return undefined;
}

export function parseLogLine(line: string): ParsedLine {
  if (!line.includes(FAILURE_CODE)) return { kind: 'other' };
  const record = findRecord(line);
  if (!record)
    return { kind: 'unreadable', reason: 'mentions the failure code but holds no readable JSON record' };
  const problem = validateItem(record.item);
  if (problem) return { kind: 'unreadable', reason: problem };
  return { kind: 'record', item: record.item as HistoryItemRecord };
}
