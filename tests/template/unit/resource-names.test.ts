/**
 * Every name template.yaml gives a resource fits the service's limit on the longest stack there can be (a
 * 128-character stack name, tests/helpers/longest-stack.ts), every optional part switched on. A name built from
 * ${AWS::StackName} plus a suffix passes every short-named test stack and fails only at `sam deploy` of a long
 * one; here it fails first. Limits from each resource's CloudFormation reference page
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadTemplate } from '../../../dev/build/template.ts';
import {
  evaluateConditions,
  presentResources,
  resolve,
  type Template,
} from '../../../scripts/core/intrinsics.ts';
import {
  declaredName,
  LONGEST,
  longestParameters,
  longestReferences,
  RESOURCE_NAMES,
} from '../../helpers/longest-stack.ts';

const template = loadTemplate();

/** The longest stack with every part on (AlarmEmail set, the auth events, the lake and the trail enabled). */
function namesOfLongestStack(): { id: string; type: string; name: string; limit: number }[] {
  const defaults = Object.fromEntries(
    Object.entries(template.Parameters as Record<string, Template>).map(([n, d]) => [
      n,
      String(d.Default ?? ''),
    ]),
  );
  const parameters = {
    ...defaults,
    ...longestParameters(15),
    AuthEvents: 'enabled',
    Lake: 'enabled',
    Integrity: 'enabled',
  };
  const references = longestReferences(template, parameters);
  const conditions = evaluateConditions(template, references.parameters);
  const names = [];
  for (const [id, resource] of presentResources(template, conditions)) {
    const rule = RESOURCE_NAMES[resource.Type as string];
    if (!rule) continue;
    const declared = declaredName(resource);
    if (declared === undefined) continue; // CloudFormation generates it, cut to fit
    const name = resolve(declared, references, conditions);
    assert.equal(typeof name, 'string', `${id}'s name resolves to a string`);
    names.push({ id, type: resource.Type as string, name: name as string, limit: rule.limit });
  }
  return names;
}

describe('every name the template gives fits its service on the longest stack', () => {
  const names = namesOfLongestStack();

  it('reads the named resources of every part', () => {
    assert.equal(LONGEST.stackName.length, 128);
    const ids = names.map(({ id }) => id);
    for (const id of [
      'FailedSignInSourcesRule',
      'LakeWorkGroup',
      'TrailFunctionsChangedRule',
      'WriteFailureAlarm',
    ])
      assert.ok(ids.includes(id), `${id} is named and read`);
  });

  for (const { id, type, name, limit } of names) {
    it(`${id} (${type}): at most ${limit} characters`, () => {
      assert.ok(name.length <= limit, `${id} would be named with ${name.length} characters: ${name}`);
    });
  }
});
