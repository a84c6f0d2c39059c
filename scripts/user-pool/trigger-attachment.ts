/**
 * Attach / detach the PostAuthentication trigger the safe way:
 * describe → backup → complete update input → update → describe again → compare.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  GetUserPoolMfaConfigCommand,
  SetUserPoolMfaConfigCommand,
  UpdateUserPoolCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetPolicyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CommandError, explainAwsError, fileProblem } from '../core/cli.ts';
import { clientConfig } from '../core/clients.ts';
import { PROJECT_ROOT } from '../core/generic.ts';
import { OUTPUT, readStack } from '../core/stack.ts';
import {
  buildUpdateUserPoolInput,
  differingPaths,
  type MfaSettings,
  mfaSettingsOf,
  setMfaConfigInput,
  unexpectedChanges,
  withTrigger,
} from './user-pool-config.ts';

const TRIGGER = 'PostAuthentication';
const TRIGGER_PATH = `LambdaConfig.${TRIGGER}`;

export interface Clients {
  cognito: CognitoIdentityProviderClient;
  lambda: LambdaClient;
  cloudFormation: CloudFormationClient;
}

export function createClients(region: string): Clients {
  return {
    cognito: new CognitoIdentityProviderClient(clientConfig(region)),
    lambda: new LambdaClient(clientConfig(region)),
    cloudFormation: new CloudFormationClient(clientConfig(region)),
  };
}

export interface ChangeOptions {
  userPoolId: string;
  region: string;
  dryRun: boolean;
  backupFile?: string;
  out?: (line: string) => void;
}

export interface AttachOptions extends ChangeOptions {
  functionArn: string;
  replace: boolean;
  skipPermissionCheck: boolean;
}

export type ChangeResult = 'changed' | 'unchanged' | 'dry-run';

const FUNCTION_ARN =
  /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9_$-]+)?$/;

export function parseFunctionArn(arn: string): { region: string; account: string } {
  const match = FUNCTION_ARN.exec(arn);
  if (!match) {
    throw new CommandError(
      `"${arn}" is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>). ` +
        'Copy FunctionArn from the stack outputs, or use --stack-name.',
    );
  }
  return { region: match[1] as string, account: match[2] as string };
}

export async function functionArnFromStack(client: CloudFormationClient, stackName: string): Promise<string> {
  return (await readStack(client, stackName)).output(OUTPUT.functionArn);
}

export async function describePool(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  region: string,
) {
  try {
    const { UserPool } = await client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
    if (!UserPool) throw new Error('empty answer');
    return UserPool;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'ResourceNotFoundException') {
      throw new CommandError(
        `user pool ${userPoolId} does not exist in ${region}. Check --user-pool-id and --region.`,
      );
    }
    throw new CommandError(`cannot describe user pool ${userPoolId}: ${name}: ${(error as Error).message}`);
  }
}

/** The pool's MFA settings, which DescribeUserPool does not show (GetUserPoolMfaConfig). */
export async function describeMfa(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
): Promise<MfaSettings> {
  try {
    return mfaSettingsOf(await client.send(new GetUserPoolMfaConfigCommand({ UserPoolId: userPoolId })));
  } catch (error) {
    throw new CommandError(
      `cannot read the MFA configuration of ${userPoolId} (GetUserPoolMfaConfig: ${(error as Error).name}: ` +
        `${(error as Error).message}); nothing changed. The backup must hold it: allow cognito-idp:GetUserPoolMfaConfig.`,
    );
  }
}

/** MFA settings that differ, as MfaConfig.<path>. */
function mfaChanges(before: MfaSettings, after: MfaSettings): string[] {
  return differingPaths(before, after).map((path) => `MfaConfig.${path}`);
}

/** What attach and detach write before they change anything, and restore reads. */
export interface PoolBackup {
  UserPool: UserPoolType;
  /** GetUserPoolMfaConfig's answer; absent in backups written before it was kept. */
  MfaConfig?: MfaSettings;
}

/** Does the function's resource policy let Cognito invoke it on behalf of this pool? */
export function policyAllowsPool(policyJson: string, poolArn: string, account?: string): boolean {
  const policy = JSON.parse(policyJson) as { Statement?: Record<string, unknown>[] };
  return (policy.Statement ?? []).some((statement) => {
    if (statement.Effect !== 'Allow') return false;
    const principal = statement.Principal as { Service?: string | string[] } | string | undefined;
    const services = typeof principal === 'object' ? [principal.Service ?? []].flat() : [];
    if (!services.includes('cognito-idp.amazonaws.com')) return false;
    const actions = [statement.Action ?? []].flat() as string[];
    if (!actions.some((a) => a === 'lambda:InvokeFunction' || a === 'lambda:*' || a === '*')) return false;
    const conditions = (statement.Condition ?? {}) as Record<string, Record<string, string | string[]>>;
    const sourceArns = Object.entries(conditions)
      .filter(([op]) => /^Arn(Like|Equals)$/.test(op))
      .flatMap(([, c]) => [c['AWS:SourceArn'] ?? []].flat());
    const sourceAccounts = Object.values(conditions).flatMap((c) => [c['AWS:SourceAccount'] ?? []].flat());
    const arnOk = sourceArns.length === 0 || sourceArns.some((pattern) => arnMatches(pattern, poolArn));
    const accountOk =
      sourceAccounts.length === 0 || account === undefined || sourceAccounts.includes(account);
    return arnOk && accountOk;
  });
}

function arnMatches(pattern: string, arn: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return regex.test(arn);
}

async function checkPermission(lambda: LambdaClient, functionArn: string, pool: UserPoolType): Promise<void> {
  const poolArn = pool.Arn ?? '';
  const fix =
    `Deploy the stack with CognitoUserPoolArn=${poolArn || '<this pool ARN>'} (it creates the permission), ` +
    'or pass --skip-permission-check if you manage the permission yourself.';
  let policy: string | undefined;
  try {
    policy = (await lambda.send(new GetPolicyCommand({ FunctionName: functionArn }))).Policy;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'ResourceNotFoundException') {
      throw new CommandError(
        `function ${functionArn} has no resource policy (or does not exist), so every sign-in would fail. ${fix}`,
      );
    }
    throw new CommandError(
      `cannot read the resource policy of ${functionArn}: ${name}: ${(error as Error).message}`,
    );
  }
  const account = /:(\d{12}):/.exec(poolArn)?.[1];
  if (!policy || !policyAllowsPool(policy, poolArn, account)) {
    throw new CommandError(
      `the resource policy of ${functionArn} does not let cognito-idp.amazonaws.com invoke it for ${poolArn}, ` +
        `so every sign-in would fail. ${fix}`,
    );
  }
}

/**
 * Where backups go without --backup-file: the project's git-ignored backups/ folder, never the working
 * directory (in a checkout that is the repository root, where a backup is easy to commit by mistake).
 */
export const BACKUP_DIR = join(PROJECT_ROOT, 'backups');

function defaultBackupPath(userPoolId: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  mkdirSync(BACKUP_DIR, { recursive: true, mode: 0o700 });
  return join(BACKUP_DIR, `user-pool-${userPoolId}-${stamp}.backup.json`);
}

/** Writes the backup, updates, describes again and verifies that only the trigger changed. */
async function applyTriggerChange(
  cognito: CognitoIdentityProviderClient,
  pool: UserPoolType,
  value: string | undefined,
  options: ChangeOptions,
): Promise<void> {
  const out = options.out ?? console.log;
  const backupFile = resolve(options.backupFile ?? defaultBackupPath(options.userPoolId));
  const mfa = await describeMfa(cognito, options.userPoolId);
  const backup: PoolBackup = { UserPool: pool, MfaConfig: mfa };
  try {
    // Readable by its owner only: it describes the pool's security settings.
    writeFileSync(backupFile, `${JSON.stringify(backup, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    const reason = fileProblem(error);
    throw new CommandError(
      `cannot write the backup ${backupFile} (${reason}); nothing changed. Choose another --backup-file.`,
    );
  }
  out(`Backup of the complete pool configuration: ${backupFile}`);

  const input = buildUpdateUserPoolInput(pool, withTrigger(pool, TRIGGER, value));
  try {
    await cognito.send(new UpdateUserPoolCommand(input));
  } catch (error) {
    const err = error as Error & { $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode;
    // A 4xx answer is a rejection of the whole request; anything else (timeout, 5xx) leaves the outcome open.
    throw new CommandError(
      status !== undefined && status >= 400 && status < 500
        ? `UpdateUserPool was rejected, nothing changed: ${err.name}: ${err.message}`
        : `UpdateUserPool failed (${err.name}: ${err.message}); it may or may not have been applied. ` +
            `Check with describe-user-pool, and restore if needed: npm run restore -- --backup-file "${backupFile}"`,
    );
  }

  const after = await describePool(cognito, options.userPoolId, options.region);
  const lost = [
    ...unexpectedChanges(pool, after, [TRIGGER_PATH]),
    ...mfaChanges(mfa, await describeMfa(cognito, options.userPoolId)),
  ];
  const triggerNow = after.LambdaConfig?.[TRIGGER];
  if (lost.length > 0 || triggerNow !== value) {
    throw new CommandError(
      [
        'the pool changed in ways that were not asked for:',
        ...lost.map((path) => `  ${path}`),
        ...(triggerNow !== value
          ? [`  ${TRIGGER_PATH} is ${triggerNow ?? '(none)'}, expected ${value ?? '(none)'}`]
          : []),
        `Restore the previous configuration with: npm run restore -- --backup-file "${backupFile}"`,
      ].join('\n'),
    );
  }
  out(
    `Verified: DescribeUserPool differs from the backup only in ${TRIGGER_PATH}; GetUserPoolMfaConfig is unchanged.`,
  );
}

function describeChange(before: string | undefined, after: string | undefined): string {
  return `${TRIGGER_PATH}: ${before ?? '(none)'} → ${after ?? '(none)'}`;
}

export async function attachPostAuthenticationTrigger(
  clients: Clients,
  options: AttachOptions,
): Promise<ChangeResult> {
  const out = options.out ?? console.log;
  const fn = parseFunctionArn(options.functionArn);
  const pool = await describePool(clients.cognito, options.userPoolId, options.region);
  const poolRegion = /^arn:[^:]+:cognito-idp:([^:]+):/.exec(pool.Arn ?? '')?.[1] ?? options.region;
  if (fn.region !== poolRegion) {
    throw new CommandError(
      `the function is in ${fn.region} but the pool is in ${poolRegion}; Cognito can only invoke a trigger in its own region. ` +
        `Deploy the stack in ${poolRegion}.`,
    );
  }

  const current = pool.LambdaConfig?.[TRIGGER];
  if (current === options.functionArn) {
    out(`${TRIGGER} trigger of ${options.userPoolId} is already ${options.functionArn}; nothing to do.`);
    return 'unchanged';
  }
  if (current && !options.replace) {
    throw new CommandError(
      `${options.userPoolId} already has a different ${TRIGGER} trigger: ${current}. ` +
        'Pass --replace to replace it (the other function then no longer runs), or detach it first.',
    );
  }
  if (!options.skipPermissionCheck) await checkPermission(clients.lambda, options.functionArn, pool);

  out(describeChange(current, options.functionArn));
  if (options.dryRun) {
    out('Dry run: nothing changed.');
    return 'dry-run';
  }
  await applyTriggerChange(clients.cognito, pool, options.functionArn, options);
  out(`Attached: every successful sign-in to ${options.userPoolId} is now recorded.`);
  return 'changed';
}

export async function detachPostAuthenticationTrigger(
  clients: Clients,
  options: ChangeOptions,
): Promise<ChangeResult> {
  const out = options.out ?? console.log;
  const pool = await describePool(clients.cognito, options.userPoolId, options.region);
  const current = pool.LambdaConfig?.[TRIGGER];
  if (!current) {
    out(`${options.userPoolId} has no ${TRIGGER} trigger; nothing to do.`);
    return 'unchanged';
  }
  out(describeChange(current, undefined));
  if (options.dryRun) {
    out('Dry run: nothing changed.');
    return 'dry-run';
  }
  await applyTriggerChange(clients.cognito, pool, undefined, options);
  out(`Detached: sign-ins to ${options.userPoolId} are no longer recorded.`);
  return 'changed';
}

/**
 * Puts a pool back to a backup written by attach/detach: every updatable setting (triggers included) with
 * UpdateUserPool, then the MFA settings with SetUserPoolMfaConfig, then verifies both.
 */
export async function restoreFromBackup(
  cognito: CognitoIdentityProviderClient,
  backup: PoolBackup,
  region: string,
  out: (line: string) => void = console.log,
): Promise<string[]> {
  const pool = backup.UserPool;
  if (!pool.Id)
    throw new CommandError('the backup has no UserPool.Id; is it a file written by attach or detach?');
  const id = pool.Id;
  const current = await describePool(cognito, id, region);
  const currentMfa = backup.MfaConfig ? await describeMfa(cognito, id) : undefined;
  const changes = [
    ...unexpectedChanges(current, pool, []),
    ...(backup.MfaConfig && currentMfa ? mfaChanges(currentMfa, backup.MfaConfig) : []),
  ];
  if (changes.length === 0) {
    out(`${id} already matches the backup; nothing to do.`);
    return [];
  }
  out(`Restoring ${changes.join(', ')}`);
  // A refusal names the pool and the call (no region or credentials: runCli says what to do instead).
  const named = (call: string) => (error: Error) => {
    if (explainAwsError(error)) throw error;
    throw new CommandError(`${call} of user pool ${id} failed: ${error.name}: ${error.message}`);
  };
  await cognito
    .send(new UpdateUserPoolCommand(buildUpdateUserPoolInput(pool, pool.LambdaConfig ?? {})))
    .catch(named('UpdateUserPool'));
  if (backup.MfaConfig)
    await cognito
      .send(new SetUserPoolMfaConfigCommand(setMfaConfigInput(id, backup.MfaConfig)))
      .catch(named('SetUserPoolMfaConfig'));
  const after = await describePool(cognito, id, region);
  const remaining = [
    ...unexpectedChanges(after, pool, []),
    ...(backup.MfaConfig ? mfaChanges(await describeMfa(cognito, id), backup.MfaConfig) : []),
  ];
  if (remaining.length > 0) {
    throw new CommandError(`restored, but these still differ from the backup: ${remaining.join(', ')}`);
  }
  out(`Restored: ${id} matches the backup${backup.MfaConfig ? ', MFA settings included' : ''}.`);
  return changes;
}
