/** `npm run detach`'s usage and run. */
import { parseOptions, poolAndRegion } from '../core/cli.ts';
import { createClients, detachPostAuthenticationTrigger } from '../user-pool/trigger-attachment.ts';

export const USAGE = `usage: npm run detach -- --user-pool-id <id> [--region <region>] [--dry-run] [--backup-file <path>]

Removes LambdaConfig.PostAuthentication only (other triggers stay), with the same backup, dry run and
verification as attach (backup by default in the project's git-ignored backups/ folder). Exit codes: 0 done or nothing to do, 1 refused or failed, 2 usage error.`;

/** The command, in process: resolves to its exit code (runCli maps thrown errors to 1 and 2). */
export async function run(argv: readonly string[]): Promise<number> {
  const values = parseOptions(argv, {
    'user-pool-id': { type: 'string' },
    region: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    'backup-file': { type: 'string' },
  });
  const { userPoolId, region } = poolAndRegion(values);
  await detachPostAuthenticationTrigger(createClients(region), {
    userPoolId,
    region,
    dryRun: values['dry-run'],
    backupFile: values['backup-file'],
  });
  return 0;
}
