/** The salt of the erasure record's sub hash, read from Secrets Manager as the erasure role. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CommandError, explainAwsError } from '../core/cli.ts';
import { type AwsCredentialIdentity, clientConfig } from '../core/clients.ts';

/** Why Secrets Manager gave no salt, naming the secret (its own text is "Secrets Manager can't find…"). */
function saltProblem(error: Error, secretId: string): string {
  switch (error.name) {
    case 'ResourceNotFoundException':
      return `secret ${secretId} does not exist (check --salt-secret, or the stack's ErasureSaltSecretArn, and --region)`;
    case 'DecryptionFailure':
      return `secret ${secretId} cannot be decrypted: its KMS key refused (check the key's policy and state)`;
    case 'InvalidRequestException':
      return `secret ${secretId} cannot be read now (is it scheduled for deletion?)`;
    default:
      return `secret ${secretId}: Secrets Manager answered ${error.name}`;
  }
}

export async function readSalt(
  region: string | undefined,
  credentials: AwsCredentialIdentity | undefined,
  secretId: string,
): Promise<string> {
  const secrets = new SecretsManagerClient(clientConfig(region, { credentials }));
  try {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!SecretString || SecretString.length < 32) {
      throw new CommandError(`secret ${secretId} does not hold a salt of at least 32 characters`);
    }
    return SecretString;
  } catch (error) {
    // No region, no credentials, access denied, no network: cli.ts says what to do about those.
    if (error instanceof CommandError || explainAwsError(error as Error)) throw error;
    throw new CommandError(`cannot read the erasure salt: ${saltProblem(error as Error, secretId)}`);
  } finally {
    secrets.destroy();
  }
}
