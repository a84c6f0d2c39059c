import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../dev/build/template.ts';

/** The project's English documentation: README.md and every page under docs/ (paths relative to the root). */
export function documentationFiles(): string[] {
  const pages = readdirSync(join(PROJECT_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...pages];
}

/**
 * The bash block held between `<!-- name:start -->` and `<!-- name:end -->`, as written, wherever it lives:
 * README.md or one page of docs/. A block may move between them; it must be in exactly one place.
 */
export function readmeBlock(name: string): string {
  const pattern = new RegExp(
    `<!-- ${name}:start -->\\s*\`\`\`bash\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${name}:end -->`,
  );
  const found = documentationFiles().flatMap((file) => {
    const block = pattern.exec(readFileSync(join(PROJECT_ROOT, file), 'utf8'));
    return block ? [{ file, text: block[1] as string }] : [];
  });
  assert.equal(
    found.length,
    1,
    `the ${name} block is in exactly one of README.md and docs/*.md (found in: ${found.map((b) => b.file).join(', ') || 'none'})`,
  );
  return (found[0] as { text: string }).text;
}
