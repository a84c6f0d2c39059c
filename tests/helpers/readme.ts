import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../scripts/build/template.ts';

/** The bash block README.md holds between `<!-- name:start -->` and `<!-- name:end -->`, as written. */
export function readmeBlock(name: string): string {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const block = new RegExp(
    `<!-- ${name}:start -->\\s*\`\`\`bash\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${name}:end -->`,
  ).exec(readme);
  assert.ok(block, `README.md has the ${name} block`);
  return block[1] as string;
}
