/**
 * doctor's checks, each read-only and on its own: one result per check - ok, a FAIL with its fix, or "not
 * checked" with the reason. A check whose service is a local engine, or answers without the field the check rests
 * on, is never ok. The services are given as clients (and the event history and pattern engine as interfaces), so
 * the decisions are tested on engines and fakes alike.
 */
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import {
  type CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeRuleCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { KMSClient } from '@aws-sdk/client-kms';
import { GetPolicyCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { buildAuthEventItem } from '../../authenticated/src/auth-event-record.ts';
import { alarmSubscription, notReachable } from '../account/protection.ts';
import {
  type Comparison,
  compare,
  type DeclaredProtection,
  readLiveProtection,
  type Setting,
} from '../account/table-protection.ts';
import { checkAuthEventTrail, describeTrailCheck } from '../account/trail-check.ts';
import { counted } from '../core/generic.ts';
import { type CommandReason, reasonOf } from '../core/reason.ts';
import { LOGICAL_ID, PARAMETER } from '../core/stack.ts';
import type { DeclaredStack } from '../core/stack-template.ts';
import { newestAuthEventTime } from '../records/auth-events.ts';
import { policyAllowsPool } from '../user-pool/trigger-attachment.ts';
import {
  type Expectation,
  functionsChangedExpectation,
  poolChangedExpectation,
  protectionExpectation,
  roleAssumedExpectation,
  rulesChangedExpectation,
  signInExpectation,
  trailChangedExpectation,
} from './expectations.ts';
import {
  type EventHistory,
  judgePattern,
  LOOKBACK_HOURS,
  type LookupAttribute,
  lookupsFor,
  type PatternEngine,
  type RuleKind,
  sampleCases,
} from './rule-events.ts';
import { type CloudTrailRecord, inEventBridgeEnvelope } from './samples.ts';

export type CheckResult =
  | { check: string; status: 'ok'; detail: string }
  | { check: string; status: 'fail'; problem: string; fix: string }
  | { check: string; status: 'not-checked'; reason: CommandReason };

export const ok = (check: string, detail: string): CheckResult => ({ check, status: 'ok', detail });
export const fail = (check: string, problem: string, fix: string): CheckResult => ({
  check,
  status: 'fail',
  problem,
  fix,
});
export const notChecked = (check: string, reason: CommandReason): CheckResult => ({
  check,
  status: 'not-checked',
  reason,
});

const BUDGET_MS = 10_000;
const budget = () => ({ abortSignal: AbortSignal.timeout(BUDGET_MS) });

/** One table and what it must be. */
export interface TableTarget {
  /** LogicalId with a stack, the table name otherwise. */
  label: string;
  table: string;
  declared: Omit<DeclaredProtection, 'logicalId' | 'table'> | { unresolvable: string };
}

/** What doctor checks: named on the command line, or read from the stack. */
export interface Target {
  region: string;
  userPoolId: string;
  functionArn: string;
  /** The stack, with --stack-name. */
  stack?: DeclaredStack;
  tables: TableTarget[];
  authEventsTable: { table: string } | { reason: CommandReason };
  /** How a fix names the stack or the tables (`--stack-name s`, or the explicit options). */
  where: string;
}

export interface Services {
  cognito: CognitoIdentityProviderClient;
  lambda: LambdaClient;
  ddb: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  events: EventBridgeClient;
  s3: S3Client;
  kms: KMSClient;
  cloudTrailFor: (region: string) => CloudTrailClient;
  history: EventHistory;
  engine: PatternEngine;
  now: () => Date;
}

// ---- The trigger and its permission.

export async function checkTrigger(
  target: Target,
  cognito: CognitoIdentityProviderClient,
): Promise<{ result: CheckResult; poolArn?: string }> {
  const check = 'trigger';
  const blocked = notReachable('cognito-idp');
  if (blocked) return { result: notChecked(check, blocked) };
  try {
    const pool = (
      await cognito.send(new DescribeUserPoolCommand({ UserPoolId: target.userPoolId }), budget())
    ).UserPool;
    const current = pool?.LambdaConfig?.PostAuthentication;
    const result =
      current === target.functionArn
        ? ok(check, `the PostAuthentication trigger of ${target.userPoolId} is ${target.functionArn}`)
        : fail(
            check,
            `the PostAuthentication trigger of ${target.userPoolId} is ${current ?? 'not set'}, not ${target.functionArn}: no sign-in is recorded`,
            `npm run attach -- --user-pool-id ${target.userPoolId} --function-arn ${target.functionArn}${current ? ' --replace' : ''}`,
          );
    return { result, poolArn: pool?.Arn };
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      return {
        result: fail(
          check,
          `user pool ${target.userPoolId} does not exist in ${target.region}`,
          'check --user-pool-id and --region (or the stack parameter CognitoUserPoolArn)',
        ),
      };
    }
    return { result: notChecked(check, reasonOf(error, BUDGET_MS)) };
  }
}

export async function checkInvokePermission(
  target: Target,
  lambda: LambdaClient,
  poolArn: string | undefined,
): Promise<CheckResult> {
  const check = 'invoke permission';
  const blocked = notReachable('lambda');
  if (blocked) return notChecked(check, blocked);
  if (!poolArn)
    return notChecked(check, { code: 'not-reported', field: 'the user pool ARN (DescribeUserPool)' });
  const fix = `deploy the stack with CognitoUserPoolArn=${poolArn}: it creates the permission`;
  try {
    const policy = (await lambda.send(new GetPolicyCommand({ FunctionName: target.functionArn }), budget()))
      .Policy;
    const account = /:(\d{12}):userpool\//.exec(poolArn)?.[1];
    return policy && policyAllowsPool(policy, poolArn, account)
      ? ok(
          check,
          `the function lets cognito-idp.amazonaws.com invoke it for ${poolArn}${account ? ` in account ${account}` : ''}`,
        )
      : fail(
          check,
          `the function's resource policy does not let ${poolArn} invoke it: every sign-in would fail`,
          fix,
        );
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      return fail(check, `${target.functionArn} has no resource policy, or does not exist`, fix);
    }
    return notChecked(check, reasonOf(error, BUDGET_MS));
  }
}

// ---- The trail.

export async function checkTrail(
  region: string,
  cloudTrailFor: (region: string) => CloudTrailClient,
): Promise<CheckResult> {
  const check = 'trail';
  const blocked = notReachable('cloudtrail');
  if (blocked) return notChecked(check, blocked);
  try {
    const found = await checkAuthEventTrail(region, cloudTrailFor, budget);
    if (found.logging) {
      return ok(check, `trail ${found.logging.name} logs ${region}'s management events, read and write`);
    }
    const unread = found.trails.find((t) => t.error !== undefined);
    if (unread) {
      return notChecked(check, {
        code: 'trail-unreadable',
        trail: unread.name,
        cause: reasonOf(unread.error, BUDGET_MS),
      });
    }
    const [problem, ...rest] = describeTrailCheck(found);
    return fail(
      check,
      `${problem?.replace(/^WARNING: /, '')} The rules see no sign-in and no protection change without one`,
      rest
        .filter((l) => l.startsWith('  aws '))
        .map((l) => l.trim())
        .join(' && '),
    );
  } catch (error) {
    return notChecked(check, reasonOf(error, BUDGET_MS));
  }
}

// ---- The rules: state and pattern as declared, and the account's own events.

/** Keys sorted, so that two patterns compare by content, not by layout. */
function sortedJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sorted(value));
}

export interface DeclaredRule {
  logicalId: string;
  name: string;
  busName: string;
  state: string;
  pattern: unknown;
}

/** The stack's EventBridge rules with their declared state and pattern. */
export function declaredRules(stack: DeclaredStack): DeclaredRule[] | { unresolvable: string } {
  const rules: DeclaredRule[] = [];
  for (const rule of stack.resourcesOfType('AWS::Events::Rule')) {
    if ('EventPattern' in rule.unresolvable)
      return { unresolvable: `${rule.logicalId}: ${rule.unresolvable.EventPattern}` };
    if (rule.properties.EventPattern === undefined) continue;
    const [busName, name] = rule.physicalId.includes('|')
      ? rule.physicalId.split('|')
      : ['default', rule.physicalId];
    rules.push({
      logicalId: rule.logicalId,
      name: name as string,
      busName: busName as string,
      state: String(rule.properties.State ?? 'ENABLED'),
      pattern: rule.properties.EventPattern,
    });
  }
  return rules;
}

export async function checkRule(rule: DeclaredRule, events: EventBridgeClient): Promise<CheckResult> {
  const check = `rule ${rule.logicalId}`;
  const blocked = notReachable('eventbridge');
  if (blocked) return notChecked(check, blocked);
  try {
    const live = await events.send(
      new DescribeRuleCommand({
        Name: rule.name,
        ...(rule.busName === 'default' ? {} : { EventBusName: rule.busName }),
      }),
      budget(),
    );
    const keepPattern = `--event-pattern "$(aws events describe-rule --name ${rule.name} --query EventPattern --output text)"`;
    if (live.State !== rule.state) {
      return fail(
        check,
        `${rule.name} is ${live.State}, and needs ${rule.state}${rule.state.includes('ALL_CLOUDTRAIL') ? ' (read-only management events reach only a rule in this state)' : ''}`,
        `aws events put-rule --name ${rule.name} --state ${rule.state} ${keepPattern}`,
      );
    }
    let livePattern: unknown;
    try {
      livePattern = JSON.parse(live.EventPattern ?? 'null');
    } catch {
      livePattern = live.EventPattern;
    }
    if (sortedJson(livePattern) !== sortedJson(rule.pattern)) {
      return fail(
        check,
        `${rule.name}'s pattern differs from the one the stack declares (changed outside the stack)`,
        `aws events put-rule --name ${rule.name} --state ${rule.state} --event-pattern '${JSON.stringify(rule.pattern)}'`,
      );
    }
    return ok(check, `${rule.name} is ${live.State} with the declared pattern`);
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      return fail(check, `${rule.name} does not exist`, 'redeploy the stack (sam deploy)');
    }
    return notChecked(check, reasonOf(error, BUDGET_MS));
  }
}

/** The physical ids of the stack's resources of these types (SAM's and CloudFormation's function types alike). */
function physicalIdsOf(stack: DeclaredStack, ...types: string[]): string[] {
  return types.flatMap((type) => stack.resourcesOfType(type).map((r) => r.physicalId));
}

/** A rule's name (a rule on a custom bus has the physical id `<bus>|<name>`). */
const ruleNameOf = (physicalId: string) => physicalId.slice(physicalId.indexOf('|') + 1);

/** The stack's app client ids (AuthEventsClientIds), without the empty default. */
export function clientIdsOf(stack: DeclaredStack | undefined): string[] {
  return [stack?.parameters[PARAMETER.authEventsClientIds] ?? []].flat().filter((id) => id !== '');
}

/** What each rule of this application is for; a rule added without an entry here is tested, not judged. */
export function ruleKindOf(
  stack: DeclaredStack,
  logicalId: string,
  userPoolId: string,
): RuleKind | undefined {
  const { region, account } = stack.location;
  const table = (id: string) => stack.physicalIds[id];
  switch (logicalId) {
    case LOGICAL_ID.signInRule:
      return { kind: 'sign-in', userPoolId, clientIds: clientIdsOf(stack), region, account };
    case LOGICAL_ID.historyProtectionRule:
    case LOGICAL_ID.authEventsProtectionRule: {
      const name = table(
        logicalId === LOGICAL_ID.historyProtectionRule ? LOGICAL_ID.historyTable : LOGICAL_ID.authEventsTable,
      );
      return name ? { kind: 'protection', table: name, region, account } : undefined;
    }
    case LOGICAL_ID.erasureRule:
      return {
        kind: 'role-assumed',
        roleArns: [LOGICAL_ID.erasureRole, LOGICAL_ID.replayRole]
          .filter((id) => stack.physicalIds[id] !== undefined)
          .map((id) => String(stack.resolved({ 'Fn::GetAtt': [id, 'Arn'] }))),
      };
    // The trail's rules watch the stack's own resources, whichever the stack holds: a function, rule or
    // schedule added to the stack without its rule learning of it is then a case the rule misses.
    case LOGICAL_ID.poolRule:
      return { kind: 'pool-changed', userPoolId, region, account };
    case LOGICAL_ID.functionsRule:
      return {
        kind: 'functions-changed',
        functionNames: physicalIdsOf(stack, 'AWS::Lambda::Function', 'AWS::Serverless::Function'),
        mappingIds: physicalIdsOf(stack, 'AWS::Lambda::EventSourceMapping'),
        region,
        account,
      };
    case LOGICAL_ID.rulesRule:
      return {
        kind: 'rules-changed',
        // Not itself: a rule disabled or deleted sees nothing of it.
        ruleNames: stack
          .resourcesOfType('AWS::Events::Rule')
          .filter((r) => r.logicalId !== LOGICAL_ID.rulesRule)
          .map((r) => ruleNameOf(r.physicalId)),
        scheduleNames: physicalIdsOf(stack, 'AWS::Scheduler::Schedule'),
        region,
        account,
      };
    case LOGICAL_ID.loggingRule: {
      const keyId = stack.physicalIds[LOGICAL_ID.signingKey];
      const bucket = stack.physicalIds[LOGICAL_ID.digestBucket];
      if (!keyId || !bucket) return undefined;
      const keyArn = String(stack.resolved({ 'Fn::GetAtt': [LOGICAL_ID.signingKey, 'Arn'] }));
      return { kind: 'trail-changed', key: { arn: keyArn, id: keyId }, bucket, region, account };
    }
    default:
      return undefined;
  }
}

export function expectationOf(kind: RuleKind): Expectation {
  switch (kind.kind) {
    case 'sign-in':
      return signInExpectation(kind.userPoolId, kind.clientIds);
    case 'protection':
      return protectionExpectation(kind.table);
    case 'role-assumed':
      return roleAssumedExpectation(kind.roleArns);
    case 'pool-changed':
      return poolChangedExpectation(kind.userPoolId);
    case 'functions-changed':
      return functionsChangedExpectation(kind.functionNames, kind.mappingIds);
    case 'rules-changed':
      return rulesChangedExpectation(kind.ruleNames, kind.scheduleNames);
    case 'trail-changed':
      return trailChangedExpectation(kind.key, kind.bucket);
  }
}

/**
 * The window's events, one lookup per attribute, each read once however many rules need it. Once a lookup fails
 * (no LookupEvents, no permission, no answer in time), the others are not made: they would fail alike, each after
 * its own wait, and every check that needs them says why from the first.
 */
export class RecentEvents {
  private readonly cache = new Map<string, Promise<CloudTrailRecord[] | CommandReason>>();
  private failed: CommandReason | undefined;
  constructor(
    private readonly history: EventHistory,
    private readonly now: () => Date,
  ) {}

  async of(attributes: LookupAttribute[]): Promise<CloudTrailRecord[] | CommandReason> {
    const lists: CloudTrailRecord[][] = [];
    for (const attribute of attributes) {
      const list = await this.one(attribute);
      if (!Array.isArray(list)) return list;
      lists.push(list);
    }
    return lists.flat();
  }

  private one(attribute: LookupAttribute): Promise<CloudTrailRecord[] | CommandReason> {
    const key = `${attribute.key}=${attribute.value}`;
    let pending = this.cache.get(key);
    if (!pending) {
      if (this.failed) return Promise.resolve(this.failed);
      const end = this.now();
      const start = new Date(end.getTime() - LOOKBACK_HOURS * 3_600_000);
      pending = this.history.lookup(attribute, start, end).catch((error) => {
        this.failed ??= reasonOf(error, BUDGET_MS);
        return this.failed;
      });
      this.cache.set(key, pending);
    }
    return pending;
  }
}

export async function checkRuleEvents(
  rule: DeclaredRule,
  kind: RuleKind | undefined,
  recent: RecentEvents,
  engine: PatternEngine,
): Promise<CheckResult> {
  const check = `rule ${rule.logicalId} on recent events`;
  const blocked = notReachable('cloudtrail') ?? notReachable('eventbridge');
  if (blocked) return notChecked(check, blocked);
  const pattern = JSON.stringify(rule.pattern);
  if (!kind) {
    const source = [(rule.pattern as { source?: unknown }).source ?? []].flat()[0];
    const records = await recent.of([
      { key: 'EventSource', value: `${String(source).replace(/^aws\./, '')}.amazonaws.com` },
    ]);
    if (!Array.isArray(records)) return notChecked(check, records);
    const tested = records.slice(0, 20);
    const answers = await engine.matches(
      pattern,
      Object.fromEntries(
        tested.map((r, i) => [
          String(r.eventID ?? i),
          inEventBridgeEnvelope(r, String(r.eventID ?? `event-${i}`)),
        ]),
      ),
    );
    if ('reason' in answers) return notChecked(check, answers.reason);
    const matched = Object.values(answers.matched).filter(Boolean).length;
    return notChecked(check, {
      code: 'no-expectation',
      rule: rule.logicalId,
      matched,
      tested: tested.length,
    });
  }
  const records = await recent.of(lookupsFor(kind));
  if (!Array.isArray(records)) return notChecked(check, records);
  const verdict = await judgePattern(pattern, expectationOf(kind), records, sampleCases(kind), engine);
  switch (verdict.kind) {
    case 'unknown':
      return notChecked(check, verdict.reason);
    case 'agrees':
      return ok(
        check,
        `EventBridge's engine (TestEventPattern) agrees on ${verdict.tested} ${verdict.source}, ${verdict.expected} of them ones the rule is for`,
      );
    case 'disagrees': {
      const listed = verdict.disagreements
        .slice(0, 3)
        .map((d) => `${d.expected ? 'misses' : 'delivers'} ${d.name}`)
        .join('; ');
      return fail(
        check,
        `on ${verdict.tested} ${verdict.source}, EventBridge's engine ${listed}${verdict.disagreements.length > 3 ? `; and ${verdict.disagreements.length - 3} more` : ''}`,
        'the rule and the events AWS sends differ: look the events up in CloudTrail Event history by id and report them (docs/first-deploy.md)',
      );
    }
  }
}

// ---- The tables.

const SETTINGS: Setting[] = ['resource policy', 'deletion protection', 'point-in-time recovery', 'TTL'];

function settingFix(setting: Setting, table: string, where: string, stack: boolean): string {
  if (stack) return `npm run protect -- ${where}`;
  switch (setting) {
    case 'deletion protection':
      return `aws dynamodb update-table --table-name ${table} --deletion-protection-enabled`;
    case 'point-in-time recovery':
      return `aws dynamodb update-continuous-backups --table-name ${table} --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays=35`;
    case 'TTL':
      return `aws dynamodb update-time-to-live --table-name ${table} --time-to-live-specification Enabled=true,AttributeName=expiresAt`;
    case 'resource policy':
      return `npm run protect -- --stack-name <stack>`;
  }
}

export async function checkTable(
  target: Target,
  table: TableTarget,
  ddb: DynamoDBClient,
): Promise<CheckResult[]> {
  const name = (setting: Setting) => `${setting} of ${table.label}`;
  if ('unresolvable' in table.declared) {
    const reason: CommandReason = { code: 'unresolvable', message: table.declared.unresolvable };
    return SETTINGS.map((setting) => notChecked(name(setting), reason));
  }
  const live = await readLiveProtection(ddb, table.table, BUDGET_MS);
  const comparisons = new Map<Setting, Comparison>(compare(table.declared, live).map((c) => [c.setting, c]));
  return SETTINGS.map((setting) => {
    const comparison = comparisons.get(setting);
    if (!comparison) {
      return notChecked(name(setting), { code: 'needs-stack', what: "the template's policy is" });
    }
    if (comparison.state === 'unknown') return notChecked(name(setting), comparison.reason);
    if (comparison.state === 'same') return ok(name(setting), `${comparison.live}, as declared`);
    return fail(
      name(setting),
      `${table.table}: ${comparison.live}, declared ${comparison.declared}`,
      settingFix(setting, table.table, target.where, target.stack !== undefined),
    );
  });
}

// ---- The alarm e-mail.

export async function checkAlarmSubscription(target: Target): Promise<CheckResult> {
  const check = 'alarm subscription';
  if (!target.stack) return notChecked(check, { code: 'no-stack-name' });
  const found = await alarmSubscription(target.region, target.stack.stackName);
  switch (found.status) {
    case 'confirmed':
      return ok(
        check,
        `${counted(found.facts?.confirmed ?? 0, 'confirmed subscription')} to ${found.facts?.topic}`,
      );
    case 'pending':
      return fail(
        check,
        `the subscription to ${found.facts?.topic} waits for confirmation: alarms and protection changes reach no one`,
        'open the e-mail "AWS Notification - Subscription Confirmation" sent to AlarmEmail and confirm it',
      );
    case 'none':
      return fail(
        check,
        `${found.facts?.topic} has no subscription`,
        'redeploy the stack with AlarmEmail=<address>',
      );
    case 'not configured':
      return fail(
        check,
        'the stack was deployed without AlarmEmail: alarms and protection changes notify no one',
        `sam deploy --parameter-overrides "... AlarmEmail=<address>" (docs/first-deploy.md)`,
      );
    default:
      return notChecked(check, found.reason ?? { code: 'not-reported', field: 'the subscriptions' });
  }
}

// ---- Recorded sign-in attempts keep up with CloudTrail.

/** CloudTrail delivers to EventBridge "within minutes": a sign-in younger than this may still be on its way. */
export const DELIVERY_GRACE_MS = 15 * 60_000;

export async function checkAuthEventsArriving(
  target: Target,
  services: Pick<Services, 'doc' | 'now'>,
  recent: RecentEvents,
): Promise<CheckResult> {
  const check = 'auth events arriving';
  if ('reason' in target.authEventsTable) return notChecked(check, target.authEventsTable.reason);
  const blocked = notReachable('cloudtrail');
  if (blocked) return notChecked(check, blocked);
  const clientIds = clientIdsOf(target.stack);
  const records = await recent.of([{ key: 'EventSource', value: 'cognito-idp.amazonaws.com' }]);
  if (!Array.isArray(records)) return notChecked(check, records);
  const nowMs = services.now().getTime();
  const successes = records
    .map((record) =>
      buildAuthEventItem(record, { userPoolId: target.userPoolId, clientIds, retentionDays: 1 }),
    )
    .filter((r) => r.kind === 'record' && r.item.outcome === 'success')
    .map((r) => (r.kind === 'record' ? r.item.eventTime : ''))
    .filter((time) => Date.parse(time) <= nowMs - DELIVERY_GRACE_MS)
    .sort();
  const cloudTrailNewest = successes.at(-1);
  if (!cloudTrailNewest) {
    return notChecked(check, {
      code: 'no-events',
      what: 'successful sign-in older than 15 minutes',
      hours: LOOKBACK_HOURS,
    });
  }
  let recordedNewest: string | undefined;
  try {
    recordedNewest = await newestAuthEventTime(services.doc, target.authEventsTable.table, nowMs);
  } catch (error) {
    return notChecked(check, reasonOf(error, BUDGET_MS));
  }
  if (recordedNewest && recordedNewest >= cloudTrailNewest) {
    return ok(
      check,
      `the newest recorded attempt (${recordedNewest}) is not older than CloudTrail's newest successful sign-in (${cloudTrailNewest})`,
    );
  }
  return fail(
    check,
    `CloudTrail has a successful sign-in at ${cloudTrailNewest}, the newest recorded attempt is ${recordedNewest ?? 'none in two days'}: attempts are not being recorded`,
    `check the rule ${LOGICAL_ID.signInRule} (state, pattern), the auth-events function's errors and its dead-letter queue (docs/auth-events.md, "Nothing lost silently")`,
  );
}
