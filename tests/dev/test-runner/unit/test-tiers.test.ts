/**
 * The tiers add up to `npm test`: every test file is in exactly one tier, so running the four tiers runs the
 * whole suite; and the unit tier keeps its promise (no child processes, engines, venv tools or Docker), which
 * is what lets `npm run test:unit` skip all preparation.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../../../dev/build/template.ts';
import { findTestFiles, TIERS, tierOf } from '../../../../dev/test-runner/test-tiers.ts';

const files = findTestFiles(PROJECT_ROOT);

describe('test tiers', () => {
  it('every test file is in one tier folder, tests/<room…>/<tier>/', () => {
    assert.ok(files.length > 20);
    assert.deepEqual(
      files.filter((f) => tierOf(f) === undefined),
      [],
      `files outside ${Object.keys(TIERS).join(', ')}`,
    );
  });

  it('has an npm script per tier, each running only that tier through dev/test-runner/main.ts', () => {
    const scripts = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts;
    for (const tier of Object.keys(TIERS)) {
      assert.equal(scripts[`test:${tier}`], `node scripts/run.mjs dev/test-runner/main.ts --tier ${tier}`);
    }
    assert.equal(
      scripts.test,
      'node scripts/run.mjs dev/test-runner/main.ts',
      'npm test is still the whole suite',
    );
  });

  it('unit test files start no process, engine, venv tool or Docker', () => {
    // startLocalStack, startDynalite, startCognitoLocal, startMoto, startDockerEngine, startSamLocalLambda, …
    const forbidden = /node:child_process|\bstart[A-Z]\w*\(|findTool\(|dockerForTests/;
    const offenders = files
      .filter((f) => tierOf(f) === 'unit' && join(PROJECT_ROOT, f) !== import.meta.filename)
      .filter((f) => forbidden.test(readFileSync(join(PROJECT_ROOT, f), 'utf8')));
    assert.deepEqual(offenders, [], 'these belong in integration/ (or e2e/, sam-local/)');
  });

  it("knows a file's tier from its folder only", () => {
    assert.equal(tierOf('tests/scripts/core/unit/output.test.ts'), 'unit');
    assert.equal(tierOf('tests/function/sam-local/sign-in.test.ts'), 'sam-local');
    assert.equal(tierOf('tests/scripts/history/integration/unit-like.test.ts'), 'integration');
    assert.equal(tierOf('tests/dev/build/static/checks.test.ts'), undefined);
    assert.equal(tierOf('tests/unit-tests/checks.test.ts'), undefined);
  });
});
