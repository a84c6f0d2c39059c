/**
 * The sealer's and the watchdog's handlers, in process with their dependencies replaced: what they refuse,
 * what they log (the alarms' metric filters read these codes) and what they hand on. The sealing and the checks
 * themselves run on moto in tests/function/integration and tests/scripts/verify-trail.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogRecord } from '../../../authenticated/src/log.ts';
import { readSealConfig } from '../../../authenticated/src/seal-config.ts';
import { SEAL_FAILED, type SealDependencies } from '../../../authenticated/src/seal-intervals.ts';
import { createSealTrailHandler } from '../../../authenticated/src/seal-trail-handler.ts';
import { CHECKS, type CheckResult, type WatchdogApi } from '../../../authenticated/src/watchdog-checks.ts';
import { readWatchdogConfig } from '../../../authenticated/src/watchdog-config.ts';
import {
  createWatchdogHandler,
  TRAIL_CHECK_FAILED,
  TRAIL_CHECKED,
  WATCHDOG_CONFIG_INVALID,
} from '../../../authenticated/src/watchdog-handler.ts';

const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const context = { getRemainingTimeInMillis: () => 300_000 };

function recorder() {
  const lines: (LogRecord & { level: string })[] = [];
  return { lines, log: (level: string, record: LogRecord) => void lines.push({ level, ...record }) };
}

/** Every call rejects: a service that cannot be reached. */
const unreachable = <T extends object>() =>
  new Proxy({} as T, { get: () => () => Promise.reject(new Error('connect ETIMEDOUT')) });

describe('the sealer handler', () => {
  const sealConfig = readSealConfig({
    SIGN_IN_TABLE: 'login-history',
    DAY_INDEX_SHARDS: '4',
    DIGEST_BUCKET: 'digests-bucket',
    SIGNING_KEY_ARN: KEY_ARN,
    SEAL_INTERVAL_MINUTES: '15',
    SEAL_GRACE_MINUTES: '15',
  });

  it('refuses an invalid configuration: logged with every problem, thrown for the retry and the alarm', async () => {
    const { lines, log } = recorder();
    const handler = createSealTrailHandler({
      configResult: readSealConfig({ SIGN_IN_TABLE: 'login-history' }),
      deps: { ...unreachable<SealDependencies>(), log },
      log,
    });
    await assert.rejects(handler({}, context), /invalid configuration: DIGEST_BUCKET/);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.code, SEAL_FAILED);
    assert.ok(((lines[0]?.problems as string[] | undefined)?.length ?? 0) >= 2, 'every problem is named');
  });

  it('logs a failed seal with its error (no item, no key material) and throws it again', async () => {
    const { lines, log } = recorder();
    const deps: SealDependencies = {
      query: () => Promise.reject(new Error('unused')),
      store: unreachable<SealDependencies['store']>(),
      signer: unreachable<SealDependencies['signer']>(),
      log,
    };
    const handler = createSealTrailHandler({
      configResult: sealConfig,
      deps,
      log,
      now: () => Date.UTC(2026, 11, 6),
    });
    await assert.rejects(handler({}, context), /ETIMEDOUT/);
    const failure = lines.find((l) => l.code === SEAL_FAILED);
    assert.deepEqual(
      { level: failure?.level, message: failure?.message, errorName: failure?.errorName },
      { level: 'error', message: 'sealing failed', errorName: 'Error' },
    );
  });
});

describe('the watchdog handler', () => {
  const env = {
    USER_POOL_ID: 'us-east-1_AbCdEf123',
    TRIGGER_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:lh-trigger',
    FUNCTION_VERSIONS: 'arn:aws:lambda:us-east-1:123456789012:function:lh-trigger:3',
    RULE_NAMES: 'rule-a,rule-b',
    SCHEDULE_NAMES: 'schedule-a',
    MAPPING_IDS: 'mapping-a',
    SIGN_IN_TABLE: 'login-history',
    SIGN_IN_TABLE_ARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/login-history',
    DIGEST_BUCKET: 'digests-bucket',
    SIGNING_KEY_ARN: KEY_ARN,
    SEAL_INTERVAL_MINUTES: '15',
    SEAL_GRACE_MINUTES: '15',
    METRIC_NAMESPACE: 'LoginHistory/lh',
  };

  it('refuses an invalid configuration and publishes nothing (the silence alarm then fires)', async () => {
    const { lines, log } = recorder();
    let published = 0;
    const handler = createWatchdogHandler({
      configResult: readWatchdogConfig({}),
      api: unreachable<WatchdogApi>(),
      publish: async () => void published++,
      log,
    });
    await assert.rejects(handler(), /invalid configuration/);
    assert.equal(lines[0]?.code, WATCHDOG_CONFIG_INVALID);
    assert.equal(published, 0);
  });

  it('fails every check it cannot read, logs each and the summary, and publishes all of them', async () => {
    const configResult = readWatchdogConfig(env);
    assert.deepEqual(configResult.problems, []);
    const { lines, log } = recorder();
    const published: { namespace: string; results: CheckResult[] }[] = [];
    const handler = createWatchdogHandler({
      configResult,
      api: unreachable<WatchdogApi>(),
      publish: async (namespace, results) => void published.push({ namespace, results }),
      log,
      now: () => new Date(Date.UTC(2026, 11, 6, 12)),
    });
    const results = await handler();
    assert.deepEqual(
      results.map((r) => [r.check, r.ok]),
      CHECKS.map((check) => [check, false]),
      'not knowing is not ok',
    );
    assert.deepEqual(
      lines.filter((l) => l.code === TRAIL_CHECK_FAILED).map((l) => l.check),
      [...CHECKS],
    );
    const summary = lines.find((l) => l.code === TRAIL_CHECKED);
    assert.equal(summary?.message, `0 of ${CHECKS.length} checks passed`);
    assert.deepEqual(published, [{ namespace: 'LoginHistory/lh', results }]);
  });
});
