/**
 * doctor's "every rule's pattern matches the account's own events", with AWS's open-source engine (event-ruler)
 * standing in for EventBridge's TestEventPattern (moto's is a stub that answers nothing) and a fake Event history
 * serving the CloudTrail corpus and the trail's own calls (moto has no LookupEvents). The rules are template.yaml's
 * as CloudFormation holds them after `sam deploy` (SAM's own transform: its ScheduleV2 schedules are resources
 * there), resolved with a physical id for every resource the stack holds. Skipped without Java or the SAM CLI's
 * venv; CI (REQUIRE_TOOLCHAIN=1) fails instead.
 */
import assert from 'node:assert/strict';
import { before, describe, it, type TestContext } from 'node:test';
import { ensureEventRuler, matchEvents } from '../../../../dev/build/event-ruler.ts';
import { missingToolNotice, TOOLS } from '../../../../dev/build/toolchain.ts';
import type { Template } from '../../../../scripts/core/intrinsics.ts';
import { type DeclaredStack, declaredStack } from '../../../../scripts/core/stack-template.ts';
import {
  checkRuleEvents,
  type DeclaredRule,
  declaredRules,
  RecentEvents,
  ruleKindOf,
} from '../../../../scripts/doctor/checks.ts';
import { integrityTargetOf } from '../../../../scripts/doctor/integrity-checks.ts';
import {
  type EventHistory,
  type LookupAttribute,
  lookupsFor,
  type PatternEngine,
} from '../../../../scripts/doctor/rule-events.ts';
import type { CloudTrailRecord } from '../../../../scripts/doctor/samples.ts';
import { APP_CLIENT_ID, loadCorpus, POOL_ARN, POOL_ID } from '../../../helpers/cloudtrail-corpus.ts';
import { processedTemplate } from '../../../helpers/processed-template.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const REGION = 'ap-northeast-1';
const ACCOUNT = '123456789012';
const NOW = new Date('2026-11-26T12:00:00Z');
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const physical = (id: string) => `lh-${id}-1A2B3C4D5E6F7`;

/** The physical id CloudFormation reports for each resource of the processed template, by its type. */
function physicalIdsOf(template: Template): Record<string, string> {
  return Object.fromEntries(
    Object.entries(template.Resources as Record<string, Template>).map(([id, resource], i) => {
      switch (resource.Type) {
        case 'AWS::KMS::Key':
          return [id, KEY_ID];
        case 'AWS::S3::Bucket':
          return [id, physical(id).toLowerCase()];
        case 'AWS::Lambda::EventSourceMapping':
          return [id, `a1b2c3d4-5678-90ab-cdef-${String(i).padStart(12, '0')}`];
        case 'AWS::SNS::Topic':
          return [id, `arn:aws:sns:${REGION}:${ACCOUNT}:${physical(id)}`];
        case 'AWS::SQS::Queue':
          return [id, `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physical(id)}`];
        case 'AWS::SecretsManager::Secret':
          return [id, `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${physical(id)}-AbCdEf`];
        default:
          return [id, physical(id)];
      }
    }),
  );
}

const processed = processedTemplate();
/** The stack deployed with these parameters: it holds exactly the resources their conditions create. */
function stackWith(parameters: Record<string, string>): DeclaredStack | undefined {
  if (!processed) return undefined;
  const options = {
    stackName: 'lh',
    stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/lh/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`,
    template: processed,
    parameters: {
      CognitoUserPoolArn: POOL_ARN,
      AuthEvents: 'enabled',
      AuthEventsClientIds: APP_CLIENT_ID,
      AlarmEmail: 'security@example.com',
      ...parameters,
    },
  };
  const all = declaredStack({ ...options, physicalIds: physicalIdsOf(processed) });
  const held = Object.keys(processed.Resources).filter((id) => {
    const condition = processed.Resources[id].Condition;
    return condition === undefined || all.conditions[condition] === true;
  });
  const ids = physicalIdsOf(processed);
  return declaredStack({
    ...options,
    physicalIds: Object.fromEntries(held.map((id) => [id, ids[id] as string])),
  });
}
const stack = stackWith({}) as DeclaredStack;
const rules = (stack ? declaredRules(stack) : []) as DeclaredRule[];
const rule = (id: string) => rules.find((r) => r.logicalId === id) as DeclaredRule;
const name = (id: string) => stack.physicalIds[id] as string;

const corpus = Object.values(loadCorpus()).map((event) => event.detail as CloudTrailRecord);
const table = physical('LoginHistoryTable');
const dynamo = (
  eventName: string,
  id: string,
  requestParameters: Record<string, unknown>,
): CloudTrailRecord => ({
  eventVersion: '1.09',
  eventTime: '2026-11-26T10:00:00Z',
  eventSource: 'dynamodb.amazonaws.com',
  eventName,
  awsRegion: REGION,
  requestParameters,
  responseElements: null,
  eventID: id,
  eventType: 'AwsApiCall',
  recipientAccountId: ACCOUNT,
});
const sts = (roleArn: string, id: string): CloudTrailRecord => ({
  eventTime: '2026-11-26T10:05:00Z',
  eventSource: 'sts.amazonaws.com',
  eventName: 'AssumeRole',
  awsRegion: REGION,
  requestParameters: { roleArn, roleSessionName: 'npm-run-erase-1' },
  eventID: id,
  eventType: 'AwsApiCall',
  readOnly: true,
  recipientAccountId: ACCOUNT,
});
/** A management call as Event history holds it; `deploy` when CloudFormation made it for a deploy. */
const call = (
  eventSource: string,
  eventName: string,
  id: string,
  requestParameters: Record<string, unknown>,
  deploy = false,
): CloudTrailRecord => ({
  eventVersion: '1.08',
  userIdentity: {
    type: 'AssumedRole',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice`,
    accountId: ACCOUNT,
    ...(deploy ? { invokedBy: 'cloudformation.amazonaws.com' } : {}),
  },
  eventTime: '2026-11-26T10:10:00Z',
  eventSource,
  eventName,
  awsRegion: REGION,
  sourceIPAddress: deploy ? 'cloudformation.amazonaws.com' : '203.0.113.4',
  requestParameters,
  responseElements: null,
  eventID: id,
  readOnly: false,
  eventType: 'AwsApiCall',
  recipientAccountId: ACCOUNT,
});
const roleArn = (id: string) => `arn:aws:iam::${ACCOUNT}:role/${physical(id)}`;
const functionArn = (id: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physical(id)}`;
const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;

/** The trail's calls of the last day: a user's changes the rules are for, a deploy's, and other resources'. */
const TRAIL_CALLS: CloudTrailRecord[] = [
  call('cognito-idp.amazonaws.com', 'UpdateUserPool', 'p-1', { userPoolId: POOL_ID, lambdaConfig: {} }),
  call('cognito-idp.amazonaws.com', 'UpdateUserPool', 'p-2', { userPoolId: `${REGION}_Other1234` }),
  call('lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2', 'l-1', {
    functionName: functionArn('SealTrailFunction'),
    timeout: 3,
  }),
  call('lambda.amazonaws.com', 'PutFunctionConcurrency20171031', 'l-2', {
    functionName: physical('WatchdogFunction'),
    reservedConcurrentExecutions: 0,
  }),
  call('lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', 'l-3', {
    functionName: physical('AuthenticatedFunction'),
  }),
  call(
    'lambda.amazonaws.com',
    'UpdateFunctionCode20150331v2',
    'l-4',
    { functionName: physical('AuthEventsFunction') },
    true,
  ),
  call('lambda.amazonaws.com', 'DeleteFunction20150331', 'l-5', { functionName: 'someone-elses-function' }),
  call('events.amazonaws.com', 'DisableRule', 'e-1', { name: physical('AuthEventsRule') }),
  call('events.amazonaws.com', 'RemoveTargets', 'e-2', {
    rule: physical('TableProtectionChangedRule'),
    ids: ['alarm-topic'],
  }),
  call('events.amazonaws.com', 'PutRule', 'e-3', { name: physical('TrailLoggingChangedRule') }, true),
  call('scheduler.amazonaws.com', 'UpdateSchedule', 'e-4', {
    name: physical('SealTrailFunctionEvery'),
    state: 'DISABLED',
  }),
  call('events.amazonaws.com', 'DeleteRule', 'e-5', { name: 'someone-elses-rule' }),
  call('cloudtrail.amazonaws.com', 'StopLogging', 'c-1', {
    name: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/management-events`,
  }),
  call('kms.amazonaws.com', 'PutKeyPolicy', 'k-1', { keyId: keyArn, policyName: 'default' }),
  call('kms.amazonaws.com', 'PutKeyPolicy', 'k-2', { keyId: keyArn, policyName: 'default' }, true),
  call('kms.amazonaws.com', 'DisableKey', 'k-3', { keyId: '00000000-0000-4000-8000-000000000000' }),
  call('s3.amazonaws.com', 'DeleteBucketPolicy', 's-1', {
    bucketName: physical('DigestBucket').toLowerCase(),
  }),
  call('s3.amazonaws.com', 'PutBucketLifecycle', 's-2', { bucketName: 'someone-elses-bucket' }),
];

const RECENT: CloudTrailRecord[] = [
  ...corpus,
  dynamo('DeleteTable', 'd-1', { tableName: table }),
  dynamo('UpdateTable', 'd-2', {
    tableName: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}`,
    deletionProtectionEnabled: false,
  }),
  dynamo('UpdateTable', 'd-3', { tableName: 'someone-elses-table', deletionProtectionEnabled: false }),
  dynamo('UpdateContinuousBackups', 'd-4', {
    tableName: table,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
  }),
  dynamo('PutResourcePolicy', 'd-5', {
    resourceArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${physical('AuthEventsTable')}`,
    policy: '{}',
  }),
  sts(roleArn('ErasureRole'), 's-1'),
  sts(roleArn('ReplayRole'), 's-2'),
  sts(`arn:aws:iam::${ACCOUNT}:role/SomeOtherRole`, 's-3'),
  ...TRAIL_CALLS,
];

/** The Event history as CloudTrail answers one lookup attribute. */
function history(records: CloudTrailRecord[]): EventHistory & { asked: LookupAttribute[] } {
  const asked: LookupAttribute[] = [];
  return {
    asked,
    async lookup(attribute) {
      asked.push(attribute);
      const field = attribute.key === 'EventSource' ? 'eventSource' : 'eventName';
      return records.filter((r) => r[field] === attribute.value);
    },
  };
}

let classpath: string | undefined;
let problem: string | undefined;
before(() => {
  const engine = ensureEventRuler();
  if (engine.ok) classpath = engine.classpath;
  else problem = engine.problem;
});

/** event-ruler as the pattern engine: what a Machine (and Ruler.matchesRule, which must agree) says. */
function eventRuler(t: TestContext): PatternEngine | undefined {
  if (!stack) {
    skipBecause(t, missingToolNotice(TOOLS.sam));
    return undefined;
  }
  if (!classpath) {
    skipBecause(t, `AWS event-ruler is not available: ${problem}`);
    return undefined;
  }
  const path = classpath;
  return {
    async matches(pattern, events) {
      const results = matchEvents(path, JSON.parse(pattern), events);
      for (const [label, r] of Object.entries(results)) assert.equal(r.machine, r.matchesRule, label);
      return { matched: Object.fromEntries(Object.entries(results).map(([label, r]) => [label, r.machine])) };
    },
  };
}

const check = (logicalId: string, events: EventHistory, engine: PatternEngine, declared = rule(logicalId)) =>
  checkRuleEvents(
    declared,
    ruleKindOf(stack, logicalId, POOL_ID),
    new RecentEvents(events, () => NOW),
    engine,
  );

const RULES = [
  'AuthEventsRule',
  'TableProtectionChangedRule',
  'AuthEventsTableProtectionChangedRule',
  'ErasureRoleAssumedRule',
  'PoolTriggerChangedRule',
  'TrailFunctionsChangedRule',
  'TrailRulesChangedRule',
  'TrailLoggingChangedRule',
];
const TRAIL_RULES = RULES.slice(4);

/** The rule's pattern with `change` made to a copy of its `detail`. */
function broken(logicalId: string, change: (detail: any) => void): DeclaredRule {
  const copy = structuredClone(rule(logicalId));
  change((copy.pattern as any).detail);
  return copy;
}

/** The event names a rule's pattern names, wherever in it (inside $or branches too). */
function eventNamesIn(pattern: unknown): string[] {
  if (Array.isArray(pattern)) return pattern.flatMap(eventNamesIn);
  if (typeof pattern !== 'object' || pattern === null) return [];
  return Object.entries(pattern).flatMap(([key, value]) =>
    key === 'eventName' && Array.isArray(value)
      ? value.filter((name): name is string => typeof name === 'string')
      : eventNamesIn(value),
  );
}

const detailOf = (result: Awaited<ReturnType<typeof check>>) =>
  result.status === 'ok' ? result.detail : result.status === 'fail' ? result.problem : '';

describe("doctor: every rule's pattern on the account's own events, judged by AWS's engine", () => {
  it('knows what every rule of the stack is for', (t) => {
    if (!eventRuler(t)) return;
    assert.deepEqual(rules.map((r) => r.logicalId).sort(), [...RULES].sort());
    for (const id of RULES) assert.ok(ruleKindOf(stack, id, POOL_ID), id);
  });

  for (const id of RULES) {
    it(`${id}: ok on recent events`, async (t) => {
      const engine = eventRuler(t);
      if (!engine) return;
      const result = await check(id, history(RECENT), engine);
      assert.equal(result.status, 'ok', JSON.stringify(result));
      assert.match(detailOf(result), /agrees on \d+ recent events, [1-9]\d* of them ones the rule is for/);
    });
  }

  it('tests recent events the rules must let pass: a deploy of the stack, other resources', async (t) => {
    const engine = eventRuler(t);
    if (!engine) return;
    // Half the trail's calls are ones a rule must not deliver; an "ok" over them is a tested "no".
    for (const [id, passing] of [
      ['TrailFunctionsChangedRule', 2],
      ['TrailRulesChangedRule', 2],
      ['TrailLoggingChangedRule', 3],
      ['PoolTriggerChangedRule', 1],
    ] as const) {
      const result = await check(id, history(TRAIL_CALLS), engine);
      const tested = /agrees on (\d+) recent events, (\d+) of them/.exec(detailOf(result));
      assert.equal(Number(tested?.[1]) - Number(tested?.[2]), passing, `${id}: ${detailOf(result)}`);
    }
  });

  it('looks events up one attribute per call, each once however many rules need it', async (t) => {
    const engine = eventRuler(t);
    if (!engine) return;
    const events = history(RECENT);
    const recent = new RecentEvents(events, () => NOW);
    for (const r of rules) await checkRuleEvents(r, ruleKindOf(stack, r.logicalId, POOL_ID), recent, engine);
    const asked = events.asked.map((a) => `${a.key}=${a.value}`);
    const planned = RULES.flatMap((id) =>
      lookupsFor(ruleKindOf(stack, id, POOL_ID) as NonNullable<ReturnType<typeof ruleKindOf>>),
    ).map((a) => `${a.key}=${a.value}`);
    assert.deepEqual([...asked].sort(), [...new Set(planned)].sort());
    assert.equal(new Set(asked).size, asked.length, 'each attribute once');
    // Exactly what the rules watch, read from their deployed patterns (not from doctor's own lists): the
    // sign-in rule's events by their source (one lookup for its 17 names), every other rule's by name, and the
    // two calls the protection rules know by their fields (deletionProtectionEnabled, PITR), not by name.
    const watched = rules
      .filter((r) => r.logicalId !== 'AuthEventsRule')
      .flatMap((r) => eventNamesIn(r.pattern));
    assert.deepEqual(
      [...asked].sort(),
      [
        'EventSource=cognito-idp.amazonaws.com',
        ...[...new Set([...watched, 'UpdateTable', 'UpdateContinuousBackups'])].map((n) => `EventName=${n}`),
      ].sort(),
    );
  });

  it('stops asking once a lookup fails: every rule says why, after one call', async (t) => {
    const engine = eventRuler(t);
    if (!engine) return;
    let calls = 0;
    const failing: EventHistory = {
      lookup: async () => {
        calls++;
        throw Object.assign(new Error('Unknown operation'), { name: 'UnknownOperationException' });
      },
    };
    const recent = new RecentEvents(failing, () => NOW);
    for (const r of rules) {
      const result = await checkRuleEvents(r, ruleKindOf(stack, r.logicalId, POOL_ID), recent, engine);
      assert.deepEqual(
        result.status === 'not-checked' && result.reason,
        { code: 'not-implemented' },
        r.logicalId,
      );
    }
    assert.equal(calls, 1);
  });

  it("tests AWS's documented samples when the account has no such event, and says so", async (t) => {
    const engine = eventRuler(t);
    if (!engine) return;
    for (const id of ['AuthEventsRule', 'TableProtectionChangedRule']) {
      const result = await check(id, history([]), engine);
      assert.equal(result.status, 'ok', JSON.stringify(result));
      assert.match(detailOf(result), /documented samples/);
    }
    const erasure = await check('ErasureRoleAssumedRule', history([]), engine);
    assert.deepEqual(erasure, {
      check: 'rule ErasureRoleAssumedRule on recent events',
      status: 'not-checked',
      reason: { code: 'no-events', what: 'event this rule is for', hours: 24 },
    });
  });

  it('tests inferred shapes, named as such, for the trail rules when the account has none of their events', async (t) => {
    const engine = eventRuler(t);
    if (!engine) return;
    for (const id of TRAIL_RULES) {
      const result = await check(id, history([]), engine);
      assert.equal(result.status, 'ok', JSON.stringify(result));
      assert.match(
        detailOf(result),
        /agrees on \d+ inferred shapes, [1-9]\d* of them ones the rule is for/,
        id,
      );
    }
  });

  it('FAILs, naming the event, on the defect it exists for: a sign-in rule without the client_id branch misses managed login shaped like Login_GET', async (t) => {
    const engine = eventRuler(t);
    if (!engine) return;
    const withoutClientId = broken('AuthEventsRule', (detail) => {
      detail.$or = detail.$or.filter((branch: any) => !branch.additionalEventData?.requestParameters);
    });
    const loginGetShaped = corpus.find((r) => r.eventID === '7e2f4a61-3f40-4a5b-8c6d-000000000102');
    assert.equal(loginGetShaped?.eventName, 'login_POST');
    const result = await check('AuthEventsRule', history(corpus), engine, withoutClientId);
    assert.equal(result.status, 'fail', JSON.stringify(result));
    assert.match(detailOf(result), /misses login_POST 7e2f4a61-3f40-4a5b-8c6d-000000000102/);
    // And on AWS's samples alone (no recent event): Login_GET's shape as a credential submission.
    const onSamples = await check('AuthEventsRule', history([]), engine, withoutClientId);
    assert.match(detailOf(onSamples), /misses AWS's Login_GET sample as login_POST/);
  });

  it("FAILs a functions rule that forgot a function: the sealer's settings changed, on recent events and on inferred shapes", async (t) => {
    const engine = eventRuler(t);
    if (!engine) return;
    const sealer = name('SealTrailFunction');
    const withoutSealer = broken('TrailFunctionsChangedRule', (detail) => {
      const names = detail.$or[0].requestParameters.functionName;
      detail.$or[0].requestParameters.functionName = names.filter(
        (n: unknown) => (n as { suffix?: string }).suffix !== sealer,
      );
    });
    const result = await check('TrailFunctionsChangedRule', history(RECENT), engine, withoutSealer);
    assert.equal(result.status, 'fail', JSON.stringify(result));
    assert.match(
      detailOf(result),
      /misses UpdateFunctionConfiguration20150331v2 l-1 \(2026-11-26T10:10:00Z\)/,
    );
    const onShapes = await check('TrailFunctionsChangedRule', history([]), engine, withoutSealer);
    assert.equal(onShapes.status, 'fail', JSON.stringify(onShapes));
    assert.match(
      detailOf(onShapes),
      new RegExp(`on \\d+ inferred shapes, .*misses inferred \\S+ of \\S*${sealer}`),
    );
  });

  it('FAILs a rules rule that looks for the rule as `name` only: RemoveTargets names it as `rule`', async (t) => {
    const engine = eventRuler(t);
    if (!engine) return;
    const nameOnly = broken('TrailRulesChangedRule', (detail) => {
      // The pattern before doctor found this: one branch, the rule as `name` (a $or of one is no pattern).
      const [byName] = detail.$or.filter((branch: any) => !branch.requestParameters.rule);
      delete detail.$or;
      Object.assign(detail, byName, { eventName: [...byName.eventName, 'PutTargets', 'RemoveTargets'] });
    });
    const result = await check('TrailRulesChangedRule', history(RECENT), engine, nameOnly);
    assert.match(detailOf(result), /misses RemoveTargets e-2/);
    const onShapes = await check('TrailRulesChangedRule', history([]), engine, nameOnly);
    assert.match(
      detailOf(onShapes),
      /misses inferred PutTargets of \S+ by a user; misses inferred RemoveTargets/,
    );
  });

  it("FAILs a logging rule that announces the stack's own deploy: the key policy CloudFormation put", async (t) => {
    const engine = eventRuler(t);
    if (!engine) return;
    const announcesDeploys = broken('TrailLoggingChangedRule', (detail) => {
      for (const branch of detail.$or) delete branch.userIdentity;
    });
    const result = await check('TrailLoggingChangedRule', history(RECENT), engine, announcesDeploys);
    assert.match(detailOf(result), /delivers PutKeyPolicy k-2/);
    const onShapes = await check('TrailLoggingChangedRule', history([]), engine, announcesDeploys);
    assert.match(detailOf(onShapes), /delivers inferred PutKeyPolicy of \S+ by CloudFormation/);
  });

  it("FAILs a pool rule that ignores deploys: another stack's deploy detaches the trigger just the same", async (t) => {
    const engine = eventRuler(t);
    if (!engine) return;
    const ignoresDeploys = broken('PoolTriggerChangedRule', (detail) => {
      detail.userIdentity = {
        invokedBy: [{ 'anything-but': 'cloudformation.amazonaws.com' }, { exists: false }],
      };
    });
    const onShapes = await check('PoolTriggerChangedRule', history([]), engine, ignoresDeploys);
    assert.match(
      detailOf(onShapes),
      new RegExp(`misses inferred UpdateUserPool of ${POOL_ID} by CloudFormation`),
    );
  });

  it("is not checked, never ok, when the engine gives no answer (moto's TestEventPattern is a stub)", async (t) => {
    if (!stack) {
      skipBecause(t, missingToolNotice(TOOLS.sam));
      return;
    }
    const silent: PatternEngine = {
      matches: async () => ({ reason: { code: 'not-reported', field: 'Result' } }),
    };
    const result = await check('AuthEventsRule', history(RECENT), silent);
    assert.deepEqual(result, {
      check: 'rule AuthEventsRule on recent events',
      status: 'not-checked',
      reason: { code: 'not-reported', field: 'Result' },
    });
  });
});

describe('doctor on a stack deployed with Integrity=disabled', () => {
  it("covers the lake's function and streams too when Lake=enabled: ok on inferred shapes of every one", async (t) => {
    const engine = eventRuler(t);
    if (!engine) return;
    const withLake = stackWith({ Lake: 'enabled' }) as DeclaredStack;
    assert.ok(withLake.physicalIds.LakeFunction && withLake.physicalIds.LakeAuthEventsStream);
    const lakeRules = declaredRules(withLake) as DeclaredRule[];
    const functions = lakeRules.find((r) => r.logicalId === 'TrailFunctionsChangedRule') as DeclaredRule;
    const result = await checkRuleEvents(
      functions,
      ruleKindOf(withLake, functions.logicalId, POOL_ID),
      new RecentEvents(history([]), () => NOW),
      engine,
    );
    assert.equal(result.status, 'ok', JSON.stringify(result));
  });

  it('has the four rules of the stack without the trail, each one it knows, and no integrity part', (t) => {
    const plain = stackWith({ Integrity: 'disabled' });
    if (!plain) {
      skipBecause(t, missingToolNotice(TOOLS.sam));
      return;
    }
    const found = declaredRules(plain);
    assert.ok(Array.isArray(found), JSON.stringify(found));
    assert.deepEqual(found.map((r) => r.logicalId).sort(), [
      'AuthEventsRule',
      'AuthEventsTableProtectionChangedRule',
      'ErasureRoleAssumedRule',
      'TableProtectionChangedRule',
    ]);
    for (const r of found) assert.ok(ruleKindOf(plain, r.logicalId, POOL_ID), r.logicalId);
    assert.deepEqual(integrityTargetOf(plain), { reason: { code: 'not-deployed', part: 'Integrity' } });
  });
});
