/**
 * The domain mapping: a PostAuthentication event → one login-history item. Pure: no I/O, no clock.
 */
import { asRecord, shardOf } from './common.ts';
import { dayShardOf, type LoginHistoryItem, signInIdOf } from './contract.ts';

export const POST_AUTHENTICATION_SOURCE = 'PostAuthentication_Authentication';

/** Cognito caps attribute values at 2,048 characters; anything longer is not a Cognito event. */
export const MAX_FIELD_LENGTH = 2048;

export interface BuildOptions {
  requestId: string;
  /** Sign-in time in epoch milliseconds. */
  now: number;
  retentionDays: number;
  dayIndexShards: number;
}

/** Why an event produced no item. `code` is stable for alarms and searches. */
export interface Rejection {
  code: 'EVENT_NOT_POST_AUTHENTICATION' | 'EVENT_MISSING_FIELD' | 'EVENT_FIELD_TOO_LONG';
  detail: string;
}

export type BuildResult = { ok: true; item: LoginHistoryItem } | { ok: false; rejection: Rejection };

/** Identifiers that are safe to log (no attribute values): used in every log line. */
export interface EventIdentifiers {
  sub?: string;
  userPoolId?: string;
  clientId?: string;
  triggerSource?: string;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function bounded(value: string | undefined): string | undefined {
  return value !== undefined && value.length <= MAX_FIELD_LENGTH ? value : undefined;
}

/** Reads the fields that identify a sign-in without trusting the event's shape. */
export function identifiersOf(event: unknown): EventIdentifiers {
  const root = asRecord(event);
  const attributes = asRecord(asRecord(root?.request)?.userAttributes);
  return {
    sub: bounded(asString(attributes?.sub)),
    userPoolId: bounded(asString(root?.userPoolId)),
    clientId: bounded(asString(asRecord(root?.callerContext)?.clientId)),
    triggerSource: bounded(asString(root?.triggerSource)),
  };
}

/** `identities` longer than this is not parsed (a JSON array of a few linked providers is well under it). */
export const MAX_IDENTITIES_LENGTH = 16 * 1024;

/**
 * The provider a federated user signed in through: Cognito sets `identities` (a JSON string) to an array of
 * `{userId, providerName, providerType, issuer, primary, dateCreated}`; the primary entry is the provider
 * the user was created from. Anything malformed yields undefined, never an error: the sign-in is recorded
 * without the field.
 */
export function identityProviderOf(identities: unknown): string | undefined {
  if (typeof identities !== 'string' || identities.length > MAX_IDENTITIES_LENGTH) return undefined;
  let entries: unknown;
  try {
    entries = JSON.parse(identities);
  } catch {
    return undefined;
  }
  if (!Array.isArray(entries)) return undefined;
  const primary = entries.map(asRecord).find((entry) => entry?.primary === true || entry?.primary === 'true');
  return bounded(asString(primary?.providerName));
}

export function buildHistoryItem(event: unknown, options: BuildOptions): BuildResult {
  const root = asRecord(event);
  const request = asRecord(root?.request);
  const attributes = asRecord(request?.userAttributes);

  const triggerSource = asString(root?.triggerSource);
  if (triggerSource !== POST_AUTHENTICATION_SOURCE) {
    return {
      ok: false,
      rejection: {
        code: 'EVENT_NOT_POST_AUTHENTICATION',
        detail: `triggerSource is ${JSON.stringify(triggerSource?.slice(0, 100) ?? null)}, expected "${POST_AUTHENTICATION_SOURCE}"`,
      },
    };
  }

  const sub = asString(attributes?.sub);
  const userPoolId = asString(root?.userPoolId);
  const missing = [sub ? null : 'request.userAttributes.sub', userPoolId ? null : 'userPoolId'].filter(
    (name): name is string => name !== null,
  );
  if (missing.length > 0 || !sub || !userPoolId) {
    return { ok: false, rejection: { code: 'EVENT_MISSING_FIELD', detail: `missing ${missing.join(', ')}` } };
  }

  const userName = asString(root?.userName);
  const clientId = asString(asRecord(root?.callerContext)?.clientId);
  const email = asString(attributes?.email);
  const tooLong = Object.entries({ sub, userPoolId, userName, clientId, email, requestId: options.requestId })
    .filter(([, value]) => value !== undefined && value.length > MAX_FIELD_LENGTH)
    .map(([name]) => name);
  if (tooLong.length > 0) {
    return {
      ok: false,
      rejection: {
        code: 'EVENT_FIELD_TOO_LONG',
        detail: `${tooLong.join(', ')} longer than ${MAX_FIELD_LENGTH} characters`,
      },
    };
  }

  const signedInAt = new Date(options.now).toISOString();
  const item: LoginHistoryItem = {
    sub,
    signInId: signInIdOf(signedInAt, options.requestId),
    signedInAt,
    userPoolId,
    triggerSource,
    requestId: options.requestId,
    dayShard: dayShardOf(signedInAt, shardOf(options.requestId, options.dayIndexShards)),
  };
  // Optional attributes are omitted, never written as null or empty.
  if (userName) item.userName = userName;
  if (clientId) item.clientId = clientId;
  if (email) item.email = email;
  const identityProvider = identityProviderOf(attributes?.identities);
  if (identityProvider) item.identityProvider = identityProvider;
  if (typeof request?.newDeviceUsed === 'boolean') item.newDeviceUsed = request.newDeviceUsed;
  if (options.retentionDays > 0) {
    item.expiresAt = Math.floor(options.now / 1000) + options.retentionDays * 86_400;
  }
  return { ok: true, item };
}
