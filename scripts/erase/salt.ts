/** The salt of the erasure record's sub hash, read from Secrets Manager as the erasure role. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type AwsCredentialIdentity, clientConfig } from '../account/role-session.ts';
import { CommandError, explainAwsError } from '../core/cli.ts';

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
    // No region, no credentials, access denied: cli.ts says what to do about those.
    if (error instanceof CommandError || explainAwsError(error as Error)) throw error;
    throw new CommandError(`cannot read the erasure salt ${secretId}: ${(error as Error).message}`);
  } finally {
    secrets.destroy();
  }
}
