/**
 * Replay's behaviour under load that a real engine cannot produce on demand: bounded concurrency, throttling
 * waited out (never reported as a failure), other errors reported per record.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DETAIL_LIMIT, type LogLine, ReplayStopped } from '../../../../scripts/replay/replay.ts';
import { bundledWorker } from '../../../../scripts/replay/workers.ts';
import { replay } from '../../../../scripts/replay/writer.ts';

function failureLine(i: number): LogLine {
  const signedInAt = new Date(Date.UTC(2026, 10, 1) + i).toISOString();
  const item = {
    sub: `sub-${i}`,
    signInId: `${signedInAt}#req-${i}`,
    signedInAt,
    userPoolId: 'us-east-1_Ab',
    requestId: `req-${i}`,
    dayShard: `${signedInAt.slice(0, 10)}#0`,
    triggerSource: 'PostAuthentication_Authentication',
  };
  return { source: `test:${i}`, text: JSON.stringify({ code: 'LOGIN_HISTORY_WRITE_FAILED', item }) };
}

/** Many log lines, most of them other Lambda output, as an outage's log export would be. */
async function* logExport(records: number): AsyncGenerator<LogLine> {
  for (let i = 0; i < records; i++) {
    yield { source: 'x', text: 'START RequestId: abc Version: $LATEST' };
    yield failureLine(i);
    yield { source: 'x', text: 'REPORT RequestId: abc Duration: 3.1 ms' };
  }
}

const throttle = (name: string) => Object.assign(new Error('slow down'), { name });

describe('replay at outage scale', () => {
  it('keeps at most --concurrency writes in flight, and uses them', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const mock = mockClient(doc);
    let inFlight = 0;
    let peak = 0;
    mock.on(PutCommand).callsFake(async () => {
      peak = Math.max(peak, ++inFlight);
      await sleep(2);
      inFlight--;
      return {};
    });
    const report = await replay(doc, 't', logExport(400), { dryRun: false, concurrency: 16 });
    assert.deepEqual(report, {
      inserted: 400,
      alreadyPresent: 0,
      unreadableCount: 0,
      failedCount: 0,
      unreadable: [],
      failed: [],
    });
    assert.equal(peak, 16);
    mock.restore();
  });

  it('waits out every kind of throttling and reports none of it as a failure', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const mock = mockClient(doc);
    const attempts = new Map<string, number>();
    const names = ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'];
    mock.on(PutCommand).callsFake(async (input: PutCommandInput) => {
      const id = String(input.Item?.signInId);
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      if (n <= 3) throw throttle(names[(n - 1) % 3] as string); // three throttles per record, then through
      if (id.endsWith('#req-7'))
        throw Object.assign(new Error('item too large'), { name: 'ValidationException' });
      if (id.endsWith('#req-8')) {
        throw Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' });
      }
      return {};
    });
    const report = await replay(doc, 't', logExport(30), {
      dryRun: false,
      concurrency: 8,
      baseBackoffMs: 1,
      maxBackoffMs: 4,
    });
    assert.equal(report.inserted, 28);
    assert.equal(report.alreadyPresent, 1);
    assert.deepEqual(report.failed, [
      {
        signInId: `${new Date(Date.UTC(2026, 10, 1) + 7).toISOString()}#req-7`,
        error: 'ValidationException: item too large',
      },
    ]);
    assert.ok(
      [...attempts.values()].every((n) => n === 4),
      'every record retried through three throttles',
    );
    mock.restore();
  });

  it('counts every failure but lists only the first DETAIL_LIMIT: a million failures stay small in memory', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const mock = mockClient(doc);
    mock.on(PutCommand).rejects(Object.assign(new Error('item too large'), { name: 'ValidationException' }));
    async function* withGarbage(): AsyncGenerator<LogLine> {
      yield* logExport(DETAIL_LIMIT + 500);
      for (let i = 0; i < DETAIL_LIMIT + 7; i++)
        yield { source: `bad:${i}`, text: 'LOGIN_HISTORY_WRITE_FAILED {' };
    }
    const report = await replay(doc, 't', withGarbage(), { dryRun: false, concurrency: 32 });
    assert.equal(report.failedCount, DETAIL_LIMIT + 500);
    assert.equal(report.failed.length, DETAIL_LIMIT);
    assert.equal(report.unreadableCount, DETAIL_LIMIT + 7);
    assert.equal(report.unreadable.length, DETAIL_LIMIT);
    assert.equal(report.inserted + report.alreadyPresent, 0);
    mock.restore();
  });

  for (const name of ['ResourceNotFoundException', 'AccessDeniedException', 'ExpiredTokenException']) {
    it(`stops at the first ${name}, which every other record would meet too, with what it had done`, async () => {
      const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
      const mock = mockClient(doc);
      let puts = 0;
      mock.on(PutCommand).callsFake(async () => {
        if (++puts <= 5) return {};
        throw Object.assign(new Error('refused'), { name });
      });
      const stopped = await replay(doc, 't', logExport(3000), { dryRun: false, concurrency: 1 }).then(
        () => assert.fail('expected ReplayStopped'),
        (error: unknown) => error,
      );
      assert.ok(stopped instanceof ReplayStopped);
      assert.equal(stopped.cause.name, name);
      assert.equal(stopped.report.inserted, 5);
      assert.equal(stopped.report.failedCount, 0, 'not counted as 2,995 record failures');
      assert.equal(puts, 6, 'no write after the one that showed the problem');
      mock.restore();
    });
  }

  it('writer threads run the bundled worker (one file, the SDK tree-shaken), not the SDK as separate modules', async () => {
    const script = await bundledWorker();
    try {
      assert.match(script.url.pathname, /replay-worker\.mjs$/);
      const code = readFileSync(script.url, 'utf8');
      assert.doesNotMatch(code, /from\s*["']@aws-sdk\//, 'the SDK is inside the bundle, not imported');
    } finally {
      script.remove();
    }
    assert.equal(existsSync(script.url), false, 'removed with the pool');
  });
});
