import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WRITE_FAILED } from '#contract';
import { parseLogLine } from '../../../../scripts/replay/failure-records.ts';
import { parseSince } from '../../../../scripts/replay/replay.ts';

const item = {
  sub: 's-1',
  signInId: '2026-11-26T01:02:03.004Z#r-1',
  signedInAt: '2026-11-26T01:02:03.004Z',
  userPoolId: 'us-east-1_Ab',
  requestId: 'r-1',
  dayShard: '2026-11-26#0',
  email: 'a@example.com',
};
const record = JSON.stringify({ code: WRITE_FAILED, message: 'login history write failed', item });

describe('parseLogLine', () => {
  it('reads a raw JSON line, the Lambda JSON format (string or object message) and the text format', () => {
    const wrappings = [
      record,
      JSON.stringify({
        timestamp: '2026-11-26T01:02:03.010Z',
        level: 'ERROR',
        requestId: 'r-1',
        message: record,
      }),
      JSON.stringify({ timestamp: '2026-11-26T01:02:03.010Z', level: 'ERROR', message: JSON.parse(record) }),
      `2026-11-26T01:02:03.010Z\tr-1\tERROR\t${record}`,
    ];
    for (const line of wrappings) assert.deepEqual(parseLogLine(line), { kind: 'record', item }, line);
  });

  it('ignores lines without the failure code', () => {
    assert.deepEqual(parseLogLine('{"code":"LOGIN_HISTORY_EVENT_REJECTED"}'), { kind: 'other' });
    assert.deepEqual(parseLogLine('START RequestId: r-1 Version: $LATEST'), { kind: 'other' });
  });

  it('reports lines it cannot use, saying why', () => {
    const cut = parseLogLine(record.slice(0, 60));
    assert.equal(cut.kind, 'unreadable');
    const noKey = parseLogLine(JSON.stringify({ code: WRITE_FAILED, item: { ...item, sub: undefined } }));
    assert.deepEqual(noKey, { kind: 'unreadable', reason: 'the item lacks sub' });
    const noItem = parseLogLine(JSON.stringify({ code: WRITE_FAILED }));
    assert.deepEqual(noItem, { kind: 'unreadable', reason: 'the record has no item object' });
  });
});

describe('parseSince', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  it('takes ages and ISO times', () => {
    assert.equal(parseSince('90m', now), now - 90 * 60_000);
    assert.equal(parseSince('36h', now), now - 36 * 3_600_000);
    assert.equal(parseSince('7d', now), now - 7 * 86_400_000);
    assert.equal(parseSince('2026-11-25T00:00:00Z', now), Date.parse('2026-11-25T00:00:00Z'));
    assert.equal(parseSince('yesterday', now), undefined);
  });
});
