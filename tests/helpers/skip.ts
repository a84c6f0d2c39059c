/**
 * Skipping a test whose tool is missing: one notice (the reason and how to get the tool) and nothing else.
 * Under REQUIRE_TOOLCHAIN=1 (CI) a missing tool is a failure instead.
 */
import assert from 'node:assert/strict';
import { toolchainRequired } from '../../dev/build/toolchain.ts';

export function skipBecause(t: { skip(message: string): void }, reason: string): true {
  const notice = `SKIPPED: ${reason}`;
  if (toolchainRequired()) assert.fail(`${notice} (REQUIRE_TOOLCHAIN=1)`);
  t.skip(notice);
  return true;
}
