/**
 * The CloudTrail corpus (tests/function/fixtures/cloudtrail/*.json): Cognito sign-in events in EventBridge's
 * envelope, shaped like the samples AWS documents (docs/auth-events.md, "Sources"), and what the stack must
 * do with each: whether the rule delivers it, and what the function records.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PROJECT_ROOT } from '../../dev/build/template.ts';

export const CORPUS_DIR = join(PROJECT_ROOT, 'tests', 'function', 'fixtures', 'cloudtrail');
export const POOL_ID = 'ap-northeast-1_AbCdEf123';
export const POOL_ARN = `arn:aws:cognito-idp:ap-northeast-1:123456789012:userpool/${POOL_ID}`;
/** The pool's public app client (browser sign-ins); the backend's client is not listed on purpose. */
export const APP_CLIENT_ID = '1example23456789abcdefghij';
export const BACKEND_CLIENT_ID = '2backend3456789abcdefghijk';
export const SUB = '97446a08-1071-7008-8a0b-abb8cc5d9bab';

/** Template parameters of a stack that records this pool's auth events. */
export const STACK_PARAMETERS = {
  CognitoUserPoolArn: POOL_ARN,
  AuthEvents: 'enabled',
  AuthEventsClientIds: APP_CLIENT_ID,
};

export function loadCorpus(): Record<string, any> {
  return Object.fromEntries(
    readdirSync(CORPUS_DIR)
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => [basename(file, '.json'), JSON.parse(readFileSync(join(CORPUS_DIR, file), 'utf8'))]),
  );
}

export type Expected =
  | { delivered: true; record: { outcome: 'success' | 'failure'; errorCode?: string; sub?: boolean } }
  | { delivered: true; rejected: string }
  | { delivered: false; skipped: string };

const ok = (sub = true) => ({ delivered: true, record: { outcome: 'success', sub } }) as const;
const failed = (errorCode: string | undefined, sub = true) =>
  ({ delivered: true, record: { outcome: 'failure', errorCode, sub } }) as const;
const notDelivered = (skipped: string) => ({ delivered: false, skipped }) as const;

/** Every corpus file and what must happen to it (a test fails on a file missing here). */
export const EXPECTED: Record<string, Expected> = {
  'password-success': ok(),
  'password-wrong-password': failed('NotAuthorizedException'),
  'password-unknown-user': failed('UserNotFoundException', false),
  'password-unknown-user-prevent-existence-errors': failed('NotAuthorizedException', false),
  'password-user-not-confirmed': failed('UserNotConfirmedException'),
  'password-reset-required': failed('PasswordResetRequiredException'),
  'password-lockout': failed('NotAuthorizedException'),
  'password-mfa-challenge': ok(),
  'mfa-wrong-code': failed('CodeMismatchException'),
  'mfa-success': ok(),
  'srp-initiate': ok(),
  'srp-success': ok(),
  'srp-wrong-password': failed('NotAuthorizedException'),
  'refresh-token-auth': notDelivered('AUTH_EVENT_REFRESH'),
  'refresh-token': notDelivered('AUTH_EVENT_REFRESH'),
  'refresh-get-tokens-from-refresh-token': notDelivered('AUTH_EVENT_NOT_SIGN_IN'),
  'admin-backend-success': ok(),
  'admin-backend-wrong-password': failed('NotAuthorizedException'),
  'admin-backend-wrong-mfa-code': failed('CodeMismatchException'),
  'admin-refresh': notDelivered('AUTH_EVENT_REFRESH'),
  'managed-login-classic-page-view': notDelivered('AUTH_EVENT_NOT_SIGN_IN'),
  'managed-login-classic-success': ok(),
  'managed-login-classic-wrong-password': failed('NotAuthorizedException', false),
  'managed-login-classic-authentication': ok(),
  'managed-login-classic-wrong-mfa-code': failed(undefined),
  'managed-login-token-endpoint': notDelivered('AUTH_EVENT_NOT_SIGN_IN'),
  'managed-login-success': ok(),
  'managed-login-select-challenge': ok(false),
  'managed-login-wrong-totp-code': failed('CodeMismatchException'),
  'other-pool-admin': notDelivered('AUTH_EVENT_OTHER_POOL'),
  'other-pool-client': notDelivered('AUTH_EVENT_OTHER_POOL'),
  'other-pool-managed-login': notDelivered('AUTH_EVENT_OTHER_POOL'),
  'other-service-sign-in': notDelivered('AUTH_EVENT_NOT_SIGN_IN'),
  'malformed-oversized-user-agent': failed('NotAuthorizedException'),
  'malformed-field-types': failed('NotAuthorizedException', false),
  'malformed-event-time': { delivered: true, rejected: 'AUTH_EVENT_BAD_TIME' },
  'malformed-no-event-id': { delivered: true, rejected: 'AUTH_EVENT_MISSING_FIELD' },
  'malformed-oversized-sub': ok(false),
  'malformed-null-request-parameters': notDelivered('AUTH_EVENT_OTHER_POOL'),
};
