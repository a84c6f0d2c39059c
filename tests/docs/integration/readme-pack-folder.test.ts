/**
 * Following the README's audit-pack examples in the checkout leaves no untracked pack behind: a folder an
 * `--out` names in the current folder is git-ignored (.gitignore: audit-* folders at the root), while the code
 * and tests named audit-pack are not; an `--out` given by a shell variable is one the README makes with mktemp
 * (outside the checkout: tests/docs/e2e/readme-commands.test.ts runs it and finds the checkout untouched).
 * Asked of git itself (`git check-ignore`), for the English and the Japanese README.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../../dev/build/template.ts';

const ignored = (path: string) =>
  spawnSync('git', ['check-ignore', '--quiet', '--no-index', path], { cwd: PROJECT_ROOT }).status === 0;

describe("the README's audit pack in the checkout", () => {
  it('writes a folder git ignores, and only such folders', (t) => {
    if (!existsSync(join(PROJECT_ROOT, '.git'))) {
      t.skip('not a git checkout');
      return;
    }
    for (const readme of ['README.md', 'README.ja.md']) {
      const text = readFileSync(join(PROJECT_ROOT, readme), 'utf8');
      const outs = [...text.matchAll(/npm run audit-pack -- .*--out (\S+)/g)].map((m) => m[1] as string);
      assert.ok(outs.length > 0, `${readme} shows an audit pack`);
      for (const out of outs) {
        const variable = /^"\$(\w+)"$/.exec(out)?.[1];
        if (variable) {
          assert.match(
            text,
            new RegExp(`^${variable}="\\$\\(mktemp -d\\)/`, 'm'),
            `${readme}: ${out} is made by mktemp`,
          );
          continue;
        }
        for (const file of ['report.html', 'manifest.json', 'sign-ins.csv']) {
          assert.ok(ignored(`${out}/${file}`), `${readme}: ${out}/${file} is git-ignored`);
        }
      }
    }
    for (const code of [
      'scripts/audit-pack/new-module.ts',
      'tests/scripts/audit-pack/unit/new.test.ts',
      'docs/audit-pack.md',
      'bench/audit-pack.ts',
    ]) {
      assert.equal(ignored(code), false, `${code} is not ignored`);
    }
  });
});
