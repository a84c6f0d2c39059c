import { join } from 'node:path';
import type { LocalStack } from '../../scripts/lib/local-stack.ts';
import { attachPostAuthenticationTrigger, createClients } from '../../scripts/lib/trigger-attachment.ts';

/** Attaches the stack's function to a local pool with the same code as `npm run attach`, quietly. */
export function attachLocally(stack: LocalStack, userPoolId: string) {
  return attachPostAuthenticationTrigger(createClients('local'), {
    userPoolId,
    region: 'local',
    functionArn: stack.functionArn,
    dryRun: false,
    replace: false,
    skipPermissionCheck: false,
    backupFile: join(stack.dataDir, `${userPoolId}-${Date.now()}.backup.json`),
    out: () => undefined,
  });
}
