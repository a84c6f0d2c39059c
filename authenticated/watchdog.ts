/**
 * Scheduled (EventBridge Scheduler, every few minutes): checks that the trail still records and seals as
 * deployed - the pool's trigger, the functions' code and settings, the rules and schedules, the CloudTrail
 * trail, the streams, the tables' resource policies, the last seal - and publishes one metric per check and
 * a heartbeat; each has an alarm. Entry file: wiring only; configuration and clients are made once.
 */
import { createJsonLineLogger } from './src/log.ts';
import { createWatchdogApi } from './src/watchdog-api.ts';
import { readWatchdogConfig } from './src/watchdog-config.ts';
import { createWatchdogHandler } from './src/watchdog-handler.ts';

const log = createJsonLineLogger(process.env.AWS_LAMBDA_LOG_LEVEL);
const configResult = readWatchdogConfig(process.env);
const { api, publish } = createWatchdogApi(
  {},
  { ...configResult.config, region: process.env.AWS_REGION ?? '' },
);

export const handler = createWatchdogHandler({ configResult, api, publish, log });
