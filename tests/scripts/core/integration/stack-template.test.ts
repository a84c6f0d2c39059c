/**
 * A deployed stack's declaration, resolved from the processed template CloudFormation holds: the real shape, made
 * by SAM's own transform (samtranslator, pinned with the SAM CLI) from template.yaml, with physical ids named as
 * CloudFormation names them. Skipped with a notice when the SAM CLI's venv is not provisioned.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { missingToolNotice, TOOLS } from '../../../../dev/build/toolchain.ts';
import { declaredStack, locationOfStackId } from '../../../../scripts/core/stack-template.ts';
import { processedTemplate } from '../../../helpers/processed-template.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const STACK_ID =
  'arn:aws:cloudformation:ap-northeast-1:123456789012:stack/lh/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
const PHYSICAL = Object.fromEntries(
  [
    'LoginHistoryTable',
    'AuthEventsTable',
    'LoginHistoryFunctionRole',
    'ReplayRole',
    'ErasureRole',
    'AuthEventsFunctionRole',
    'AuthenticatedFunction',
    'AuthEventsFunction',
    'AuthEventsRule',
    'TableProtectionChangedRule',
    'AuthEventsTableProtectionChangedRule',
    'ErasureRoleAssumedRule',
  ].map((id) => [id, `lh-${id}-ABCDEFGHJKMN`]),
);
PHYSICAL.AlarmTopic = 'arn:aws:sns:ap-northeast-1:123456789012:lh-AlarmTopic-ABCDEFGHJKMN';

function stackWith(t: TestContext, parameters: Record<string, string>) {
  const template = processedTemplate();
  if (!template) {
    skipBecause(t, missingToolNotice(TOOLS.sam));
    return undefined;
  }
  return declaredStack({
    stackName: 'lh',
    stackId: STACK_ID,
    template,
    parameters: {
      CognitoUserPoolArn: 'arn:aws:cognito-idp:ap-northeast-1:123456789012:userpool/ap-northeast-1_AbCdEf123',
      ...parameters,
    },
    physicalIds: PHYSICAL,
  });
}

describe("a stack's declaration from its processed template", () => {
  it('reads where the stack lives from its id', () => {
    assert.deepEqual(locationOfStackId(STACK_ID), {
      partition: 'aws',
      region: 'ap-northeast-1',
      account: '123456789012',
    });
    assert.throws(() => locationOfStackId('lh'), /not a CloudFormation stack id/);
  });

  it("resolves a table's resource policy to the roles' ARNs, as CloudFormation put it", (t) => {
    const stack = stackWith(t, {});
    if (!stack) return;
    const [history] = stack.resourcesOfType('AWS::DynamoDB::Table');
    assert.equal(history?.logicalId, 'LoginHistoryTable');
    const properties = history?.properties as Record<string, any>;
    assert.deepEqual(history?.unresolvable, {});
    const statement = (sid: string) =>
      properties.ResourcePolicy.PolicyDocument.Statement.find((s: { Sid: string }) => s.Sid === sid);
    assert.deepEqual(
      statement('OnlyTheWritersPut').Condition.ArnNotEquals['aws:PrincipalArn'],
      ['LoginHistoryFunctionRole', 'ReplayRole', 'ErasureRole'].map(
        (id) => `arn:aws:iam::123456789012:role/lh-${id}-ABCDEFGHJKMN`,
      ),
    );
    assert.deepEqual(properties.TimeToLiveSpecification, { AttributeName: 'expiresAt', Enabled: true });
    assert.deepEqual(
      properties.GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName),
      ['byDay'],
    );
  });

  it('holds only what the conditions created: the auth-events part with AuthEvents=enabled', (t) => {
    const without = stackWith(t, {});
    const withAuthEvents = stackWith(t, {
      AuthEvents: 'enabled',
      AuthEventsClientIds: 'c1,c2',
      DayIndex: 'disabled',
    });
    if (!without || !withAuthEvents) return;
    const rules = (stack: NonNullable<typeof without>) =>
      stack
        .resourcesOfType('AWS::Events::Rule')
        .map((r) => r.logicalId)
        .sort();
    assert.deepEqual(
      rules(without),
      ['ErasureRoleAssumedRule', 'TableProtectionChangedRule'].filter(
        (id) => id !== 'ErasureRoleAssumedRule',
      ),
    );
    assert.deepEqual(rules(withAuthEvents), [
      'AuthEventsRule',
      'AuthEventsTableProtectionChangedRule',
      'TableProtectionChangedRule',
    ]);
    const [history] = withAuthEvents.resourcesOfType('AWS::DynamoDB::Table');
    assert.equal(history?.properties.GlobalSecondaryIndexes, undefined, 'DayIndex=disabled: AWS::NoValue');
  });

  it("resolves the sign-in rule's pattern with the pool id cut from the ARN and the client ids as a list", (t) => {
    const stack = stackWith(t, {
      AuthEvents: 'enabled',
      AuthEventsClientIds: 'c1,c2',
      AlarmEmail: 'a@example.com',
    });
    if (!stack) return;
    const rule = stack.resourcesOfType('AWS::Events::Rule').find((r) => r.logicalId === 'AuthEventsRule');
    const pattern = rule?.properties.EventPattern;
    assert.deepEqual(pattern.detail.$or, [
      { requestParameters: { userPoolId: ['ap-northeast-1_AbCdEf123'] } },
      { requestParameters: { clientId: ['c1', 'c2'] } },
      { additionalEventData: { userPoolId: ['ap-northeast-1_AbCdEf123'] } },
      { additionalEventData: { requestParameters: { client_id: ['c1', 'c2'] } } },
    ]);
    const erasure = stack
      .resourcesOfType('AWS::Events::Rule')
      .find((r) => r.logicalId === 'ErasureRoleAssumedRule');
    assert.deepEqual(erasure?.properties.EventPattern.detail.requestParameters.roleArn, [
      'arn:aws:iam::123456789012:role/lh-ErasureRole-ABCDEFGHJKMN',
      'arn:aws:iam::123456789012:role/lh-ReplayRole-ABCDEFGHJKMN',
    ]);
    assert.equal(
      erasure?.properties.Description,
      'Someone assumed the erasure or the replay role of stack lh (npm run erase, npm run replay).',
    );
  });

  it('says which resource it cannot resolve rather than guessing', (t) => {
    const stack = stackWith(t, { AuthEvents: 'enabled', AuthEventsClientIds: 'c1' });
    if (!stack) return;
    // The test named no physical id for the log group: that property alone is unresolvable, the rest resolves.
    const fn = stack
      .resourcesOfType('AWS::Lambda::Function')
      .find((r) => r.logicalId === 'AuthEventsFunction');
    assert.deepEqual(Object.keys(fn?.unresolvable ?? {}), ['LoggingConfig']);
    assert.match(String(fn?.unresolvable.LoggingConfig), /the stack holds no resource AuthEventsLogGroup/);
    assert.equal(
      fn?.properties.Role,
      'arn:aws:iam::123456789012:role/lh-AuthEventsFunctionRole-ABCDEFGHJKMN',
    );
  });
});
