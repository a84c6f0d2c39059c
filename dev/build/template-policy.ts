/**
 * Project rules for template.yaml that the generic linters do not know: what makes this trigger safe
 * (only this pool may invoke it, it can only PutItem, it answers inside Cognito's 5 s) and its data durable.
 */

import { LAKE_SOURCE } from '../../authenticated/src/lake-layout.ts';
import { LOG_NAME } from '../../authenticated/src/ocsf.ts';
import { GLUE_COLUMNS } from '../../scripts/lake/columns.ts';
import {
  AUTH_EVENTS_FUNCTION_ID,
  AUTH_EVENTS_RULE_ID,
  AUTH_EVENTS_TABLE_ID,
  FUNCTION_ID,
  TABLE_ID,
  type Template,
} from './template.ts';

const COGNITO_TIMEOUT_SECONDS = 5;

/** Glue table name → the layout's source it reads (a wrong folder only shows as zero rows in Athena). */
const LAKE_TABLES: Record<string, string> = {
  sign_ins: LAKE_SOURCE[LOG_NAME.signIns],
  auth_events: LAKE_SOURCE[LOG_NAME.authEvents],
};

export function templatePolicyViolations(template: Template): string[] {
  const violations: string[] = [];
  const resources = (template.Resources ?? {}) as Template;
  const fn = resources[FUNCTION_ID];
  const table = resources[TABLE_ID];
  if (!fn) return [`resource ${FUNCTION_ID} is missing`];
  if (!table) return [`resource ${TABLE_ID} is missing`];

  if (!(Number(fn.Properties?.Timeout) < COGNITO_TIMEOUT_SECONDS)) {
    violations.push(`${FUNCTION_ID}.Timeout must be below Cognito's ${COGNITO_TIMEOUT_SECONDS} s limit`);
  }

  const permissions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Permission');
  const invokes = (id: string) =>
    permissions.filter(([, p]) => p.Properties?.FunctionName?.['Fn::GetAtt']?.[0] === id);
  if (invokes(FUNCTION_ID).length !== 1)
    violations.push(`exactly one AWS::Lambda::Permission for ${FUNCTION_ID}`);
  for (const [id, permission] of permissions) {
    const p = permission.Properties ?? {};
    const target = p.FunctionName?.['Fn::GetAtt']?.[0];
    if (target === FUNCTION_ID) {
      if (p.Principal !== 'cognito-idp.amazonaws.com')
        violations.push(`${id}.Principal must be cognito-idp.amazonaws.com`);
      if (p.SourceArn?.Ref !== 'CognitoUserPoolArn') {
        violations.push(
          `${id}.SourceArn must be the CognitoUserPoolArn parameter (only that pool may invoke)`,
        );
      }
    } else if (target === AUTH_EVENTS_FUNCTION_ID) {
      if (p.Principal !== 'events.amazonaws.com')
        violations.push(`${id}.Principal must be events.amazonaws.com`);
      if (p.SourceArn?.['Fn::GetAtt']?.[0] !== AUTH_EVENTS_RULE_ID) {
        violations.push(`${id}.SourceArn must be ${AUTH_EVENTS_RULE_ID}'s ARN (only that rule may invoke)`);
      }
    } else {
      violations.push(
        `${id} lets something invoke ${JSON.stringify(p.FunctionName)}, which no rule here covers`,
      );
    }
    if (p.SourceAccount?.Ref !== 'AWS::AccountId') {
      violations.push(`${id}.SourceAccount must be AWS::AccountId (confused-deputy protection)`);
    }
  }

  violations.push(
    ...writerViolations(resources, FUNCTION_ID, TABLE_ID, []),
    ...tableViolations(resources, TABLE_ID),
  );
  if (resources[AUTH_EVENTS_FUNCTION_ID] || resources[AUTH_EVENTS_TABLE_ID]) {
    violations.push(...authEventsViolations(resources));
  }
  violations.push(...lakeViolations(resources));
  violations.push(
    ...alarmTopicViolations(resources),
    ...eventRuleTopicViolations(resources),
    ...appendOnlyViolations(resources),
    ...ruleFunctionViolations(template.Rules ?? {}),
  );
  return violations;
}

/** A role's statements: its inline Policies and the AWS::IAM::RolePolicy resources attached to it. */
export function roleStatements(resources: Template, roleId: string): Template[] {
  const inline = (resources[roleId]?.Properties?.Policies ?? []).map((p: Template) => p.PolicyDocument);
  const attached = Object.values(resources)
    .filter((r: Template) => r.Type === 'AWS::IAM::RolePolicy' && r.Properties?.RoleName?.Ref === roleId)
    .map((r: Template) => r.Properties?.PolicyDocument);
  return [...inline, ...attached].flatMap((doc: Template | undefined) => doc?.Statement ?? []);
}

/** Item changes no principal may make on an audit table (a delete only through the erasure role). */
export const APPEND_ONLY_DENIED = [
  'dynamodb:UpdateItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
];

/** A Deny whose only condition names the principals it spares (a narrower one, e.g. one partition, does not count). */
const deniedToAllBut = (s: Template) =>
  s.Condition?.ArnNotEquals?.['aws:PrincipalArn'] !== undefined &&
  Object.keys(s.Condition).length === 1 &&
  Object.keys(s.Condition.ArnNotEquals).length === 1;

/**
 * Every table is audit data: its resource policy must deny item changes to every principal (the policy
 * engine test proves what the whole policy allows; this rule catches a table added without one).
 */
function appendOnlyViolations(resources: Template): string[] {
  const violations: string[] = [];
  for (const [id, table] of Object.entries(resources)) {
    if ((table as Template).Type !== 'AWS::DynamoDB::Table') continue;
    const statements: Template[] =
      (table as Template).Properties?.ResourcePolicy?.PolicyDocument?.Statement ?? [];
    const deniedToAll = new Set(
      statements
        .filter((s) => s.Effect === 'Deny' && s.Principal === '*' && s.Condition === undefined)
        .flatMap((s) => asList(s.Action).map(String)),
    );
    const missing = APPEND_ONLY_DENIED.filter((action) => !deniedToAll.has(action));
    if (missing.length > 0) {
      violations.push(
        `${id} must be append-only: its ResourcePolicy must deny ${missing.join(', ')} to every principal`,
      );
    }
    const deletes = statements.filter(
      (s) => s.Effect === 'Deny' && s.Principal === '*' && asList(s.Action).includes('dynamodb:DeleteItem'),
    );
    if (!deletes.some(deniedToAllBut)) {
      violations.push(
        `${id} must let only the erasure role delete: deny dynamodb:DeleteItem to every other principal`,
      );
    }
    const puts = statements.filter(
      (s) => s.Effect === 'Deny' && s.Principal === '*' && asList(s.Action).includes('dynamodb:PutItem'),
    );
    if (!puts.some(deniedToAllBut)) {
      violations.push(`${id} must let only its writers put: deny dynamodb:PutItem to every other principal`);
    }
  }
  return violations;
}

/**
 * A writer function: its own role with no managed policies, PutItem on its own table only, log writes on its
 * own log group (which has a retention), plus the listed extra actions; no wildcard resource.
 */
function writerViolations(
  resources: Template,
  fnId: string,
  tableId: string,
  extraActions: string[],
): string[] {
  const violations: string[] = [];
  const fn = resources[fnId];
  if (fn.Properties?.Policies !== undefined) violations.push(`${fnId} must use its own role, not Policies`);
  const roleId = fn.Properties?.Role?.['Fn::GetAtt']?.[0];
  const role = resources[roleId];
  const statements = roleStatements(resources, roleId);
  if (!role || role.Properties?.ManagedPolicyArns)
    violations.push(`${fnId}'s role must have no managed policies`);
  const allowed = new Set(['dynamodb:PutItem', 'logs:CreateLogStream', 'logs:PutLogEvents', ...extraActions]);
  for (const statement of statements) {
    for (const action of [statement.Action].flat()) {
      if (!allowed.has(action))
        violations.push(`${fnId}'s role grants ${action}; only PutItem and log writes`);
      if (action === 'dynamodb:PutItem' && statement.Resource?.['Fn::GetAtt']?.[0] !== tableId) {
        violations.push(`${fnId}'s role may PutItem outside ${tableId}`);
      }
    }
  }
  if (statements.some((s) => JSON.stringify(s.Resource ?? '*').includes('*'))) {
    violations.push(`${fnId}'s role uses a wildcard resource`);
  }
  const logGroup = resources[fn.Properties?.LoggingConfig?.LogGroup?.Ref];
  if (!logGroup?.Properties?.RetentionInDays) violations.push(`${fnId} must log into a group with retention`);
  return violations;
}

/** Audit data: retained with the stack gone, deletion protection, PITR, encryption, no fixed name. */
function tableViolations(resources: Template, tableId: string): string[] {
  const violations: string[] = [];
  const table = resources[tableId];
  if (!table) return [`resource ${tableId} is missing`];
  const t = table.Properties ?? {};
  if (table.DeletionPolicy !== 'Retain' || table.UpdateReplacePolicy !== 'Retain') {
    violations.push(`${tableId} must have DeletionPolicy and UpdateReplacePolicy Retain`);
  }
  if (t.DeletionProtectionEnabled !== true) violations.push(`${tableId} must enable deletion protection`);
  if (t.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled !== true) {
    violations.push(`${tableId} must enable point-in-time recovery`);
  }
  if (t.SSESpecification?.SSEEnabled !== true) violations.push(`${tableId} must enable SSE`);
  if (t.TableName !== undefined) violations.push(`${tableId} must not fix TableName (stacks would collide)`);
  if (t.TimeToLiveSpecification?.AttributeName !== 'expiresAt') {
    violations.push(`${tableId} must expire items by TTL on expiresAt (RetentionDays)`);
  }
  return violations;
}

/**
 * The auth-events part (issue 18): nothing may be lost silently, and a burst must not starve the sign-in
 * trigger. The rule sees read-only management events, every target retries into a dead-letter queue that
 * EventBridge can actually use and an alarm watches, the function's failures go there too, and its
 * concurrency is capped.
 */
function authEventsViolations(resources: Template): string[] {
  const fnId = AUTH_EVENTS_FUNCTION_ID;
  const fn = resources[fnId];
  const rule = resources[AUTH_EVENTS_RULE_ID];
  if (!fn || !rule) return [`${fnId} and ${AUTH_EVENTS_RULE_ID} come together`];
  const violations = [
    ...writerViolations(resources, fnId, AUTH_EVENTS_TABLE_ID, ['sqs:SendMessage']),
    ...tableViolations(resources, AUTH_EVENTS_TABLE_ID),
  ];
  const r = rule.Properties ?? {};
  if (r.State !== 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS') {
    violations.push(
      `${AUTH_EVENTS_RULE_ID}.State must be ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (read-only sign-in events reach no other rule)`,
    );
  }
  if (![undefined, 'default'].includes(r.EventBusName)) {
    violations.push(`${AUTH_EVENTS_RULE_ID} must be on the default bus (CloudTrail delivers only there)`);
  }
  const queues = new Set<string>();
  for (const target of r.Targets ?? []) {
    const dlq = target.DeadLetterConfig?.Arn?.['Fn::GetAtt']?.[0];
    if (!target.RetryPolicy)
      violations.push(`${AUTH_EVENTS_RULE_ID} target ${target.Id} needs a RetryPolicy`);
    if (!dlq)
      violations.push(
        `${AUTH_EVENTS_RULE_ID} target ${target.Id} needs a dead-letter queue of this template`,
      );
    else queues.add(dlq);
  }
  // On $LATEST, which the rule invokes: an AWS::Lambda::EventInvokeConfig of this function.
  const invokeConfig = Object.values(resources).find(
    (r: Template) =>
      r.Type === 'AWS::Lambda::EventInvokeConfig' &&
      r.Properties?.FunctionName?.Ref === fnId &&
      r.Properties?.Qualifier === '$LATEST',
  ) as Template | undefined;
  const onFailure = invokeConfig?.Properties?.DestinationConfig?.OnFailure?.Destination?.['Fn::GetAtt']?.[0];
  if (!onFailure) violations.push(`${fnId} needs an on-failure destination: failed writes must not vanish`);
  else queues.add(onFailure);
  if (fn.Properties?.ReservedConcurrentExecutions === undefined) {
    violations.push(`${fnId} needs reserved concurrency (a burst must not throttle the sign-in trigger)`);
  }
  for (const queueId of queues) {
    const q = resources[queueId]?.Properties ?? {};
    if (String(q.KmsMasterKeyId ?? '').includes('aws/sqs')) {
      violations.push(
        `${queueId} uses alias/aws/sqs, which EventBridge cannot use: undeliverable events would be lost`,
      );
    } else if (q.SqsManagedSseEnabled !== true && q.KmsMasterKeyId === undefined) {
      violations.push(`${queueId} must be encrypted`);
    }
    const allowsRule = Object.values(resources).some(
      (res: Template) =>
        res.Type === 'AWS::SQS::QueuePolicy' &&
        refsIn(res.Properties?.Queues).includes(queueId) &&
        (res.Properties?.PolicyDocument?.Statement ?? []).some(
          (st: Template) =>
            st.Principal?.Service === 'events.amazonaws.com' &&
            JSON.stringify(st.Condition ?? {}).includes(`"${AUTH_EVENTS_RULE_ID}"`),
        ),
    );
    if (!allowsRule) {
      violations.push(
        `${queueId} needs a queue policy that lets events.amazonaws.com send for ${AUTH_EVENTS_RULE_ID} only (aws:SourceArn)`,
      );
    }
    const watched = Object.values(resources).some(
      (res: Template) =>
        res.Type === 'AWS::CloudWatch::Alarm' &&
        res.Properties?.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        JSON.stringify(res.Properties?.Dimensions ?? []).includes(`"${queueId}"`),
    );
    if (!watched) violations.push(`${queueId} needs an alarm on ApproximateNumberOfMessagesVisible`);
  }
  return violations;
}

/** The only intrinsic functions CloudFormation evaluates in `Rules` (AWS CloudFormation, "Rule functions"). */
const RULE_FUNCTIONS = new Set([
  'Fn::And',
  'Fn::Contains',
  'Fn::EachMemberEquals',
  'Fn::EachMemberIn',
  'Fn::Equals',
  'Fn::Not',
  'Fn::Or',
  'Fn::RefAll',
  'Fn::ValueOf',
  'Fn::ValueOfAll',
]);

/** Linters accept any intrinsic in a rule; CloudFormation rejects the deployment (e.g. Fn::Join). */
function ruleFunctionViolations(rules: Template): string[] {
  const used = (value: unknown): string[] => {
    if (Array.isArray(value)) return value.flatMap(used);
    if (!value || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([key, v]) => [
      ...(key.startsWith('Fn::') ? [key] : []),
      ...used(v),
    ]);
  };
  return Object.entries(rules).flatMap(([name, rule]) =>
    [...new Set(used(rule))]
      .filter((fn) => !RULE_FUNCTIONS.has(fn))
      .map((fn) => `Rules.${name} uses ${fn}, which CloudFormation does not allow in rules`),
  );
}

const ALARM_ACTION_KEYS = ['AlarmActions', 'OKActions', 'InsufficientDataActions'];
const CLOUDWATCH = 'cloudwatch.amazonaws.com';

/** Every `Ref` inside a value (through Fn::If and lists). */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value && typeof value === 'object') {
    const record = value as Template;
    if (typeof record.Ref === 'string') return [record.Ref];
    return Object.values(record).flatMap(refsIn);
  }
  return [];
}

const asList = (value: unknown): unknown[] => (value === undefined ? [] : [value].flat());

/** Does a policy statement allow the service principal (CloudWatch unless named) every one of `actions`? */
function grantsCloudWatch(statements: Template[], actions: string[], service = CLOUDWATCH): boolean {
  return statements.some((s) => {
    const services = asList(s.Principal?.Service);
    const granted = asList(s.Action).map(String);
    const covers = (action: string) =>
      granted.some((g) => g === action || (g.endsWith('*') && action.startsWith(g.slice(0, -1))));
    return s.Effect === 'Allow' && services.includes(service) && actions.every(covers);
  });
}

/**
 * An SNS topic that alarms publish to must let CloudWatch publish and, when encrypted, use its key. Linters
 * accept `alias/aws/sns`, but CloudWatch cannot use that key (its policy cannot be edited), so the alarm
 * action fails in AWS and no notification is ever delivered.
 */
function alarmTopicViolations(resources: Template): string[] {
  const violations: string[] = [];
  const topicIds = new Set(
    Object.values(resources)
      .filter((r: Template) => r.Type === 'AWS::CloudWatch::Alarm')
      .flatMap((alarm: Template) => ALARM_ACTION_KEYS.flatMap((key) => refsIn(alarm.Properties?.[key])))
      .filter((id) => resources[id]?.Type === 'AWS::SNS::Topic'),
  );
  for (const id of topicIds) {
    const keyRef = resources[id].Properties?.KmsMasterKeyId;
    if (keyRef !== undefined) {
      const keyId = refsIn(keyRef).find((ref) => resources[ref]?.Type === 'AWS::KMS::Key');
      if (typeof keyRef === 'string' && keyRef.includes('aws/sns')) {
        violations.push(
          `${id} is an alarm action encrypted with ${keyRef}; CloudWatch cannot use that AWS managed key, so no alarm is ever delivered (use a customer managed key that grants ${CLOUDWATCH})`,
        );
      } else if (!keyId) {
        violations.push(
          `${id} is an alarm action encrypted with a key outside this template; use a key declared here whose policy grants ${CLOUDWATCH}`,
        );
      } else if (
        !grantsCloudWatch(resources[keyId].Properties?.KeyPolicy?.Statement ?? [], [
          'kms:Decrypt',
          'kms:GenerateDataKey',
        ])
      ) {
        violations.push(
          `${keyId} encrypts alarm topic ${id} but its key policy does not let ${CLOUDWATCH} use kms:Decrypt and kms:GenerateDataKey*`,
        );
      }
    }
    const topicStatements = Object.values(resources)
      .filter(
        (r: Template) => r.Type === 'AWS::SNS::TopicPolicy' && refsIn(r.Properties?.Topics).includes(id),
      )
      .flatMap((r: Template) => r.Properties?.PolicyDocument?.Statement ?? []);
    if (!grantsCloudWatch(topicStatements, ['sns:Publish'])) {
      violations.push(`${id} is an alarm action but no topic policy lets ${CLOUDWATCH} sns:Publish to it`);
    }
  }
  return violations;
}

const EVENTBRIDGE = 'events.amazonaws.com';

/**
 * An SNS topic an EventBridge rule targets must let EventBridge publish and use its key: without both the
 * rule matches, its invocation fails and nobody hears of it
 * (https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification).
 */
function eventRuleTopicViolations(resources: Template): string[] {
  const violations: string[] = [];
  const topicIds = new Set(
    Object.values(resources)
      .filter((r: Template) => r.Type === 'AWS::Events::Rule')
      .flatMap((rule: Template) => refsIn(rule.Properties?.Targets))
      .filter((id) => resources[id]?.Type === 'AWS::SNS::Topic'),
  );
  for (const id of topicIds) {
    const keyId = refsIn(resources[id].Properties?.KmsMasterKeyId).find(
      (ref) => resources[ref]?.Type === 'AWS::KMS::Key',
    );
    const keyStatements = keyId ? (resources[keyId].Properties?.KeyPolicy?.Statement ?? []) : [];
    if (keyId && !grantsCloudWatch(keyStatements, ['kms:Decrypt', 'kms:GenerateDataKey'], EVENTBRIDGE)) {
      violations.push(
        `${keyId} encrypts topic ${id}, an EventBridge target, but its key policy does not let ${EVENTBRIDGE} use kms:Decrypt and kms:GenerateDataKey*`,
      );
    }
    const topicStatements = Object.values(resources)
      .filter(
        (r: Template) => r.Type === 'AWS::SNS::TopicPolicy' && refsIn(r.Properties?.Topics).includes(id),
      )
      .flatMap((r: Template) => r.Properties?.PolicyDocument?.Statement ?? []);
    if (!grantsCloudWatch(topicStatements, ['sns:Publish'], EVENTBRIDGE)) {
      violations.push(
        `${id} is an EventBridge target but no topic policy lets ${EVENTBRIDGE} sns:Publish to it`,
      );
    }
  }
  return violations;
}

/**
 * The lake's mistakes that no linter sees and that would only show at run time: a stream mapping without an
 * on-failure destination or with endless retries (a failing batch would block its shard, and its records
 * expire from the stream unseen after 24 hours); a Glue table whose columns or folders differ from what the
 * function writes (Athena answers with nothing); a versioned lake bucket (an erased row would live on).
 */
function lakeViolations(resources: Template): string[] {
  const violations: string[] = [];
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::Lambda::EventSourceMapping') {
      if (!p.DestinationConfig?.OnFailure?.Destination) {
        violations.push(`${id} must send failed batches to an on-failure destination (never lost silently)`);
      }
      if (!(Number(p.MaximumRetryAttempts) >= 0)) {
        violations.push(
          `${id} must bound MaximumRetryAttempts (endless retries block the shard until records expire)`,
        );
      }
    }
    if (r.Type === 'AWS::Glue::Table') {
      const input = p.TableInput ?? {};
      const source = LAKE_TABLES[input.Name];
      if (!source) {
        violations.push(`${id} is not one of the lake's tables (${Object.keys(LAKE_TABLES).join(', ')})`);
        continue;
      }
      if (JSON.stringify(input.StorageDescriptor?.Columns) !== JSON.stringify(GLUE_COLUMNS)) {
        violations.push(
          `${id}'s columns must be the lake's column schema (scripts/lake/columns.ts GLUE_COLUMNS)`,
        );
      }
      const location = JSON.stringify(input.Parameters?.['storage.location.template'] ?? '');
      const folders = `/ext/${source}/region=\${!region}/accountId=\${!accountid}/eventDay=\${!eventday}/`;
      if (!location.includes(folders)) {
        violations.push(`${id}'s storage.location.template must read ${folders}`);
      }
    }
    if (
      r.Type === 'AWS::S3::Bucket' &&
      p.VersioningConfiguration?.Status === 'Enabled' &&
      id.startsWith('Lake')
    ) {
      violations.push(`${id} must not keep versions: npm run erase must be able to remove a row for good`);
    }
  }
  return violations;
}
