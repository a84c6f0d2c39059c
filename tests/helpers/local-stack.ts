import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type LoginHistoryItem, WRITE_FAILED } from '#contract';
import type { LocalStack } from '../../scripts/local-stack/local-stack.ts';
import { parseLogLine } from '../../scripts/ops/failure-records.ts';
import { attachPostAuthenticationTrigger, createClients } from '../../scripts/ops/trigger-attachment.ts';

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

/**
 * The items of the failure records the function logged, read with the same parser `npm run replay` uses;
 * a failure line that parser cannot read fails the test.
 */
export function failureItems(stack: LocalStack): LoginHistoryItem[] {
  return stack.lambda.logs
    .filter((line) => line.text.includes(WRITE_FAILED))
    .map((line) => {
      const parsed = parseLogLine(line.text);
      assert.equal(parsed.kind, 'record', `unreadable failure record: ${line.text}`);
      return (parsed as { item: LoginHistoryItem }).item;
    });
}
