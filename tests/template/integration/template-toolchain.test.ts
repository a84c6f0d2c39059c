/**
 * The real AWS toolchain (SAM CLI, cfn-lint, checkov) on template.yaml, and proof that the validation
 * rejects broken copies. Without the tools the checks are skipped with a notice; CI sets REQUIRE_TOOLCHAIN=1.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { PROJECT_ROOT, TEMPLATE_PATH } from '../../../dev/build/template.ts';
import {
  cfnLint,
  checkov,
  projectRules,
  type StepResult,
  samBuildMatchesLocalBuild,
  samValidateLint,
} from '../../../dev/build/validate-steps.ts';
import { skipBecause } from '../../helpers/skip.ts';

const scratch = mkdtempSync(join(tmpdir(), 'broken-templates-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of template.yaml with one deliberate defect, its CodeUri made absolute so it still builds. */
function brokenCopy(name: string, edit: (text: string) => string): string {
  const original = readFileSync(TEMPLATE_PATH, 'utf8');
  const broken = edit(original).replace(
    'CodeUri: authenticated/',
    `CodeUri: ${join(PROJECT_ROOT, 'authenticated')}`,
  );
  assert.notEqual(
    broken,
    original.replace('CodeUri: authenticated/', `CodeUri: ${join(PROJECT_ROOT, 'authenticated')}`),
  );
  const path = join(scratch, `${name}.yaml`);
  writeFileSync(path, broken);
  return path;
}

/** The step's detail when it ran with the expected status; undefined when it was skipped (nothing to assert). */
function expectStatus(t: TestContext, result: StepResult, expected: 'passed' | 'failed'): string | undefined {
  if (result.status === 'skipped') {
    skipBecause(t, result.detail);
    return undefined;
  }
  assert.equal(result.status, expected, result.detail);
  return result.detail ?? '';
}

/** Asserts a broken copy was rejected for the expected reason (when the tool ran). */
function expectRejected(t: TestContext, result: StepResult, reason: RegExp): void {
  const detail = expectStatus(t, result, 'failed');
  if (detail !== undefined) assert.match(detail, reason);
}

describe('template.yaml passes the real toolchain', () => {
  it('project rules', (t) => {
    expectStatus(t, projectRules(), 'passed');
  });
  it('sam validate --lint', (t) => {
    expectStatus(t, samValidateLint(), 'passed');
  });
  it('cfn-lint: no errors, warnings or informational findings', (t) => {
    expectStatus(t, cfnLint(), 'passed');
  });
  it('checkov: no failed checks (each skip justified in the template)', (t) => {
    expectStatus(t, checkov(), 'passed');
  });
  it('sam build (esbuild) produces exactly the bundle the tests run', async (t) => {
    expectStatus(t, await samBuildMatchesLocalBuild(), 'passed');
  });
});

describe('the validation rejects broken templates', () => {
  it('permission without SourceArn: any pool could invoke the trigger (project rules)', (t) => {
    const path = brokenCopy('no-source-arn', (s) =>
      s.replace(/^ {6}SourceArn: !Ref CognitoUserPoolArn\n/m, ''),
    );
    expectRejected(t, projectRules(path), /SourceArn/);
  });

  it('alarm topic encrypted with alias/aws/sns: CloudWatch cannot publish, no e-mail arrives (project rules)', (t) => {
    const path = brokenCopy('alarm-topic-aws-managed-key', (s) =>
      s.replace('KmsMasterKeyId: !Ref AlarmTopicKey', 'KmsMasterKeyId: alias/aws/sns'),
    );
    expectRejected(t, projectRules(path), /AlarmTopic .*alias\/aws\/sns/);
  });

  it('alarm topic key whose policy does not grant CloudWatch (project rules)', (t) => {
    const path = brokenCopy('alarm-key-without-cloudwatch', (s) =>
      s.replace(
        /( {14}Service: )cloudwatch\.amazonaws\.com(\n {12}Action:\n {14}- kms:Decrypt)/,
        '$1sns.amazonaws.com$2',
      ),
    );
    expectRejected(t, projectRules(path), /AlarmTopicKey encrypts alarm topic AlarmTopic/);
  });

  it('alarm topic without a policy that lets CloudWatch publish (project rules)', (t) => {
    const path = brokenCopy('alarm-topic-without-policy', (s) =>
      s.replace(/ {2}AlarmTopicPolicy:\n(?: {4}.*\n|\n)*?(?=\n {2}[\w#])/, ''),
    );
    expectRejected(t, projectRules(path), /no topic policy lets cloudwatch/);
  });

  it('a table whose resource policy lets a principal update items (project rules)', (t) => {
    const path = brokenCopy('table-allows-updates', (s) => s.replace(/\n {16}- dynamodb:UpdateItem/, ''));
    expectRejected(t, projectRules(path), /LoginHistoryTable must be append-only: .*dynamodb:UpdateItem/);
  });

  it('a table whose resource policy lets anyone put (project rules)', (t) => {
    const path = brokenCopy('table-allows-any-put', (s) =>
      s.replace(/ {12}- Sid: OnlyTheWritersPut\n(?: {14}.*\n)+/, ''),
    );
    expectRejected(t, projectRules(path), /LoginHistoryTable must let only its writers put/);
  });

  it('alarm topic whose policy does not let the EventBridge rule publish (project rules)', (t) => {
    const path = brokenCopy('topic-without-eventbridge', (s) =>
      s.replace(/ {10}- Sid: ProtectionChangeRulePublishes\n(?: {12}.*\n)+/, ''),
    );
    expectRejected(t, projectRules(path), /AlarmTopic is an EventBridge target but no topic policy/);
  });

  it('alarm topic key whose policy does not grant EventBridge (project rules)', (t) => {
    const path = brokenCopy('key-without-eventbridge', (s) =>
      s.replace(/ {10}- Sid: EventBridgeRulesOfThisAccountPublish\n(?: {12}.*\n)+/, ''),
    );
    expectRejected(t, projectRules(path), /AlarmTopicKey encrypts topic AlarmTopic, an EventBridge target/);
  });

  it('auth-events rule in state ENABLED: read-only sign-in events would never arrive (project rules)', (t) => {
    const path = brokenCopy('auth-events-rule-enabled', (s) =>
      s.replace(
        /( {2}AuthEventsRule:\n(?: {4}.*\n)*? {6}State: )ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS/,
        '$1ENABLED',
      ),
    );
    expectRejected(
      t,
      projectRules(path),
      /AuthEventsRule\.State must be ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS/,
    );
  });

  it('auth-events target without a dead-letter queue, function without an on-failure destination (project rules)', (t) => {
    const path = brokenCopy('auth-events-no-dlq', (s) =>
      s
        .replace(/ {10}DeadLetterConfig:\n {12}Arn: !GetAtt AuthEventsDeadLetterQueue\.Arn\n/, '')
        // AuthEventsInvokeConfig's destination: the first at this depth.
        .replace(
          / {6}DestinationConfig:\n {8}OnFailure:\n {10}Destination: !GetAtt AuthEventsDeadLetterQueue\.Arn\n/,
          '',
        ),
    );
    const detail = expectStatus(t, projectRules(path), 'failed');
    if (detail !== undefined) {
      assert.match(detail, /target auth-events-function needs a dead-letter queue/);
      assert.match(detail, /AuthEventsFunction needs an on-failure destination/);
    }
  });

  it('auth-events role that may read the table (project rules)', (t) => {
    const path = brokenCopy('auth-events-role-reads', (s) =>
      s.replace(/(put-auth-events\n(?: {6}.*\n)+? {12}Action: )dynamodb:PutItem/, '$1dynamodb:Query'),
    );
    expectRejected(t, projectRules(path), /AuthEventsFunction's role grants dynamodb:Query/);
  });

  it('a rule function CloudFormation does not allow in Rules, which the linters accept (project rules)', (t) => {
    const path = brokenCopy('rule-with-join', (s) =>
      s.replace(
        /( {6}- Assert:\n)(?: {10}.*\n)+/,
        '$1          Fn::Not: [{ "Fn::Equals": [{ "Fn::Join": ["", { Ref: AuthEventsClientIds }] }, ""] }]\n',
      ),
    );
    expectRejected(t, projectRules(path), /Rules\.AuthEventsNeedClientIds uses Fn::Join/);
  });

  it('permission without SourceArn and SourceAccount (checkov CKV_AWS_364)', (t) => {
    const path = brokenCopy('no-source-conditions', (s) =>
      s.replace(/^ {6}SourceArn: .*\n/m, '').replace(/^ {6}SourceAccount: .*\n/m, ''),
    );
    expectRejected(t, checkov(path), /CKV_AWS_364/);
  });

  it('a billing mode DynamoDB does not have (cfn-lint)', (t) => {
    const path = brokenCopy('bad-billing-mode', (s) =>
      s.replace('BillingMode: PAY_PER_REQUEST', 'BillingMode: ON_DEMAND'),
    );
    expectRejected(t, cfnLint(path), /E3030 'ON_DEMAND'/);
  });

  it('an esbuild property SAM cannot pass to esbuild (sam build)', async (t) => {
    const path = brokenCopy('bad-main-fields', (s) =>
      s.replace('MainFields: module,main', 'MainFields:\n          - module\n          - main'),
    );
    expectRejected(t, await samBuildMatchesLocalBuild(path), /main-fields/);
  });
});
