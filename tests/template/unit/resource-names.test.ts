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
import { LONGEST, longestParameters, longestReferences } from '../../helpers/longest-stack.ts';

/** Resource type → the path of its name property → the most characters it may hold. */
const NAME_LIMITS: Record<string, { path: string[]; limit: number }> = {
  'AWS::CloudWatch::Alarm': { path: ['AlarmName'], limit: 255 },
  'AWS::CloudWatch::InsightRule': { path: ['RuleName'], limit: 128 },
  'AWS::Athena::WorkGroup': { path: ['Name'], limit: 128 },
  'AWS::Athena::NamedQuery': { path: ['Name'], limit: 128 },
  'AWS::Events::Rule': { path: ['Name'], limit: 64 },
  'AWS::Glue::Database': { path: ['DatabaseInput', 'Name'], limit: 255 },
  'AWS::Glue::Table': { path: ['TableInput', 'Name'], limit: 255 },
  'AWS::KMS::Alias': { path: ['AliasName'], limit: 256 },
  'AWS::DynamoDB::Table': { path: ['TableName'], limit: 255 },
  'AWS::IAM::Role': { path: ['RoleName'], limit: 64 },
  'AWS::Lambda::Function': { path: ['FunctionName'], limit: 64 },
  'AWS::Scheduler::Schedule': { path: ['Name'], limit: 64 },
  'AWS::SNS::Topic': { path: ['TopicName'], limit: 256 },
  'AWS::SQS::Queue': { path: ['QueueName'], limit: 80 },
  'AWS::S3::Bucket': { path: ['BucketName'], limit: 63 },
  'AWS::Logs::LogGroup': { path: ['LogGroupName'], limit: 512 },
  'AWS::SecretsManager::Secret': { path: ['Name'], limit: 512 },
};

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
    const rule = NAME_LIMITS[resource.Type as string];
    if (!rule) continue;
    const declared = rule.path.reduce<unknown>(
      (node, key) => (node as Record<string, unknown> | undefined)?.[key],
      resource.Properties,
    );
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
