/**
 * The trail's functions' own decisions, in process: their configuration read and refused when wrong, the
 * change detector's judgement of each kind of stream record, and the watchdog's reading of a function version.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createChangeDetector } from '../../../authenticated/src/detect-changes.ts';
import { INTERVAL_MINUTES, readSealConfig } from '../../../authenticated/src/seal-config.ts';
import { keyHashOf } from '../../../authenticated/src/trail-digest.ts';
import { versionOf } from '../../../authenticated/src/watchdog-checks.ts';
import { readWatchdogConfig } from '../../../authenticated/src/watchdog-config.ts';
import { loadTemplate } from '../../../dev/build/template.ts';

const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('the sealer and watchdog configuration', () => {
  it('reads a complete sealer configuration, auth events included', () => {
    const { config, problems } = readSealConfig({
      SIGN_IN_TABLE: 'login-history',
      AUTH_EVENTS_TABLE: 'auth-events',
      DAY_INDEX_SHARDS: '4',
      DIGEST_BUCKET: 'digests-bucket',
      SIGNING_KEY_ARN: KEY_ARN,
      SEAL_INTERVAL_MINUTES: '30',
      SEAL_GRACE_MINUTES: '15',
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(config.sources, [
      { table: 'sign-ins', tableName: 'login-history', dayIndexShards: 4 },
      { table: 'auth-events', tableName: 'auth-events' },
    ]);
    assert.equal(config.maxIntervalsPerRun, 48, 'a day of 30-minute intervals per run');
  });

  it('accepts every SealIntervalMinutes the template offers, and only grids that divide the day', () => {
    const offered = loadTemplate().Parameters.SealIntervalMinutes.AllowedValues as number[];
    assert.deepEqual(offered, [...INTERVAL_MINUTES], 'the template and the sealer agree');
    for (const minutes of offered) {
      assert.equal(1440 % minutes, 0, `${minutes} divides the day`);
      const { problems } = readSealConfig({
        SIGN_IN_TABLE: 'login-history',
        DAY_INDEX_SHARDS: '4',
        DIGEST_BUCKET: 'digests-bucket',
        SIGNING_KEY_ARN: KEY_ARN,
        SEAL_INTERVAL_MINUTES: String(minutes),
        SEAL_GRACE_MINUTES: '15',
      });
      assert.deepEqual(problems, [], `${minutes} minutes`);
      assert.ok(minutes + 15 <= 60, `a record is sealed within the hour at ${minutes}`);
    }
  });

  it('names every wrong setting, including an interval that would cross midnight', () => {
    const { problems } = readSealConfig({
      SIGN_IN_TABLE: '',
      DIGEST_BUCKET: 'UPPER',
      SIGNING_KEY_ARN: 'key',
      SEAL_INTERVAL_MINUTES: '7',
    });
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.match(problems.join('\n'), /SEAL_INTERVAL_MINUTES must be one of 5, 10, 15, 20, 30, 45, got "7"/);
    assert.deepEqual(readWatchdogConfig({}).problems.slice(0, 2), [
      'SIGN_IN_TABLE is not set',
      'SIGN_IN_TABLE_ARN is not set',
    ]);
  });

  it('reads a published version ARN into the function and its qualifier', () => {
    assert.deepEqual(versionOf('arn:aws:lambda:us-east-1:123456789012:function:stack-Trigger-AbC:7'), {
      name: 'arn:aws:lambda:us-east-1:123456789012:function:stack-Trigger-AbC',
      qualifier: '7',
    });
  });
});

describe('the change detector', () => {
  const arn = (table: string) =>
    `arn:aws:dynamodb:us-east-1:123456789012:table/${table}/stream/2026-12-01T00:00:00.000`;
  const record = (eventName: string, sub: string, extra: Record<string, unknown> = {}) => ({
    eventID: `e-${eventName}-${sub}`,
    eventName,
    eventSourceARN: arn('history'),
    dynamodb: {
      Keys: { sub: { S: sub }, signInId: { S: '2026-12-06T10:00:00.000Z#r' } },
      ApproximateCreationDateTime: 1796000000,
    },
    ...extra,
  });
  const run = async (records: object[], erased: string[] = []) => {
    const logged: Record<string, unknown>[] = [];
    const asked: string[] = [];
    const detect = createChangeDetector({
      config: { signInTable: 'history' },
      erasedKeyHashes: async (since) => {
        asked.push(since);
        return new Set(erased);
      },
      log: (level, line) => logged.push({ level, ...line }),
    });
    return { result: await detect({ Records: records as never }), logged, asked };
  };

  it('alarms on a modification, and on a removal nobody announced, with hashes and ids only', async () => {
    const { result, logged } = await run([record('MODIFY', 'u1'), record('REMOVE', 'u2')]);
    assert.deepEqual(result, { detected: 2, explained: 0 });
    assert.deepEqual(
      logged.map((l) => [l.level, l.code, l.eventName, l.keyHash]),
      [
        [
          'error',
          'TRAIL_CHANGE_DETECTED',
          'MODIFY',
          keyHashOf('sign-ins', { sub: 'u1', signInId: '2026-12-06T10:00:00.000Z#r' }),
        ],
        [
          'error',
          'TRAIL_CHANGE_DETECTED',
          'REMOVE',
          keyHashOf('sign-ins', { sub: 'u2', signInId: '2026-12-06T10:00:00.000Z#r' }),
        ],
      ],
    );
    assert.ok(!JSON.stringify(logged).includes('"u1"'), 'no key value in the lines');
  });

  it("explains DynamoDB's own TTL deletions and announced erasures, and reads the announcements once", async () => {
    const ttl = record('REMOVE', 'u3', {
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
    });
    const erasedHash = keyHashOf('sign-ins', { sub: 'u4', signInId: '2026-12-06T10:00:00.000Z#r' });
    const { result, logged, asked } = await run(
      [ttl, record('REMOVE', 'u4'), record('REMOVE', 'u4'), record('INSERT', 'u5')],
      [erasedHash],
    );
    assert.deepEqual(result, { detected: 0, explained: 3 });
    assert.deepEqual(
      logged.map((l) => [l.level, l.reason]),
      [
        ['debug', 'ttl'],
        ['info', 'erasure'],
        ['info', 'erasure'],
      ],
    );
    assert.deepEqual(
      asked,
      [new Date((1796000000 - 2 * 86_400) * 1000).toISOString()],
      'the last two days of announcements, read once',
    );
  });

  it('does not take a removal by another service, or by a user who claims the name, for TTL', async () => {
    const { result } = await run([
      record('REMOVE', 'u6', { userIdentity: { type: 'Service', principalId: 'lambda.amazonaws.com' } }),
      record('REMOVE', 'u7', { userIdentity: { type: 'AWS', principalId: 'dynamodb.amazonaws.com' } }),
    ]);
    assert.deepEqual(result, { detected: 2, explained: 0 });
  });
});
