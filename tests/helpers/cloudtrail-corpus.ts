/**
 * The CloudTrail corpus: Cognito sign-in events in EventBridge's envelope, and what the stack must do with each:
 * whether the rule delivers it, and what the function records.
 *
 * Where each shape comes from is in its name:
 * - `documented-<event>`: AWS's own CloudTrail samples ("Example Amazon Cognito events", Cognito developer guide),
 *   kept verbatim in scripts/doctor/samples/ (doctor tests the live rule on them too); here only their pool id,
 *   app client id and region are this corpus's.
 * - every other name, a file in tests/function/fixtures/cloudtrail/inferred/: shapes AWS publishes no sample of
 *   (every API sign-in, every failure, the credential-submitting managed-login requests), modelled on the
 *   documented samples' conventions and listed in docs/auth-events.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PROJECT_ROOT } from '../../dev/build/template.ts';
import { cognitoSampleAs, documentedSamples, inEventBridgeEnvelope } from '../../scripts/doctor/samples.ts';

export const CORPUS_DIR = join(PROJECT_ROOT, 'tests', 'function', 'fixtures', 'cloudtrail');
export const INFERRED_DIR = join(CORPUS_DIR, 'inferred');
export type Provenance = 'documented' | 'inferred';
export const DOCUMENTED_PREFIX = 'documented-';
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

/** Where a corpus event's shape comes from (see above). */
export const provenanceOf = (name: string): Provenance =>
  name.startsWith(DOCUMENTED_PREFIX) ? 'documented' : 'inferred';

export function loadCorpus(): Record<string, any> {
  const documented = Object.entries(documentedSamples('cognito')).map(([name, record], i) => [
    `${DOCUMENTED_PREFIX}${name}`,
    inEventBridgeEnvelope(
      cognitoSampleAs(record, { userPoolId: POOL_ID, clientId: APP_CLIENT_ID, region: 'ap-northeast-1' }),
      `5a3c9e10-7b2d-4f6a-9c1e-${String(i + 1).padStart(12, '0')}`,
    ),
  ]);
  const inferred = readdirSync(INFERRED_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => [basename(file, '.json'), JSON.parse(readFileSync(join(INFERRED_DIR, file), 'utf8'))]);
  return Object.fromEntries(
    [...documented, ...inferred].sort(([a], [b]) => String(a).localeCompare(String(b))),
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
  'managed-login-classic-success': ok(),
  'managed-login-classic-wrong-password': failed('NotAuthorizedException', false),
  'managed-login-classic-authentication': ok(),
  'managed-login-classic-wrong-mfa-code': failed(undefined),
  'managed-login-success': ok(),
  'managed-login-select-challenge': ok(false),
  'managed-login-wrong-totp-code': failed('CodeMismatchException'),
  'managed-login-wrong-sms-code-status-text': failed(undefined),
  'managed-login-shaped-like-login-get': ok(false),
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
  // AWS's samples: page views, sign-up, confirmation, federation and the token endpoint, none a sign-in.
  'documented-Login_GET': notDelivered('AUTH_EVENT_NOT_SIGN_IN'),
  'documented-Signup_GET': notDelivered('AUTH_EVENT_NOT_SIGN_IN'),
  'documented-Signup_POST': notDelivered('AUTH_EVENT_NOT_SIGN_IN'),
  'documented-Confirm_GET': notDelivered('AUTH_EVENT_NOT_SIGN_IN'),
  'documented-Confirm_POST': notDelivered('AUTH_EVENT_NOT_SIGN_IN'),
  'documented-SAML2Response_POST': notDelivered('AUTH_EVENT_NOT_SIGN_IN'),
  'documented-Token_POST-authorization_code': notDelivered('AUTH_EVENT_NOT_SIGN_IN'),
  'documented-Token_POST-client_credentials': notDelivered('AUTH_EVENT_NOT_SIGN_IN'),
  'documented-Token_POST-refresh_token': notDelivered('AUTH_EVENT_NOT_SIGN_IN'),
};
