/**
 * The template checks shared by `npm run validate` and the toolchain tests: project rules, SAM's own
 * validation with its linter, cfn-lint, checkov, and `sam build` compared byte for byte with the local build.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFunctionBundle, handlerModulePath } from './bundle.ts';
import {
  AUTH_EVENTS_FUNCTION_ID,
  FUNCTION_ID,
  functionSettings,
  loadTemplate,
  TEMPLATE_PATH,
} from './template.ts';
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

function checkovScan(bin: string, templatePath: string): StepResult {
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
}

/**
 * A copy of the template with AuthEvents enabled by default (and a client id), written next to it so its
 * relative CodeUri still resolves. checkov evaluates conditions with the parameter defaults and would never
 * look at the resources of a part that is off by default.
 */
export function withAuthEventsEnabled(templatePath: string, scratchDir: string): string {
  const text = readFileSync(templatePath, 'utf8')
    .replace(/(\n {2}AuthEvents:\n {4}Type: String\n {4}Default: )disabled/, '$1enabled')
    .replace(
      /(\n {2}AuthEventsClientIds:\n {4}Type: CommaDelimitedList\n {4}Default: )""/,
      '$1"1example23456789abcdefghij"',
    );
  if (!text.includes('Default: enabled\n'))
    throw new Error('cannot turn AuthEvents on in a copy of the template');
  const path = join(scratchDir, 'template-auth-events-enabled.yaml');
  writeFileSync(path, text);
  return path;
}

/** checkov on the template as deployed by default and with every optional part (AuthEvents) on. */
export function checkov(templatePath = TEMPLATE_PATH): StepResult {
  return withTool(TOOLS.checkov, (bin) => {
    const asIs = checkovScan(bin, templatePath);
    if (asIs.status !== 'passed') return asIs;
    const scratch = mkdtempSync(join(tmpdir(), 'checkov-'));
    try {
      const enabled = checkovScan(bin, withAuthEventsEnabled(templatePath, scratch));
      return enabled.status === 'passed'
        ? enabled
        : { status: 'failed', detail: `with AuthEvents=enabled: ${enabled.detail}` };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
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
    // sam build builds every function, whatever the conditions: both must match the local build.
    const template = loadTemplate(templatePath);
    const details: string[] = [];
    for (const functionId of [FUNCTION_ID, AUTH_EVENTS_FUNCTION_ID]) {
      const settings = functionSettings(template, { tableName: 'unused', functionId });
      const samModule = handlerModulePath(settings, join(buildDir, functionId));
      const localModule = await buildFunctionBundle(settings, join(scratch, 'local', functionId));
      const samBytes = readFileSync(samModule);
      if (!samBytes.equals(readFileSync(localModule))) {
        return {
          status: 'failed',
          detail: `sam build output ${samModule} differs from the local esbuild build`,
        };
      }
      details.push(`${samModule}: ${samBytes.length} bytes, identical to the local build`);
    }
    return { status: 'passed', detail: details.join('\n') };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
