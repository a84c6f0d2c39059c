/**
 * The system tools some tests run (Debian's AWS CLI v2 and jq for the README's CLI-only recipe; docker.io for
 * the sam local tests; a compiler for the stand-in Lambda image): `npm test` installs the missing ones with
 * apt-get when it runs as root, so that a fresh clone's run skips nothing. Without root (or apt-get) it
 * installs nothing and returns one sentence saying what is missing and how to get it; the tests that need
 * the tools skip quoting it (REQUIRE_TOOLCHAIN=1 makes that a failure).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { which } from '../local-stack/servers.ts';

export interface DebianTool {
  /** The command, looked up on PATH and in the system folders. */
  command: string;
  /** An exact path when only that copy will do (/usr/bin/aws: a pip-installed v1 may come first on PATH). */
  path?: string;
  /** The Debian package that provides it. */
  debianPackage: string;
}

/** Set by `npm test` for the test processes when the AWS CLI recipe's tools could not be had: the skip quotes it. */
export const AWS_CLI_PROBLEM_ENV = 'LOGIN_HISTORY_AWS_CLI_PROBLEM';

/** The README's attach recipe for people with only the AWS CLI: Debian's v2 and jq. */
export const AWS_CLI_RECIPE_TOOLS: DebianTool[] = [
  { command: 'aws', path: '/usr/bin/aws', debianPackage: 'awscli' },
  { command: 'jq', path: '/usr/bin/jq', debianPackage: 'jq' },
];

const isPresent = (tool: DebianTool) =>
  tool.path ? existsSync(tool.path) : which(tool.command) !== undefined;
const described = (tools: DebianTool[]) => tools.map((t) => t.path ?? t.command).join(', ');

/** The tools of `tools` that are not there. */
export const missingTools = (tools: DebianTool[]) => tools.filter((tool) => !isPresent(tool));

/**
 * Installs the Debian packages of the missing `tools` (root only; `purpose` says what for in the progress
 * line). Undefined when all are there afterwards, else why not.
 */
export function ensureDebianTools(
  tools: DebianTool[],
  purpose: string,
  progress: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): string | undefined {
  const missing = missingTools(tools);
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map((t) => t.debianPackage))];
  const howTo = `(Debian: apt-get install ${packages.join(' ')})`;
  if (process.getuid?.() !== 0) return `${described(missing)} not installed and this is not root ${howTo}`;
  if (!which('apt-get')) return `${described(missing)} not installed and there is no apt-get to install them`;

  progress(`Installing Debian ${packages.join(', ')} for ${purpose} — first run only…`);
  const install = () =>
    spawnSync(
      'apt-get',
      // Waits for another apt-get (unattended upgrades) instead of failing on its lock.
      ['install', '-y', '-qq', '-o', 'DPkg::Lock::Timeout=300', '--no-install-recommends', ...packages],
      { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } },
    );
  let result = install();
  if (result.status !== 0) {
    // A fresh machine's package lists may be missing or stale.
    spawnSync('apt-get', ['update', '-qq', '-o', 'DPkg::Lock::Timeout=300'], { encoding: 'utf8' });
    result = install();
  }
  const stillMissing = missingTools(tools);
  if (result.status !== 0 || stillMissing.length > 0) {
    const detail = (result.stderr || String(result.error ?? '')).trim().split('\n').at(-1);
    return `apt-get install ${packages.join(' ')} failed${detail ? `: ${detail}` : ''}; missing: ${described(stillMissing)}`;
  }
  return undefined;
}
