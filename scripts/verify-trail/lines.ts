/**
 * verify-trail's lines: one per difference, starting with what it is, saying on the line when a legitimate act
 * explains it; then, per table, what was sealed and verified, what is not sealed yet, and the verdict.
 */
import { counted } from '../core/generic.ts';
import type { Difference, Explanation, Verdict } from '../records/trail.ts';

const span = (interval?: { start: string; end: string }) =>
  interval ? `${interval.start} – ${interval.end}` : '';

function explanation(e: Explanation): string {
  switch (e.code) {
    case 'ttl':
      return `legitimate: expired by TTL (${e.expiredAt})`;
    case 'erasure':
      return `legitimate: erased by npm run erase (requested ${e.requestedAt})`;
    case 'replay':
      return `legitimate: inserted late by npm run replay (${e.replayedAt}, by ${e.replayedBy})`;
  }
}

export function differenceLine(d: Difference): string {
  const key = d.key
    ? ` (${Object.entries(d.key)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(', ')})`
    : '';
  const where = d.keyHash
    ? `${d.table} key ${d.keyHash}${key} in ${span(d.interval)}`
    : d.object
      ? `${d.object}${d.interval ? ` (${d.table} ${span(d.interval)})` : ''}`
      : `${d.table} ${span(d.interval)}`;
  return `${d.kind} ${where}${d.explanation ? ` — ${explanation(d.explanation)}` : ''}`;
}

export function verdictLines(verdict: Verdict): string[] {
  const lines: string[] = [];
  const unexplained = verdict.differences.filter((d) => !d.explanation);
  const explained = verdict.differences.filter((d) => d.explanation);
  for (const d of [...unexplained, ...explained]) lines.push(differenceLine(d));
  for (const t of verdict.tables) {
    const mine = verdict.differences.filter((d) => d.table === t.table);
    const count = (kind: Difference['kind'], code?: Explanation['code']) =>
      mine.filter((d) => d.kind === kind && (code === undefined || d.explanation?.code === code)).length;
    lines.push(
      `${t.table} (${t.tableName}): ${counted(t.intervals, 'interval')} sealed, ${t.verifiedIntervals} verified, ` +
        `${counted(t.sealedItems, 'item')}; altered ${count('altered')}, removed ${count('removed')} ` +
        `(${count('removed', 'erasure')} erased, ${count('removed', 'ttl')} by TTL), inserted ${count('inserted')} ` +
        `(${count('inserted', 'replay')} replayed)`,
    );
    for (const u of t.unsealed) {
      lines.push(
        `unsealed ${t.table} ${u.start} – ${u.end} (${u.reason === 'after-last-seal' ? 'not sealed yet: after the last digest' : 'before the first digest'})`,
      );
    }
  }
  lines.push(
    verdict.intact
      ? 'Trail intact: every difference is explained.'
      : `Trail NOT intact: ${counted(unexplained.length, 'unexplained difference')}.`,
  );
  return lines;
}
