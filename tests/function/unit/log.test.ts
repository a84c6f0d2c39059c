/** The functions' one log format (authenticated/src/log.ts): what a metric filter and replay read. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJsonLineLogger } from '../../../authenticated/src/log.ts';

describe('createJsonLineLogger', () => {
  const capture = (minimum: string | undefined) => {
    const lines: string[] = [];
    return { lines, log: createJsonLineLogger(minimum, (line) => lines.push(line)) };
  };

  it('writes one top-level JSON object per line, with time and level, at or above the LoggingConfig level', () => {
    const { lines, log } = capture('INFO');
    log('debug', { code: 'A', message: 'per sign-in' });
    log('error', { code: 'B', message: 'failure', sub: 's-1' });
    assert.equal(lines.length, 1);
    assert.ok((lines[0] as string).endsWith('\n') && !(lines[0] as string).slice(0, -1).includes('\n'));
    const record = JSON.parse(lines[0] as string);
    assert.deepEqual(
      { ...record, timestamp: undefined },
      {
        timestamp: undefined,
        level: 'ERROR',
        code: 'B',
        message: 'failure',
        sub: 's-1',
      },
    );
    assert.ok(!Number.isNaN(Date.parse(record.timestamp)));
  });

  it('logs every sign-in when ApplicationLogLevel is DEBUG, and defaults to INFO', () => {
    const codes = (minimum: string | undefined, level: 'debug' | 'info') => {
      const { lines, log } = capture(minimum);
      log(level, { code: 'X', message: 'x' });
      return lines.length;
    };
    assert.equal(codes('DEBUG', 'debug'), 1);
    assert.equal(codes(undefined, 'debug'), 0);
    assert.equal(codes('nonsense', 'info'), 1);
  });
});
