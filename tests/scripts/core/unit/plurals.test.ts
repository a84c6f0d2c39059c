/**
 * Counts are worded in the singular for one and the plural otherwise (`counted`), never "item(s)": every string
 * and template literal of the commands, the functions and the developer tooling is read by TypeScript's own
 * parser, so a comment that says "(s)" is no finding and a message that says it is.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { counted, PROJECT_ROOT } from '../../../../scripts/core/generic.ts';

/** The TypeScript files under a folder of the project, node_modules left out. */
function sourcesUnder(folder: string): string[] {
  return readdirSync(join(PROJECT_ROOT, folder), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.split('/').includes('node_modules'))
    .map((f) => join(PROJECT_ROOT, folder, f));
}

/** The text of every string and template literal of a file that says "word(s)", with its line. */
function parentheticalPlurals(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isStringLiteral(node) ||
        ts.isNoSubstitutionTemplateLiteral(node) ||
        ts.isTemplateHead(node) ||
        ts.isTemplateMiddle(node) ||
        ts.isTemplateTail(node)) &&
      /\w\((s|es)\)/.test(node.text)
    ) {
      const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      found.push(`${relative(PROJECT_ROOT, file)}:${line} ${JSON.stringify(node.text)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('counts in words', () => {
  it('counted says one thing in the singular and any other number in the plural', () => {
    assert.equal(counted(1, 'row'), '1 row');
    assert.equal(counted(0, 'row'), '0 rows');
    assert.equal(counted(2, 'new digest'), '2 new digests');
    assert.equal(counted(1, 'read or S3/KMS call', 'reads and S3/KMS calls'), '1 read or S3/KMS call');
    assert.equal(counted(3, 'read or S3/KMS call', 'reads and S3/KMS calls'), '3 reads and S3/KMS calls');
  });

  it('no message of the commands, the functions or the developer tooling says "(s)"', () => {
    const found = ['scripts', 'authenticated', 'dev'].flatMap(sourcesUnder).flatMap(parentheticalPlurals);
    assert.deepEqual(found, [], 'use counted() from scripts/core/generic.ts');
  });
});
