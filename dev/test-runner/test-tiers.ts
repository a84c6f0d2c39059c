/**
 * The test tiers (docs/tests-and-ci.md#test-tiers): a test file's tier is the folder it lives in,
 * tests/<room…>/<tier>/…, where the rooms mirror the code (tests/scripts/history/ for scripts/history/), and
 * `npm test` runs every tier. What a tier may need decides what `npm test` prepares before it runs.
 */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export const TIERS = {
  /** In-process only: no venvs, no Docker, no servers, no child processes; the whole tier under a minute. */
  unit: { needsPythonTools: false },
  /** Real engines on loopback (dynalite, cognito-local, moto), the pinned AWS tools, commands run as processes. */
  integration: { needsPythonTools: true },
  /** The whole local stack: a sign-in through cognito-local invokes the function, which writes to dynalite. */
  e2e: { needsPythonTools: true },
  /** The real SAM emulator in Docker: the Lambda Node.js 22 image, sam local invoke and start-lambda. */
  'sam-local': { needsPythonTools: true },
} as const;

export type Tier = keyof typeof TIERS;

export const isTier = (name: string): name is Tier => Object.hasOwn(TIERS, name);

/**
 * The tier of a test file (a path relative to the project root): its first folder below tests/ that names a
 * tier; undefined when none does.
 */
export function tierOf(file: string): Tier | undefined {
  const folders = file.split(/[\\/]/).slice(1, -1); // tests/<room>…/<tier>/…/<file>
  return folders.find(isTier);
}

/** Every tests/**\/*.test.ts, relative to `root`, sorted. */
export function findTestFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.test.ts') ? [path] : [];
    });
  return walk(join(root, 'tests'))
    .map((f) => relative(root, f).split(sep).join('/'))
    .sort();
}
