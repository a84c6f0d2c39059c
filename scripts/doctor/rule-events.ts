/**
 * Does each rule's pattern match the account's own events? The last 24 hours of CloudTrail's Event history
 * (LookupEvents: one lookup attribute per call, at most two calls a second, 50 events a page) tested with
 * EventBridge's own engine (TestEventPattern), against what the rule is for (expectations.ts). With no recent
 * event of the kind a rule is for, AWS's documented sample records are tested instead (samples.ts).
 * Both services are behind small interfaces so that the decision logic can be tested with other engines.
 */
import {
  type CloudTrailClient,
  type LookupAttributeKey,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import { type EventBridgeClient, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { type CommandReason, reasonOf } from '../core/reason.ts';
import type { Expectation } from './expectations.ts';
import {
  type CloudTrailRecord,
  cognitoSampleAs,
  documentedSamples,
  dynamoDbSampleAs,
  inEventBridgeEnvelope,
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

/** CloudTrail LookupEvents, paged, paced to its two requests a second, each call with its own time budget. */
export function cloudTrailHistory(
  client: CloudTrailClient,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  maxPages = MAX_PAGES,
): EventHistory {
  let last = 0;
  return {
    async lookup(attribute, start, end) {
      const records: CloudTrailRecord[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < maxPages; page++) {
        const wait = last + LOOKUP_INTERVAL_MS - Date.now();
        if (wait > 0) await sleep(wait);
        last = Date.now();
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
  | { kind: 'role-assumed'; roleArn: string };

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

/** The lookups that find a rule's events (the sign-in rule names 17 events: one lookup by source is fewer calls). */
export function lookupsFor(kind: RuleKind): LookupAttribute[] {
  switch (kind.kind) {
    case 'sign-in':
      return [{ key: 'EventSource', value: 'cognito-idp.amazonaws.com' }];
    case 'protection':
      return PROTECTION_EVENT_NAMES.map((value) => ({ key: 'EventName', value }));
    case 'role-assumed':
      return [{ key: 'EventName', value: 'AssumeRole' }];
  }
}

/**
 * AWS's documented records, made this stack's (its pool, client, table, region and account in place of AWS's
 * example ones), that a rule of this kind must and must not deliver.
 */
export function sampleCases(kind: RuleKind): { name: string; record: CloudTrailRecord }[] {
  return sampleRecords(kind).map(({ name, record }) => ({
    name,
    record: 'account' in kind ? { ...record, recipientAccountId: kind.account } : record,
  }));
}

function sampleRecords(kind: RuleKind): { name: string; record: CloudTrailRecord }[] {
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
  }
}

/** One event the engine and the expectation disagree on. */
export interface Disagreement {
  name: string;
  expected: boolean;
}

export type PatternVerdict =
  | { kind: 'agrees'; tested: number; expected: number; source: 'recent events' | 'documented samples' }
  | {
      kind: 'disagrees';
      tested: number;
      disagreements: Disagreement[];
      source: 'recent events' | 'documented samples';
    }
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

/** Tests one rule's pattern: recent events when the account has some the rule is for, else AWS's samples. */
export async function judgePattern(
  pattern: string,
  expectation: Expectation,
  recent: CloudTrailRecord[],
  samples: { name: string; record: CloudTrailRecord }[],
  engine: PatternEngine,
): Promise<PatternVerdict> {
  let cases = chooseCases(recent, expectation);
  let source: 'recent events' | 'documented samples' = 'recent events';
  if (!cases.some((c) => c.expected)) {
    if (samples.length === 0) {
      return {
        kind: 'unknown',
        reason: { code: 'no-events', what: 'event this rule is for', hours: LOOKBACK_HOURS },
      };
    }
    cases = samples.map(({ name, record }) => ({ name, record, expected: expectation(record) }));
    source = 'documented samples';
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
