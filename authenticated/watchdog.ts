/**
 * Scheduled (EventBridge Scheduler, every few minutes): checks that the trail still records and seals as
 * deployed - the pool's trigger, the functions' code and settings, the rules and schedules, the CloudTrail
 * trail, the streams, the tables' resource policies, the last seal - and publishes one metric per check and
 * a heartbeat; each has an alarm. Entry file: wiring only; configuration and clients are made once.
 */

import { createJsonLineLogger } from './src/log.ts';
import { createWatchdogApi } from './src/watchdog-api.ts';
import { runWatchdog } from './src/watchdog-checks.ts';
import { readWatchdogConfig } from './src/watchdog-config.ts';

const log = createJsonLineLogger(process.env.AWS_LAMBDA_LOG_LEVEL);
const { config, problems } = readWatchdogConfig(process.env);
const { api, publish } = createWatchdogApi({}, { ...config, region: process.env.AWS_REGION ?? '' });

export async function handler() {
  if (problems.length > 0) {
    log('error', { code: 'TRAIL_WATCHDOG_CONFIG_INVALID', message: 'invalid configuration', problems });
    throw new Error(`invalid configuration: ${problems.join('; ')}`);
  }
  const now = new Date();
  const results = await runWatchdog(config, api, now.getTime());
  for (const r of results.filter((x) => !x.ok)) {
    log('error', { code: 'TRAIL_CHECK_FAILED', message: r.detail, check: r.check });
  }
  log('info', {
    code: 'TRAIL_CHECKED',
    message: `${results.filter((r) => r.ok).length} of ${results.length} checks passed`,
    failed: results.filter((r) => !r.ok).map((r) => r.check),
  });
  await publish(config.namespace, results, now);
  return results;
}
