/**
 * The trigger's behaviour: map the event, write the item within the time budget, apply the failure policy.
 * Dependencies are passed in so tests can drive every path; the entry file wires the real ones.
 */
import type { Context, PostAuthenticationTriggerEvent, PostAuthenticationTriggerHandler } from 'aws-lambda';
import type { ConfigResult } from './config.ts';
import { type FailureRecord, type LoginHistoryItem, WRITE_FAILED } from './contract.ts';
import { buildHistoryItem, identifiersOf } from './history-item.ts';
import type { Logger } from './log.ts';
import type { HistoryWriter } from './write-history.ts';

/** Time kept back from the Lambda timeout to log and answer Cognito after an abandoned write. */
export const RESPONSE_RESERVE_MS = 250;

/** Stable code for alarms and searches (the failure record's, WRITE_FAILED, is in contract.ts). */
export const EVENT_REJECTED = 'LOGIN_HISTORY_EVENT_REJECTED';

/** What the app sees in `PostAuthentication failed with error <message>.` when the policy is `deny`. */
export const DENY_MESSAGE = 'Sign-in could not be recorded in the login history. Please try again.';
export const DENY_EVENT_MESSAGE = 'Sign-in event was not recognised by the login-history trigger.';

export interface Dependencies {
  configResult: ConfigResult;
  writeItem: HistoryWriter;
  log: Logger;
  now?: () => number;
}

/**
 * @types/aws-lambda's PostAuthenticationTriggerHandler in its async form: no callback, the event returned
 * (Cognito needs it back unchanged). Narrower than the library's type, so callers and tests can await it.
 */
export type Handler = (
  event: PostAuthenticationTriggerEvent,
  context: Context,
) => Promise<PostAuthenticationTriggerEvent>;

export function createPostAuthenticationHandler({
  configResult,
  writeItem,
  log,
  now = Date.now,
}: Dependencies): Handler {
  const { config, problems } = configResult;

  const handler: Handler = async (event, context) => {
    const ids = { ...identifiersOf(event), requestId: context.awsRequestId };
    const built = buildHistoryItem(event, {
      requestId: context.awsRequestId,
      now: now(),
      retentionDays: config.retentionDays,
      dayIndexShards: config.dayIndexShards,
    });

    if (!built.ok) {
      log('error', { code: EVENT_REJECTED, message: 'event not recorded', reason: built.rejection, ...ids });
      if (config.onWriteFailure === 'deny') throw new Error(DENY_EVENT_MESSAGE);
      return event;
    }

    const item = built.item;
    /** The item goes to the failure record (for replay); the policy decides the sign-in. */
    const failed = (error: unknown) => {
      logWriteFailure(log, item, error, config.onWriteFailure, ids);
      if (config.onWriteFailure === 'deny') throw new Error(DENY_MESSAGE);
      return event;
    };
    // A configuration problem (logged once at start-up) means no write can be attempted.
    if (problems.length > 0) return failed(new ConfigurationError(problems));
    try {
      const outcome = await writeItem(item, context.getRemainingTimeInMillis() - RESPONSE_RESERVE_MS);
      log(outcome === 'written' ? 'debug' : 'info', {
        code: outcome === 'written' ? 'LOGIN_HISTORY_WRITTEN' : 'LOGIN_HISTORY_ALREADY_RECORDED',
        message: outcome === 'written' ? 'sign-in recorded' : 'sign-in was already recorded',
        signInId: item.signInId,
        ...ids,
      });
    } catch (error) {
      return failed(error);
    }
    return event;
  };
  return handler satisfies PostAuthenticationTriggerHandler;
}

/** The function's configuration is invalid (see readConfig): named in the failure record as such. */
class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

/**
 * The failure record: the one log line that carries the complete item (the data the table would have held),
 * so `npm run replay` can insert it later. Kept only as long as the log group's retention.
 */
function logWriteFailure(
  log: Logger,
  item: LoginHistoryItem,
  error: unknown,
  policy: string,
  ids: Record<string, unknown>,
): void {
  const err = error instanceof Error ? error : new Error(String(error));
  const record: FailureRecord = {
    code: WRITE_FAILED,
    message: `login history write failed; sign-in ${policy === 'deny' ? 'denied' : 'allowed'}`,
    errorName: err.name,
    errorMessage: err.message,
    policy,
    ...ids,
    item,
  };
  log('error', record);
}
