/** `npm run attach`'s usage and run: the options read, the function found, the trigger attached, the trail checked. */

import { reportAuthEventTrail } from '../account/trail-check.ts';
import { parseOptions, poolAndRegion, requireOne } from '../core/cli.ts';
import {
  attachPostAuthenticationTrigger,
  createClients,
  functionArnFromStack,
} from '../user-pool/trigger-attachment.ts';

export const USAGE = `usage: npm run attach -- --user-pool-id <id> (--function-arn <arn> | --stack-name <name>)
                      [--region <region>] [--dry-run] [--replace] [--skip-permission-check]
                      [--backup-file <path>]

Reads the pool, writes a backup of its complete configuration (to --backup-file, by default
backups/user-pool-<id>-<time>.backup.json in the project, git-ignored; the path is printed), sends UpdateUserPool with every setting
carried over and only LambdaConfig.PostAuthentication changed, then describes the pool again and verifies
that nothing else changed. Then says whether a CloudTrail trail logs this region's management events
(read and write), which the failed-sign-in records (AuthEvents) need. Exit codes: 0 done or nothing to do, 1 refused or failed, 2 usage error.`;

/** The command, in process: resolves to its exit code (runCli maps thrown errors to 1 and 2). */
export async function run(argv: readonly string[]): Promise<number> {
  const values = parseOptions(argv, {
    'user-pool-id': { type: 'string' },
    'function-arn': { type: 'string' },
    'stack-name': { type: 'string' },
    region: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    replace: { type: 'boolean', default: false },
    'skip-permission-check': { type: 'boolean', default: false },
    'backup-file': { type: 'string' },
  });
  const { userPoolId, region } = poolAndRegion(values);
  const source = requireOne(values, ['function-arn', 'stack-name']);

  const clients = createClients(region);
  const functionArn =
    source === 'function-arn'
      ? (values['function-arn'] as string)
      : await functionArnFromStack(clients.cloudFormation, values['stack-name'] as string);
  await attachPostAuthenticationTrigger(clients, {
    userPoolId,
    region,
    functionArn,
    dryRun: values['dry-run'],
    replace: values.replace,
    skipPermissionCheck: values['skip-permission-check'],
    backupFile: values['backup-file'],
  });
  // Failed sign-ins and source IPs come from CloudTrail: say when no trail delivers them (never fails).
  await reportAuthEventTrail(region, (line) => console.log(line));
  return 0;
}
