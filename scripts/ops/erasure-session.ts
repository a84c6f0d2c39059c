/**
 * Who runs an erasure and with which rights: the caller's identity (STS GetCallerIdentity), the erasure role
 * (STS AssumeRole; the table lets only that role delete) and the salt of the record's sub hash (Secrets Manager).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CommandError } from './cli.ts';

export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

const clientConfig = (region: string | undefined, credentials?: AwsCredentialIdentity) => ({
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

/** Short-lived credentials of the erasure role, the session named after the caller's command. */
export async function assumeRole(
  region: string | undefined,
  roleArn: string,
): Promise<AwsCredentialIdentity> {
  const sts = new STSClient(clientConfig(region));
  try {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: `npm-run-erase-${Date.now()}` }),
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
      `cannot assume the erasure role ${roleArn}: ${(error as Error).message}. Your identity needs sts:AssumeRole on it (docs/append-only-and-erasure.md).`,
    );
  } finally {
    sts.destroy();
  }
}

export async function readSalt(
  region: string | undefined,
  credentials: AwsCredentialIdentity | undefined,
  secretId: string,
): Promise<string> {
  const secrets = new SecretsManagerClient(clientConfig(region, credentials));
  try {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!SecretString || SecretString.length < 32) {
      throw new CommandError(`secret ${secretId} does not hold a salt of at least 32 characters`);
    }
    return SecretString;
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError(`cannot read the erasure salt ${secretId}: ${(error as Error).message}`);
  } finally {
    secrets.destroy();
  }
}
