/**
 * The template names the commands use, named once in scripts/core/stack.ts, are template.yaml's: a renamed
 * output, parameter or resource fails here rather than as "has no … output" against a deployed stack.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadTemplate } from '../../../../dev/build/template.ts';
import { LOGICAL_ID, OUTPUT, PARAMETER } from '../../../../scripts/core/stack.ts';

describe("stack.ts's names are template.yaml's", () => {
  const template = loadTemplate();
  const sections = [
    ['Outputs', OUTPUT],
    ['Parameters', PARAMETER],
    ['Resources', LOGICAL_ID],
  ] as const;

  for (const [section, names] of sections) {
    it(`every name of ${section} the commands use is declared there`, () => {
      const declared = Object.keys((template[section] ?? {}) as Record<string, unknown>);
      assert.ok(declared.length > 0, `template.yaml has no ${section}`);
      const missing = Object.values(names).filter((name) => !declared.includes(name));
      assert.deepEqual(missing, [], `template.yaml ${section} lacks these`);
    });
  }
});
