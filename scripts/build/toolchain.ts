/**
 * Locates the Python-based AWS tools (SAM CLI, cfn-lint, checkov, moto) that `.ci/run` installs into
 * `.venv/<name>/`, falling back to PATH, and runs them without letting them reach the network.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PROJECT_ROOT } from './template.ts';

export interface Tool {
  name: string;
  venv: string;
  executable: string;
}

export const TOOLS = {
  sam: { name: 'sam', venv: 'sam', executable: 'sam' },
  cfnLint: { name: 'cfn-lint', venv: 'sam', executable: 'cfn-lint' },
  checkov: { name: 'checkov', venv: 'checkov', executable: 'checkov' },
  moto: { name: 'moto_server', venv: 'moto', executable: 'moto_server' },
} satisfies Record<string, Tool>;

/** Environment that keeps the tools offline: no telemetry, no policy downloads. */
export const OFFLINE_TOOL_ENV = {
  SAM_CLI_TELEMETRY: '0',
  CHECKOV_SKIP_DOWNLOAD: '1',
  BC_SKIP_MAPPING: 'TRUE',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
};

export function findTool(tool: Tool): string | undefined {
  const binDir = process.platform === 'win32' ? 'Scripts' : 'bin';
  const suffixes = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  const dirs = [join(PROJECT_ROOT, '.venv', tool.venv, binDir), ...(process.env.PATH ?? '').split(delimiter)];
  for (const dir of dirs) {
    for (const suffix of suffixes) {
      const candidate = join(dir, tool.executable + suffix);
      if (dir && existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/** CI sets REQUIRE_TOOLCHAIN=1 so that a missing tool fails instead of being skipped. */
export const toolchainRequired = () => process.env.REQUIRE_TOOLCHAIN === '1';

export const INSTALL_HINT =
  'install the Python tools as README "Tests" shows (CI: bash .ci/run installs them)';

export function runTool(
  path: string,
  args: string[],
  options: { cwd?: string } = {},
): SpawnSyncReturns<string> {
  return spawnSync(path, args, {
    cwd: options.cwd ?? PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...OFFLINE_TOOL_ENV },
    timeout: 600_000,
  });
}
