/**
 * `npm run doctor`'s usage and run: where to look (the stack, or the pool, function and tables named), every check
 * made, one line each (or JSON), and exit 1 on any FAIL.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { declaredProtections, TEMPLATE_TABLE_PROTECTION } from '../account/table-protection.ts';
import { CommandError, parseOptions, regionOfUserPoolId, terminalProgress, UsageError } from '../core/cli.ts';
import { clientConfig } from '../core/clients.ts';
import { reasonText } from '../core/reason.ts';
import { OUTPUT, PARAMETER } from '../core/stack.ts';
import { readDeclaredStack } from '../core/stack-template.ts';
import { parseFunctionArn } from '../user-pool/trigger-attachment.ts';
import {
  type CheckResult,
  checkAlarmSubscription,
  checkAuthEventsArriving,
  checkInvokePermission,
  checkRule,
  checkRuleEvents,
  checkTable,
  checkTrail,
  checkTrigger,
  declaredRules,
  RecentEvents,
  ruleKindOf,
  type Services,
  type Target,
} from './checks.ts';
import { checkDigestBucket, checkSeals, checkSigningKey, integrityTargetOf } from './integrity-checks.ts';
import { cloudTrailHistory, eventBridgeEngine } from './rule-events.ts';

export const USAGE = `usage: npm run doctor -- (--stack-name <stack> | --user-pool-id <id> --table-name <table>
                         --function-arn <arn> [--auth-events-table-name <table>]) [--region <region>] [--json]

The post-deploy checklist of a live stack, read-only: one line per check, "ok", "FAIL <what>. Fix: <how>" or
"not checked: <why>". It checks that the pool's PostAuthentication trigger is the function and the function lets
the pool invoke it; that a CloudTrail trail logs the region's management events, read and write; that every rule
is in the state it needs with the declared pattern, and matches the account's own events of the last 24 hours
as EventBridge itself judges them (TestEventPattern; AWS's documented samples, or shapes inferred from them for
the trail's rules, when there are none; about 20 seconds of CloudTrail lookups); that each
table's resource policy, deletion protection, point-in-time recovery and TTL are as declared; with Integrity,
that the digest bucket locks digests in COMPLIANCE mode for the declared retention, the signing key is enabled
and each table's newest digest is recent; that the alarm e-mail is confirmed; and that recorded sign-in attempts
keep up with CloudTrail. Given names instead of --stack-name, what only the stack knows (rules, policies, the
trail's integrity, the alarm) is not checked.
Exit codes: 0 no FAIL, 1 a FAIL, 2 usage error.`;

const EXPLICIT = ['user-pool-id', 'table-name', 'function-arn', 'auth-events-table-name'] as const;

interface Values {
  'stack-name'?: string;
  'user-pool-id'?: string;
  'table-name'?: string;
  'function-arn'?: string;
  'auth-events-table-name'?: string;
  region?: string;
}

/** Where doctor looks, from the stack or the names given; usage errors before anything is read. */
async function targetOf(values: Values): Promise<Target> {
  const stackName = values['stack-name'];
  if (stackName !== undefined) {
    const extra = EXPLICIT.filter((name) => values[name] !== undefined);
    if (extra.length > 0) {
      throw new UsageError(
        `${extra.map((n) => `--${n}`).join(', ')} go without --stack-name; the stack names them`,
      );
    }
    const cloudFormation = new CloudFormationClient(clientConfig(values.region));
    try {
      const stack = await readDeclaredStack(cloudFormation, stackName);
      const poolArn = String(stack.parameters[PARAMETER.userPoolArn] ?? '');
      const functionArn = stack.outputs[OUTPUT.functionArn];
      if (!poolArn.includes('userpool/') || !functionArn) {
        throw new CommandError(
          `stack "${stackName}" has no ${PARAMETER.userPoolArn} or ${OUTPUT.functionArn}; is it this application's stack?`,
        );
      }
      const authEventsTable = stack.outputs[OUTPUT.authEventsTableName];
      return {
        region: stack.location.region,
        userPoolId: poolArn.slice(poolArn.indexOf('userpool/') + 'userpool/'.length),
        functionArn,
        stack,
        tables: declaredProtections(stack).map((t) => ({
          label: t.logicalId,
          table: t.table,
          declared: 'unresolvable' in t ? { unresolvable: t.unresolvable } : t,
        })),
        authEventsTable: authEventsTable
          ? { table: authEventsTable }
          : { reason: { code: 'not-deployed', part: PARAMETER.authEvents } },
        where: `--stack-name ${stackName}${values.region ? ` --region ${values.region}` : ''}`,
      };
    } finally {
      cloudFormation.destroy();
    }
  }
  const missing = (['user-pool-id', 'table-name', 'function-arn'] as const).filter(
    (n) => values[n] === undefined,
  );
  if (missing.length > 0) {
    throw new UsageError(
      `give --stack-name, or --user-pool-id, --table-name and --function-arn (missing ${missing.map((n) => `--${n}`).join(', ')})`,
    );
  }
  const userPoolId = values['user-pool-id'] as string;
  const region = values.region ?? regionOfUserPoolId(userPoolId);
  if (!region) throw new UsageError(`cannot tell the region from "${userPoolId}"; pass --region`);
  const functionArn = values['function-arn'] as string;
  parseFunctionArn(functionArn);
  const named = [values['table-name'] as string, values['auth-events-table-name']].filter(
    (t): t is string => t !== undefined,
  );
  return {
    region,
    userPoolId,
    functionArn,
    tables: named.map((table) => ({ label: table, table, declared: TEMPLATE_TABLE_PROTECTION })),
    authEventsTable: values['auth-events-table-name']
      ? { table: values['auth-events-table-name'] }
      : { reason: { code: 'not-named', option: '--auth-events-table-name' } },
    where: `--table-name ${values['table-name']}`,
  };
}

/**
 * Every check, in the order a reader follows a sign-in: trigger, trail, rules, tables, the trail's integrity,
 * alarm, records.
 */
export async function runChecks(
  target: Target,
  services: Services,
  progress?: (done: number) => void,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (result: CheckResult) => {
    results.push(result);
    progress?.(results.length);
  };
  const trigger = await checkTrigger(target, services.cognito);
  add(trigger.result);
  add(await checkInvokePermission(target, services.lambda, trigger.poolArn));
  add(await checkTrail(target.region, services.cloudTrailFor));
  const recent = new RecentEvents(services.history, services.now);
  if (target.stack) {
    const rules = declaredRules(target.stack);
    if ('unresolvable' in rules) {
      add({
        check: 'rules',
        status: 'not-checked',
        reason: { code: 'unresolvable', message: rules.unresolvable },
      });
    } else {
      for (const rule of rules) add(await checkRule(rule, services.events));
      for (const rule of rules) {
        add(
          await checkRuleEvents(
            rule,
            ruleKindOf(target.stack, rule.logicalId, target.userPoolId),
            recent,
            services.engine,
          ),
        );
      }
    }
  } else {
    add({ check: 'rules', status: 'not-checked', reason: { code: 'needs-stack', what: 'the rules are' } });
  }
  for (const table of target.tables)
    for (const result of await checkTable(target, table, services.ddb)) add(result);
  const integrity = target.stack
    ? integrityTargetOf(target.stack)
    : { reason: { code: 'needs-stack', what: "the trail's digest bucket and signing key are" } as const };
  if ('reason' in integrity) {
    add({ check: 'integrity', status: 'not-checked', reason: integrity.reason });
  } else {
    add(await checkDigestBucket(integrity, services.s3));
    add(await checkSigningKey(integrity, services.kms));
    for (const result of await checkSeals(integrity, services, services.now())) add(result);
  }
  add(await checkAlarmSubscription(target));
  add(await checkAuthEventsArriving(target, services, recent));
  return results;
}

export function lineOf(result: CheckResult): string {
  switch (result.status) {
    case 'ok':
      return `ok           ${result.check}: ${result.detail}`;
    case 'fail':
      return `FAIL         ${result.check}: ${result.problem}. Fix: ${result.fix}`;
    case 'not-checked':
      return `not checked  ${result.check}: ${reasonText(result.reason)}`;
  }
}

/** Doctor's reads: three attempts each (the SDK's standard), whatever AWS_MAX_ATTEMPTS or the profile says. */
const DOCTOR_RETRIES = { maxAttempts: 3 } as const;

/** The production services for `region`: one client per service, the real Event history and EventBridge's engine. */
function servicesFor(region: string): { services: Services; destroy(): void } {
  const config = clientConfig(region, DOCTOR_RETRIES);
  const cloudTrails = new Map<string, CloudTrailClient>();
  const cloudTrailFor = (r: string) => {
    let client = cloudTrails.get(r);
    if (!client) {
      client = new CloudTrailClient(clientConfig(r, DOCTOR_RETRIES));
      cloudTrails.set(r, client);
    }
    return client;
  };
  const ddb = new DynamoDBClient(config);
  const events = new EventBridgeClient(config);
  const services: Services = {
    cognito: new CognitoIdentityProviderClient(config),
    lambda: new LambdaClient(config),
    ddb,
    doc: DynamoDBDocumentClient.from(ddb),
    events,
    s3: new S3Client(config),
    kms: new KMSClient(config),
    cloudTrailFor,
    history: cloudTrailHistory(cloudTrailFor(region)),
    engine: eventBridgeEngine(events),
    now: () => new Date(),
  };
  return {
    services,
    destroy() {
      for (const client of [
        services.cognito,
        services.lambda,
        ddb,
        events,
        services.s3,
        services.kms,
        ...cloudTrails.values(),
      ])
        client.destroy();
    },
  };
}

/** The command, in process: resolves to its exit code (runCli maps thrown errors to 1 and 2). */
export async function run(
  argv: readonly string[],
  { out = console.log, services: given }: { out?: (line: string) => void; services?: Partial<Services> } = {},
): Promise<number> {
  const values = parseOptions(argv, {
    'stack-name': { type: 'string' },
    'user-pool-id': { type: 'string' },
    'table-name': { type: 'string' },
    'function-arn': { type: 'string' },
    'auth-events-table-name': { type: 'string' },
    region: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const target = await targetOf(values);
  const production = servicesFor(target.region);
  const progress = terminalProgress('checks done');
  try {
    const results = await runChecks(target, { ...production.services, ...given }, (done) =>
      progress.update(done),
    );
    progress.end();
    const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
    if (values.json) {
      const checks = results.map((r) =>
        r.status === 'not-checked' ? { ...r, why: reasonText(r.reason) } : r,
      );
      out(
        JSON.stringify(
          { checks, summary: { ok: count('ok'), fail: count('fail'), notChecked: count('not-checked') } },
          null,
          2,
        ),
      );
    } else {
      for (const result of results) out(lineOf(result));
      out(`${count('ok')} ok, ${count('fail')} FAIL, ${count('not-checked')} not checked.`);
    }
    return count('fail') > 0 ? 1 : 0;
  } finally {
    progress.end();
    production.destroy();
  }
}
