/**
 * The README is the user's path and stays readable (under 300 lines); everything else is under docs/, each
 * page linked from it. No link in the README or the docs points at a file or a heading that does not exist,
 * and a benchmark figure names the run its file records.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../../dev/build/template.ts';
import { documentationFiles } from '../../helpers/readme.ts';

const PAGES = [...documentationFiles(), 'README.ja.md'];
const read = (file: string) => readFileSync(join(PROJECT_ROOT, file), 'utf8');

/** The text outside fenced code blocks, where a `[x](y)` is a link and not an example. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '');
}

/** Relative link targets of a page, as written: `path`, `path#anchor` or `#anchor`. */
function relativeLinks(file: string): string[] {
  return [...prose(read(file)).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] as string)
    .filter((target) => !/^[a-z]+:/i.test(target));
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens. */
function anchorsOf(file: string): Set<string> {
  const headings = [...prose(read(file)).matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1] as string);
  return new Set(
    headings.map((heading) =>
      heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    ),
  );
}

describe('README and docs/', () => {
  it('README.md is a ten-minute read: under 300 lines', () => {
    const lines = read('README.md').split('\n').length;
    assert.ok(lines < 300, `README.md has ${lines} lines; move detail into docs/`);
  });

  it('links every page under docs/ from README.md', () => {
    const linked = new Set(relativeLinks('README.md').map((target) => target.split('#')[0]));
    const unlinked = documentationFiles()
      .filter((file) => file.startsWith('docs/'))
      .filter((page) => !linked.has(page));
    assert.deepEqual(unlinked, [], 'docs pages the README does not link');
  });

  for (const page of PAGES) {
    it(`${page}: every relative link resolves to a file, and an anchor to one of its headings`, () => {
      const broken = relativeLinks(page).filter((target) => {
        const [path = '', anchor] = target.split('#');
        const file = path === '' ? page : normalize(join(dirname(page), path));
        if (!existsSync(join(PROJECT_ROOT, file))) return true;
        return anchor !== undefined && file.endsWith('.md') && !anchorsOf(file).has(anchor);
      });
      assert.deepEqual(broken, [], `broken links in ${page}`);
    });
  }

  it('cites each benchmark file with the date and machine of the run it records', () => {
    const cited = documentationFiles().flatMap((page) =>
      [...read(page).matchAll(/bench\/results\/([\w.-]+\.json)/g)].map((m) => ({
        page,
        file: m[1] as string,
      })),
    );
    assert.ok(cited.length > 0, 'the design notes cite their benchmark files');
    for (const { page, file } of cited) {
      const path = join(PROJECT_ROOT, 'bench', 'results', file);
      assert.ok(existsSync(path), `${page} cites bench/results/${file}, which is committed`);
      const run = JSON.parse(readFileSync(path, 'utf8')) as { date: string; machine: string };
      const text = read(page);
      assert.ok(text.includes(run.date.slice(0, 10)), `${page} names the date of ${file}`);
      assert.ok(text.includes(run.machine), `${page} names the machine of ${file} (${run.machine})`);
    }
  });
});
