/** The security and reliability properties of template.yaml that a reviewer would check by hand. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  AUTH_EVENTS_TABLE_ID,
  FUNCTION_ID,
  functionSettings,
  loadTemplate,
  PROJECT_ROOT,
  resolveConditions,
  TABLE_ID,
  tableCreateInput,
} from '../../../dev/build/template.ts';
import { roleStatements } from '../../../dev/build/template-policy.ts';

const template = loadTemplate();
const resources = template.Resources as Record<
  string,
  { Type: string; Properties: Record<string, any> } & Record<string, any>
>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('template.yaml', () => {
  const fn = resources[FUNCTION_ID];
  const table = resources[TABLE_ID];

  it('runs Node.js 22 with a timeout below Cognito 5 s limit', () => {
    assert.equal(fn?.Properties.Runtime, 'nodejs22.x');
    assert.ok(Number(fn?.Properties.Timeout) < 5);
    assert.equal(
      functionSettings(template, { tableName: 't' }).timeoutSeconds,
      Number(fn?.Properties.Timeout),
    );
  });

  it('grants only dynamodb:PutItem on the table and log writes on its own log group', () => {
    assert.equal(fn?.Properties.Policies, undefined, 'no SAM policy templates');
    const role = resources[fn?.Properties.Role['Fn::GetAtt'][0]];
    assert.equal(role?.Type, 'AWS::IAM::Role');
    assert.equal(role?.Properties.ManagedPolicyArns, undefined, 'no managed policies');
    // Inline policies and the RolePolicy resources attached to the role (the table's policy names the role).
    const statements = roleStatements(resources, fn?.Properties.Role['Fn::GetAtt'][0]);
    assert.deepEqual(
      statements.map((s: any) => [s.Effect, s.Action, s.Resource]),
      [
        [
          'Allow',
          ['logs:CreateLogStream', 'logs:PutLogEvents'],
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Sub expression
          { 'Fn::Sub': '${LoginHistoryLogGroup.Arn}' },
        ],
        ['Allow', 'dynamodb:PutItem', { 'Fn::GetAtt': [TABLE_ID, 'Arn'] }],
      ],
    );
    assert.ok(
      statements.every((s: any) => !JSON.stringify(s).includes('*')),
      'no wildcard in actions or resources',
    );
  });

  it('lets only the given pool in this account invoke the function', () => {
    const permissions = ofType('AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.FunctionName['Fn::GetAtt']?.[0] === FUNCTION_ID,
    );
    assert.equal(permissions.length, 1);
    const [, permission] = permissions[0] ?? [];
    assert.deepEqual(permission?.Properties, {
      FunctionName: { 'Fn::GetAtt': [FUNCTION_ID, 'Arn'] },
      Action: 'lambda:InvokeFunction',
      Principal: 'cognito-idp.amazonaws.com',
      SourceArn: { Ref: 'CognitoUserPoolArn' },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  it('validates the user pool ARN parameter with a helpful message', () => {
    const param = template.Parameters.CognitoUserPoolArn;
    const pattern = new RegExp(param.AllowedPattern);
    assert.ok(
      pattern.test('arn:aws:cognito-idp:ap-northeast-1:123456789012:userpool/ap-northeast-1_AbCdEf123'),
    );
    assert.ok(
      pattern.test('arn:aws-us-gov:cognito-idp:us-gov-west-1:123456789012:userpool/us-gov-west-1_Ab1'),
    );
    for (const wrong of [
      'ap-northeast-1_AbCdEf123',
      'arn:aws:lambda:us-east-1:123456789012:function:f',
      'arn:aws:cognito-idp:us-east-1:1234:userpool/us-east-1_Ab',
    ]) {
      assert.equal(pattern.test(wrong), false, wrong);
    }
    assert.match(param.ConstraintDescription, /user pool ARN/);
  });

  it('protects the history: retain policies, deletion protection, PITR, encryption, TTL, on-demand', () => {
    assert.equal(table?.DeletionPolicy, 'Retain');
    assert.equal(table?.UpdateReplacePolicy, 'Retain');
    const p = table?.Properties ?? {};
    assert.equal(p.DeletionProtectionEnabled, true);
    assert.equal(p.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled, true);
    assert.equal(p.SSESpecification.SSEEnabled, true);
    assert.deepEqual(p.TimeToLiveSpecification, { AttributeName: 'expiresAt', Enabled: true });
    assert.equal(p.BillingMode, 'PAY_PER_REQUEST');
    assert.equal(p.TableName, undefined, 'no fixed name: two stacks in one account must not collide');
  });

  it("alarm e-mails can arrive: a rotated customer managed key CloudWatch may use, a topic policy for this stack's alarms", () => {
    const ids = ['AlarmTopicKey', 'AlarmTopicKeyAlias', 'AlarmTopic', 'AlarmTopicPolicy'];
    for (const id of ids)
      assert.equal(resources[id]?.Condition, 'HasAlarmEmail', `${id} only with AlarmEmail`);
    const key = resources.AlarmTopicKey?.Properties ?? {};
    assert.equal(key.EnableKeyRotation, true);
    const cloudWatch = key.KeyPolicy.Statement.find(
      (s: any) => s.Principal.Service === 'cloudwatch.amazonaws.com',
    );
    assert.deepEqual(cloudWatch.Action, ['kms:Decrypt', 'kms:GenerateDataKey*']);
    assert.deepEqual(cloudWatch.Condition, {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    });
    assert.deepEqual(resources.AlarmTopic?.Properties.KmsMasterKeyId, { Ref: 'AlarmTopicKey' });
    const [publish] = resources.AlarmTopicPolicy?.Properties.PolicyDocument.Statement ?? [];
    assert.equal(publish.Action, 'sns:Publish');
    // The source ARN pattern must match every alarm of the stack, or those alarms would be refused.
    const pattern = publish.Condition.ArnLike['aws:SourceArn']['Fn::Sub'] as string;
    const alarmNames = ofType('AWS::CloudWatch::Alarm').map(
      ([, a]) => a.Properties.AlarmName['Fn::Sub'] as string,
    );
    assert.ok(alarmNames.length >= 2);
    const prefix = pattern.slice(pattern.indexOf(':alarm:') + ':alarm:'.length, -1);
    for (const name of alarmNames) assert.ok(name.startsWith(prefix), `${name} matches ${pattern}`);
  });

  it('keys by sub and sign-in id, with a day index for "who signed in on day D"', () => {
    const p = resolveConditions(template)(table?.Properties) as Record<string, any>;
    assert.deepEqual(p.KeySchema, [
      { AttributeName: 'sub', KeyType: 'HASH' },
      { AttributeName: 'signInId', KeyType: 'RANGE' },
    ]);
    assert.deepEqual(
      p.GlobalSecondaryIndexes.map((i: any) => [i.IndexName, i.KeySchema]),
      [
        [
          'byDay',
          [
            { AttributeName: 'dayShard', KeyType: 'HASH' },
            { AttributeName: 'signInId', KeyType: 'RANGE' },
          ],
        ],
      ],
    );
  });

  it('drops the day index and its attribute definition when DayIndex=disabled', () => {
    const input = tableCreateInput(template, 't', { DayIndex: 'disabled' });
    assert.equal(input.GlobalSecondaryIndexes, undefined);
    assert.deepEqual(
      input.AttributeDefinitions?.map((a) => a.AttributeName),
      ['sub', 'signInId'],
    );
    assert.equal(tableCreateInput(template, 't').GlobalSecondaryIndexes?.[0]?.IndexName, 'byDay');
  });

  it('logs JSON into an explicit log group with retention', () => {
    const logging = fn?.Properties.LoggingConfig;
    assert.equal(logging.LogFormat, 'JSON');
    const group = resources[logging.LogGroup.Ref];
    assert.equal(group?.Type, 'AWS::Logs::LogGroup');
    assert.deepEqual(group?.Properties.RetentionInDays, { Ref: 'LogRetentionDays' });
    assert.ok(Number(template.Parameters.LogRetentionDays.Default) > 0);
  });

  it('passes the table and the settings to the function', () => {
    const settings = functionSettings(template, { tableName: 'resolved-table' });
    assert.deepEqual(settings.environment, {
      TABLE_NAME: 'resolved-table',
      RETENTION_DAYS: '365',
      ON_WRITE_FAILURE: 'allow',
      DAY_INDEX_SHARDS: '1',
    });
  });

  it('declares the DynamoDB endpoint variable for sam local only: the deployed function never has it', () => {
    // SAM local passes a variable from --env-vars only if the template declares it; CloudFormation drops a
    // variable whose value is AWS::NoValue, so no endpoint override can reach a deployed function.
    const variables = fn?.Properties.Environment.Variables;
    assert.deepEqual(variables.AWS_ENDPOINT_URL_DYNAMODB, { Ref: 'AWS::NoValue' });
    for (const parameters of [{}, { OnWriteFailure: 'deny', DayIndex: 'disabled' }] as Record<
      string,
      string
    >[]) {
      const deployed = functionSettings(template, { tableName: 't', parameters }).environment;
      assert.equal('AWS_ENDPOINT_URL_DYNAMODB' in deployed, false);
    }
    const envJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'env.json'), 'utf8'));
    for (const name of Object.keys(envJson.AuthenticatedFunction)) {
      assert.ok(name in variables, `env.json sets ${name}, which the template must declare or SAM drops it`);
    }
  });

  it('alarms on write failures and on function errors and throttles', () => {
    const filter = resources.WriteFailureMetricFilter;
    assert.match(filter?.Properties.FilterPattern, /LOGIN_HISTORY_WRITE_FAILED/);
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => JSON.stringify(a.Properties));
    assert.ok(alarms.some((a) => a.includes('WriteFailures')));
    assert.ok(alarms.some((a) => a.includes('"Errors"') && a.includes('"Throttles"')));
  });

  it('makes tampering loud: protection changes of the tables and every erasure reach the alarm topic', () => {
    // One rule per table (a pattern naming both would exceed EventBridge's 2,048 characters on a long stack
    // name: pattern-size.test.ts), the same pattern in both but for the table; what each matches is proven with
    // event-ruler in tests/template/integration/protection-rule.test.ts.
    const rules = {
      TableProtectionChangedRule: TABLE_ID,
      AuthEventsTableProtectionChangedRule: AUTH_EVENTS_TABLE_ID,
    };
    const patternFor = (ruleId: string) =>
      JSON.stringify(resources[ruleId]?.Properties.EventPattern).replaceAll(
        JSON.stringify({ Ref: rules[ruleId as keyof typeof rules] }),
        '"<table>"',
      );
    assert.equal(
      patternFor('TableProtectionChangedRule'),
      patternFor('AuthEventsTableProtectionChangedRule'),
    );
    assert.equal(resources.AuthEventsTableProtectionChangedRule?.Condition, 'RecordAuthEvents');
    for (const [ruleId, tableId] of Object.entries(rules)) {
      const rule = resources[ruleId]?.Properties ?? {};
      // Write events only: the rule's state need not see read-only ones.
      assert.equal(rule.State, 'ENABLED');
      assert.deepEqual(rule.EventPattern['detail-type'], ['AWS API Call via CloudTrail']);
      const references = JSON.stringify(rule.EventPattern).match(/\{"(Ref|Fn::GetAtt)":[^}]*\}/g) ?? [];
      assert.deepEqual(
        new Set(references),
        new Set([JSON.stringify({ Ref: tableId })]),
        'its own table only',
      );
      assert.deepEqual(rule.Targets, {
        'Fn::If': [
          'HasAlarmEmail',
          [{ Id: 'alarm-topic', Arn: { Ref: 'AlarmTopic' } }],
          { Ref: 'AWS::NoValue' },
        ],
      });
      const [, alarm] =
        ofType('AWS::CloudWatch::Alarm').find(
          ([, a]) =>
            JSON.stringify(a.Properties.Dimensions) ===
            JSON.stringify([{ Name: 'RuleName', Value: { Ref: ruleId } }]),
        ) ?? [];
      assert.deepEqual(
        [alarm?.Properties.Namespace, alarm?.Properties.MetricName],
        ['AWS/Events', 'MatchedEvents'],
      );
      assert.equal(alarm?.Condition, resources[ruleId]?.Condition);
    }

    // AssumeRole is a read-only management event: a rule in state ENABLED would never see it.
    assert.equal(
      resources.ErasureRoleAssumedRule?.Properties.State,
      'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
    );
    const erasures = resources.ErasureRoleAssumedRule?.Properties.EventPattern.detail;
    assert.deepEqual(erasures.eventName, ['AssumeRole']);
    // Assuming either role that may change the history is announced (erase; replay).
    assert.deepEqual(erasures.requestParameters.roleArn, [
      { 'Fn::GetAtt': ['ErasureRole', 'Arn'] },
      { 'Fn::GetAtt': ['ReplayRole', 'Arn'] },
    ]);

    // The topic lets exactly these rules publish, and its key lets EventBridge use it.
    const statements = resources.AlarmTopicPolicy?.Properties.PolicyDocument.Statement as any[];
    const events = statements.find((s) => s.Principal.Service === 'events.amazonaws.com');
    // Every rule that targets the topic, and no other: each of the template's rules with the topic as target.
    const publishing = (
      resolveConditions(template, { AlarmEmail: 'ops@example.com', AuthEvents: 'enabled' })(
        events.Condition.ArnEquals['aws:SourceArn'],
      ) as any[]
    )
      .map((arn) => arn['Fn::GetAtt'][0])
      .sort();
    const targeting = Object.entries(
      resolveConditions(template, { AlarmEmail: 'ops@example.com', AuthEvents: 'enabled' })(
        resources,
      ) as Record<string, any>,
    )
      .filter(
        ([, r]) =>
          r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties.Targets ?? []).includes('AlarmTopic'),
      )
      .map(([id]) => id)
      .sort();
    assert.deepEqual(publishing, targeting);
    assert.ok(
      targeting.includes('TableProtectionChangedRule') && targeting.includes('PoolTriggerChangedRule'),
    );
    const key = resources.AlarmTopicKey?.Properties.KeyPolicy.Statement as any[];
    assert.ok(key.some((s) => s.Principal.Service === 'events.amazonaws.com'));
  });

  /** The dashboard body as CloudFormation renders it (Join of Subs, the If resolved), parsed. */
  function dashboardWidgets(parameters: Record<string, string> = {}) {
    const [[, dashboard] = []] = ofType('AWS::CloudWatch::Dashboard');
    const joined = resolveConditions(template, parameters)(dashboard!.Properties.DashboardBody) as {
      'Fn::Join': [string, unknown[]];
    };
    const render = (part: unknown): string => {
      if (typeof part === 'string') return part;
      const [body, variables] = (part as { 'Fn::Sub': [string, Record<string, unknown>] })['Fn::Sub'];
      return body.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
        typeof variables[name] === 'number' ? String(variables[name]) : 'x',
      );
    };
    const json = joined['Fn::Join'][1].map(render).join(joined['Fn::Join'][0]);
    return JSON.parse(json).widgets as { properties: Record<string, any> }[];
  }

  it('names nothing that two copies of the stack in one account and region would share', () => {
    // SAM names a ScheduleV2 event's schedule after its logical id unless OmitName is set.
    for (const [id, resource] of Object.entries(resources) as [string, any][]) {
      for (const [event, e] of Object.entries(resource.Properties?.Events ?? {}) as [string, any][]) {
        if (e.Type !== 'ScheduleV2') continue;
        assert.equal(e.Properties.OmitName, true, `${id}.${event}: CloudFormation must name the schedule`);
        assert.equal(e.Properties.Name, undefined, `${id}.${event}`);
      }
    }
  });

  it('has an operator dashboard: sign-ins, write failures, duration against the timeout, errors and throttles', () => {
    const widgets = dashboardWidgets();
    const body = JSON.stringify(resources.LoginHistoryDashboard?.Properties.DashboardBody);
    assert.equal(widgets.length, 4, 'no auth-events widgets when AuthEvents is disabled');
    const metricsOf = (i: number) => JSON.stringify(widgets[i]?.properties.metrics);
    assert.match(metricsOf(0), /"Invocations"/);
    assert.match(metricsOf(1), /"WriteFailures"/);
    assert.match(
      body,
      /\\"LoginHistory\/\$\{AWS::StackName\}\\", \\"WriteFailures\\"/,
      'the metric filter namespace',
    );
    assert.match(metricsOf(2), /"Duration".*"p50".*"p99"/);
    assert.equal(
      widgets[2]?.properties.annotations.horizontal[0].value,
      Number(fn?.Properties.Timeout) * 1000,
      'the timeout line is the function Timeout',
    );
    assert.match(metricsOf(3), /"Errors".*"Throttles"/);
    assert.match(
      JSON.stringify(template.Outputs.DashboardUrl),
      /#dashboards\/dashboard\/\$\{LoginHistoryDashboard\}/,
    );
  });

  it('adds failed sign-ins per minute and the top source IPs to the dashboard when AuthEvents is enabled', () => {
    const widgets = dashboardWidgets({ AuthEvents: 'enabled' });
    assert.equal(widgets.length, 6);
    assert.match(JSON.stringify(widgets[4]?.properties.metrics), /"FailedSignIns"/);
    assert.equal(widgets[4]?.properties.period, 60, 'per minute');
    assert.deepEqual(Object.keys(widgets[5]?.properties.insightRule ?? {}).sort(), [
      'maxContributorCount',
      'orderBy',
      'ruleName',
    ]);
  });

  describe('the auth-events part (AuthEvents=enabled)', () => {
    const enabled = resolveConditions(template, { AuthEvents: 'enabled' });
    const props = (id: string) => enabled(resources[id]?.Properties) as Record<string, any>;

    it('exists only when AuthEvents is enabled, which is not the default', () => {
      assert.equal(template.Parameters.AuthEvents.Default, 'disabled');
      const conditional = Object.entries(resources).filter(([, r]) => r.Condition === 'RecordAuthEvents');
      assert.deepEqual(conditional.map(([id]) => id).sort(), [
        'AuthEventsDeadLetterAlarm',
        'AuthEventsDeadLetterQueue',
        'AuthEventsDeadLetterQueuePolicy',
        'AuthEventsFunction',
        'AuthEventsFunctionErrorsAlarm',
        'AuthEventsFunctionRole',
        'AuthEventsFunctionTableAccess',
        'AuthEventsInvokeConfig',
        'AuthEventsInvokePermission',
        'AuthEventsLogGroup',
        'AuthEventsRule',
        'AuthEventsTable',
        'AuthEventsTableProtectionChangedAlarm',
        'AuthEventsTableProtectionChangedRule',
        'FailedSignInAlarm',
        'FailedSignInMetricFilter',
        'FailedSignInSourcesRule',
      ]);
      assert.deepEqual(template.Rules.AuthEventsNeedClientIds.RuleCondition, {
        'Fn::Equals': [{ Ref: 'AuthEvents' }, 'enabled'],
      });
    });

    it('keys the table per the contract: 16 day shards, bySourceIp, sparse bySub, TTL', () => {
      const input = tableCreateInput(template, 't', { AuthEvents: 'enabled' }, 'AuthEventsTable');
      assert.deepEqual(input.KeySchema, [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      assert.deepEqual(
        input.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema?.map((k) => k.AttributeName)]),
        [
          ['bySourceIp', ['sourceIp', 'sk']],
          ['bySub', ['sub', 'sk']],
        ],
      );
      assert.equal(props('AuthEventsTable').TimeToLiveSpecification.AttributeName, 'expiresAt');
      assert.equal(props('AuthEventsTable').BillingMode, 'PAY_PER_REQUEST');
    });

    it('grants the function PutItem on its table, its log group and its dead-letter queue, nothing else', () => {
      // Its inline policy and the RolePolicy that puts (apart, so the table's policy can name the role).
      const statements = roleStatements(resources, 'AuthEventsFunctionRole');
      assert.deepEqual(
        statements.map((s: any) => [s.Action, s.Resource]),
        [
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Sub expression
          [['logs:CreateLogStream', 'logs:PutLogEvents'], { 'Fn::Sub': '${AuthEventsLogGroup.Arn}' }],
          ['sqs:SendMessage', { 'Fn::GetAtt': ['AuthEventsDeadLetterQueue', 'Arn'] }],
          ['dynamodb:PutItem', { 'Fn::GetAtt': ['AuthEventsTable', 'Arn'] }],
        ],
      );
    });

    const triggerBuildProperties = () =>
      resources[FUNCTION_ID]?.Metadata.BuildProperties as Record<string, unknown>;

    it('runs Node.js 22 with its architecture, capped concurrency, retries into the DLQ on failure', () => {
      const fn = props('AuthEventsFunction');
      assert.equal(fn.Runtime, 'nodejs22.x');
      assert.deepEqual(fn.Architectures, [{ Ref: 'Architecture' }]);
      assert.deepEqual(fn.ReservedConcurrentExecutions, { Ref: 'AuthEventsConcurrency' });
      const invokeConfig = props('AuthEventsInvokeConfig');
      assert.deepEqual(invokeConfig.FunctionName, { Ref: 'AuthEventsFunction' });
      assert.equal(invokeConfig.Qualifier, '$LATEST', 'where the rule sends its events');
      assert.equal(invokeConfig.MaximumRetryAttempts, 2);
      assert.deepEqual(invokeConfig.DestinationConfig.OnFailure, {
        Destination: { 'Fn::GetAtt': ['AuthEventsDeadLetterQueue', 'Arn'] },
      });
      assert.deepEqual(resources.AuthEventsFunction?.Metadata.BuildProperties, {
        ...triggerBuildProperties(),
        EntryPoints: ['auth-events.ts'],
      });
      assert.equal(props('AuthEventsLogGroup').RetentionInDays.Ref, 'LogRetentionDays');
    });

    it('listens on the default bus in the read-only-management-events state, with retries and a DLQ', () => {
      const rule = props('AuthEventsRule');
      assert.equal(rule.EventBusName, 'default');
      assert.equal(rule.State, 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
      assert.deepEqual(rule.Targets, [
        {
          Id: 'auth-events-function',
          // $LATEST, where AuthEventsInvokeConfig puts the retries and the on-failure destination.
          Arn: { 'Fn::GetAtt': ['AuthEventsFunction', 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['AuthEventsDeadLetterQueue', 'Arn'] } },
        },
      ]);
      const invoke = props('AuthEventsInvokePermission');
      assert.deepEqual(
        [invoke.Principal, invoke.SourceArn],
        ['events.amazonaws.com', { 'Fn::GetAtt': ['AuthEventsRule', 'Arn'] }],
      );
    });

    it('keeps dead letters 14 days, encrypted, sent only by this rule, and alarms on them', () => {
      const queue = props('AuthEventsDeadLetterQueue');
      assert.equal(queue.MessageRetentionPeriod, 14 * 86_400);
      assert.equal(queue.SqsManagedSseEnabled, true);
      const [statement] = props('AuthEventsDeadLetterQueuePolicy').PolicyDocument.Statement;
      assert.deepEqual(statement.Condition, {
        ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['AuthEventsRule', 'Arn'] } },
      });
      const alarm = props('AuthEventsDeadLetterAlarm');
      assert.equal(alarm.MetricName, 'ApproximateNumberOfMessagesVisible');
      assert.deepEqual(resources.AuthEventsDeadLetterAlarm?.Properties.AlarmActions, {
        'Fn::If': ['HasAlarmEmail', [{ Ref: 'AlarmTopic' }], { Ref: 'AWS::NoValue' }],
      });
    });

    it('alarms on failed sign-ins per 5 minutes at the threshold parameter, from the JSON log', () => {
      assert.equal(
        props('FailedSignInMetricFilter').FilterPattern,
        '{ $.code = "AUTH_EVENT_RECORDED" && $.outcome = "failure" }',
      );
      const alarm = props('FailedSignInAlarm');
      assert.deepEqual([alarm.MetricName, alarm.Period, alarm.Statistic], ['FailedSignIns', 300, 'Sum']);
      assert.deepEqual(alarm.Threshold, { Ref: 'FailedSignInAlarmThreshold' });
      const [body] = props('FailedSignInSourcesRule').RuleBody['Fn::Sub'] as [string];
      const insight = JSON.parse(body.replace(/\$\{LogGroup\}/, 'x'));
      assert.deepEqual(insight.Contribution.Keys, ['$.sourceIp']);
      assert.equal(insight.LogFormat, 'JSON');
    });
  });
});
