/**
 * Who runs a command and with which rights: the caller's identity (STS GetCallerIdentity) and a role of the
 * stack (STS AssumeRole). The history table lets only the stack's roles put (replay) or delete (erase).
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CommandError, errorSentence, explainAwsError, isAccessDenied, isNetworkError } from '../core/cli.ts';
import { type AwsCredentialIdentity, CHECK_RETRIES, clientConfig } from '../core/clients.ts';

/** No region, no or expired credentials: cli.ts tells the user what to do, better than any wrapping. */
function isSetupError(error: unknown): boolean {
  return !!explainAwsError(error as Error) && !isNetworkError(error) && !isAccessDenied(error);
}

/**
 * The caller's ARN, or undefined when STS cannot be reached (the record then says "unknown"). No region or no
 * credentials is not "unreachable": that error goes to the user, explained (cli.ts).
 */
export async function callerArn(region: string | undefined): Promise<string | undefined> {
  const sts = new STSClient(clientConfig(region, CHECK_RETRIES));
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  } catch (error) {
    if (isSetupError(error)) throw error;
    return undefined;
  } finally {
    sts.destroy();
  }
}

/** Short-lived credentials of a role of the stack, the session named after the command (`npm-run-erase-…`). */
export async function assumeRole(
  region: string | undefined,
  roleArn: string,
  command: string,
): Promise<AwsCredentialIdentity> {
  const sts = new STSClient(clientConfig(region));
  try {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: `npm-run-${command}-${Date.now()}` }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw new CommandError(`cannot assume ${roleArn}: STS answered with no credentials`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  } catch (error) {
    if (error instanceof CommandError || isSetupError(error)) throw error;
    // Only a refusal is about permissions; a network failure is worded as one (which endpoint, what to check).
    throw new CommandError(
      isAccessDenied(error)
        ? `cannot assume ${roleArn}: ${(error as Error).message}. Your identity needs sts:AssumeRole on it (docs/append-only-and-erasure.md).`
        : `cannot assume ${roleArn}: ${errorSentence(error)}`,
    );
  } finally {
    sts.destroy();
  }
}

/**
 * Is `caller` (an STS caller ARN) already a session of `roleArn`? A role may not assume itself unless its own
 * policy allows it, so a command run with the role's credentials (an AWS profile) uses them as they are.
 */
export function isSessionOf(caller: string | undefined, roleArn: string): boolean {
  const role = /^arn:([\w-]+):iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
  const session = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/.+$/.exec(caller ?? '');
  return !!role && !!session && role[1] === session[1] && role[2] === session[2] && role[3] === session[3];
}

/** The role's credentials, or undefined when the caller already is that role (see isSessionOf). */
export async function credentialsOf(
  region: string | undefined,
  roleArn: string,
  command: string,
  caller: string | undefined,
): Promise<AwsCredentialIdentity | undefined> {
  return isSessionOf(caller, roleArn) ? undefined : assumeRole(region, roleArn, command);
}
