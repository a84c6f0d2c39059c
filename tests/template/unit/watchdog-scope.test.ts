/**
 * The watchdog's `functions` check covers every function of the stack but itself (a change to the watchdog is
 * announced by TrailFunctionsChangedRule), whichever parts are on, and its role may read those functions and
 * no other (an environment can hold another team's secrets). Before, the auth-events version was passed in a
 * variable the watchdog never read and the lake's function was not checked at all.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  loadTemplate,
  parameterDefaults,
  resolveConditions,
  type Template,
} from '../../../dev/build/template.ts';
import { evaluateConditions } from '../../../scripts/core/intrinsics.ts';

const template = loadTemplate();
const COMBINATIONS = ['disabled', 'enabled'].flatMap((AuthEvents) =>
  ['disabled', 'enabled'].map((Lake) => ({ AuthEvents, Lake })),
);

/** Logical ids named by `Ref: "<Id>.Version"` or `Fn::GetAtt: [<Id>, "Arn"]` / `${<Id>.Arn}` in `node`. */
function functionsNamed(node: unknown, how: 'version' | 'arn'): Set<string> {
  const text = JSON.stringify(node);
  const pattern =
    how === 'version' ? /"Ref":"(\w+)\.Version"/g : /"Fn::GetAtt":\["(\w+)","Arn"\]|\$\{(\w+)\.Arn\}/g;
  return new Set([...text.matchAll(pattern)].map((m) => (m[1] ?? m[2]) as string));
}

describe("the watchdog's functions check", () => {
  for (const parameters of COMBINATIONS) {
    it(`covers every other function, and only those, with ${JSON.stringify(parameters)}`, () => {
      const resources = resolveConditions(template, parameters)(template.Resources) as Record<
        string,
        Template
      >;
      const conditions = evaluateConditions(template, { ...parameterDefaults(template), ...parameters });
      const others = Object.entries(resources)
        .filter(([, r]) => !r.Condition || conditions[r.Condition as string])
        .filter(([id, r]) => r.Type === 'AWS::Serverless::Function' && id !== 'WatchdogFunction')
        .map(([id]) => id)
        .sort();
      assert.ok(others.length >= 3, others.join(', '));
      const watchdog = resources.WatchdogFunction?.Properties;
      assert.deepEqual(
        [...functionsNamed(watchdog?.Environment.Variables.FUNCTION_VERSIONS, 'version')].sort(),
        others,
        'FUNCTION_VERSIONS',
      );
      const statements = resources.WatchdogRole?.Properties.Policies.flatMap(
        (p: Template) => p.PolicyDocument.Statement,
      ) as Template[];
      const reads = statements.find((s) => [s.Action].flat().includes('lambda:GetFunctionConfiguration'));
      assert.ok(reads, 'the role reads function configurations');
      assert.deepEqual(
        [...functionsNamed(reads.Resource, 'arn')].sort(),
        others,
        'the role reads only these',
      );
      assert.ok(
        !JSON.stringify(reads.Resource).includes('function:*'),
        'no wildcard over the account’s functions',
      );
    });
  }
});
