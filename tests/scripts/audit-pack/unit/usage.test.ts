/**
 * audit-pack's usage says what the command does: its synopsis names every option the text below explains
 * (those of <where> aside), and the dormant-account review is described as pack.ts takes it - as of --to, or
 * of the pack's making when --to is later.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { USAGE } from '../../../../scripts/audit-pack/command.ts';

const [synopsis = '', ...rest] = USAGE.split('\n\n');
const body = rest.join('\n\n');

describe("audit-pack's usage", () => {
  it('names in its synopsis every option it explains, but those of <where>', () => {
    // The <where> block: its header to the next line that starts at the margin.
    const where = /^where \(exactly one\):\n(?: .*\n)*/m.exec(body)?.[0] ?? '';
    assert.ok(where.includes('--stack-name'), 'the <where> block is found');
    const explained = [...body.replace(where, '').matchAll(/^\s*(--[\w-]+)/gm)].map((m) => m[1] as string);
    assert.ok(explained.includes('--concurrency'));
    const missing = explained.filter((option) => !new RegExp(`${option}(?![\\w-])`).test(synopsis));
    assert.deepEqual(missing, [], 'options explained but missing from the synopsis');
  });

  it("describes the dormant-account review as of --to, or of the pack's making when --to is later", () => {
    const line = /^ {2}--inactive-days N .*\n(?: {24}.*\n)*/m.exec(body)?.[0].replace(/\s+/g, ' ') ?? '';
    assert.match(
      line,
      /no sign-in in the N days before --to, or before the pack's making when --to is later/,
    );
  });
});
