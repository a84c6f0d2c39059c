/**
 * The README is the user's path and stays readable (under 300 lines); everything else is under docs/, each
 * page linked from it. No link in the README or the docs points at a file or a heading that does not exist,
 * a benchmark figure names the run its file records, and docs/design.md's code layout lists the tree's folders.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/**
 * The folders the code layout table must name: every folder that holds a file (git-ignored ones aside), where a
 * folder under tests/ counts up to its room (tier folders such as unit/ and fixtures/ belong to its room).
 */
function codeFolders(): string[] {
  // Folders git ignores (.gitignore lines that name a folder: backups/, bench/.build/, …) are not code.
  const ignored = read('.gitignore')
    .split('\n')
    .filter((line) => line.endsWith('/') && !line.startsWith('#'))
    .map((line) => {
      // A leading / anchors the pattern at the root (/audit-*/); without it, it matches at any depth.
      const folder = line.replace(/^\//, '').slice(0, -1).replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*');
      return new RegExp(`^${line.startsWith('/') ? '' : '(.*/)?'}${folder}$`);
    });
  const folders: string[] = [];
  const walk = (relative: string) => {
    const entries = readdirSync(join(PROJECT_ROOT, relative), { withFileTypes: true });
    if (relative !== '' && entries.some((e) => e.isFile())) folders.push(roomOf(`${relative}/`));
    for (const entry of entries) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      if (!ignored.some((pattern) => pattern.test(path))) walk(path);
    }
  };
  walk('');
  return [...new Set(folders)].filter((room) => room !== 'tests/').sort();
}

/** A folder as the table names it: below tests/, up to its room (unit/, e2e/, fixtures/… are in it). */
function roomOf(folder: string): string {
  const parts = folder.split('/').filter(Boolean);
  const cut = parts.findIndex((p) => ['unit', 'integration', 'e2e', 'sam-local', 'fixtures'].includes(p));
  return `${(parts[0] === 'tests' && cut > 0 ? parts.slice(0, cut) : parts).join('/')}/`;
}

describe('docs/design.md: the code layout', () => {
  it('names every folder of the tree, and no folder that is not there', () => {
    const text = read('docs/design.md');
    const section = text.slice(
      text.indexOf('## Code layout'),
      text.indexOf('\n## ', text.indexOf('## Code layout') + 3),
    );
    // Every folder the table's rows name, in its first column or as the tests of another.
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    const named = [
      ...new Set(
        rows.flatMap((row) =>
          [...row.matchAll(/`([\w.-]+(?:\/[\w.-]+)*\/)`/g)].map((m) => roomOf(m[1] as string)),
        ),
      ),
    ].sort();
    const tree = codeFolders();
    assert.ok(tree.includes('scripts/core/') && tree.includes('tests/scripts/history/'), tree.join(' '));
    assert.deepEqual(
      { missing: tree.filter((f) => !named.includes(f)), stale: named.filter((f) => !tree.includes(f)) },
      { missing: [], stale: [] },
      'update the table in docs/design.md, "Code layout"',
    );
  });
});
