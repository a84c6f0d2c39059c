/** README.ja.md cannot drift from README.md: every command line it shows is one README.md shows too. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../../dev/build/template.ts';
import { readmeBlock } from '../../helpers/readme.ts';

/** The `$ ` lines of every fenced block, without a trailing `# comment`. */
function commandLines(file: string): string[] {
  const text = readFileSync(join(PROJECT_ROOT, file), 'utf8');
  const blocks = [...text.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)].map((m) => m[1] as string);
  return blocks
    .flatMap((block) => block.split('\n'))
    .filter((line) => line.startsWith('$ '))
    .map((line) => line.replace(/\s+#.*$/, '').trimEnd());
}

describe('README.ja.md', () => {
  const english = new Set(commandLines('README.md'));
  const japanese = commandLines('README.ja.md');

  it('shows only command lines that README.md shows, character for character', () => {
    const drifted = japanese.filter((line) => !english.has(line));
    assert.deepEqual(drifted, [], 'commands in README.ja.md that README.md does not have');
  });

  it('covers the two commands, deploy, attach, reading the history, the audit recipes and replay', () => {
    for (const expected of [
      '$ npm ci && npm run demo',
      '$ npm test',
      '$ sam deploy --guided',
      '$ npm run attach -- --user-pool-id ap-northeast-1_AbCdEf123 --stack-name cognito-login-history',
      '$ npm run history -- --inactive-since 90d --user-pool-id "$USER_POOL_ID" --table-name "$TABLE_NAME"',
      '$ npm run history -- --from "$(date -u +%Y-%m-01)" --to "$(date -u +%F)" --table-name "$TABLE_NAME" --format csv',
      '$ npm run replay -- --stack-name cognito-login-history --since 24h',
    ]) {
      assert.ok(japanese.includes(expected), expected);
    }
  });

  it('follows the same path: as many sections as README.md', () => {
    const sections = (file: string) =>
      readFileSync(join(PROJECT_ROOT, file), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('## ')).length;
    assert.equal(sections('README.ja.md'), sections('README.md'));
  });

  it('is linked from the top of README.md', () => {
    const head = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8').split('\n').slice(0, 5).join('\n');
    assert.match(head, /\[日本語\]\(README\.ja\.md\)/);
  });

  for (const [what, block] of [['the local stack', 'local-stack']]) {
    it(`shows the ${what} steps exactly as the tested ${block} block`, () => {
      const tested = readmeBlock(block as string);
      const japanese = readFileSync(join(PROJECT_ROOT, 'README.ja.md'), 'utf8');
      assert.ok(japanese.includes(`\`\`\`bash\n${tested}\`\`\``), 'README.ja.md shows the same block');
    });
  }
});
