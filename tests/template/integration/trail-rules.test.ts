/**
 * The trail's immediate announcements: each CloudTrail rule of the Integrity part, read from template.yaml
 * with the stack's resolved names, evaluated by AWS's own pattern engine (event-ruler) on CloudTrail records
 * shaped like AWS's published samples (the Lambda Developer Guide's DeleteFunction record, the IAM guide's
 * AssumeRole; request members as the API reference names them, in lower camel case): the acts that would stop or
 * bend the trail match, the same acts on other resources do not, and what CloudFormation does to the stack's own
 * resources for a deploy (invokedBy cloudformation.amazonaws.com) does not either. Each case is also checked
 * against doctor's statement of what the rule is for (scripts/doctor/expectations.ts), and every function, rule
 * and schedule of the template is a case of its own, so that neither the pattern nor doctor can forget one.
 * Without Java the test skips with the reason; CI (REQUIRE_TOOLCHAIN=1) fails instead.
 */
import assert from 'node:assert/strict';
import { before, describe, it, type TestContext } from 'node:test';
import { ensureEventRuler, type MatchResult, matchEvents } from '../../../dev/build/event-ruler.ts';
import { loadTemplate } from '../../../dev/build/template.ts';
import { evaluateConditions, presentResources } from '../../../scripts/core/intrinsics.ts';
import { parameterValues } from '../../../scripts/core/stack-template.ts';
import {
  type Expectation,
  functionsChangedExpectation,
  poolChangedExpectation,
  roleAssumedExpectation,
  rulesChangedExpectation,
  trailChangedExpectation,
} from '../../../scripts/doctor/expectations.ts';
import { ACCOUNT, deployedNames, REGION, resolvePolicy } from '../../helpers/policy-engine.ts';
import { skipBecause } from '../../helpers/skip.ts';

const template = loadTemplate();
const POOL = 'us-east-1_Example';
const parameters = {
  AuthEvents: 'enabled',
  AlarmEmail: 'ops@example.com',
  AuthEventsClientIds: 'client1',
  CognitoUserPoolArn: `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${POOL}`,
  // Resources SAM makes from a function's ScheduleV2 event (<function><event>), not in template.yaml itself.
  SealTrailFunctionEvery: 'login-history-test-SealTrailFunctionEvery-TEST',
  WatchdogFunctionEvery: 'login-history-test-WatchdogFunctionEvery-TEST',
};
const names = deployedNames(template);
const name = (id: string) => names[id]?.ref as string;
const arn = (id: string) => names[id]?.arn as string;
const pattern = (id: string) =>
  resolvePolicy(template, template.Resources[id].Properties.EventPattern, parameters);

/** A CloudTrail management event as EventBridge delivers it (the record after AWS's samples). */
function apiCall(
  source: string,
  eventName: string,
  requestParameters: Record<string, unknown>,
  identity: Record<string, unknown> = {},
) {
  return {
    version: '0',
    id: `id-${source}-${eventName}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${source.split('.')[0]}`,
    account: ACCOUNT,
    time: '2026-12-06T10:00:00Z',
    region: REGION,
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: {
        type: 'IAMUser',
        principalId: 'A1B2C3D4E5F6G7EXAMPLE',
        arn: `arn:aws:iam::${ACCOUNT}:user/myUserName`,
        accountId: ACCOUNT,
        userName: 'myUserName',
        ...identity,
      },
      eventTime: '2026-12-06T10:00:00Z',
      eventSource: source,
      eventName,
      awsRegion: REGION,
      sourceIPAddress: '203.0.113.4',
      userAgent: 'aws-cli/2.15.0',
      requestParameters,
      responseElements: null,
      requestID: '7aebcd0f-cda1-11e4-aaa2-e356da31e4ff',
      eventID: `e92a3e85-${eventName.length.toString().padStart(4, '0')}-4d23-8074-843aabfe89bf`,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    },
  };
}
const BY_CLOUDFORMATION = { invokedBy: 'cloudformation.amazonaws.com' };
const functionArn = (id: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name(id)}`;

/** The template's resources of a type that these parameters create. */
const conditions = evaluateConditions(template, parameterValues(template, parameters));
const idsOf = (type: string) =>
  presentResources(template, conditions)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);
const FUNCTIONS = idsOf('AWS::Serverless::Function');
const MAPPINGS = idsOf('AWS::Lambda::EventSourceMapping');
const RULES = idsOf('AWS::Events::Rule').filter((id) => id !== 'TrailRulesChangedRule');
/** SAM names a function's ScheduleV2 event's schedule `<function><event>`. */
const SCHEDULES = FUNCTIONS.flatMap((id) =>
  Object.entries(template.Resources[id].Properties.Events ?? {})
    .filter(([, e]: [string, any]) => e.Type === 'ScheduleV2')
    .map(([event]) => `${id}${event}`),
);

/** What doctor says each rule is for, with the names this test's stack has. */
const EXPECTATIONS: Record<string, Expectation> = {
  PoolTriggerChangedRule: poolChangedExpectation(POOL),
  TrailFunctionsChangedRule: functionsChangedExpectation(FUNCTIONS.map(name), MAPPINGS.map(name)),
  TrailRulesChangedRule: rulesChangedExpectation(
    RULES.map(name),
    SCHEDULES.map((id) => parameters[id as keyof typeof parameters]),
  ),
  TrailLoggingChangedRule: trailChangedExpectation(
    { arn: arn('SigningKey'), id: name('SigningKey') },
    name('DigestBucket'),
  ),
  ErasureRoleAssumedRule: roleAssumedExpectation([arn('ErasureRole'), arn('ReplayRole')]),
};

/** rule id → [event name, event, should it match]. */
const CASES: Record<string, [string, ReturnType<typeof apiCall>, boolean][]> = {
  PoolTriggerChangedRule: [
    [
      'UpdateUserPool of this pool',
      apiCall('cognito-idp.amazonaws.com', 'UpdateUserPool', { userPoolId: POOL }),
      true,
    ],
    [
      'DeleteUserPool of this pool',
      apiCall('cognito-idp.amazonaws.com', 'DeleteUserPool', { userPoolId: POOL }),
      true,
    ],
    [
      "UpdateUserPool of this pool by another stack's deploy (the pool is not this stack's)",
      apiCall('cognito-idp.amazonaws.com', 'UpdateUserPool', { userPoolId: POOL }, BY_CLOUDFORMATION),
      true,
    ],
    [
      'UpdateUserPool of another pool',
      apiCall('cognito-idp.amazonaws.com', 'UpdateUserPool', { userPoolId: 'us-east-1_Other' }),
      false,
    ],
  ],
  TrailFunctionsChangedRule: [
    [
      'new code for the trigger, by name',
      apiCall('lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', {
        functionName: name('AuthenticatedFunction'),
      }),
      true,
    ],
    [
      'new settings for the sealer, by ARN',
      apiCall('lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2', {
        functionName: functionArn('SealTrailFunction'),
      }),
      true,
    ],
    [
      'reserved concurrency 0 for the change detector',
      apiCall('lambda.amazonaws.com', 'PutFunctionConcurrency20171031', {
        functionName: name('ChangeDetectorFunction'),
        reservedConcurrentExecutions: 0,
      }),
      true,
    ],
    [
      'the watchdog deleted',
      apiCall('lambda.amazonaws.com', 'DeleteFunction20150331', { functionName: name('WatchdogFunction') }),
      true,
    ],
    [
      'the auth-events function changed',
      apiCall('lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', {
        functionName: name('AuthEventsFunction'),
      }),
      true,
    ],
    [
      'the change detector mapping disabled',
      apiCall('lambda.amazonaws.com', 'UpdateEventSourceMapping20150331', {
        uUID: name('SignInChangesMapping'),
        enabled: false,
      }),
      true,
    ],
    [
      'a deploy of the stack (CloudFormation updates the trigger)',
      apiCall(
        'lambda.amazonaws.com',
        'UpdateFunctionCode20150331v2',
        { functionName: name('AuthenticatedFunction') },
        BY_CLOUDFORMATION,
      ),
      false,
    ],
    [
      'another function',
      apiCall('lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', {
        functionName: 'some-other-function',
      }),
      false,
    ],
    [
      'reading the trigger',
      apiCall('lambda.amazonaws.com', 'GetFunction20150331v2', {
        functionName: name('AuthenticatedFunction'),
      }),
      false,
    ],
  ],
  TrailRulesChangedRule: [
    [
      'the auth-events rule disabled',
      apiCall('events.amazonaws.com', 'DisableRule', { name: name('AuthEventsRule') }),
      true,
    ],
    [
      "the protection rule's targets removed (RemoveTargets names the rule as `rule`)",
      apiCall('events.amazonaws.com', 'RemoveTargets', {
        rule: name('TableProtectionChangedRule'),
        ids: ['alarm-topic'],
      }),
      true,
    ],
    [
      "the auth-events rule's target replaced",
      apiCall('events.amazonaws.com', 'PutTargets', {
        rule: name('AuthEventsRule'),
        targets: [{ id: 'auth-events-function', arn: functionArn('AuthEventsFunction') }],
      }),
      true,
    ],
    [
      "another rule's targets removed",
      apiCall('events.amazonaws.com', 'RemoveTargets', { rule: 'someone-elses-rule', ids: ['x'] }),
      false,
    ],
    [
      "the sealer's schedule deleted",
      apiCall('scheduler.amazonaws.com', 'DeleteSchedule', { name: parameters.SealTrailFunctionEvery }),
      true,
    ],
    [
      "the watchdog's schedule changed",
      apiCall('scheduler.amazonaws.com', 'UpdateSchedule', { name: parameters.WatchdogFunctionEvery }),
      true,
    ],
    [
      "the auth-events table's protection rule disabled",
      apiCall('events.amazonaws.com', 'DisableRule', { name: name('AuthEventsTableProtectionChangedRule') }),
      true,
    ],
    [
      "the erasure alarm's rule deleted",
      apiCall('events.amazonaws.com', 'DeleteRule', { name: name('ErasureRoleAssumedRule') }),
      true,
    ],
    [
      'another rule disabled',
      apiCall('events.amazonaws.com', 'DisableRule', { name: 'someone-elses-rule' }),
      false,
    ],
    [
      'a deploy of the stack',
      apiCall('events.amazonaws.com', 'PutRule', { name: name('AuthEventsRule') }, BY_CLOUDFORMATION),
      false,
    ],
  ],
  TrailLoggingChangedRule: [
    [
      'a trail stopped',
      apiCall('cloudtrail.amazonaws.com', 'StopLogging', {
        name: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/management`,
      }),
      true,
    ],
    [
      "a trail's selectors replaced",
      apiCall('cloudtrail.amazonaws.com', 'PutEventSelectors', { trailName: 'management' }),
      true,
    ],
    [
      "the signing key's policy replaced",
      apiCall('kms.amazonaws.com', 'PutKeyPolicy', { keyId: arn('SigningKey'), policyName: 'default' }),
      true,
    ],
    [
      'the signing key scheduled for deletion',
      apiCall('kms.amazonaws.com', 'ScheduleKeyDeletion', { keyId: name('SigningKey') }),
      true,
    ],
    [
      "the digest bucket's policy deleted",
      apiCall('s3.amazonaws.com', 'DeleteBucketPolicy', { bucketName: name('DigestBucket') }),
      true,
    ],
    [
      "a trail stopped by a stack's deploy (a trail is not this stack's)",
      apiCall('cloudtrail.amazonaws.com', 'StopLogging', { name: 'management' }, BY_CLOUDFORMATION),
      true,
    ],
    [
      "the signing key's policy replaced by a deploy of the stack",
      apiCall(
        'kms.amazonaws.com',
        'PutKeyPolicy',
        { keyId: arn('SigningKey'), policyName: 'default' },
        BY_CLOUDFORMATION,
      ),
      false,
    ],
    [
      "the digest bucket's lifecycle set by a deploy of the stack",
      apiCall(
        's3.amazonaws.com',
        'PutBucketLifecycle',
        { bucketName: name('DigestBucket') },
        BY_CLOUDFORMATION,
      ),
      false,
    ],
    [
      "another key's policy replaced",
      apiCall('kms.amazonaws.com', 'PutKeyPolicy', { keyId: 'arn:aws:kms:us-east-1:123456789012:key/other' }),
      false,
    ],
    ['a trail read', apiCall('cloudtrail.amazonaws.com', 'GetTrailStatus', { name: 'management' }), false],
  ],
  ErasureRoleAssumedRule: [
    [
      'the replay role assumed',
      {
        ...apiCall('sts.amazonaws.com', 'AssumeRole', {
          roleArn: arn('ReplayRole'),
          roleSessionName: 'replay',
        }),
        detail: {
          ...apiCall('sts.amazonaws.com', 'AssumeRole', {
            roleArn: arn('ReplayRole'),
            roleSessionName: 'replay',
          }).detail,
          readOnly: true,
        },
      },
      true,
    ],
    [
      'the erasure role assumed',
      apiCall('sts.amazonaws.com', 'AssumeRole', { roleArn: arn('ErasureRole'), roleSessionName: 'erase' }),
      true,
    ],
    [
      'another role assumed',
      apiCall('sts.amazonaws.com', 'AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT}:role/Admin` }),
      false,
    ],
  ],
};

// Every function, mapping, rule and schedule the template has is a case of its own, changed by a user.
for (const id of FUNCTIONS) {
  CASES.TrailFunctionsChangedRule?.push(
    [
      `every function: ${id}'s settings changed, by name`,
      apiCall('lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2', { functionName: name(id) }),
      true,
    ],
    [
      `every function: ${id}'s code changed, by ARN`,
      apiCall('lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', { functionName: functionArn(id) }),
      true,
    ],
  );
}
for (const id of MAPPINGS) {
  CASES.TrailFunctionsChangedRule?.push([
    `every mapping: ${id} deleted`,
    apiCall('lambda.amazonaws.com', 'DeleteEventSourceMapping20150331', { uUID: name(id) }),
    true,
  ]);
}
for (const id of RULES) {
  CASES.TrailRulesChangedRule?.push(
    [`every rule: ${id} disabled`, apiCall('events.amazonaws.com', 'DisableRule', { name: name(id) }), true],
    [
      `every rule: ${id}'s targets removed`,
      apiCall('events.amazonaws.com', 'RemoveTargets', { rule: name(id), ids: ['alarm-topic'] }),
      true,
    ],
  );
}
for (const id of SCHEDULES) {
  CASES.TrailRulesChangedRule?.push([
    `every schedule: ${id} disabled`,
    apiCall('scheduler.amazonaws.com', 'UpdateSchedule', {
      name: parameters[id as keyof typeof parameters],
      state: 'DISABLED',
    }),
    true,
  ]);
}

describe("the trail's CloudTrail rules, evaluated by AWS event-ruler", () => {
  let classpath: string | undefined;
  let problem: string | undefined;
  const results: Record<string, Record<string, MatchResult>> = {};
  before(() => {
    const engine = ensureEventRuler();
    if (!engine.ok) {
      problem = engine.problem;
      return;
    }
    classpath = engine.classpath;
    for (const [rule, cases] of Object.entries(CASES)) {
      results[rule] = matchEvents(
        classpath,
        pattern(rule),
        Object.fromEntries(cases.map(([label, event]) => [label, event])),
      );
    }
  });
  const engine = (t: TestContext) =>
    classpath !== undefined || skipBecause(t, `AWS event-ruler is not available: ${problem}`);

  for (const [rule, cases] of Object.entries(CASES)) {
    for (const [label, , expected] of cases) {
      it(`${rule}: ${expected ? 'announces' : 'stays quiet for'} ${label}`, (t) => {
        const event = cases.find(([l]) => l === label)?.[1];
        assert.equal(EXPECTATIONS[rule]?.(event?.detail ?? {}), expected, `doctor's expectation: ${label}`);
        if (engine(t) !== true) return;
        const result = results[rule]?.[label];
        assert.deepEqual(result, { machine: expected, matchesRule: expected });
      });
    }
  }

  it('knows every function, mapping, rule and schedule of the template', () => {
    assert.deepEqual(FUNCTIONS.sort(), [
      'AuthEventsFunction',
      'AuthenticatedFunction',
      'ChangeDetectorFunction',
      'SealTrailFunction',
      'WatchdogFunction',
    ]);
    assert.equal(MAPPINGS.length, 2);
    assert.equal(RULES.length, 7);
    assert.deepEqual(SCHEDULES.sort(), ['SealTrailFunctionEvery', 'WatchdogFunctionEvery']);
  });

  it('a rule watching the read-only AssumeRole is in the state that receives read-only management events', () => {
    assert.equal(
      template.Resources.ErasureRoleAssumedRule.Properties.State,
      'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
    );
  });
});
