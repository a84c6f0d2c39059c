/**
 * The auth-events function's behaviour: map the CloudTrail event, write the record within the time budget,
 * and fail loudly when it cannot be recorded (Lambda's asynchronous retries, then the dead-letter queue).
 * Dependencies are passed in so tests can drive every path; the entry file wires the real ones.
 */
import type { Context } from 'aws-lambda';
import { buildAuthEventItem, identifiersOf } from './auth-event-record.ts';
import type { AuthEventsConfigResult } from './auth-events-config.ts';
import type { Logger } from './log.ts';
import type { AuthEventWriter } from './write-auth-event.ts';

/** Time kept back from the Lambda timeout to log and throw after an abandoned write. */
export const RESPONSE_RESERVE_MS = 250;

/**
 * Stable codes. AUTH_EVENT_RECORDED with outcome "failure" feeds the failed-sign-in metric filter and the
 * top-source-IP Contributor Insights rule (template.yaml), so those lines carry sourceIp.
 */
export const RECORDED = 'AUTH_EVENT_RECORDED';
export const ALREADY_RECORDED = 'AUTH_EVENT_ALREADY_RECORDED';
export const SKIPPED = 'AUTH_EVENT_SKIPPED';
export const REJECTED = 'AUTH_EVENT_REJECTED';
export const WRITE_FAILED = 'AUTH_EVENT_WRITE_FAILED';
export const CONFIG_INVALID = 'AUTH_EVENT_CONFIG_INVALID';

export interface Dependencies {
  configResult: AuthEventsConfigResult;
  writeItem: AuthEventWriter;
  log: Logger;
}

export type AuthEventHandler = (event: unknown, context: Context) => Promise<void>;

export function createAuthEventHandler({ configResult, writeItem, log }: Dependencies): AuthEventHandler {
  const { config, problems } = configResult;

  return async (event, context) => {
    const ids = { ...identifiersOf(event), requestId: context.awsRequestId };
    if (problems.length > 0) {
      log('error', {
        code: CONFIG_INVALID,
        message: 'invalid configuration; event not recorded',
        problems,
        ...ids,
      });
      throw new Error(`invalid configuration: ${problems.join('; ')}`);
    }

    const mapped = buildAuthEventItem(event, config);
    if (mapped.kind === 'skipped') {
      // The rule should not have sent it; nothing to record (refresh, other pool, not a sign-in).
      log('warn', {
        code: SKIPPED,
        message: 'event is not one this stack records',
        reason: mapped.code,
        detail: mapped.detail,
        ...ids,
      });
      return;
    }
    if (mapped.kind === 'rejected') {
      log('error', {
        code: REJECTED,
        message: 'malformed event; sent to the dead-letter queue',
        reason: mapped.code,
        detail: mapped.detail,
        ...ids,
      });
      throw new Error(`${mapped.code}: ${mapped.detail}`);
    }

    const { item } = mapped;
    try {
      const outcome = await writeItem(item, context.getRemainingTimeInMillis() - RESPONSE_RESERVE_MS);
      // Failures at INFO (metrics, top IPs); successes at DEBUG (no log ingestion cost per sign-in).
      log(outcome === 'written' && item.outcome === 'success' ? 'debug' : 'info', {
        code: outcome === 'written' ? RECORDED : ALREADY_RECORDED,
        message:
          outcome === 'written'
            ? 'authentication event recorded'
            : 'authentication event was already recorded',
        outcome: item.outcome,
        errorCode: item.errorCode,
        sourceIp: item.sourceIp,
        ...ids,
      });
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      log('error', {
        code: WRITE_FAILED,
        message: 'auth event write failed; Lambda retries, then the dead-letter queue',
        errorName: err.name,
        errorMessage: err.message,
        ...ids,
      });
      throw err;
    }
  };
}
