/**
 * The one mapping to OCSF (Open Cybersecurity Schema Framework) **1.1.0**, the version Amazon Security Lake's
 * custom sources accept: every sign-in (login-history item) and every authentication event (auth-events item)
 * becomes an Authentication event (class_uid 3002, activity Logon) with the `cloud` profile. Used by
 * `npm run export-ocsf`, the lake function and the lake's readers; docs/security-lake.md has the table.
 *
 * Pure: no I/O, no clock. Nothing of an item is lost: a value OCSF's types refuse (an e-mail address outside
 * OCSF's ASCII `email_t` pattern, a source that is not an IP address) moves to `unmapped` under the name of
 * the OCSF field it would have filled, so the lake answers the same questions as the tables.
 */
import { isIP } from 'node:net';
import type { AuthEventItem, LoginHistoryItem } from './contract.ts';

export const OCSF_VERSION = '1.1.0';
export const AUTHENTICATION_CLASS_UID = 3002;
export const IAM_CATEGORY_UID = 3;
export const LOGON_ACTIVITY_ID = 1;

/** The two datasets, as `metadata.log_name` names them and the lake keeps them apart (one source each). */
export const LOG_NAME = { signIns: 'sign-ins', authEvents: 'auth-events' } as const;
export type LogName = (typeof LOG_NAME)[keyof typeof LOG_NAME];

/** Who recorded the event (`metadata.log_provider`): this application. */
export const LOG_PROVIDER = 'cognito-login-history';

/** OCSF 1.1.0 `email_t`, verbatim from the schema: ASCII only. */
export const OCSF_EMAIL_PATTERN = /^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$/;
/** OCSF 1.1.0 `ip_t` has a maximum length of 40. */
const OCSF_IP_MAX_LENGTH = 40;

/** The user pool as the `user.account` every event names (so a failure with no known user still has a user). */
const POOL_ACCOUNT_TYPE = 'Amazon Cognito user pool';
/** OCSF's account type "Other": the enum has no user pool. */
const OTHER = 99;
/** The app client is the `service` a user authenticates to. */
export const APP_CLIENT_SERVICE = 'Amazon Cognito app client';
export const COGNITO_API_SERVICE = 'cognito-idp.amazonaws.com';

/**
 * OCSF's failure vocabulary for `status_detail` (its own examples), for Cognito's error codes that mean one
 * thing. Codes not listed keep only `status_code`.
 */
export const STATUS_DETAIL: Readonly<Record<string, string>> = {
  NotAuthorizedException: 'INVALID_CREDENTIALS',
  CodeMismatchException: 'INVALID_CREDENTIALS',
  ExpiredCodeException: 'INVALID_CREDENTIALS',
  UserNotFoundException: 'USER_DOES_NOT_EXIST',
  PasswordResetRequiredException: 'PASSWORD_EXPIRED',
  UserNotConfirmedException: 'USER_NOT_CONFIRMED',
};

/** Managed-login requests that submit an MFA code: the only events that say MFA was used. */
const MFA_EVENTS: readonly string[] = ['Mfa_POST', 'mfa_totp_POST', 'mfa_sms_POST', 'mfa_email_POST'];

/** Where the events come from: the stack's account and region (`cloud`). */
export interface OcsfContext {
  region: string;
  accountId: string;
}

/** An OCSF 1.1.0 Authentication event as this mapping writes it (the lake's columns: ocsf-columns.ts). */
export interface OcsfAuthentication {
  activity_id: number;
  activity_name: string;
  category_uid: number;
  category_name: string;
  class_uid: number;
  class_name: string;
  type_uid: number;
  type_name: string;
  severity_id: number;
  severity: string;
  status_id: 1 | 2;
  status: 'Success' | 'Failure';
  status_code?: string;
  status_detail?: string;
  time: number;
  metadata: {
    version: string;
    uid: string;
    log_name: LogName;
    log_provider: string;
    event_code: string;
    profiles: string[];
    product: { name: string; vendor_name: string; feature: { name: string } };
  };
  cloud: { provider: 'AWS'; region: string; account: { uid: string } };
  user: {
    uid?: string;
    name?: string;
    email_addr?: string;
    type_id: 0 | 1;
    type: 'Unknown' | 'User';
    account: { uid: string; type_id: number; type: string };
  };
  service: { name: string; uid?: string };
  actor?: { user: { uid: string }; idp: { name: string } };
  src_endpoint?: { ip: string };
  http_request?: { user_agent: string };
  api?: { operation: string; service: { name: string } };
  auth_protocol_id?: number;
  auth_protocol?: string;
  is_mfa?: boolean;
  is_new_logon?: boolean;
  unmapped?: { email_addr?: string; src_endpoint_ip?: string };
}

function common(time: number, success: boolean, context: OcsfContext) {
  return {
    activity_id: LOGON_ACTIVITY_ID,
    activity_name: 'Logon',
    category_uid: IAM_CATEGORY_UID,
    category_name: 'Identity & Access Management',
    class_uid: AUTHENTICATION_CLASS_UID,
    class_name: 'Authentication',
    type_uid: AUTHENTICATION_CLASS_UID * 100 + LOGON_ACTIVITY_ID,
    type_name: 'Authentication: Logon',
    severity_id: 1,
    severity: 'Informational',
    ...(success
      ? { status_id: 1 as const, status: 'Success' as const }
      : { status_id: 2 as const, status: 'Failure' as const }),
    time,
    cloud: { provider: 'AWS' as const, region: context.region, account: { uid: context.accountId } },
  };
}

function metadata(uid: string, logName: LogName, eventCode: string, feature: string) {
  return {
    version: OCSF_VERSION,
    uid,
    log_name: logName,
    log_provider: LOG_PROVIDER,
    event_code: eventCode,
    profiles: ['cloud'],
    product: { name: 'Amazon Cognito', vendor_name: 'AWS', feature: { name: feature } },
  };
}

function user(userPoolId: string, sub: string | undefined, name?: string, email?: string) {
  return {
    ...(sub ? { uid: sub } : {}),
    ...(name ? { name } : {}),
    ...(email && OCSF_EMAIL_PATTERN.test(email) ? { email_addr: email } : {}),
    ...(sub
      ? { type_id: 1 as const, type: 'User' as const }
      : { type_id: 0 as const, type: 'Unknown' as const }),
    account: { uid: userPoolId, type_id: OTHER, type: POOL_ACCOUNT_TYPE },
  };
}

const isOcsfIp = (value: string) => isIP(value) !== 0 && value.length <= OCSF_IP_MAX_LENGTH;

/** A sign-in the PostAuthentication trigger recorded: a successful logon (the trigger sees no IP). */
export function signInToOcsf(item: LoginHistoryItem, context: OcsfContext): OcsfAuthentication {
  const event: OcsfAuthentication = {
    ...common(Date.parse(item.signedInAt), true, context),
    metadata: metadata(item.requestId, LOG_NAME.signIns, item.triggerSource, 'PostAuthentication trigger'),
    user: user(item.userPoolId, item.sub, item.userName, item.email),
    service: { name: APP_CLIENT_SERVICE, ...(item.clientId ? { uid: item.clientId } : {}) },
  };
  if (item.identityProvider) {
    event.actor = { user: { uid: item.sub }, idp: { name: item.identityProvider } };
  }
  if (typeof item.newDeviceUsed === 'boolean') event.is_new_logon = item.newDeviceUsed;
  if (item.email && !OCSF_EMAIL_PATTERN.test(item.email)) event.unmapped = { email_addr: item.email };
  return event;
}

/** An authentication event (CloudTrail): a logon attempt, successful or failed. */
export function authEventToOcsf(
  item: Omit<AuthEventItem, 'pk' | 'sk' | 'expiresAt'>,
  context: OcsfContext,
): OcsfAuthentication {
  const success = item.outcome === 'success';
  const event: OcsfAuthentication = {
    ...common(Date.parse(item.eventTime), success, context),
    metadata: metadata(item.eventId, LOG_NAME.authEvents, item.eventName, 'CloudTrail sign-in events'),
    user: user(item.userPoolId, item.sub),
    service: { name: APP_CLIENT_SERVICE, ...(item.clientId ? { uid: item.clientId } : {}) },
    api: { operation: item.eventName, service: { name: COGNITO_API_SERVICE } },
  };
  if (item.errorCode) {
    event.status_code = item.errorCode;
    const detail = STATUS_DETAIL[item.errorCode];
    if (detail) event.status_detail = detail;
  }
  if (item.sourceIp) {
    if (isOcsfIp(item.sourceIp)) event.src_endpoint = { ip: item.sourceIp };
    else event.unmapped = { src_endpoint_ip: item.sourceIp };
  }
  if (item.userAgent) event.http_request = { user_agent: item.userAgent };
  if (item.authFlow) {
    event.auth_protocol_id = OTHER;
    event.auth_protocol = item.authFlow;
  }
  if (MFA_EVENTS.includes(item.eventName)) event.is_mfa = true;
  return event;
}
