/**
 * Who runs a command and with which rights: the caller's identity (STS GetCallerIdentity) and a role of the
 * stack (STS AssumeRole). The history table lets only the stack's roles put (replay) or delete (erase).
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CommandError } from './cli.ts';

export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export const clientConfig = (region: string | undefined, credentials?: AwsCredentialIdentity) => ({
  ...(region ? { region } : {}),
  ...(credentials ? { credentials } : {}),
});

/** The caller's ARN, or undefined when STS cannot be reached (the record then says "unknown"). */
export async function callerArn(region: string | undefined): Promise<string | undefined> {
  const sts = new STSClient({ ...clientConfig(region), maxAttempts: 2 });
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  } catch {
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
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS returned no credentials');
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  } catch (error) {
    throw new CommandError(
      `cannot assume ${roleArn}: ${(error as Error).message}. Your identity needs sts:AssumeRole on it (docs/append-only-and-erasure.md).`,
    );
  } finally {
    sts.destroy();
  }
}
