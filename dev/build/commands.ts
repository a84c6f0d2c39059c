/**
 * Where each npm command's entry file is: read from package.json's "scripts" (`node scripts/run.mjs <entry>`),
 * so that the demo, the tests and the bench run a command as `npm run <name>` does, by its name, and a moved
 * entry file needs one change only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../scripts/core/generic.ts';

const SCRIPTS: Record<string, string> = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'),
).scripts;

/** The entry file of `npm run <name>`, relative to the project root (e.g. scripts/history/main.ts). */
export function entryOf(name: string): string {
  const entry = /^node scripts\/run\.mjs (\S+\.ts)\b/.exec(SCRIPTS[name] ?? '')?.[1];
  if (!entry) throw new Error(`package.json has no command "${name}" run through scripts/run.mjs`);
  return entry;
}

/** Every npm command that runs a TypeScript entry through scripts/run.mjs, with its entry file. */
export function commandEntries(): Record<string, string> {
  return Object.fromEntries(
    Object.keys(SCRIPTS)
      .filter((name) => /^node scripts\/run\.mjs \S+\.ts$/.test(SCRIPTS[name] ?? ''))
      .map((name) => [name, entryOf(name)]),
  );
}
