/**
 * `npm run validate`: every template check CI runs, with the pinned Python tools (installed into .venv/ on
 * first use). Where they cannot be had the checks are reported as skipped, with why (or fail when
 * REQUIRE_TOOLCHAIN=1, as in CI).
 */

import { parseOptions, runCli } from '../../scripts/core/cli.ts';
import { counted } from '../../scripts/core/generic.ts';
import { ensurePythonTools, PROBLEM_ENV, toolchainRequired } from './toolchain.ts';
import {
  cfnLint,
  checkov,
  projectRules,
  type StepResult,
  samBuildMatchesLocalBuild,
  samValidateLint,
} from './validate-steps.ts';

const USAGE = `usage: npm run validate

Runs every template check CI runs: the project rules, sam validate --lint, cfn-lint, checkov, and a
comparison of sam build's bundle with the local build. The pinned Python tools are installed into .venv/ on
first use (about 1 GB). A check whose tool cannot be had is reported as skipped, with why; with
REQUIRE_TOOLCHAIN=1 (as in CI) a skipped check fails the run. Exit 1 when a check failed.`;

await runCli(USAGE, async () => {
  parseOptions(process.argv.slice(2), {});
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
  if (skipped > 0) console.log(`${counted(skipped, 'check')} skipped`);
  return failed > 0 || (skipped > 0 && toolchainRequired()) ? 1 : 0;
});
