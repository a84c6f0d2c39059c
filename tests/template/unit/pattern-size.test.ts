/**
 * Every EventBridge rule of template.yaml fits EventBridge's event-pattern quota (2,048 characters, eb-quota.html)
 * when deployed as the longest stack there can be: a 128-character stack name, the longest partition, region
 * and pool id, the most app client ids the template allows, every generated resource name at its longest
 * (tests/helpers/longest-stack.ts), and every combination of the options that switch parts on and off. Rules are
 * found by type, so a rule added later is measured without a change here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadTemplate, PROJECT_ROOT } from '../../../dev/build/template.ts';
import {
  evaluateConditions,
  NO_VALUE,
  presentResources,
  resolve,
  type Template,
} from '../../../scripts/core/intrinsics.ts';
import {
  CLIENT_ID_LENGTH,
  LONGEST,
  longestParameters,
  longestReferences,
} from '../../helpers/longest-stack.ts';

/** EventBridge's quota: "The maximum size of an event pattern, in characters" (adjustable, 2,048 by default). */
const PATTERN_QUOTA = 2048;

const template = loadTemplate();

/** The most client ids the template promises to fit: "at most N" in the parameter's own description. */
function maxClientIds(): number {
  const description = String(template.Parameters.AuthEventsClientIds.Description);
  const stated = /at most (\d+)/.exec(description)?.[1];
  assert.ok(stated, `AuthEventsClientIds' description must state "at most <N>" ids: ${description}`);
  return Number(stated);
}

/**
 * Every deployable combination of the parameters: each value of a parameter with a few AllowedValues, an
 * optional parameter (default "") both empty and at its longest, every other parameter at its longest.
 */
function parameterCombinations(longest: Record<string, string>): Record<string, string>[] {
  let combinations: Record<string, string>[] = [{}];
  for (const [name, declared] of Object.entries(template.Parameters as Record<string, Template>)) {
    const allowed = (declared.AllowedValues as unknown[] | undefined)?.map(String);
    let choices: string[];
    if (name in longest) {
      choices = declared.Default === '' ? ['', longest[name] as string] : [longest[name] as string];
    } else if (allowed && allowed.length <= 3) {
      choices = allowed;
    } else if (allowed) {
      choices = [allowed.reduce((a, b) => (b.length > a.length ? b : a))];
    } else {
      choices = [String(declared.Default ?? '')];
    }
    combinations = combinations.flatMap((c) => choices.map((choice) => ({ ...c, [name]: choice })));
  }
  return combinations;
}

/** The compact JSON of each rule's pattern, as CloudFormation hands it to PutRule, for one combination. */
function patternsOf(parameters: Record<string, string>): Map<string, string> {
  const references = longestReferences(template, parameters);
  const conditions = evaluateConditions(template, references.parameters);
  const patterns = new Map<string, string>();
  for (const [logicalId, rule] of presentResources(template, conditions)) {
    if (rule.Type !== 'AWS::Events::Rule' || rule.Properties?.EventPattern === undefined) continue;
    const pattern = resolve(rule.Properties.EventPattern, references, conditions);
    assert.notEqual(pattern, NO_VALUE, `${logicalId}'s pattern resolves to nothing`);
    patterns.set(logicalId, JSON.stringify(pattern));
  }
  return patterns;
}

/** Parameters that a rule's pattern refers to, directly or through Sub. */
function parametersInPatterns(): Set<string> {
  const names = new Set<string>();
  const text = JSON.stringify(
    Object.values(template.Resources as Record<string, Template>)
      .filter((r) => r.Type === 'AWS::Events::Rule')
      .map((r) => r.Properties?.EventPattern),
  );
  for (const name of Object.keys(template.Parameters)) {
    if (text.includes(`"Ref":"${name}"`) || text.includes(`\${${name}}`)) names.add(name);
  }
  return names;
}

describe('every EventBridge rule fits the 2,048-character pattern quota on the longest stack', () => {
  const longest = longestParameters(maxClientIds());
  const combinations = parameterCombinations(longest);
  const largest = new Map<string, { size: number; parameters: Record<string, string> }>();
  for (const parameters of combinations) {
    for (const [logicalId, json] of patternsOf(parameters)) {
      if (json.length > (largest.get(logicalId)?.size ?? -1)) {
        largest.set(logicalId, { size: json.length, parameters });
      }
    }
  }

  it('measures every rule of the template, in every combination of its options', () => {
    const rules = Object.entries(template.Resources as Record<string, Template>)
      .filter(([, r]) => r.Type === 'AWS::Events::Rule' && r.Properties?.EventPattern !== undefined)
      .map(([id]) => id)
      .sort();
    assert.ok(rules.length >= 4, `found ${rules.join(', ')}`);
    assert.deepEqual([...largest.keys()].sort(), rules, 'a rule no combination deploys is not measured');
    assert.ok(combinations.length >= 32, `${combinations.length} combinations`);
  });

  it('uses a longest value for every parameter a pattern refers to, and each is one the template accepts', () => {
    for (const name of parametersInPatterns()) {
      const declared = template.Parameters[name] as Template;
      assert.ok(
        name in longest || declared.AllowedValues,
        `give ${name}'s longest value in longest-stack.ts`,
      );
    }
    for (const [name, value] of Object.entries(longest)) {
      const declared = template.Parameters[name] as Template;
      const values = declared.Type === 'CommaDelimitedList' ? value.split(',') : [value];
      for (const v of values) {
        if (declared.AllowedPattern) assert.match(v, new RegExp(declared.AllowedPattern), name);
      }
    }
    assert.equal(LONGEST.stackName.length, 128);
    assert.equal(longest.AuthEventsClientIds?.split(',')[0]?.length, CLIENT_ID_LENGTH);
  });

  for (const logicalId of Object.keys(template.Resources)) {
    if (template.Resources[logicalId].Type !== 'AWS::Events::Rule') continue;
    it(`${logicalId}: at most ${PATTERN_QUOTA} characters`, (t) => {
      const measured = largest.get(logicalId);
      assert.ok(measured, `${logicalId} was not measured`);
      t.diagnostic(`${logicalId}: ${measured.size} characters at the longest`);
      assert.ok(
        measured.size <= PATTERN_QUOTA,
        `${logicalId}'s pattern holds ${measured.size} characters with ${JSON.stringify(measured.parameters)}`,
      );
    });
  }

  it("docs/first-deploy.md's table gives each rule's size as measured here", () => {
    const page = readFileSync(join(PROJECT_ROOT, 'docs', 'first-deploy.md'), 'utf8');
    const documented = new Map(
      [...page.matchAll(/^\s*\| `(\w+)`[^|]*\| ([\d,]+)\s*\|$/gm)].map((m) => [
        m[1] as string,
        Number((m[2] as string).replaceAll(',', '')),
      ]),
    );
    const measured = new Map([...largest].map(([id, { size }]) => [id, size]));
    assert.deepEqual(documented, measured, 'refresh the table in docs/first-deploy.md');
  });

  it('would have caught the old defect: one rule naming both tables 14 times exceeds the quota', () => {
    // The pattern the stack had before (both tables, name and ARN repeated per event), rebuilt from today's
    // parts: proof that this test measures what deploys, not a constant.
    const parameters = { ...longest, AuthEvents: 'enabled', AlarmEmail: longest.AlarmEmail as string };
    const references = longestReferences(template, parameters);
    const both = ['LoginHistoryTable', 'AuthEventsTable'];
    const names = both.flatMap((id) => [references.ref(id), references.getAtt(id, 'Arn')]);
    const old = {
      source: ['aws.dynamodb'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['dynamodb.amazonaws.com'],
        $or: [
          {
            eventName: ['PutResourcePolicy', 'DeleteResourcePolicy'],
            requestParameters: { resourceArn: names.filter((n) => n.startsWith('arn:')) },
          },
          { eventName: ['UpdateTimeToLive'], requestParameters: { tableName: names } },
          {
            eventName: ['UpdateTable'],
            requestParameters: { tableName: names, deletionProtectionEnabled: [false] },
          },
          { eventName: ['UpdateContinuousBackups'], requestParameters: { tableName: names } },
        ],
      },
    };
    assert.ok(JSON.stringify(old).length > PATTERN_QUOTA, `${JSON.stringify(old).length}`);
  });
});
