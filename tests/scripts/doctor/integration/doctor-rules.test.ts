/**
 * doctor's "every rule's pattern matches the account's own events", with AWS's open-source engine (event-ruler)
 * standing in for EventBridge's TestEventPattern (moto's is a stub that answers nothing) and a fake Event history
 * serving the CloudTrail corpus (moto has no LookupEvents). The rules are template.yaml's, resolved as the stack
 * declares them. Skipped without Java; CI (REQUIRE_TOOLCHAIN=1) fails instead.
 */
import assert from 'node:assert/strict';
import { before, describe, it, type TestContext } from 'node:test';
import { ensureEventRuler, matchEvents } from '../../../../dev/build/event-ruler.ts';
import { loadTemplate } from '../../../../dev/build/template.ts';
import { declaredStack } from '../../../../scripts/core/stack-template.ts';
import {
  checkRuleEvents,
  type DeclaredRule,
  declaredRules,
  RecentEvents,
  ruleKindOf,
} from '../../../../scripts/doctor/checks.ts';
import type { EventHistory, LookupAttribute, PatternEngine } from '../../../../scripts/doctor/rule-events.ts';
import type { CloudTrailRecord } from '../../../../scripts/doctor/samples.ts';
import { APP_CLIENT_ID, loadCorpus, POOL_ARN, POOL_ID } from '../../../helpers/cloudtrail-corpus.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const REGION = 'ap-northeast-1';
const ACCOUNT = '123456789012';
const NOW = new Date('2026-11-26T12:00:00Z');
const physical = (id: string) => `lh-${id}-1A2B3C4D5E6F7`;
const stack = declaredStack({
  stackName: 'lh',
  stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/lh/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`,
  template: loadTemplate(),
  parameters: {
    CognitoUserPoolArn: POOL_ARN,
    AuthEvents: 'enabled',
    AuthEventsClientIds: APP_CLIENT_ID,
    AlarmEmail: 'security@example.com',
  },
  physicalIds: Object.fromEntries(
    [
      'LoginHistoryTable',
      'AuthEventsTable',
      'ErasureRole',
      'AuthEventsRule',
      'TableProtectionChangedRule',
      'AuthEventsTableProtectionChangedRule',
      'ErasureRoleAssumedRule',
    ].map((id) => [id, physical(id)]),
  ),
});
const rules = declaredRules(stack) as DeclaredRule[];
const rule = (id: string) => rules.find((r) => r.logicalId === id) as DeclaredRule;

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
const erasureRole = `arn:aws:iam::${ACCOUNT}:role/${physical('ErasureRole')}`;
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
  sts(erasureRole, 's-1'),
  sts(`arn:aws:iam::${ACCOUNT}:role/SomeOtherRole`, 's-2'),
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
  if (!classpath) {
    skipBecause(t, `AWS event-ruler is not available: ${problem}`);
    return undefined;
  }
  const path = classpath;
  return {
    async matches(pattern, events) {
      const results = matchEvents(path, JSON.parse(pattern), events);
      for (const [name, r] of Object.entries(results)) assert.equal(r.machine, r.matchesRule, name);
      return { matched: Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r.machine])) };
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

describe("doctor: every rule's pattern on the account's own events, judged by AWS's engine", () => {
  for (const id of [
    'AuthEventsRule',
    'TableProtectionChangedRule',
    'AuthEventsTableProtectionChangedRule',
    'ErasureRoleAssumedRule',
  ]) {
    it(`${id}: ok on recent events`, async (t) => {
      const engine = eventRuler(t);
      if (!engine) return;
      const result = await check(id, history(RECENT), engine);
      assert.equal(result.status, 'ok', JSON.stringify(result));
      assert.match(
        result.status === 'ok' ? result.detail : '',
        /agrees on \d+ recent events, [1-9]\d* of them ones the rule is for/,
      );
    });
  }

  it('looks events up one attribute per call: the sign-in source, the eight protection calls, AssumeRole', async (t) => {
    const engine = eventRuler(t);
    if (!engine) return;
    const events = history(RECENT);
    const recent = new RecentEvents(events, () => NOW);
    for (const r of rules) await checkRuleEvents(r, ruleKindOf(stack, r.logicalId, POOL_ID), recent, engine);
    assert.deepEqual(
      events.asked.map((a) => `${a.key}=${a.value}`),
      [
        'EventName=AssumeRole',
        'EventName=UpdateTable',
        'EventName=UpdateContinuousBackups',
        'EventName=UpdateTimeToLive',
        'EventName=DeleteTable',
        'EventName=PutResourcePolicy',
        'EventName=DeleteResourcePolicy',
        'EventName=RestoreTableToPointInTime',
        'EventName=ExportTableToPointInTime',
        'EventSource=cognito-idp.amazonaws.com',
      ].sort(
        (a, b) =>
          events.asked.findIndex((x) => `${x.key}=${x.value}` === a) -
          events.asked.findIndex((x) => `${x.key}=${x.value}` === b),
      ),
      'each attribute once, however many rules need it',
    );
    assert.equal(new Set(events.asked.map((a) => `${a.key}=${a.value}`)).size, events.asked.length);
  });

  it("tests AWS's documented samples when the account has no such event, and says so", async (t) => {
    const engine = eventRuler(t);
    if (!engine) return;
    for (const id of ['AuthEventsRule', 'TableProtectionChangedRule']) {
      const result = await check(id, history([]), engine);
      assert.equal(result.status, 'ok', JSON.stringify(result));
      assert.match(result.status === 'ok' ? result.detail : '', /documented samples/);
    }
    const erasure = await check('ErasureRoleAssumedRule', history([]), engine);
    assert.deepEqual(erasure, {
      check: 'rule ErasureRoleAssumedRule on recent events',
      status: 'not-checked',
      reason: { code: 'no-events', what: 'event this rule is for', hours: 24 },
    });
  });

  it('FAILs, naming the event, on the defect it exists for: a sign-in rule without the client_id branch misses managed login shaped like Login_GET', async (t) => {
    const engine = eventRuler(t);
    if (!engine) return;
    const broken = structuredClone(rule('AuthEventsRule'));
    const detail = (broken.pattern as any).detail;
    detail.$or = detail.$or.filter((branch: any) => !branch.additionalEventData?.requestParameters);
    const loginGetShaped = corpus.find((r) => r.eventID === '7e2f4a61-3f40-4a5b-8c6d-000000000102');
    assert.equal(loginGetShaped?.eventName, 'login_POST');
    const result = await check('AuthEventsRule', history(corpus), engine, broken);
    assert.equal(result.status, 'fail', JSON.stringify(result));
    assert.match(
      result.status === 'fail' ? result.problem : '',
      /misses login_POST 7e2f4a61-3f40-4a5b-8c6d-000000000102/,
    );
    // And on AWS's samples alone (no recent event): Login_GET's shape as a credential submission.
    const onSamples = await check('AuthEventsRule', history([]), engine, broken);
    assert.match(
      onSamples.status === 'fail' ? onSamples.problem : '',
      /misses AWS's Login_GET sample as login_POST/,
    );
  });

  it("is not checked, never ok, when the engine gives no answer (moto's TestEventPattern is a stub)", async () => {
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
