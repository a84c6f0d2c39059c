import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { createConsoleLogger } from '../../../authenticated/src/log.ts';

describe('createConsoleLogger', () => {
  const written: string[][] = [];
  beforeEach(() => {
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      mock.method(console, level, (line: string) => written.push([level, line]));
    }
  });
  afterEach(() => {
    mock.restoreAll();
    written.length = 0;
  });

  it('writes one JSON object per line at or above the LoggingConfig level', () => {
    const log = createConsoleLogger('INFO');
    log('debug', { code: 'A', message: 'per sign-in' });
    log('error', { code: 'B', message: 'failure', sub: 's-1' });
    assert.deepEqual(written, [['error', JSON.stringify({ code: 'B', message: 'failure', sub: 's-1' })]]);
  });

  it('logs every sign-in when ApplicationLogLevel is DEBUG, and defaults to INFO', () => {
    createConsoleLogger('DEBUG')('debug', { code: 'A', message: 'x' });
    createConsoleLogger(undefined)('debug', { code: 'C', message: 'x' });
    createConsoleLogger('nonsense')('info', { code: 'D', message: 'x' });
    assert.deepEqual(
      written.map(([level, line]) => [level, JSON.parse(line as string).code]),
      [
        ['debug', 'A'],
        ['info', 'D'],
      ],
    );
  });
});
