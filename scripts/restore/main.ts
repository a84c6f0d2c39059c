/** `npm run restore`: put a user pool back to a backup written by attach or detach. */
import { readFileSync } from 'node:fs';
import type { UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import {
  CommandError,
  parseOptions,
  readableFile,
  regionOfUserPoolId,
  runCli,
  UsageError,
} from '../core/cli.ts';
import { createClients, type PoolBackup, restoreFromBackup } from '../user-pool/trigger-attachment.ts';

const USAGE = `usage: npm run restore -- --backup-file <path> [--region <region>]

Sends UpdateUserPool with every updatable setting of the backup (triggers included), and
SetUserPoolMfaConfig with its MFA settings when the backup holds them, then verifies.`;

await runCli(USAGE, async () => {
  const values = parseOptions(process.argv.slice(2), {
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
});
