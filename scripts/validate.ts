/**
 * `npm run validate`: every template check CI runs, with the pinned Python tools (installed into .venv/ on
 * first use). Where they cannot be had the checks are reported as skipped, with why (or fail when
 * REQUIRE_TOOLCHAIN=1, as in CI).
 */

import { ensurePythonTools, PROBLEM_ENV, toolchainRequired } from './build/toolchain.ts';
import {
  cfnLint,
  checkov,
  projectRules,
  type StepResult,
  samBuildMatchesLocalBuild,
  samValidateLint,
} from './build/validate-steps.ts';

const problem = await ensurePythonTools();
if (problem) process.env[PROBLEM_ENV] = problem;

const steps: [string, () => StepResult | Promise<StepResult>][] = [
  ['project rules', () => projectRules()],
  ['sam validate --lint', () => samValidateLint()],
  ['cfn-lint', () => cfnLint()],
  ['checkov', () => checkov()],
  ['sam build = local build', () => samBuildMatchesLocalBuild()],
];

let failed = 0;
let skipped = 0;
for (const [name, run] of steps) {
  const started = performance.now();
  const result = await run();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `${result.status.toUpperCase().padEnd(7)} ${name} (${seconds} s)${result.detail ? `\n  ${result.detail.replace(/\n/g, '\n  ')}` : ''}`,
  );
  if (result.status === 'failed') failed++;
  if (result.status === 'skipped') skipped++;
}
if (skipped > 0) console.log(`${skipped} check(s) skipped`);
process.exit(failed > 0 || (skipped > 0 && toolchainRequired()) ? 1 : 0);
