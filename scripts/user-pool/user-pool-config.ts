/**
 * Pure helpers for changing one trigger without touching anything else.
 *
 * UpdateUserPool replaces the pool's configuration: every updatable setting it is not given goes back to
 * its default. So the update input is built from the complete DescribeUserPool output, and the list of
 * carried fields is checked against the SDK's types at compile time (see the end of this file).
 */
import type {
  GetUserPoolMfaConfigResponse,
  LambdaConfigType,
  SetUserPoolMfaConfigRequest,
  UpdateUserPoolRequest,
  UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';

/** Settings DescribeUserPool returns that UpdateUserPool takes under the same name. */
export const CARRIED_FIELDS = [
  'Policies',
  'DeletionProtection',
  'LambdaConfig',
  'AutoVerifiedAttributes',
  'SmsVerificationMessage',
  'EmailVerificationMessage',
  'EmailVerificationSubject',
  'VerificationMessageTemplate',
  'SmsAuthenticationMessage',
  'UserAttributeUpdateSettings',
  'MfaConfiguration',
  'DeviceConfiguration',
  'EmailConfiguration',
  'SmsConfiguration',
  'UserPoolTags',
  'AdminCreateUserConfig',
  'UserPoolAddOns',
  'DcrConfiguration',
  'AccountRecoverySetting',
  'KeyConfiguration',
  'IssuerConfiguration',
  'AcrConfiguration',
] as const satisfies readonly (keyof UpdateUserPoolRequest & keyof UserPoolType)[];

/** UpdateUserPool fields not copied by name, and why. */
export const REQUEST_FIELDS_NOT_CARRIED = {
  UserPoolId: 'sent from DescribeUserPool Id',
  PoolName: 'never sent: renaming is not our business, and the name is kept when it is absent',
  UserPoolTier: 'never sent: the one setting UpdateUserPool leaves unchanged when absent',
} as const satisfies Partial<Record<keyof UpdateUserPoolRequest, string>>;

/** DescribeUserPool fields UpdateUserPool does not take (read-only or set only at creation). */
export const READ_ONLY_FIELDS = [
  'Id',
  'Name',
  'Arn',
  'Status',
  'CreationDate',
  'LastModifiedDate',
  'SchemaAttributes',
  'AliasAttributes',
  'UsernameAttributes',
  'UsernameConfiguration',
  'EstimatedNumberOfUsers',
  'SmsConfigurationFailure',
  'EmailConfigurationFailure',
  'Domain',
  'CustomDomain',
  'UserPoolTier',
] as const satisfies readonly (keyof UserPoolType)[];

/**
 * Paths the before/after comparison skips: they change on every update or on their own, or (the
 * deprecated UnusedAccountValidityDays) are deliberately not sent because
 * Policies.PasswordPolicy.TemporaryPasswordValidityDays carries the same setting.
 */
export const NOT_COMPARED = [
  'LastModifiedDate',
  'EstimatedNumberOfUsers',
  'AdminCreateUserConfig.UnusedAccountValidityDays',
] as const;

export type Trigger = keyof LambdaConfigType;

/**
 * The complete UpdateUserPool input that keeps every setting of `pool` and sets `lambdaConfig`.
 * Deep-copied so later edits cannot leak into the described pool object.
 */
export function buildUpdateUserPoolInput(
  pool: UserPoolType,
  lambdaConfig: LambdaConfigType,
): UpdateUserPoolRequest {
  if (!pool.Id) throw new Error('DescribeUserPool returned no Id');
  const input: UpdateUserPoolRequest = { UserPoolId: pool.Id };
  const target = input as unknown as Record<string, unknown>;
  for (const field of CARRIED_FIELDS) {
    if (pool[field] !== undefined) target[field] = structuredClone(pool[field]);
  }
  if (input.AdminCreateUserConfig) {
    // Deprecated and rejected when echoed; PasswordPolicy.TemporaryPasswordValidityDays carries it.
    delete input.AdminCreateUserConfig.UnusedAccountValidityDays;
  }
  if (Object.keys(lambdaConfig).length > 0) input.LambdaConfig = structuredClone(lambdaConfig);
  else delete input.LambdaConfig;
  return input;
}

/** The pool's LambdaConfig with one trigger set (or removed with `undefined`); every other key kept. */
export function withTrigger(
  pool: UserPoolType,
  trigger: Trigger,
  value: string | undefined,
): LambdaConfigType {
  const config = structuredClone(pool.LambdaConfig ?? {}) as Record<string, unknown>;
  if (value === undefined) delete config[trigger];
  else config[trigger] = value;
  return config as LambdaConfigType;
}

/**
 * Paths (a.b.c) whose values differ between two JSON-like values; dates compare by instant, and an absent
 * object equals an empty one (moto omits LambdaConfig for a pool without triggers, cognito-local returns {}).
 */
export function differingPaths(before: unknown, after: unknown, prefix = ''): string[] {
  let a = normalise(before);
  let b = normalise(after);
  if (isPlainObject(a) && b === undefined) b = {};
  if (isPlainObject(b) && a === undefined) a = {};
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => differingPaths(a[key], b[key], prefix ? `${prefix}.${key}` : key));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(root)'];
}

function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalise);
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .map(([k, v]) => [k, normalise(v)] as const)
        .filter(
          ([, v]) => v !== undefined && v !== null && !(isPlainObject(v) && Object.keys(v).length === 0),
        ),
    );
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * The MFA settings DescribeUserPool does not show (authenticator apps, SMS, email, passkeys), as
 * GetUserPoolMfaConfig returns them: the backup holds them, and attach verifies them too.
 */
export type MfaSettings = GetUserPoolMfaConfigResponse;

export function mfaSettingsOf(response: GetUserPoolMfaConfigResponse & { $metadata?: unknown }): MfaSettings {
  const { $metadata: _, ...settings } = response;
  return structuredClone(settings);
}

/** The SetUserPoolMfaConfig input that puts `mfa` back (only the parts it has). */
export function setMfaConfigInput(userPoolId: string, mfa: MfaSettings): SetUserPoolMfaConfigRequest {
  const input: SetUserPoolMfaConfigRequest = { UserPoolId: userPoolId };
  for (const key of MFA_FIELDS) {
    const value = mfa[key];
    if (value !== undefined && value !== null)
      (input as unknown as Record<string, unknown>)[key] = structuredClone(value);
  }
  return input;
}

const MFA_FIELDS = [
  'MfaConfiguration',
  'SmsMfaConfiguration',
  'SoftwareTokenMfaConfiguration',
  'EmailMfaConfiguration',
  'WebAuthnConfiguration',
] as const satisfies readonly (keyof SetUserPoolMfaConfigRequest & keyof MfaSettings)[];

/** What changed between two descriptions of a pool, ignoring volatile fields and the intended paths. */
export function unexpectedChanges(before: UserPoolType, after: UserPoolType, intended: string[]): string[] {
  const ignored = new Set<string>([...NOT_COMPARED, ...intended]);
  return differingPaths(before, after).filter((path) => !ignored.has(path));
}

// ---- Compile-time completeness checks -------------------------------------------------------------
// A field added to UpdateUserPoolRequest or UserPoolType in a later SDK must be classified above;
// otherwise these lines stop compiling (tsc --noEmit, npm run check, a CI step), instead of the field being
// silently dropped and reset to its default by the next attach.
type Carried = (typeof CARRIED_FIELDS)[number];
type UnclassifiedRequestField = Exclude<
  keyof UpdateUserPoolRequest,
  Carried | keyof typeof REQUEST_FIELDS_NOT_CARRIED
>;
type UnclassifiedDescribeField = Exclude<keyof UserPoolType, Carried | (typeof READ_ONLY_FIELDS)[number]>;
export const requestFieldsAllClassified: [UnclassifiedRequestField] extends [never]
  ? true
  : UnclassifiedRequestField = true;
export const describeFieldsAllClassified: [UnclassifiedDescribeField] extends [never]
  ? true
  : UnclassifiedDescribeField = true;
type UnclassifiedMfaField = Exclude<keyof MfaSettings, (typeof MFA_FIELDS)[number]>;
export const mfaFieldsAllClassified: [UnclassifiedMfaField] extends [never] ? true : UnclassifiedMfaField =
  true;
