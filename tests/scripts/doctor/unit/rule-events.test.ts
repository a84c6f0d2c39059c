/**
 * doctor's decisions about a rule's pattern and the account's events, in process. CloudTrail's LookupEvents exists
 * in no engine we can run (moto answers NotImplementedError), so its pager is tested against aws-sdk-client-mock,
 * which records every call; the pattern engine is a fake here that answers from the expectation itself or against
 * it (AWS's own engine judges the real patterns in ../integration/doctor-rules.test.ts).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { loadTemplate, PROJECT_ROOT, resolveConditions } from '../../../../dev/build/template.ts';
import { protectionOf, TEMPLATE_TABLE_PROTECTION } from '../../../../scripts/account/table-protection.ts';
import { LOGICAL_ID } from '../../../../scripts/core/stack.ts';
import { expectationOf } from '../../../../scripts/doctor/checks.ts';
import { protectionExpectation } from '../../../../scripts/doctor/expectations.ts';
import {
  chooseCases,
  cloudTrailHistory,
  judgePattern,
  lookupsFor,
  type PatternEngine,
  type RuleKind,
  sampleCases,
} from '../../../../scripts/doctor/rule-events.ts';
import {
  type CloudTrailRecord,
  INFERRED_DIR,
  INFERRED_SERVICES,
} from '../../../../scripts/doctor/samples.ts';

const TABLE = 'lh-LoginHistoryTable-1A2B3C4D5E6F7';
const expectation = protectionExpectation(TABLE);
const record = (
  eventName: string,
  i: number,
  requestParameters: Record<string, unknown>,
): CloudTrailRecord => ({
  eventSource: 'dynamodb.amazonaws.com',
  eventType: 'AwsApiCall',
  eventName,
  eventID: `e-${i}`,
  eventTime: `2026-11-26T09:${String(i).padStart(2, '0')}:00Z`,
  awsRegion: 'eu-west-1',
  recipientAccountId: '123456789012',
  requestParameters,
});

/** A stand-in for EventBridge's engine that answers as the expectation does, except for the names given. */
function engine(wrongOn: (name: string) => boolean = () => false): PatternEngine & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    async matches(_pattern, events) {
      seen.push(...Object.keys(events));
      return {
        matched: Object.fromEntries(
          Object.entries(events).map(([name, event]) => [name, expectation(event.detail) !== wrongOn(name)]),
        ),
      };
    },
  };
}

describe('which recent events doctor tests', () => {
  it('takes a few of each event name, those the rule is for first, newest first', () => {
    const records = [
      ...Array.from({ length: 10 }, (_, i) => record('DeleteTable', i, { tableName: TABLE })),
      ...Array.from({ length: 30 }, (_, i) => record('UpdateTable', 10 + i, { tableName: 'another-table' })),
      record('UpdateTimeToLive', 50, { tableName: TABLE }),
    ];
    const cases = chooseCases(records, expectation);
    assert.deepEqual(
      cases.map((c) => [c.record.eventName, c.expected]),
      [
        ['UpdateTimeToLive', true],
        ['DeleteTable', true],
        ['DeleteTable', true],
        ['DeleteTable', true],
        ['UpdateTable', false],
        ['UpdateTable', false],
        ['UpdateTable', false],
      ],
    );
    assert.equal(cases[1]?.record.eventID, 'e-9', 'the newest DeleteTable first');
  });
});

describe('judging a pattern', () => {
  const samples = sampleCases({
    kind: 'protection',
    table: TABLE,
    region: 'eu-west-1',
    account: '444455556666',
  });

  it('agrees when the engine delivers exactly what the rule is for', async () => {
    const verdict = await judgePattern(
      '{}',
      expectation,
      [record('DeleteTable', 1, { tableName: TABLE })],
      samples,
      engine(),
    );
    assert.deepEqual(verdict, { kind: 'agrees', tested: 1, expected: 1, source: 'recent events' });
  });

  it('names every event the engine misses or delivers against what the rule is for', async () => {
    const recent = [
      record('DeleteTable', 1, { tableName: TABLE }),
      record('UpdateTable', 2, { tableName: TABLE, deletionProtectionEnabled: true }),
    ];
    const verdict = await judgePattern(
      '{}',
      expectation,
      recent,
      samples,
      engine(() => true),
    );
    assert.equal(verdict.kind, 'disagrees');
    assert.deepEqual(verdict.kind === 'disagrees' && verdict.disagreements, [
      { name: 'DeleteTable e-1 (2026-11-26T09:01:00Z)', expected: true },
      { name: 'UpdateTable e-2 (2026-11-26T09:02:00Z)', expected: false },
    ]);
  });

  it("tests AWS's documented samples when no recent event is one the rule is for", async () => {
    const fake = engine();
    const verdict = await judgePattern(
      '{}',
      expectation,
      [record('UpdateTable', 3, { tableName: 'x' })],
      samples,
      fake,
    );
    assert.deepEqual(verdict, { kind: 'agrees', tested: 3, expected: 2, source: 'documented samples' });
    assert.deepEqual(fake.seen, [
      "AWS's UpdateTable sample (a capacity change)",
      "AWS's UpdateTable sample turning deletion protection off",
      "AWS's DeleteTable sample",
    ]);
  });

  it('is not checked when there is neither an event nor a sample, or the engine gives no answer', async () => {
    assert.deepEqual(await judgePattern('{}', expectation, [], [], engine()), {
      kind: 'unknown',
      reason: { code: 'no-events', what: 'event this rule is for', hours: 24 },
    });
    const silent: PatternEngine = {
      matches: async () => ({ reason: { code: 'not-reported', field: 'Result' } }),
    };
    assert.deepEqual(await judgePattern('{}', expectation, [], samples, silent), {
      kind: 'unknown',
      reason: { code: 'not-reported', field: 'Result' },
    });
  });

  it("makes AWS's samples this stack's: its table in place of AWS's Music, its account as the recipient", () => {
    const text = JSON.stringify(samples);
    assert.doesNotMatch(text, /"Music"/);
    assert.deepEqual(new Set(samples.map((s) => s.record.recipientAccountId)), new Set(['444455556666']));
    assert.equal(samples.filter((s) => JSON.stringify(s.record).includes(`"${TABLE}"`)).length, 3);
  });
});

describe("the trail rules' fallback: inferred shapes, one for every resource and every call", () => {
  const where = { region: 'eu-west-1', account: '444455556666' };
  const kinds: RuleKind[] = [
    { kind: 'pool-changed', userPoolId: 'eu-west-1_AbCdEf123', ...where },
    {
      kind: 'functions-changed',
      functionNames: ['lh-AuthenticatedFunction-1', 'lh-SealTrailFunction-2', 'lh-WatchdogFunction-3'],
      mappingIds: ['uuid-1', 'uuid-2'],
      ...where,
    },
    {
      kind: 'rules-changed',
      ruleNames: ['lh-AuthEventsRule-1', 'lh-TableProtectionChangedRule-2'],
      scheduleNames: ['SealTrailFunctionEvery', 'WatchdogFunctionEvery'],
      ...where,
    },
    {
      kind: 'trail-changed',
      key: { arn: 'arn:aws:kms:eu-west-1:444455556666:key/k-1', id: 'k-1' },
      bucket: 'lh-digestbucket-1',
      ...where,
    },
  ];

  for (const kind of kinds) {
    it(`${kind.kind}: every call looked up is a case, every resource is, and some must pass unannounced`, () => {
      const cases = sampleCases(kind);
      const expectation = expectationOf(kind);
      const text = JSON.stringify(cases);
      assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, 'names are unique');
      assert.ok(cases.every((c) => c.inferred === true));
      assert.doesNotMatch(text, /111122223333|us-west-2/, "the stack's account and region, not the file's");
      for (const { value } of lookupsFor(kind)) {
        assert.ok(
          cases.some((c) => c.record.eventName === value && expectation(c.record)),
          `${value} is a case the rule is for`,
        );
      }
      const resources =
        kind.kind === 'functions-changed'
          ? [...kind.functionNames, ...kind.mappingIds]
          : kind.kind === 'rules-changed'
            ? [...kind.ruleNames, ...kind.scheduleNames]
            : kind.kind === 'trail-changed'
              ? [kind.key.arn, kind.key.id, kind.bucket]
              : kind.kind === 'pool-changed'
                ? [kind.userPoolId]
                : [];
      for (const resource of resources) {
        assert.ok(
          cases.some(
            (c) =>
              expectation(c.record) && JSON.stringify(c.record.requestParameters).includes(`"${resource}`),
          ),
          `${resource} is named in a case the rule is for`,
        );
      }
      assert.ok(
        cases.some((c) => !expectation(c.record)),
        'a case the rule must let pass',
      );
    });
  }
});

describe('the inferred shapes are documented as inferred', () => {
  it('docs/first-deploy.md names their folder, every file and every call in them', () => {
    const docs = readFileSync(join(PROJECT_ROOT, 'docs', 'first-deploy.md'), 'utf8');
    assert.ok(docs.includes(INFERRED_DIR.slice(PROJECT_ROOT.length + 1)), 'the folder');
    assert.deepEqual(
      readdirSync(INFERRED_DIR).sort(),
      INFERRED_SERVICES.map((service) => `${service}.json`).sort(),
    );
    for (const service of INFERRED_SERVICES) {
      assert.ok(docs.includes(`\`${service}.json\``), `${service}.json`);
      const records = JSON.parse(readFileSync(join(INFERRED_DIR, `${service}.json`), 'utf8'));
      for (const [eventName, record] of Object.entries(records as Record<string, CloudTrailRecord>)) {
        assert.equal(record.eventName, eventName);
        assert.equal(record.eventSource, `${service}.amazonaws.com`);
        assert.ok(
          docs.includes(`\`${eventName}\``),
          `docs/first-deploy.md does not list the inferred ${eventName}`,
        );
      }
    }
  });
});

describe("CloudTrail's Event history, paged and paced", () => {
  it('asks with one lookup attribute per call, follows NextToken with the same parameters, two calls a second at most', async () => {
    const client = new CloudTrailClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const mock = mockClient(client);
    const page = (ids: string[], next?: string) => ({
      Events: ids.map((id) => ({ EventId: id, CloudTrailEvent: JSON.stringify({ eventID: id }) })),
      NextToken: next,
    });
    mock
      .on(LookupEventsCommand)
      .resolvesOnce(page(['a', 'b'], 't1'))
      .resolvesOnce(page(['c'], 't2'))
      .resolvesOnce(page(['d']));
    const waits: number[] = [];
    let clock = 0;
    const history = cloudTrailHistory(
      client,
      async (ms) => {
        waits.push(ms);
        clock += ms;
      },
      5,
      () => clock,
    );
    const start = new Date('2026-11-25T10:00:00Z');
    const end = new Date('2026-11-26T10:00:00Z');
    const records = await history.lookup({ key: 'EventName', value: 'DeleteTable' }, start, end);
    assert.deepEqual(
      records.map((r) => r.eventID),
      ['a', 'b', 'c', 'd'],
    );
    const inputs = mock.commandCalls(LookupEventsCommand).map((c) => c.args[0].input);
    assert.equal(inputs.length, 3);
    for (const input of inputs) {
      assert.deepEqual(input.LookupAttributes, [
        { AttributeKey: 'EventName', AttributeValue: 'DeleteTable' },
      ]);
      assert.deepEqual([input.StartTime, input.EndTime, input.MaxResults], [start, end, 50]);
    }
    assert.deepEqual(
      inputs.map((i) => i.NextToken),
      [undefined, 't1', 't2'],
    );
    assert.deepEqual(waits, [500, 500], 'a pause before every call but the first');
    mock.restore();
  });

  it('spaces out lookups made at the same time too: each call takes the next free half second', async () => {
    const client = new CloudTrailClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const mock = mockClient(client);
    let clock = 1_000;
    const calledAt: number[] = [];
    mock.on(LookupEventsCommand).callsFake(async () => {
      calledAt.push(clock);
      return { Events: [] };
    });
    const history = cloudTrailHistory(
      client,
      (ms) => {
        // Time passes for each sleeper on its own; the clock shows the latest wake-up.
        return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
          clock = Math.max(clock, 1_000 + ms);
        });
      },
      5,
      () => clock,
    );
    await Promise.all(
      ['DisableRule', 'DeleteRule', 'PutRule'].map((value) =>
        history.lookup({ key: 'EventName', value }, new Date(0), new Date()),
      ),
    );
    assert.deepEqual(
      calledAt.sort((a, b) => a - b),
      [1_000, 1_500, 2_000],
    );
    mock.restore();
  });

  it('reads at most five pages of one attribute', async () => {
    const client = new CloudTrailClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const mock = mockClient(client);
    mock.on(LookupEventsCommand).resolves({ Events: [], NextToken: 'more' });
    await cloudTrailHistory(client, async () => undefined).lookup(
      { key: 'EventSource', value: 's' },
      new Date(0),
      new Date(),
    );
    assert.equal(mock.commandCalls(LookupEventsCommand).length, 5);
    mock.restore();
  });
});

describe("doctor's yardsticks are template.yaml's", () => {
  const template = loadTemplate();

  it('expects of tables named without their stack what the template declares for both', () => {
    for (const id of [LOGICAL_ID.historyTable, LOGICAL_ID.authEventsTable]) {
      const { resourcePolicy: _, ...declared } = protectionOf(
        resolveConditions(template, { AuthEvents: 'enabled' })(template.Resources[id].Properties) as Record<
          string,
          any
        >,
      );
      assert.deepEqual(declared, TEMPLATE_TABLE_PROTECTION, id);
    }
  });
});
