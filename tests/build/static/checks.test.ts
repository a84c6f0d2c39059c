/** Type checking (strict) and lint/format are part of the suite, so a red check is a red `npm test`. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../../scripts/build/template.ts';

const require = createRequire(import.meta.url);

function run(script: string, args: string[]) {
  const result = spawnSync(process.execPath, [script, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('static checks', () => {
  it('tsc --noEmit (strict) finds no errors', () => {
    const { status, output } = run(require.resolve('typescript/bin/tsc'), [
      '--noEmit',
      '-p',
      'tsconfig.json',
    ]);
    assert.equal(status, 0, output);
  });

  it('biome ci finds no lint or format problems', () => {
    const biome = join(PROJECT_ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
    const { status, output } = run(biome, ['ci', '.']);
    assert.equal(status, 0, output);
  });
});
