/**
 * The template checks shared by `npm run validate` and the toolchain tests: project rules, SAM's own
 * validation with its linter, cfn-lint, checkov, and `sam build` compared byte for byte with the local build.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFunctionBundle, handlerModulePath } from './bundle.ts';
import { FUNCTION_ID, functionSettings, loadTemplate, TEMPLATE_PATH } from './template.ts';
import { templatePolicyViolations } from './template-policy.ts';
import { findTool, missingToolNotice, runTool, TOOLS } from './toolchain.ts';

export type StepResult =
  | { status: 'passed'; detail?: string }
  | { status: 'failed'; detail: string }
  | { status: 'skipped'; detail: string };

const output = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`.trim();

function withTool(tool: (typeof TOOLS)[keyof typeof TOOLS], run: (path: string) => StepResult): StepResult {
  const path = findTool(tool);
  return path ? run(path) : { status: 'skipped', detail: missingToolNotice(tool) };
}

export function projectRules(templatePath = TEMPLATE_PATH): StepResult {
  const violations = templatePolicyViolations(loadTemplate(templatePath));
  return violations.length === 0 ? { status: 'passed' } : { status: 'failed', detail: violations.join('\n') };
}

export function samValidateLint(templatePath = TEMPLATE_PATH): StepResult {
  return withTool(TOOLS.sam, (sam) => {
    const r = runTool(sam, ['validate', '--lint', '--template-file', templatePath, '--region', 'us-east-1']);
    return r.status === 0 ? { status: 'passed' } : { status: 'failed', detail: output(r) };
  });
}

/** cfn-lint exits non-zero on errors (2), warnings (4) and informational findings (8): all must be clean. */
export function cfnLint(templatePath = TEMPLATE_PATH): StepResult {
  return withTool(TOOLS.cfnLint, (lint) => {
    const r = runTool(lint, ['--', templatePath]);
    return r.status === 0
      ? { status: 'passed' }
      : { status: 'failed', detail: output(r) || `exit ${r.status}` };
  });
}

export function checkov(templatePath = TEMPLATE_PATH): StepResult {
  return withTool(TOOLS.checkov, (bin) => {
    const r = runTool(bin, [
      '-f',
      templatePath,
      '--framework',
      'cloudformation',
      '--skip-download',
      '--compact',
      '--quiet',
    ]);
    const failed = Number(r.stdout.match(/Failed checks: (\d+)/)?.[1] ?? Number.NaN);
    if (r.status === 0 && failed === 0) return { status: 'passed' };
    return { status: 'failed', detail: output(r) || `exit ${r.status}` };
  });
}

/**
 * Runs `sam build` into a scratch folder and checks the artifact is byte-identical to the local esbuild
 * build of the same BuildProperties (what the local Lambda endpoint and the tests run).
 */
export async function samBuildMatchesLocalBuild(
  templatePath = TEMPLATE_PATH,
  keepBuildDir?: string,
): Promise<StepResult> {
  const sam = findTool(TOOLS.sam);
  if (!sam) return { status: 'skipped', detail: missingToolNotice(TOOLS.sam) };
  const scratch = mkdtempSync(join(tmpdir(), 'sam-build-'));
  try {
    const buildDir = keepBuildDir ?? join(scratch, 'build');
    const r = runTool(sam, [
      'build',
      '--template-file',
      templatePath,
      '--build-dir',
      buildDir,
      '--cache-dir',
      join(scratch, 'cache'),
      // samconfig.toml turns cached builds on, which share .aws-sam/deps in the project: not from tests
      // that may build at the same time as the README's `sam build`.
      '--no-cached',
      '--region',
      'us-east-1',
    ]);
    if (r.status !== 0) return { status: 'failed', detail: output(r) };
    const settings = functionSettings(loadTemplate(templatePath), { tableName: 'unused' });
    const samModule = handlerModulePath(settings, join(buildDir, FUNCTION_ID));
    const localModule = await buildFunctionBundle(settings, join(scratch, 'local'));
    const samBytes = readFileSync(samModule);
    if (!samBytes.equals(readFileSync(localModule))) {
      return {
        status: 'failed',
        detail: `sam build output ${samModule} differs from the local esbuild build`,
      };
    }
    return {
      status: 'passed',
      detail: `${samModule}: ${samBytes.length} bytes, identical to the local build`,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
