/**
 * The tables' protection rules, read from template.yaml and resolved with real-looking names, evaluated by AWS's
 * own pattern engine (event-ruler) on CloudTrail records shaped like AWS's: the DynamoDB developer guide's
 * UpdateTable and DeleteTable samples (scripts/doctor/samples/, verbatim but for the table name), and, for the
 * calls AWS publishes no sample of, the same record with the request members of the API reference in lower camel
 * case (inferred, as every documented sample names them). Each case is also checked against doctor's statement of
 * what the rule is for (scripts/doctor/expectations.ts), so the pattern and doctor cannot drift apart.
 * Without Java the test skips with the reason; CI sets REQUIRE_TOOLCHAIN=1 and then it fails instead.
 */
import assert from 'node:assert/strict';
import { before, describe, it, type TestContext } from 'node:test';
import { ensureEventRuler, type MatchResult, matchEvents } from '../../../dev/build/event-ruler.ts';
import { loadTemplate } from '../../../dev/build/template.ts';
import { declaredStack } from '../../../scripts/core/stack-template.ts';
import { protectionExpectation } from '../../../scripts/doctor/expectations.ts';
import {
  type CloudTrailRecord,
  documentedSamples,
  dynamoDbSampleAs,
  inEventBridgeEnvelope,
} from '../../../scripts/doctor/samples.ts';
import { skipBecause } from '../../helpers/skip.ts';

const REGION = 'ap-northeast-1';
const ACCOUNT = '123456789012';
const STACK = 'cognito-login-history';
const TABLES = {
  TableProtectionChangedRule: `${STACK}-LoginHistoryTable-1A2B3C4D5E6F7`,
  AuthEventsTableProtectionChangedRule: `${STACK}-AuthEventsTable-7F6E5D4C3B2A1`,
} as const;
type RuleId = keyof typeof TABLES;
const arnOf = (table: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}`;

const template = loadTemplate();
const stack = declaredStack({
  stackName: STACK,
  stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`,
  template,
  parameters: {
    CognitoUserPoolArn: `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_AbCdEf123`,
    AuthEvents: 'enabled',
    AuthEventsClientIds: '1example23456789abcdefghij',
    AlarmEmail: 'security@example.com',
  },
  physicalIds: {
    LoginHistoryTable: TABLES.TableProtectionChangedRule,
    AuthEventsTable: TABLES.AuthEventsTableProtectionChangedRule,
  },
});
const patternOf = (ruleId: RuleId) =>
  stack.resolved(template.Resources[ruleId].Properties.EventPattern) as Record<string, unknown>;

const samples = documentedSamples('dynamodb');
const updateTable = samples.UpdateTable as CloudTrailRecord;
const deleteTable = samples.DeleteTable as CloudTrailRecord;

/** AWS's UpdateTable sample for `table` with these request parameters (AWS's own has none naming the table). */
function updateTableSample(table: string, requestParameters: Record<string, unknown>): CloudTrailRecord {
  const record = dynamoDbSampleAs(updateTable, { tableName: table, region: REGION });
  return { ...record, requestParameters };
}

/** An API call AWS publishes no sample of, in the documented record's shape (inferred). */
function inferredCall(
  eventName: string,
  requestParameters: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): CloudTrailRecord {
  const { responseElements: _, ...record } = dynamoDbSampleAs(updateTable, {
    tableName: 'x',
    region: REGION,
  });
  return { ...record, eventName, requestParameters, responseElements: null, ...extra };
}

/** Every case for one table, with whether that table's rule must deliver it. */
function cases(table: string): Record<string, { record: CloudTrailRecord; delivered: boolean }> {
  const arn = arnOf(table);
  const list: [string, CloudTrailRecord, boolean][] = [
    [
      "AWS's UpdateTable sample as AWS prints it (a capacity change)",
      dynamoDbSampleAs(updateTable, { tableName: table, region: REGION }),
      false,
    ],
    [
      "AWS's UpdateTable sample turning deletion protection off (named only in the response)",
      updateTableSample(table, { deletionProtectionEnabled: false }),
      true,
    ],
    [
      "AWS's UpdateTable sample turning the stream off (named only in the response)",
      updateTableSample(table, { streamSpecification: { streamEnabled: false } }),
      true,
    ],
    [
      'UpdateTable, deletion protection off, by name',
      updateTableSample(table, { tableName: table, deletionProtectionEnabled: false }),
      true,
    ],
    [
      'UpdateTable, deletion protection off, by ARN',
      updateTableSample(table, { tableName: arn, deletionProtectionEnabled: false }),
      true,
    ],
    [
      'UpdateTable, deletion protection on',
      updateTableSample(table, { tableName: table, deletionProtectionEnabled: true }),
      false,
    ],
    [
      'UpdateTable, stream off, by ARN',
      updateTableSample(table, { tableName: arn, streamSpecification: { streamEnabled: false } }),
      true,
    ],
    [
      'UpdateTable, stream on',
      updateTableSample(table, {
        tableName: table,
        streamSpecification: { streamEnabled: true, streamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
      false,
    ],
    [
      'UpdateTable, a new index',
      updateTableSample(table, {
        tableName: table,
        globalSecondaryIndexUpdates: [{ create: { indexName: 'byX' } }],
      }),
      false,
    ],
    ["AWS's DeleteTable sample", dynamoDbSampleAs(deleteTable, { tableName: table, region: REGION }), true],
    ['DeleteTable by ARN', inferredCall('DeleteTable', { tableName: arn }), true],
    [
      'UpdateContinuousBackups, PITR off',
      inferredCall('UpdateContinuousBackups', {
        tableName: table,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      }),
      true,
    ],
    [
      'UpdateContinuousBackups, PITR kept on with a 1-day window',
      inferredCall('UpdateContinuousBackups', {
        tableName: table,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 1 },
      }),
      true,
    ],
    [
      'UpdateContinuousBackups, a 34-day window, by ARN',
      inferredCall('UpdateContinuousBackups', {
        tableName: arn,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 34 },
      }),
      true,
    ],
    [
      'UpdateContinuousBackups, PITR on for 35 days',
      inferredCall('UpdateContinuousBackups', {
        tableName: table,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
      }),
      false,
    ],
    [
      'UpdateContinuousBackups, PITR on (35 days by default)',
      inferredCall('UpdateContinuousBackups', {
        tableName: table,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      }),
      false,
    ],
    [
      'UpdateTimeToLive, TTL off',
      inferredCall('UpdateTimeToLive', {
        tableName: table,
        timeToLiveSpecification: { enabled: false, attributeName: 'expiresAt' },
      }),
      true,
    ],
    [
      'UpdateTimeToLive on another attribute, by ARN',
      inferredCall('UpdateTimeToLive', {
        tableName: arn,
        timeToLiveSpecification: { enabled: true, attributeName: 'signedInAt' },
      }),
      true,
    ],
    [
      'PutResourcePolicy',
      inferredCall('PutResourcePolicy', {
        resourceArn: arn,
        policy: '{"Version":"2012-10-17","Statement":[]}',
      }),
      true,
    ],
    ['DeleteResourcePolicy', inferredCall('DeleteResourcePolicy', { resourceArn: arn }), true],
    [
      'DeleteResourcePolicy refused (AccessDenied): the attempt is announced too',
      inferredCall(
        'DeleteResourcePolicy',
        { resourceArn: arn },
        { errorCode: 'AccessDeniedException', errorMessage: 'denied' },
      ),
      true,
    ],
    [
      "PutResourcePolicy on the table's stream (not the table)",
      inferredCall('PutResourcePolicy', {
        resourceArn: `${arn}/stream/2026-11-26T09:16:01.000`,
        policy: '{}',
      }),
      false,
    ],
    [
      'RestoreTableToPointInTime from the table, by ARN',
      inferredCall('RestoreTableToPointInTime', { sourceTableArn: arn, targetTableName: 'restored-copy' }),
      true,
    ],
    [
      'RestoreTableToPointInTime from the table, by name',
      inferredCall('RestoreTableToPointInTime', { sourceTableName: table, targetTableName: 'restored-copy' }),
      true,
    ],
    [
      'RestoreTableToPointInTime from another table',
      inferredCall('RestoreTableToPointInTime', {
        sourceTableName: 'some-other-table',
        targetTableName: `${table}-copy`,
      }),
      false,
    ],
    [
      'ExportTableToPointInTime',
      inferredCall('ExportTableToPointInTime', {
        tableArn: arn,
        s3Bucket: 'exports-bucket',
        exportFormat: 'DYNAMODB_JSON',
      }),
      true,
    ],
    [
      'GetResourcePolicy (reading is no change)',
      inferredCall('GetResourcePolicy', { resourceArn: arn }, { readOnly: true }),
      false,
    ],
    [
      'TagResource',
      inferredCall('TagResource', { resourceArn: arn, tags: [{ key: 'k', value: 'v' }] }),
      false,
    ],
    [
      "DeleteTable of another stack's table of the same logical id",
      inferredCall('DeleteTable', { tableName: table.replace(STACK, 'other-stack') }),
      false,
    ],
    [
      'DeleteTable of a table whose name starts alike',
      inferredCall('DeleteTable', { tableName: `${table}-copy` }),
      false,
    ],
    [
      'PutResourcePolicy on a table whose ARN starts alike',
      inferredCall('PutResourcePolicy', { resourceArn: `${arn}2`, policy: '{}' }),
      false,
    ],
  ];
  return Object.fromEntries(list.map(([name, record, delivered]) => [name, { record, delivered }]));
}

let engine: { classpath: string } | undefined;
let problem: string | undefined;
before(() => {
  const provisioned = ensureEventRuler();
  if (provisioned.ok) engine = provisioned;
  else problem = provisioned.problem;
});

function evaluate(t: TestContext, ruleId: RuleId, table: string): Record<string, MatchResult> | undefined {
  if (!engine) {
    skipBecause(t, `AWS event-ruler is not available: ${problem}`);
    return undefined;
  }
  const events = Object.fromEntries(
    Object.entries(cases(table)).map(([name, { record }], i) => [
      name,
      inEventBridgeEnvelope(record, `9d8c7b6a-5f4e-4d3c-8b2a-${String(i).padStart(12, '0')}`),
    ]),
  );
  return matchEvents(engine.classpath, patternOf(ruleId), events);
}

describe("the tables' protection rules, evaluated by AWS event-ruler", () => {
  it('resolve for both tables with AuthEvents enabled', () => {
    assert.equal(stack.conditions.RecordAuthEvents, true);
    for (const ruleId of Object.keys(TABLES) as RuleId[]) {
      assert.match(JSON.stringify(patternOf(ruleId)), new RegExp(`"suffix":"${TABLES[ruleId]}"`));
    }
  });

  for (const [ruleId, table] of Object.entries(TABLES) as [RuleId, string][]) {
    it(`${ruleId} delivers exactly the protection changes and copies of ${table.split('-').at(-2)}`, (t) => {
      const results = evaluate(t, ruleId, table);
      if (!results) return;
      const expectation = protectionExpectation(table);
      for (const [name, { record, delivered }] of Object.entries(cases(table))) {
        assert.equal(results[name]?.machine, delivered, `Machine: ${name}`);
        assert.equal(results[name]?.matchesRule, delivered, `Ruler.matchesRule: ${name}`);
        assert.equal(expectation(record), delivered, `doctor's expectation: ${name}`);
      }
    });
  }

  it('delivers nothing about the other table: each rule watches its own', (t) => {
    const results = evaluate(t, 'TableProtectionChangedRule', TABLES.AuthEventsTableProtectionChangedRule);
    if (!results) return;
    assert.deepEqual(
      Object.entries(results)
        .filter(([, r]) => r.machine || r.matchesRule)
        .map(([name]) => name),
      [],
    );
  });
});
