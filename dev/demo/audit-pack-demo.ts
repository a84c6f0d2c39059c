/**
 * The demo's last step: an audit pack of the demo's own sign-ins (today, UTC), written to a new folder that
 * outlives the demo, so the report can be opened in a browser afterwards.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs one of our scripts as a user would (the demo's runner); rejects when it fails. */
type RunScript = (script: string, args: string[]) => Promise<void>;

/** Writes the pack and returns the report's path. */
export async function demoAuditPack(
  runScript: RunScript,
  options: { userPoolId: string; tableName: string; authEventsTableName?: string },
): Promise<string> {
  const today = new Date().toISOString().slice(0, 10);
  const out = join(mkdtempSync(join(tmpdir(), 'login-history-demo-')), 'audit-pack');
  await runScript('audit-pack', [
    '--from',
    today,
    '--to',
    today,
    '--user-pool-id',
    options.userPoolId,
    '--table-name',
    options.tableName,
    ...(options.authEventsTableName ? ['--auth-events-table-name', options.authEventsTableName] : []),
    '--out',
    out,
  ]);
  return join(out, 'report.html');
}
