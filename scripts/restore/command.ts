/** `npm run restore`'s usage and run: a backup read and checked, then put back. */
import { readFileSync } from 'node:fs';
import type { UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { CommandError, parseOptions, readableFile, regionOfUserPoolId, UsageError } from '../core/cli.ts';
import { createClients, type PoolBackup, restoreFromBackup } from '../user-pool/trigger-attachment.ts';

export const USAGE = `usage: npm run restore -- --backup-file <path> [--region <region>]

Sends UpdateUserPool with every updatable setting of the backup (triggers included), and
SetUserPoolMfaConfig with its MFA settings when the backup holds them, then verifies.`;

/** The command, in process: resolves to its exit code (runCli maps thrown errors to 1 and 2). */
export async function run(argv: readonly string[]): Promise<number> {
  const values = parseOptions(argv, {
    'backup-file': { type: 'string' },
    region: { type: 'string' },
  });
  const file = values['backup-file'];
  if (!file) throw new UsageError('--backup-file is required');
  let backup: PoolBackup;
  try {
    // A backup written by attach/detach ({"UserPool": …, "MfaConfig": …}) or a bare
    // `describe-user-pool --query UserPool`.
    const parsed = JSON.parse(
      readFileSync(readableFile('backup-file', file), 'utf8'),
    ) as Partial<PoolBackup> & UserPoolType;
    backup = parsed.UserPool
      ? { UserPool: parsed.UserPool, MfaConfig: parsed.MfaConfig }
      : { UserPool: parsed };
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError(
      `${file} is not a backup written by attach or detach: ${(error as Error).message}`,
    );
  }
  const id = backup.UserPool?.Id;
  if (!id) throw new CommandError(`${file} is not a user pool description (no UserPool.Id or Id)`);
  const region = values.region ?? regionOfUserPoolId(id);
  if (!region) throw new UsageError(`cannot tell the region from "${id}"; pass --region`);
  await restoreFromBackup(createClients(region).cognito, backup, region);
  return 0;
}
