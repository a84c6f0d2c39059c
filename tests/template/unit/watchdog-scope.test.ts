/**
 * The watchdog's `functions` check covers every function of the stack but itself (a change to the watchdog is
 * announced by TrailFunctionsChangedRule), whichever parts are on, and its role may read those functions and
 * no other (an environment can hold another team's secrets). Before, the auth-events version was passed in a
 * variable the watchdog never read and the lake's function was not checked at all.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  loadTemplate,
  PROJECT_ROOT,
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
      // The function and its versions: the watchdog reads $LATEST and the published version (a qualifier).
      const resource = JSON.stringify(reads.Resource);
      for (const id of others) {
        assert.ok(resource.includes(`{"Fn::GetAtt":["${id}","Arn"]}`), `${id} itself`);
        assert.ok(resource.includes(`"\${${id}.Arn}:*"`), `${id}'s versions`);
      }
      assert.ok(
        !JSON.stringify(reads.Resource).includes('function:*'),
        'no wildcard over the account’s functions',
      );
    });
  }
});

describe('every environment variable the template gives a function is read by it', () => {
  // A variable set and never read is a check that silently does not happen (AUTH_EVENTS_RULE and
  // AUTH_EVENTS_FUNCTION_VERSION were): each must appear in the function's entry or a module it reads config in.
  const resources = resolveConditions(template, { AuthEvents: 'enabled', Lake: 'enabled' })(
    template.Resources,
  ) as Record<string, Template>;
  for (const [id, fn] of Object.entries(resources)) {
    if (fn.Type !== 'AWS::Serverless::Function') continue;
    it(id, () => {
      const entry = (fn.Metadata.BuildProperties.EntryPoints as string[])[0] as string;
      const sources = [join(PROJECT_ROOT, 'authenticated', entry), ...configModules()]
        .map((path) => readFileSync(path, 'utf8'))
        .join('\n');
      const names = Object.keys(fn.Properties.Environment?.Variables ?? {}).filter(
        (name) => name !== 'AWS_ENDPOINT_URL_DYNAMODB', // read by the SDK itself; NoValue on AWS
      );
      for (const name of names) {
        assert.match(sources, new RegExp(`['.]${name}\\b`), `${id}'s ${name} is read somewhere`);
      }
    });
  }
});

/** The modules the functions read their configuration in (authenticated/src/*config*.ts). */
function configModules(): string[] {
  const dir = join(PROJECT_ROOT, 'authenticated', 'src');
  return readdirSync(dir)
    .filter((f) => /config\.ts$/.test(f))
    .map((f) => join(dir, f));
}
