/**
 * The comparison of a table's live protection with the stack's declaration, and the restoring steps whose failure
 * paths no engine produces on demand: DynamoDB's 15-second block after a policy update and a policy that refuses
 * the caller are AWS behaviours moto does not have, so those two use aws-sdk-client-mock (the happy paths run on
 * moto in tests/scripts/protect/integration/protect-moto.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { loadTemplate, resolveConditions } from '../../../../dev/build/template.ts';
import {
  canonicalPolicy,
  compare,
  type LiveProtection,
  POLICY_BLOCK_WAIT_MS,
  protectionOf,
  readLiveProtection,
  restore,
} from '../../../../scripts/account/table-protection.ts';

const POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'NoUpdates', Effect: 'Deny', Principal: '*', Action: ['dynamodb:UpdateItem'], Resource: '*' },
  ],
};
const DECLARED = {
  deletionProtection: true,
  pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 35 },
  timeToLive: { enabled: true, attributeName: 'expiresAt' },
  resourcePolicy: POLICY,
};
const ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/t';

function live(overrides: Partial<LiveProtection> = {}): LiveProtection {
  return {
    tableArn: ARN,
    deletionProtection: { value: true },
    pointInTimeRecovery: { value: { enabled: true, recoveryPeriodInDays: 35 } },
    timeToLive: { value: { status: 'ENABLED', attributeName: 'expiresAt' } },
    resourcePolicy: { value: { document: POLICY, revisionId: '1' } },
    ...overrides,
  };
}

const states = (comparisons: ReturnType<typeof compare>) =>
  Object.fromEntries(comparisons.map((c) => [c.setting, c.state]));

describe('what the template declares for a table', () => {
  it("reads both tables' declarations from template.yaml: deletion protection, PITR 35 days, TTL on expiresAt, a policy", () => {
    const template = loadTemplate();
    for (const id of ['LoginHistoryTable', 'AuthEventsTable']) {
      const properties = resolveConditions(template, { AuthEvents: 'enabled' })(
        template.Resources[id].Properties,
      ) as Record<string, any>;
      const declared = protectionOf(properties);
      assert.equal(declared.deletionProtection, true, id);
      assert.deepEqual(declared.pointInTimeRecovery, { enabled: true, recoveryPeriodInDays: 35 }, id);
      assert.deepEqual(declared.timeToLive, { enabled: true, attributeName: 'expiresAt' }, id);
      assert.ok((declared.resourcePolicy as any).Statement.length >= 3, id);
    }
    assert.equal(protectionOf({}).resourcePolicy, null, 'no ResourcePolicy declares none');
    assert.equal(protectionOf({}).deletionProtection, undefined, 'an undeclared setting is not compared');
  });
});

describe('compare', () => {
  it('finds nothing when every setting is as declared (a policy that differs only in form included)', () => {
    const reformatted = {
      Statement: [
        { Resource: '*', Action: 'dynamodb:UpdateItem', Principal: '*', Effect: 'Deny', Sid: 'NoUpdates' },
      ],
      Version: '2012-10-17',
    };
    const comparisons = compare(DECLARED, live({ resourcePolicy: { value: { document: reformatted } } }));
    assert.deepEqual(Object.values(states(comparisons)), ['same', 'same', 'same', 'same']);
    assert.equal(canonicalPolicy(reformatted), canonicalPolicy(POLICY));
  });

  it('tells each kind of difference', () => {
    const comparisons = compare(
      DECLARED,
      live({
        deletionProtection: { value: false },
        pointInTimeRecovery: { value: { enabled: true, recoveryPeriodInDays: 7 } },
        timeToLive: { value: { status: 'ENABLED', attributeName: 'signedInAt' } },
        resourcePolicy: { value: null },
      }),
    );
    assert.deepEqual(
      comparisons.map((c) => (c.state === 'different' ? [c.setting, c.live, c.declared] : c.state)),
      [
        ['deletion protection', 'off', 'on'],
        ['point-in-time recovery', 'on, 7 days', 'on, 35 days'],
        ['TTL', 'enabled on signedInAt', 'enabled on expiresAt'],
        ['resource policy', 'none', "the template's"],
      ],
    );
    const widened = { ...POLICY, Statement: [{ ...POLICY.Statement[0], Effect: 'Allow' }] };
    assert.equal(
      states(compare(DECLARED, live({ resourcePolicy: { value: { document: widened } } })))[
        'resource policy'
      ],
      'different',
    );
  });

  it('takes TTL on its way to the declared state as declared, and a PITR without a window as 35 days', () => {
    const comparisons = compare(
      DECLARED,
      live({
        timeToLive: { value: { status: 'ENABLING', attributeName: 'expiresAt' } },
        pointInTimeRecovery: { value: { enabled: true } },
      }),
    );
    assert.deepEqual(states(comparisons), {
      'deletion protection': 'same',
      'point-in-time recovery': 'same',
      TTL: 'same',
      'resource policy': 'same',
    });
    assert.equal(
      states(
        compare(
          DECLARED,
          live({ timeToLive: { value: { status: 'DISABLING', attributeName: 'expiresAt' } } }),
        ),
      ).TTL,
      'different',
    );
  });

  it('reports a setting that could not be read with its reason, never as the same', () => {
    const comparisons = compare(DECLARED, live({ resourcePolicy: { reason: { code: 'not-implemented' } } }));
    assert.deepEqual(comparisons.at(-1), {
      setting: 'resource policy',
      state: 'unknown',
      reason: { code: 'not-implemented' },
    });
  });
});

describe('readLiveProtection on an emulator without continuous backups (dynalite)', () => {
  it("does not take its TTL answer as the table's", async () => {
    // dynalite's DescribeTimeToLive answers DISABLED for every table, and it has no DescribeContinuousBackups.
    const ddb = new DynamoDBClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const mock = mockClient(ddb);
    mock.on(DescribeTableCommand).resolves({ Table: { TableArn: ARN } });
    mock
      .on(DescribeContinuousBackupsCommand)
      .rejects(Object.assign(new Error(''), { name: 'UnknownOperationException' }));
    mock.on(DescribeTimeToLiveCommand).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } });
    mock
      .on(GetResourcePolicyCommand)
      .rejects(Object.assign(new Error(''), { name: 'UnknownOperationException' }));
    const read = await readLiveProtection(ddb, 't');
    assert.deepEqual(read.timeToLive, {
      reason: { code: 'partial-emulator', missing: 'DescribeContinuousBackups', answer: 'TTL DISABLED' },
    });
    assert.deepEqual(read.deletionProtection, {
      reason: { code: 'not-reported', field: 'DeletionProtectionEnabled' },
    });
    assert.deepEqual(read.pointInTimeRecovery, { reason: { code: 'not-implemented' } });
    mock.restore();
  });
});

describe('restoring the resource policy', () => {
  const ddb = new DynamoDBClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const blocked = () =>
    Object.assign(new Error('policy update in progress'), { name: 'ResourceInUseException' });

  it('waits out the 15 seconds DynamoDB blocks a policy after an update, then puts it over the revision it read', async () => {
    const mock = mockClient(ddb);
    mock
      .on(PutResourcePolicyCommand)
      .rejectsOnce(blocked())
      .rejectsOnce(blocked())
      .resolves({ RevisionId: '3' });
    const waits: number[] = [];
    const outcome = await restore(
      ddb,
      't',
      DECLARED,
      live({ resourcePolicy: { value: { document: {}, revisionId: '2' } } }),
      'resource policy',
      async (ms) => {
        waits.push(ms);
      },
    );
    assert.deepEqual(outcome, { setting: 'resource policy', done: "put back as the template's" });
    assert.equal(waits.reduce((a, b) => a + b, 0) <= POLICY_BLOCK_WAIT_MS, true);
    const calls = mock.commandCalls(PutResourcePolicyCommand);
    assert.equal(calls.length, 3);
    assert.equal(calls[0]?.args[0].input.ExpectedRevisionId, '2');
    assert.deepEqual(JSON.parse(String(calls[0]?.args[0].input.Policy)), POLICY);
    mock.restore();
  });

  it('gives up after the block lasts longer than DynamoDB says it does', async () => {
    const mock = mockClient(ddb);
    mock.on(PutResourcePolicyCommand).rejects(blocked());
    const outcome = await restore(
      ddb,
      't',
      DECLARED,
      live({ resourcePolicy: { value: null } }),
      'resource policy',
      async () => undefined,
    );
    assert.equal('failed' in outcome && outcome.failed, 'ResourceInUseException: policy update in progress');
    assert.equal(
      mock.commandCalls(PutResourcePolicyCommand)[0]?.args[0].input.ExpectedRevisionId,
      'NO_POLICY',
    );
    mock.restore();
  });

  it("names the way out when the table's own policy refuses the caller: the root user deletes it", async () => {
    const mock = mockClient(ddb);
    mock.on(PutResourcePolicyCommand).rejects(
      Object.assign(new Error('explicit deny in a resource-based policy'), {
        name: 'AccessDeniedException',
      }),
    );
    const outcome = await restore(ddb, 't', DECLARED, live(), 'resource policy', async () => undefined);
    assert.match(
      'failed' in outcome ? outcome.failed : '',
      /root user can always delete it \(aws dynamodb delete-resource-policy/,
    );
    mock.restore();
  });
});
