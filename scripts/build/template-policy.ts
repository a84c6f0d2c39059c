/**
 * Project rules for template.yaml that the generic linters do not know: what makes this trigger safe
 * (only this pool may invoke it, it can only PutItem, it answers inside Cognito's 5 s) and its data durable.
 */
import { FUNCTION_ID, TABLE_ID, type Template } from './template.ts';

const COGNITO_TIMEOUT_SECONDS = 5;

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
  if (permissions.length !== 1) violations.push('exactly one AWS::Lambda::Permission is expected');
  for (const [id, permission] of permissions) {
    const p = permission.Properties ?? {};
    if (p.Principal !== 'cognito-idp.amazonaws.com')
      violations.push(`${id}.Principal must be cognito-idp.amazonaws.com`);
    if (p.SourceArn?.Ref !== 'CognitoUserPoolArn') {
      violations.push(`${id}.SourceArn must be the CognitoUserPoolArn parameter (only that pool may invoke)`);
    }
    if (p.SourceAccount?.Ref !== 'AWS::AccountId') {
      violations.push(`${id}.SourceAccount must be AWS::AccountId (confused-deputy protection)`);
    }
  }

  if (fn.Properties?.Policies !== undefined)
    violations.push(`${FUNCTION_ID} must use its own role, not Policies`);
  const roleId = fn.Properties?.Role?.['Fn::GetAtt']?.[0];
  const role = resources[roleId];
  const statements = roleStatements(resources, roleId);
  if (!role || role.Properties?.ManagedPolicyArns)
    violations.push(`${FUNCTION_ID}'s role must have no managed policies`);
  const actions = statements.flatMap((s) => [s.Action].flat());
  const allowed = new Set(['dynamodb:PutItem', 'logs:CreateLogStream', 'logs:PutLogEvents']);
  for (const action of actions) {
    if (!allowed.has(action))
      violations.push(`${FUNCTION_ID}'s role grants ${action}; only PutItem and log writes`);
  }
  if (statements.some((s) => JSON.stringify(s.Resource ?? '*').includes('*'))) {
    violations.push(`${FUNCTION_ID}'s role uses a wildcard resource`);
  }

  const t = table.Properties ?? {};
  if (table.DeletionPolicy !== 'Retain' || table.UpdateReplacePolicy !== 'Retain') {
    violations.push(`${TABLE_ID} must have DeletionPolicy and UpdateReplacePolicy Retain`);
  }
  if (t.DeletionProtectionEnabled !== true) violations.push(`${TABLE_ID} must enable deletion protection`);
  if (t.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled !== true) {
    violations.push(`${TABLE_ID} must enable point-in-time recovery`);
  }
  if (t.SSESpecification?.SSEEnabled !== true) violations.push(`${TABLE_ID} must enable SSE`);
  if (t.TableName !== undefined) violations.push(`${TABLE_ID} must not fix TableName (stacks would collide)`);

  const logGroup = resources[fn.Properties?.LoggingConfig?.LogGroup?.Ref];
  if (!logGroup?.Properties?.RetentionInDays)
    violations.push(`${FUNCTION_ID} must log into a group with retention`);
  violations.push(...alarmTopicViolations(resources));
  violations.push(...eventRuleTopicViolations(resources));
  violations.push(...appendOnlyViolations(resources));
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
    if (!deletes.some((s) => s.Condition?.ArnNotEquals?.['aws:PrincipalArn'] !== undefined)) {
      violations.push(
        `${id} must let only the erasure role delete: deny dynamodb:DeleteItem to every other principal`,
      );
    }
    const puts = statements.filter(
      (s) => s.Effect === 'Deny' && s.Principal === '*' && asList(s.Action).includes('dynamodb:PutItem'),
    );
    if (!puts.some((s) => s.Condition?.ArnNotEquals?.['aws:PrincipalArn'] !== undefined)) {
      violations.push(`${id} must let only its writers put: deny dynamodb:PutItem to every other principal`);
    }
  }
  return violations;
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
