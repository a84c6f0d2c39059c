/**
 * `npm test`: provisions the pinned Python tools on first use, then runs every tests/**\/*.test.ts file
 * under node's test runner (spec output), then one plain summary line `N passed, N failed` for CI.
 * Portable: no shell globbing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from './build/template.ts';
import { ensurePythonTools, PROBLEM_ENV } from './build/toolchain.ts';

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const filter = process.argv.slice(2);
const files = findTests(join(PROJECT_ROOT, 'tests'))
  .map((f) => relative(PROJECT_ROOT, f))
  .filter((f) => filter.length === 0 || filter.some((part) => f.includes(part)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filter.join(' ')}`);
  process.exit(2);
}

// The SAM CLI, cfn-lint, checkov and moto at their pinned versions; where they cannot be had, the tests
// that need them skip and quote this reason.
const toolchainProblem = await ensurePythonTools();

const scratch = mkdtempSync(join(tmpdir(), 'login-history-tests-'));
const tap = join(scratch, 'results.tap');
const run = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_NO_WARNINGS: '1',
      ...(toolchainProblem ? { [PROBLEM_ENV]: toolchainProblem } : {}),
    },
  },
);

let summary = 'test runner produced no results';
try {
  const text = readFileSync(tap, 'utf8');
  const count = (name: string) => Number(text.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
  summary = `${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`;
} catch {
  // keep the default summary
}
rmSync(scratch, { recursive: true, force: true });
console.log(summary);
process.exit(run.status ?? 1);
