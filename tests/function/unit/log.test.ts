/** The function's log lines: one JSON object each, at or above the LoggingConfig level, our code on top. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { createLogger, SERVICE_NAME } from '../../../authenticated/src/log.ts';

describe('createLogger (Powertools Logger)', () => {
  const written: string[] = [];
  const savedLevel = process.env.AWS_LAMBDA_LOG_LEVEL;
  beforeEach(() => {
    delete process.env.AWS_LAMBDA_LOG_LEVEL;
    for (const stream of [process.stdout, process.stderr]) {
      mock.method(stream, 'write', (chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    }
  });
  afterEach(() => {
    mock.restoreAll();
    written.length = 0;
    if (savedLevel === undefined) delete process.env.AWS_LAMBDA_LOG_LEVEL;
    else process.env.AWS_LAMBDA_LOG_LEVEL = savedLevel;
  });
  const records = () =>
    written
      .join('')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));

  it('writes one JSON object per line at or above the level, with our fields at the top level', () => {
    const log = createLogger('INFO');
    log('debug', { code: 'A', message: 'per sign-in' });
    log('error', { code: 'B', message: 'failure', sub: 's-1', item: { sub: 's-1' } });
    const [line, ...rest] = records();
    assert.deepEqual(rest, []);
    assert.equal(line.level, 'ERROR');
    assert.equal(line.message, 'failure');
    assert.equal(line.service, SERVICE_NAME);
    assert.equal(line.code, 'B', 'the metric filter and replay find the code at the top level');
    assert.deepEqual(line.item, { sub: 's-1' });
    assert.equal(written.join('').trim().split('\n').length, 1, 'one line, not pretty-printed');
  });

  it('logs every sign-in when ApplicationLogLevel is DEBUG, and falls back to INFO', () => {
    createLogger('DEBUG')('debug', { code: 'A', message: 'x' });
    createLogger(undefined)('debug', { code: 'C', message: 'x' });
    createLogger('nonsense')('info', { code: 'D', message: 'x' });
    assert.deepEqual(
      records().map((r) => [r.level, r.code]),
      [
        ['DEBUG', 'A'],
        ['INFO', 'D'],
      ],
    );
  });
});
