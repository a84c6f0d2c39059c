/** A reporting period on the command line: `--from` / `--to` as whole UTC dates or ISO times. */

import { dayOf } from '../records/sign-ins.ts';
import { UsageError } from './cli.ts';

export const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A calendar date (YYYY-MM-DD) that exists: Date.parse accepts 2026-02-30 as 2026-03-02, so read it back. */
export function isCalendarDate(value: string): boolean {
  const ms = Date.parse(`${value}T00:00:00Z`);
  return DATE.test(value) && !Number.isNaN(ms) && dayOf(ms) === value;
}

/** A --from/--to bound as the ISO time items hold; a date is the start (from) or the end (to) of that day. */
export function periodBound(name: 'from' | 'to', value: string): string {
  if (isCalendarDate(value)) return `${value}T${name === 'from' ? '00:00:00.000' : '23:59:59.999'}Z`;
  const ms = ISO_TIME.test(value) && isCalendarDate(value.slice(0, 10)) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `--${name} "${value}" is neither a date (YYYY-MM-DD) nor an ISO time (2026-11-01T09:00:00Z)`,
    );
  }
  return new Date(ms).toISOString();
}

/** Both bounds, checked to be in order. */
export function period(from: string, to: string): { from: string; to: string } {
  const bounds = { from: periodBound('from', from), to: periodBound('to', to) };
  if (bounds.to < bounds.from) throw new UsageError(`--to (${to}) is before --from (${from})`);
  return bounds;
}
