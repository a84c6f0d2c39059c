/**
 * The domain mapping: a Cognito CloudTrail event (as EventBridge delivers it) → one auth-events record.
 * Pure: no I/O, no clock. Never trusts a field's type: CloudTrail shapes differ between API calls
 * (`AwsApiCall`) and managed-login requests (`AwsServiceEvent`), and Cognito hides fields it deems
 * sensitive with a marker string.
 */
import { asRecord, shardOf } from './common.ts';
import { AUTH_EVENT_SHARDS, type AuthEventItem, authEventPartitionOf, type Outcome } from './contract.ts';

/** userAgent is attacker-controlled; a longer value is cut to this many characters. */
export const MAX_USER_AGENT_LENGTH = 512;
/** Identifiers (eventID, sub, client and pool ids, error codes) are short; a longer value is not one. */
export const MAX_ID_LENGTH = 256;

export const COGNITO_EVENT_SOURCE = 'cognito-idp.amazonaws.com';

/** User-pool API operations that authenticate a user. */
export const API_SIGN_IN_EVENTS = [
  'InitiateAuth',
  'RespondToAuthChallenge',
  'AdminInitiateAuth',
  'AdminRespondToAuthChallenge',
] as const;
/**
 * Managed-login (hosted UI) requests that submit a credential, as AWS's CloudTrail event tables name them
 * (Cognito developer guide, "Logging Amazon Cognito API calls with AWS CloudTrail"): classic hosted UI and the
 * newer managed login. Page views (`Login_GET`) and the token endpoint (`Token_POST`: code exchange by the app's
 * backend, refresh and client-credentials grants) are not attempts by a user and are left out.
 */
export const DOCUMENTED_MANAGED_LOGIN_SIGN_IN_EVENTS = [
  'CognitoAuthentication',
  'Mfa_POST',
  'login_POST',
  'login_continue_POST',
  'login_passkey_POST',
  'selectChallenge_POST',
  'mfa_totp_POST',
  'mfa_phone_verify_POST',
  'verifyCode_POST',
] as const;
/**
 * Inferred, not in AWS's tables: names that would submit a credential if Cognito logs them. Kept because nothing
 * shows they are never logged, and a name that never occurs costs nothing (docs/auth-events.md).
 */
export const INFERRED_MANAGED_LOGIN_SIGN_IN_EVENTS = [
  'Login_POST',
  'password_POST',
  'mfa_sms_POST',
  'mfa_email_POST',
] as const;
export const MANAGED_LOGIN_SIGN_IN_EVENTS: readonly string[] = [
  ...DOCUMENTED_MANAGED_LOGIN_SIGN_IN_EVENTS,
  ...INFERRED_MANAGED_LOGIN_SIGN_IN_EVENTS,
];
export const SIGN_IN_EVENTS: readonly string[] = [...API_SIGN_IN_EVENTS, ...MANAGED_LOGIN_SIGN_IN_EVENTS];

/** Token refreshes are not sign-ins (issue 18): left out by the rule and, defensively, here. */
export const REFRESH_AUTH_FLOWS: readonly string[] = ['REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN'];

export interface MappingOptions {
  /** The pool this stack records; events that name another pool are skipped. */
  userPoolId: string;
  /** The pool's app client ids; an event that names only a client outside them is skipped. */
  clientIds: readonly string[];
  retentionDays: number;
}

/**
 * Why an event produced no record. `skipped`: by design (refresh, other pool, not a sign-in) - the rule
 * should have filtered it. `rejected`: the event is not a well-formed CloudTrail event; the caller fails it
 * so that it lands in the dead-letter queue instead of vanishing.
 */
export type SkipCode = 'AUTH_EVENT_NOT_SIGN_IN' | 'AUTH_EVENT_REFRESH' | 'AUTH_EVENT_OTHER_POOL';
export type RejectCode = 'AUTH_EVENT_MISSING_FIELD' | 'AUTH_EVENT_BAD_TIME';

export type MappingResult =
  | { kind: 'record'; item: AuthEventItem }
  | { kind: 'skipped'; code: SkipCode; detail: string }
  | { kind: 'rejected'; code: RejectCode; detail: string };

/** Identifiers safe to log (no user agent, no IP): every log line about an event carries them. */
export interface AuthEventIdentifiers {
  eventId?: string;
  eventName?: string;
  eventTime?: string;
}

/** A non-empty string of at most `max` characters, else undefined. */
function shortString(value: unknown, max = MAX_ID_LENGTH): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= max ? value : undefined;
}

/** Managed-login requests log query and form parameters as arrays of strings (`client_id: ["…"]`). */
function firstString(value: unknown): string | undefined {
  return Array.isArray(value) ? shortString(value[0]) : shortString(value);
}

/** Cognito replaces secrets with a marker (HIDDEN_DUE_TO_SECURITY_REASONS, formerly HIDDEN_FOR_…). */
function notHidden(value: string | undefined): string | undefined {
  return value !== undefined && /^HIDDEN_(DUE_TO|FOR)_SECURITY_REASONS$/.test(value) ? undefined : value;
}

/** Cuts to `max` characters without leaving half of a surrogate pair at the end. */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  const end = /[\uD800-\uDBFF]/.test(value.charAt(max - 1)) ? max - 1 : max;
  return value.slice(0, end);
}

/** CloudTrail's `detail` inside EventBridge's envelope; a bare CloudTrail record is accepted too. */
function cloudTrailRecordOf(event: unknown): Record<string, unknown> | undefined {
  const root = asRecord(event);
  return asRecord(root?.detail) ?? (root && 'eventID' in root ? root : undefined);
}

export function identifiersOf(event: unknown): AuthEventIdentifiers {
  const detail = cloudTrailRecordOf(event);
  return {
    eventId: shortString(detail?.eventID),
    eventName: shortString(detail?.eventName),
    eventTime: shortString(detail?.eventTime),
  };
}

/** User pool ids the event names itself: Admin* calls and managed-login requests carry one. */
function poolIdsNamed(detail: Record<string, unknown>): string[] {
  const requestParameters = asRecord(detail.requestParameters);
  const additional = asRecord(detail.additionalEventData);
  const fromResources = (Array.isArray(detail.resources) ? detail.resources : [])
    .map((resource) => shortString(asRecord(resource)?.ARN, 2048))
    .map((arn) => arn?.match(/:userpool\/([^/]+)$/)?.[1]);
  return [
    shortString(requestParameters?.userPoolId),
    shortString(additional?.userPoolId),
    ...fromResources,
  ].filter((id): id is string => id !== undefined);
}

function clientIdOf(detail: Record<string, unknown>): string | undefined {
  const requestParameters = asRecord(detail.requestParameters);
  const managedLogin = asRecord(asRecord(detail.additionalEventData)?.requestParameters);
  return (
    notHidden(shortString(requestParameters?.clientId)) ??
    notHidden(firstString(managedLogin?.client_id)) ??
    notHidden(firstString(requestParameters?.client_id))
  );
}

/**
 * The user's sub: `additionalEventData.sub` on API calls (the field AWS's CloudTrail Logs Insights examples
 * query), or, in managed-login requests, the `sub` form parameter (an array), as in AWS's Confirm_POST sample.
 */
function subOf(detail: Record<string, unknown>): string | undefined {
  const additional = asRecord(detail.additionalEventData);
  return (
    notHidden(shortString(additional?.sub)) ??
    notHidden(firstString(asRecord(additional?.requestParameters)?.sub))
  );
}

/**
 * Failure: CloudTrail's errorCode (API calls; managed login logs "" on success). A managed-login request
 * without errorCode that answered 4xx/5xx is a failure too.
 */
function outcomeOf(detail: Record<string, unknown>): { outcome: Outcome; errorCode?: string } {
  const errorCode = shortString(detail.errorCode);
  if (errorCode) return { outcome: 'failure', errorCode };
  const status = asRecord(asRecord(detail.additionalEventData)?.responseParameters)?.status;
  const code = typeof status === 'number' ? status : typeof status === 'string' ? Number(status) : Number.NaN;
  return { outcome: code >= 400 ? 'failure' : 'success' };
}

export function buildAuthEventItem(event: unknown, options: MappingOptions): MappingResult {
  const detail = cloudTrailRecordOf(event);
  if (!detail) {
    return { kind: 'rejected', code: 'AUTH_EVENT_MISSING_FIELD', detail: 'no CloudTrail record (detail)' };
  }

  const eventName = shortString(detail.eventName);
  if (detail.eventSource !== COGNITO_EVENT_SOURCE || !eventName || !SIGN_IN_EVENTS.includes(eventName)) {
    return {
      kind: 'skipped',
      code: 'AUTH_EVENT_NOT_SIGN_IN',
      detail: `${JSON.stringify(String(detail.eventSource).slice(0, 100))} ${JSON.stringify(eventName?.slice(0, 100) ?? null)} is not a user-pool sign-in`,
    };
  }

  const requestParameters = asRecord(detail.requestParameters);
  const authFlow = notHidden(shortString(requestParameters?.authFlow, 64));
  if (authFlow && REFRESH_AUTH_FLOWS.includes(authFlow)) {
    return { kind: 'skipped', code: 'AUTH_EVENT_REFRESH', detail: `authFlow ${authFlow} is a token refresh` };
  }

  const clientId = clientIdOf(detail);
  const namedPools = poolIdsNamed(detail);
  const otherPool = namedPools.find((id) => id !== options.userPoolId);
  if (otherPool) {
    return { kind: 'skipped', code: 'AUTH_EVENT_OTHER_POOL', detail: `user pool ${otherPool}` };
  }
  // API calls such as InitiateAuth name only the app client: it must be one of this pool's.
  if (namedPools.length === 0 && !(clientId && options.clientIds.includes(clientId))) {
    return {
      kind: 'skipped',
      code: 'AUTH_EVENT_OTHER_POOL',
      detail: clientId ? `app client ${clientId} is not one of this pool's` : 'names neither pool nor client',
    };
  }

  const eventId = shortString(detail.eventID);
  if (!eventId) return { kind: 'rejected', code: 'AUTH_EVENT_MISSING_FIELD', detail: 'missing eventID' };
  const rawTime = shortString(detail.eventTime, 64);
  const timeMs = rawTime && /^\d{4}-\d{2}-\d{2}T/.test(rawTime) ? Date.parse(rawTime) : Number.NaN;
  if (!Number.isFinite(timeMs)) {
    return {
      kind: 'rejected',
      code: 'AUTH_EVENT_BAD_TIME',
      detail: `eventTime ${JSON.stringify(String(detail.eventTime).slice(0, 64))} is not an ISO-8601 time`,
    };
  }
  const eventTime = new Date(timeMs).toISOString();

  const item: AuthEventItem = {
    pk: authEventPartitionOf(eventTime.slice(0, 10), shardOf(eventId, AUTH_EVENT_SHARDS)),
    sk: `${eventTime}#${eventId}`,
    eventTime,
    eventId,
    eventName,
    ...outcomeOf(detail),
    userPoolId: options.userPoolId,
  };
  // Optional attributes are omitted, never written as null or empty (the indexes are sparse).
  const sourceIp = shortString(detail.sourceIPAddress, 128);
  if (sourceIp) item.sourceIp = sourceIp;
  if (typeof detail.userAgent === 'string' && detail.userAgent !== '') {
    item.userAgent = truncate(detail.userAgent, MAX_USER_AGENT_LENGTH);
  }
  const sub = subOf(detail);
  if (sub) item.sub = sub;
  if (clientId) item.clientId = clientId;
  if (authFlow) item.authFlow = authFlow;
  if (options.retentionDays > 0) {
    item.expiresAt = Math.floor(timeMs / 1000) + options.retentionDays * 86_400;
  }
  return { kind: 'record', item };
}
