/**
 * The rooms stay apart: the production commands (what people run against AWS) reach nothing of the offline
 * stack (scripts/local-stack), the build checks (scripts/build), the tests or the bench, directly or through
 * another module, and need no package that `npm ci --omit=dev` would leave out.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../../scripts/build/template.ts';

const PRODUCTION_COMMANDS = ['attach', 'detach', 'restore', 'history', 'replay', 'erase', 'audit-pack'].map(
  (name) => join(PROJECT_ROOT, 'scripts', `${name}.ts`),
);
const OFF_LIMITS = ['scripts/local-stack/', 'scripts/build/', 'tests/', 'bench/'];

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module reachable from `entry` (relative imports, followed), and every package it names. */
function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = (match[1] ?? match[2]) as string;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else if (specifier.startsWith('#')) visit(resolve(PROJECT_ROOT, imports[specifier] as string));
      else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        const parts = specifier.split('/');
        packages.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string));
      }
    }
  };
  visit(entry);
  return { files: [...files].map((f) => relative(PROJECT_ROOT, f)), packages: [...packages] };
}

const { dependencies = {}, imports = {} } = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'),
);

describe('production commands import nothing of the offline stack', () => {
  for (const command of PRODUCTION_COMMANDS) {
    const name = relative(PROJECT_ROOT, command);
    it(`${name}: only scripts/ops, authenticated/src and runtime dependencies`, () => {
      const { files, packages } = importGraph(command);
      const offLimits = files.filter((f) => OFF_LIMITS.some((room) => f.startsWith(room)));
      assert.deepEqual(offLimits, [], `${name} reaches ${offLimits.join(', ')}`);
      const devOnly = packages.filter((p) => !(p in dependencies));
      assert.deepEqual(devOnly, [], `${name} needs packages that are not runtime dependencies`);
    });
  }

  it('the walk follows imports transitively and would see a violation', () => {
    // replay.ts -> scripts/ops/replay.ts -> #contract (authenticated/src/contract.ts): two hops deep,
    // through the package.json "imports" map.
    assert.ok(importGraph(PRODUCTION_COMMANDS[4] as string).files.includes('authenticated/src/contract.ts'));
    // The demo legitimately uses the offline stack: the same walk finds it there.
    const demo = importGraph(join(PROJECT_ROOT, 'scripts', 'demo.ts'));
    assert.ok(demo.files.some((f) => f.startsWith('scripts/local-stack/')));
    assert.ok(
      demo.packages.some((p) => !(p in dependencies)),
      'the demo needs dev packages (dynalite, yaml)',
    );
  });
});
