/**
 * Finds failure records (LOGIN_HISTORY_WRITE_FAILED lines, which carry the complete item) in log text,
 * whatever wrapped them: a raw JSON line, Lambda's JSON log format (our line as a string or object in
 * "message"), Lambda's text format ("<time>\t<request id>\tERROR\t{…}"), or a FilterLogEvents export.
 */
import { itemProblem, type LoginHistoryItem, WRITE_FAILED } from '#contract';

export type ParsedLine =
  | { kind: 'record'; item: LoginHistoryItem }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'other' };

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
  if (obj.code === WRITE_FAILED) return obj;
  return findRecord(obj.message, depth + 1);
}

export function parseLogLine(line: string): ParsedLine {
  if (!line.includes(WRITE_FAILED)) return { kind: 'other' };
  const record = findRecord(line);
  if (!record)
    return { kind: 'unreadable', reason: 'mentions the failure code but holds no readable JSON record' };
  const problem = itemProblem(record.item);
  if (problem) return { kind: 'unreadable', reason: problem };
  return { kind: 'record', item: record.item as LoginHistoryItem };
}
