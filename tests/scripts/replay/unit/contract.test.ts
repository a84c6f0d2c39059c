/**
 * The contract between the function and the tools (#contract): a failure record the function writes is read
 * back by replay into exactly the item the function tried to write, in every form Lambda stores the line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayShardOf, itemProblem, type LoginHistoryItem, signInIdOf, WRITE_FAILED } from '#contract';
import { readConfig } from '../../../../authenticated/src/config.ts';
import { createPostAuthenticationHandler } from '../../../../authenticated/src/record-sign-in.ts';
import { parseLogLine } from '../../../../scripts/replay/failure-records.ts';
import { lambdaContext, sampleEvent } from '../../../helpers/events.ts';

describe('the function and replay share one contract', () => {
  it('a failure record written by the function is read back by replay into the same item', async () => {
    const attempted: LoginHistoryItem[] = [];
    const lines: string[] = [];
    const handler = createPostAuthenticationHandler({
      configResult: readConfig({ TABLE_NAME: 'login-history', RETENTION_DAYS: '365', DAY_INDEX_SHARDS: '4' }),
      writeItem: async (item) => {
        attempted.push(item);
        throw Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
      },
      // What createJsonLineLogger writes: one JSON object per line.
      log: (_level, record) => lines.push(JSON.stringify(record)),
    });
    await handler(sampleEvent(), lambdaContext('5b0d6c1e-8a47-4f0e-9d0c-2f4b1a7e9c31'));

    assert.equal(attempted.length, 1);
    const [item] = attempted as [LoginHistoryItem];
    const [line] = lines as [string];
    assert.equal(JSON.parse(line).code, WRITE_FAILED);
    assert.equal(itemProblem(item), undefined, 'the function writes items of the contract');
    assert.equal(item.signInId, signInIdOf(item.signedInAt, item.requestId));
    assert.match(item.dayShard, new RegExp(`^${dayShardOf(item.signedInAt, 0).slice(0, 11)}[0-3]$`));
    // As written, and as Lambda's JSON (string or object message) and text formats store it.
    for (const stored of [
      line,
      JSON.stringify({
        timestamp: item.signedInAt,
        level: 'ERROR',
        requestId: item.requestId,
        message: line,
      }),
      JSON.stringify({ timestamp: item.signedInAt, level: 'ERROR', message: JSON.parse(line) }),
      `${item.signedInAt}\t${item.requestId}\tERROR\t${line}`,
    ]) {
      assert.deepEqual(parseLogLine(stored), { kind: 'record', item }, stored);
    }
  });

  it('an item whose keys do not follow the key format is not replayed', () => {
    const item = {
      sub: 's',
      signedInAt: '2026-11-26T01:02:03.004Z',
      requestId: 'r-1',
      signInId: signInIdOf('2026-11-26T01:02:03.004Z', 'r-2'),
      userPoolId: 'us-east-1_Ab',
      dayShard: dayShardOf('2026-11-26', 0),
    };
    assert.equal(itemProblem(item), 'signInId does not match signedInAt and requestId');
    assert.deepEqual(parseLogLine(JSON.stringify({ code: WRITE_FAILED, item })), {
      kind: 'unreadable',
      reason: 'signInId does not match signedInAt and requestId',
    });
  });

  it("an item in one of the table's own partitions (#erasures) is not replayed", () => {
    const signedInAt = '2026-11-26T01:02:03.004Z';
    const item = {
      sub: '#erasures',
      signedInAt,
      requestId: 'r-1',
      signInId: signInIdOf(signedInAt, 'r-1'),
      userPoolId: 'us-east-1_Ab',
      dayShard: dayShardOf('2026-11-26', 0),
    };
    assert.equal(itemProblem(item), 'sub starts with #, which no Cognito sub does');
    assert.equal(itemProblem({ ...item, sub: 'a-real-sub' }), undefined);
  });
});
