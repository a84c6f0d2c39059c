/**
 * The watchdog's handler, apart from its wiring (watchdog.ts): it refuses to run on a configuration it cannot
 * use, runs every check, logs each failed one (the metric filters and the alarms read TRAIL_CHECK_FAILED) and
 * a summary, and publishes one metric per check and the heartbeat.
 */
import type { Logger } from './log.ts';
import { type CheckResult, runWatchdog, type WatchdogApi } from './watchdog-checks.ts';
import type { WatchdogSettings } from './watchdog-config.ts';

export const WATCHDOG_CONFIG_INVALID = 'TRAIL_WATCHDOG_CONFIG_INVALID';
export const TRAIL_CHECK_FAILED = 'TRAIL_CHECK_FAILED';
export const TRAIL_CHECKED = 'TRAIL_CHECKED';

export function createWatchdogHandler(options: {
  configResult: { config: WatchdogSettings; problems: string[] };
  api: WatchdogApi;
  publish: (namespace: string, results: CheckResult[], at: Date) => Promise<void>;
  log: Logger;
  now?: () => Date;
}): () => Promise<CheckResult[]> {
  const { configResult, api, publish, log } = options;
  const now = options.now ?? (() => new Date());
  return async () => {
    const { config, problems } = configResult;
    if (problems.length > 0) {
      log('error', { code: WATCHDOG_CONFIG_INVALID, message: 'invalid configuration', problems });
      throw new Error(`invalid configuration: ${problems.join('; ')}`);
    }
    const at = now();
    const results = await runWatchdog(config, api, at.getTime());
    const failed = results.filter((r) => !r.ok);
    for (const r of failed) log('error', { code: TRAIL_CHECK_FAILED, message: r.detail, check: r.check });
    log('info', {
      code: TRAIL_CHECKED,
      message: `${results.length - failed.length} of ${results.length} checks passed`,
      failed: failed.map((r) => r.check),
    });
    await publish(config.namespace, results, at);
    return results;
  };
}
