/**
 * Every product command's `run` works in process (scripts/<command>/command.ts): its entry file only wires
 * it to runCli, so a command's decisions are tested without spawning a process. Here: a usage error is a
 * UsageError (runCli's exit 2) before anything is read, for each command found in package.json.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { commandEntries } from '../../../../dev/build/commands.ts';
import { UsageError } from '../../../../scripts/core/cli.ts';
import { PROJECT_ROOT } from '../../../../scripts/core/generic.ts';

const PRODUCT = Object.entries(commandEntries()).filter(([, entry]) => entry.startsWith('scripts/'));

describe('product commands run in process', () => {
  for (const [name, entry] of PRODUCT) {
    it(`npm run ${name}: main.ts only wires; run() refuses an unknown option with a UsageError`, async () => {
      const main = readFileSync(join(PROJECT_ROOT, entry), 'utf8');
      const statements = main
        .replace(/\/\*\*[\s\S]*?\*\//, '')
        .trim()
        .split(/;\s*\n/);
      assert.ok(statements.length <= 4, `${entry} holds more than its wiring:\n${main}`);
      assert.match(main, /await runCli\(USAGE, \(\) => run\(process\.argv\.slice\(2\)\)\)/);
      const command = await import(
        pathToFileURL(join(PROJECT_ROOT, entry.replace(/main\.ts$/, 'command.ts'))).href
      );
      assert.match(command.USAGE, new RegExp(`^usage: npm run ${name} `));
      await assert.rejects(command.run(['--no-such-option']), (error: Error) => {
        assert.ok(error instanceof UsageError, `${error.name}: ${error.message}`);
        assert.equal(error.message, 'unknown option --no-such-option');
        return true;
      });
    });
  }
});
