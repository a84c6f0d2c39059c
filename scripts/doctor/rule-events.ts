/**
 * Does each rule's pattern match the account's own events? The last 24 hours of CloudTrail's Event history
 * (LookupEvents: one lookup attribute per call, at most two calls a second, 50 events a page) tested with
 * EventBridge's own engine (TestEventPattern), against what the rule is for (expectations.ts). With no recent
 * event of the kind a rule is for, AWS's documented sample records are tested instead, or, for the trail's rules
 * whose events AWS publishes no sample of, shapes inferred from them and named as such (samples.ts).
 * Both services are behind small interfaces so that the decision logic can be tested with other engines.
 */
import {
  type CloudTrailClient,
  type LookupAttributeKey,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import { type EventBridgeClient, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { type CommandReason, reasonOf } from '../core/reason.ts';
import {
  BUCKET_CHANGES,
  type Expectation,
  FUNCTION_CHANGES,
  KEY_CHANGES,
  MAPPING_CHANGES,
  POOL_CHANGES,
  RULE_CHANGES,
  SCHEDULE_CHANGES,
  TARGET_CHANGES,
  TRAIL_CHANGES,
} from './expectations.ts';
import {
  type CloudTrailRecord,
  cognitoSampleAs,
  documentedSamples,
  dynamoDbSampleAs,
  type InferredService,
  inEventBridgeEnvelope,
  inferredRecord,
} from './samples.ts';

/** The window doctor looks back over. */
export const LOOKBACK_HOURS = 24;
/** Pages read per lookup attribute (50 events each): enough to find every kind of event, bounded in time. */
export const MAX_PAGES = 5;
/** "The rate of lookup requests is limited to two per second, per account, per Region" (LookupEvents). */
const LOOKUP_INTERVAL_MS = 500;
const BUDGET_MS = 15_000;

export interface LookupAttribute {
  key: LookupAttributeKey;
  value: string;
}

/** CloudTrail's Event history: the records of one lookup attribute between two times, newest first. */
export interface EventHistory {
  lookup(attribute: LookupAttribute, start: Date, end: Date): Promise<CloudTrailRecord[]>;
}

/** EventBridge's matching: does `pattern` match `event` (an EventBridge event)? Or why that is not known. */
export interface PatternEngine {
  matches(
    pattern: string,
    events: Record<string, CloudTrailRecord>,
  ): Promise<{ matched: Record<string, boolean> } | { reason: CommandReason }>;
}

/**
 * CloudTrail LookupEvents, paged, paced to its two requests a second, each call with its own time budget. Every
 * call takes the next free slot before it waits, so lookups made at the same time are spaced out too.
 */
export function cloudTrailHistory(
  client: CloudTrailClient,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  maxPages = MAX_PAGES,
  clock: () => number = Date.now,
): EventHistory {
  let nextSlot = 0;
  const paced = async () => {
    const now = clock();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + LOOKUP_INTERVAL_MS;
    if (slot > now) await sleep(slot - now);
  };
  return {
    async lookup(attribute, start, end) {
      const records: CloudTrailRecord[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < maxPages; page++) {
        await paced();
        const answer = await client.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: attribute.key, AttributeValue: attribute.value }],
            StartTime: start,
            EndTime: end,
            MaxResults: 50,
            NextToken: nextToken,
          }),
          { abortSignal: AbortSignal.timeout(BUDGET_MS) },
        );
        for (const event of answer.Events ?? []) {
          try {
            if (event.CloudTrailEvent) records.push(JSON.parse(event.CloudTrailEvent) as CloudTrailRecord);
          } catch {
            // A record CloudTrail could not give as JSON is no evidence either way.
          }
        }
        nextToken = answer.NextToken;
        if (!nextToken) break;
      }
      return records;
    },
  };
}

/** EventBridge TestEventPattern, one call per event ("AWS's engine on the user's real events"). */
export function eventBridgeEngine(client: EventBridgeClient): PatternEngine {
  return {
    async matches(pattern, events) {
      const results: Record<string, boolean> = {};
      for (const [name, event] of Object.entries(events)) {
        try {
          const answer = await client.send(
            new TestEventPatternCommand({ EventPattern: pattern, Event: JSON.stringify(event) }),
            { abortSignal: AbortSignal.timeout(BUDGET_MS) },
          );
          // moto's TestEventPattern is a stub that answers nothing: no answer is no evidence.
          if (typeof answer.Result !== 'boolean')
            return { reason: { code: 'not-reported', field: 'Result' } };
          results[name] = answer.Result;
        } catch (error) {
          return { reason: reasonOf(error, BUDGET_MS) };
        }
      }
      return { matched: results };
    },
  };
}

/** What a rule is for and where its events are: the kinds doctor knows. */
export type RuleKind =
  | { kind: 'sign-in'; userPoolId: string; clientIds: string[]; region: string; account: string }
  | { kind: 'protection'; table: string; region: string; account: string }
  | { kind: 'role-assumed'; roleArns: string[] }
  | { kind: 'pool-changed'; userPoolId: string; region: string; account: string }
  | {
      kind: 'functions-changed';
      functionNames: string[];
      mappingIds: string[];
      region: string;
      account: string;
    }
  | { kind: 'rules-changed'; ruleNames: string[]; scheduleNames: string[]; region: string; account: string }
  | {
      kind: 'trail-changed';
      key: { arn: string; id: string };
      bucket: string;
      region: string;
      account: string;
    };

export const PROTECTION_EVENT_NAMES = [
  'UpdateTable',
  'UpdateContinuousBackups',
  'UpdateTimeToLive',
  'DeleteTable',
  'PutResourcePolicy',
  'DeleteResourcePolicy',
  'RestoreTableToPointInTime',
  'ExportTableToPointInTime',
];

const byName = (names: readonly string[]): LookupAttribute[] =>
  names.map((value) => ({ key: 'EventName', value }));

/**
 * The lookups that find a rule's events: by event name, each a rare write that one page holds (the sign-in rule
 * names 17 events: one lookup by source is fewer calls). Not by source for the trail's rules: the watchdog reads
 * the same services every few minutes (GetFunctionConfiguration, DescribeRule, GetTrailStatus), and those reads
 * would crowd the writes out of the pages read.
 */
export function lookupsFor(kind: RuleKind): LookupAttribute[] {
  switch (kind.kind) {
    case 'sign-in':
      return [{ key: 'EventSource', value: 'cognito-idp.amazonaws.com' }];
    case 'protection':
      return byName(PROTECTION_EVENT_NAMES);
    case 'role-assumed':
      return byName(['AssumeRole']);
    case 'pool-changed':
      return byName(POOL_CHANGES);
    case 'functions-changed':
      return byName([...FUNCTION_CHANGES, ...MAPPING_CHANGES]);
    case 'rules-changed':
      return byName([...RULE_CHANGES, ...TARGET_CHANGES, ...SCHEDULE_CHANGES]);
    case 'trail-changed':
      return byName([...TRAIL_CHANGES, ...KEY_CHANGES, ...BUCKET_CHANGES]);
  }
}

/** A fallback case: AWS's documented sample made this stack's, or an inferred shape (samples.ts). */
export interface SampleCase {
  name: string;
  record: CloudTrailRecord;
  inferred?: true;
}

/**
 * AWS's documented records, made this stack's (its pool, client, table, region and account in place of AWS's
 * example ones), that a rule of this kind must and must not deliver; for the trail's rules, whose events AWS
 * publishes no sample of, inferred shapes instead (samples.ts), one for every resource and every call the rule
 * watches, and the calls it must let pass: another resource's, a deploy's.
 */
export function sampleCases(kind: RuleKind): SampleCase[] {
  return sampleRecords(kind).map((sample) => ({
    ...sample,
    record: 'account' in kind ? { ...sample.record, recipientAccountId: kind.account } : sample.record,
  }));
}

/** A call as CloudFormation makes it for a deploy, with the deployer's credentials (`invokedBy`). */
function asCloudFormation(record: CloudTrailRecord): CloudTrailRecord {
  return {
    ...record,
    userIdentity: { ...record.userIdentity, invokedBy: 'cloudformation.amazonaws.com' },
    sourceIPAddress: 'cloudformation.amazonaws.com',
    userAgent: 'cloudformation.amazonaws.com',
  };
}

/**
 * Every call name paired with a resource, and every resource with a call, in turn: max(calls, resources) cases,
 * so that a pattern missing either one misses a case.
 */
function inTurn<T>(calls: readonly string[], resources: readonly T[]): [string, T, number][] {
  if (resources.length === 0) return [];
  return Array.from({ length: Math.max(calls.length, resources.length) }, (_, i) => [
    calls[i % calls.length] as string,
    resources[i % resources.length] as T,
    i,
  ]);
}

function inferredCases(
  kind: Exclude<RuleKind, { kind: 'sign-in' | 'protection' | 'role-assumed' }>,
): SampleCase[] {
  const where = { region: kind.region, account: kind.account };
  const cases: SampleCase[] = [];
  const add = (
    service: InferredService,
    eventName: string,
    what: string,
    requestParameters: Record<string, unknown>,
    by: 'a user' | 'CloudFormation' = 'a user',
  ) => {
    const record = inferredRecord(service, eventName, where);
    const asked = { ...record, requestParameters: { ...record.requestParameters, ...requestParameters } };
    cases.push({
      name: `inferred ${eventName} of ${what} by ${by}`,
      record: by === 'CloudFormation' ? asCloudFormation(asked) : asked,
      inferred: true,
    });
  };
  switch (kind.kind) {
    case 'pool-changed': {
      const pool = kind.userPoolId;
      for (const name of POOL_CHANGES) add('cognito-idp', name, pool, { userPoolId: pool });
      add('cognito-idp', 'UpdateUserPool', pool, { userPoolId: pool }, 'CloudFormation');
      const other = `${kind.region}_Other1234`;
      add('cognito-idp', 'UpdateUserPool', other, { userPoolId: other });
      break;
    }
    case 'functions-changed': {
      const arn = (name: string) => `arn:aws:lambda:${kind.region}:${kind.account}:function:${name}`;
      for (const [call, name, i] of inTurn(FUNCTION_CHANGES, kind.functionNames)) {
        const named = i % 2 === 0 ? name : arn(name);
        add('lambda', call, named, { functionName: named });
      }
      for (const [call, uuid] of inTurn(MAPPING_CHANGES, kind.mappingIds)) {
        add('lambda', call, `mapping ${uuid}`, { uUID: uuid });
      }
      const first = kind.functionNames[0];
      if (first) {
        add('lambda', 'UpdateFunctionCode20150331v2', first, { functionName: first }, 'CloudFormation');
        // Another function, whose name begins like the stack's (a name that ends like it would have to copy
        // its random tail).
        add('lambda', 'UpdateFunctionCode20150331v2', `${first}-copy`, { functionName: `${first}-copy` });
      }
      break;
    }
    case 'rules-changed': {
      for (const [call, name] of inTurn([...RULE_CHANGES, ...TARGET_CHANGES], kind.ruleNames)) {
        const member = (TARGET_CHANGES as readonly string[]).includes(call) ? 'rule' : 'name';
        add('events', call, name, { [member]: name });
      }
      for (const [call, name] of inTurn(SCHEDULE_CHANGES, kind.scheduleNames)) {
        add('scheduler', call, `schedule ${name}`, { name });
      }
      const first = kind.ruleNames[0];
      if (first) {
        add('events', 'PutRule', first, { name: first }, 'CloudFormation');
        add('events', 'DisableRule', `other-${first}`, { name: `other-${first}` });
      }
      break;
    }
    case 'trail-changed': {
      for (const call of TRAIL_CHANGES) add('cloudtrail', call, 'a trail', {});
      add('cloudtrail', 'StopLogging', 'a trail', {}, 'CloudFormation');
      for (const [call, keyId] of inTurn(KEY_CHANGES, [kind.key.arn, kind.key.id])) {
        add('kms', call, keyId, { keyId });
      }
      for (const call of BUCKET_CHANGES) add('s3', call, kind.bucket, { bucketName: kind.bucket });
      add('kms', 'PutKeyPolicy', kind.key.arn, { keyId: kind.key.arn }, 'CloudFormation');
      add('s3', 'PutBucketPolicy', kind.bucket, { bucketName: kind.bucket }, 'CloudFormation');
      const otherKey = `arn:aws:kms:${kind.region}:${kind.account}:key/00000000-0000-4000-8000-000000000000`;
      add('kms', 'PutKeyPolicy', otherKey, { keyId: otherKey });
      add('s3', 'PutBucketPolicy', `other-${kind.bucket}`, { bucketName: `other-${kind.bucket}` });
      break;
    }
  }
  return cases;
}

function sampleRecords(kind: RuleKind): SampleCase[] {
  switch (kind.kind) {
    case 'sign-in': {
      const cases: { name: string; record: CloudTrailRecord }[] = [];
      for (const [name, sample] of Object.entries(documentedSamples('cognito'))) {
        const ours = cognitoSampleAs(sample, {
          userPoolId: kind.userPoolId,
          clientId: kind.clientIds[0] ?? '',
          region: kind.region,
        });
        // Every sample is a page view, sign-up or token request: as such the rule must not deliver it; as a
        // credential submission in the same shape (Login_GET's has no pool id) it must.
        cases.push({ name: `AWS's ${name} sample`, record: ours });
        cases.push({
          name: `AWS's ${name} sample as login_POST`,
          record: { ...ours, eventName: 'login_POST' },
        });
      }
      return cases;
    }
    case 'protection': {
      const { UpdateTable, DeleteTable } = documentedSamples('dynamodb');
      const ours = { tableName: kind.table, region: kind.region };
      const update = dynamoDbSampleAs(UpdateTable as CloudTrailRecord, ours);
      return [
        { name: "AWS's UpdateTable sample (a capacity change)", record: update },
        {
          name: "AWS's UpdateTable sample turning deletion protection off",
          record: {
            ...update,
            requestParameters: { ...update.requestParameters, deletionProtectionEnabled: false },
          },
        },
        { name: "AWS's DeleteTable sample", record: dynamoDbSampleAs(DeleteTable as CloudTrailRecord, ours) },
      ];
    }
    case 'role-assumed':
      return [];
    default:
      return inferredCases(kind);
  }
}

/** One event the engine and the expectation disagree on. */
export interface Disagreement {
  name: string;
  expected: boolean;
}

/** What the events tested were: the account's own, AWS's samples, or shapes inferred from them. */
export type TestedEvents = 'recent events' | 'documented samples' | 'inferred shapes';

export type PatternVerdict =
  | { kind: 'agrees'; tested: number; expected: number; source: TestedEvents }
  | { kind: 'disagrees'; tested: number; disagreements: Disagreement[]; source: TestedEvents }
  | { kind: 'unknown'; reason: CommandReason };

/** Most events of each kind tested: the newest of each event name first, so one busy name cannot crowd out the rest. */
const PER_NAME = 3;
const MAX_MATCHING = 20;
const MAX_OTHER = 10;

/** The recent events worth testing: up to a few per event name, those the rule is for and a few it is not. */
export function chooseCases(
  records: CloudTrailRecord[],
  expectation: Expectation,
): { name: string; record: CloudTrailRecord; expected: boolean }[] {
  const chosen: { name: string; record: CloudTrailRecord; expected: boolean }[] = [];
  const perName = new Map<string, number>();
  const seen = new Set<string>();
  const sorted = [...records].sort((a, b) => String(b.eventTime).localeCompare(String(a.eventTime)));
  for (const wanted of [true, false]) {
    let taken = 0;
    for (const record of sorted) {
      const id = String(record.eventID);
      if (seen.has(id) || expectation(record) !== wanted) continue;
      const key = `${wanted}:${record.eventName}`;
      if ((perName.get(key) ?? 0) >= PER_NAME || taken >= (wanted ? MAX_MATCHING : MAX_OTHER)) continue;
      perName.set(key, (perName.get(key) ?? 0) + 1);
      seen.add(id);
      taken++;
      chosen.push({ name: `${record.eventName} ${id} (${record.eventTime})`, record, expected: wanted });
    }
  }
  return chosen;
}

/**
 * Tests one rule's pattern: recent events when the account has some the rule is for, else AWS's samples (or the
 * inferred shapes).
 */
export async function judgePattern(
  pattern: string,
  expectation: Expectation,
  recent: CloudTrailRecord[],
  samples: SampleCase[],
  engine: PatternEngine,
): Promise<PatternVerdict> {
  let cases = chooseCases(recent, expectation);
  let source: TestedEvents = 'recent events';
  if (!cases.some((c) => c.expected)) {
    if (samples.length === 0) {
      return {
        kind: 'unknown',
        reason: { code: 'no-events', what: 'event this rule is for', hours: LOOKBACK_HOURS },
      };
    }
    cases = samples.map(({ name, record }) => ({ name, record, expected: expectation(record) }));
    source = samples.every((s) => s.inferred) ? 'inferred shapes' : 'documented samples';
  }
  const events = Object.fromEntries(
    cases.map((c, i) => [c.name, inEventBridgeEnvelope(c.record, String(c.record.eventID ?? `sample-${i}`))]),
  );
  const answers = await engine.matches(pattern, events);
  if ('reason' in answers) return { kind: 'unknown', reason: answers.reason };
  const results = answers.matched;
  const disagreements = cases
    .filter((c) => results[c.name] !== c.expected)
    .map((c) => ({ name: c.name, expected: c.expected }));
  if (disagreements.length > 0) return { kind: 'disagrees', tested: cases.length, disagreements, source };
  return { kind: 'agrees', tested: cases.length, expected: cases.filter((c) => c.expected).length, source };
}
