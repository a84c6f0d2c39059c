/**
 * The Python-based tools (SAM CLI, cfn-lint, checkov, moto, ocsf-json-schema) at exactly the versions pinned in
 * `.ci/requirements.txt`, one venv each under `.venv/` (their boto3 pins conflict). `npm test` and `.ci/run`
 * provision them through `ensurePythonTools` on first use; a tool is only ever taken from its provisioned venv,
 * never from PATH, so an older copy elsewhere on the machine cannot change a result.
 *
 * No dependencies beyond Node: `.ci/run` runs this file directly on Node 22 while `npm ci` is still going.
 */
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VENV_ROOT = join(ROOT, '.venv');
export const REQUIREMENTS_FILE = join(ROOT, '.ci', 'requirements.txt');
/** Set by `npm test` for the test processes when provisioning failed: the skip notice quotes it. */
export const PROBLEM_ENV = 'LOGIN_HISTORY_TOOLCHAIN_PROBLEM';

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
  /** A library without a command: the tests run its venv's Python to generate OCSF's JSON Schema. */
  ocsfJsonSchema: { name: 'ocsf-json-schema', venv: 'ocsf', executable: 'python' },
} satisfies Record<string, Tool>;

/** Environment that keeps the tools offline: no telemetry, no policy downloads. */
export const OFFLINE_TOOL_ENV = {
  SAM_CLI_TELEMETRY: '0',
  CHECKOV_SKIP_DOWNLOAD: '1',
  BC_SKIP_MAPPING: 'TRUE',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
};

/** venv name → its pinned requirements, from `.ci/requirements.txt`. */
export function pinnedRequirements(): Map<string, string[]> {
  const venvs = new Map<string, string[]>();
  for (const line of readFileSync(REQUIREMENTS_FILE, 'utf8').split('\n')) {
    const [venv, requirement] = line.trim().split(/\s+/);
    if (!venv || venv.startsWith('#') || !requirement) continue;
    venvs.set(venv, [...(venvs.get(venv) ?? []), requirement]);
  }
  return venvs;
}

const binDir = (venv: string) => join(VENV_ROOT, venv, 'bin');
/** Written after a venv's install succeeded: the exact requirements it holds. */
const stampFile = (venv: string) => join(VENV_ROOT, venv, '.pinned-requirements');
const stampOf = (requirements: string[]) => `${requirements.join('\n')}\n`;

function isProvisioned(venv: string, requirements: string[]): boolean {
  const stamp = stampFile(venv);
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === stampOf(requirements);
}

/** The tool in its venv when that venv holds exactly the pinned versions; never a copy from PATH. */
export function findTool(tool: Tool): string | undefined {
  const requirements = pinnedRequirements().get(tool.venv);
  if (!requirements || !isProvisioned(tool.venv, requirements)) return undefined;
  const path = join(binDir(tool.venv), tool.executable);
  return existsSync(path) ? path : undefined;
}

/** CI sets REQUIRE_TOOLCHAIN=1 so that a missing tool fails instead of being skipped. */
export const toolchainRequired = () => process.env.REQUIRE_TOOLCHAIN === '1';

/** What a skipped test says: the provisioning problem when there was one, else how to get the tools. */
export function missingToolNotice(tool: Tool): string {
  const problem = process.env[PROBLEM_ENV];
  return problem
    ? `${tool.name} is not available: ${problem}`
    : `${tool.name} is not provisioned; \`npm test\` installs the pinned tools of .ci/requirements.txt into .venv/ (needs python3 with venv and access to PyPI)`;
}

function run(command: string, args: string[], log: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', (error) => resolve({ ok: false, output: `${output}${error.message}` }));
    child.on('close', (code) => {
      writeFileSync(log, output);
      resolve({ ok: code === 0, output });
    });
  });
}

const lastLine = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((l) => l.trim())
    .at(-1) ?? '';

/**
 * Installs every venv (or each of `only`) that does not yet hold exactly its pinned requirements (in parallel), and
 * returns undefined, or one sentence saying what is missing and how to get it. Prints one line of progress
 * when it installs anything, nothing when all is in place.
 */
export async function ensurePythonTools(
  progress: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  /** Only these venvs (e.g. ['moto'] for the kept local stack); every venv of the file when absent. */
  only?: readonly string[],
): Promise<string | undefined> {
  const pending = [...pinnedRequirements()].filter(
    ([venv, reqs]) => (!only || only.includes(venv)) && !isProvisioned(venv, reqs),
  );
  if (pending.length === 0) return undefined;

  const python = process.env.PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import sys, venv; print(sys.version_info >= (3, 9))'], {
    encoding: 'utf8',
  });
  if (probe.error) {
    return `${python} is not installed; install Python 3.9+ with venv (Debian: apt-get install python3 python3-venv) and run npm test again`;
  }
  if (probe.status !== 0 || probe.stdout.trim() !== 'True') {
    return `${python} cannot create venvs or is older than 3.9 (${lastLine(probe.stderr) || probe.stdout.trim()}); install Python 3.9+ with venv (Debian: apt-get install python3-venv)`;
  }

  progress(
    `Installing the pinned Python tools (${pending.flatMap(([, r]) => r).join(', ')}) into .venv/ — first run only, about a minute…`,
  );
  const problems = await Promise.all(
    pending.map(async ([venv, requirements]) => {
      const dir = join(VENV_ROOT, venv);
      const log = join(VENV_ROOT, `${venv}.install.log`);
      rmSync(dir, { recursive: true, force: true }); // a partial or differently pinned venv is rebuilt whole
      const created = await run(python, ['-m', 'venv', dir], log);
      if (!created.ok) return `python3 -m venv failed for .venv/${venv}: ${lastLine(created.output)}`;
      const installed = await run(
        join(binDir(venv), 'pip'),
        ['install', '--quiet', '--disable-pip-version-check', ...requirements],
        log,
      );
      if (!installed.ok) {
        return `pip could not install ${requirements.join(' ')} (no access to PyPI?): ${lastLine(installed.output)}; full log: .venv/${venv}.install.log`;
      }
      writeFileSync(stampFile(venv), stampOf(requirements));
      rmSync(log, { force: true });
      return undefined;
    }),
  );
  const failed = problems.filter((p): p is string => p !== undefined);
  return failed.length > 0 ? failed.join('; ') : undefined;
}

export function runTool(
  path: string,
  args: string[],
  options: { cwd?: string } = {},
): SpawnSyncReturns<string> {
  return spawnSync(path, args, {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...OFFLINE_TOOL_ENV },
    timeout: 600_000,
  });
}

// `node dev/build/toolchain.ts` (.ci/run): provision, print the versions, fail loudly on a problem.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problem = await ensurePythonTools();
  if (problem) {
    console.error(`error: ${problem}`);
    process.exit(1);
  }
  for (const tool of Object.values(TOOLS)) console.log(`${tool.name}: ${findTool(tool)}`);
}
