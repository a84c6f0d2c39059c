/**
 * `npm run doctor --stack-name` on moto, run as a user runs it, against this application's processed template
 * deployed by moto's CloudFormation (tests/helpers/moto-stack.ts), a moto user pool and a moto trail. What moto
 * implements is checked for real: the trigger, the function's permission, the trail, the rules' states and
 * patterns, the tables' settings, the alarm subscription. moto has no LookupEvents and a stub TestEventPattern, so
 * the account's-events checks are "not checked" here; in process, with AWS's event-ruler in place of
 * TestEventPattern and an empty Event history, the same run tests AWS's documented samples instead.
 * moto differs from AWS in one thing this test relies on: it confirms an e-mail subscription at once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  CloudTrailClient,
  CreateTrailCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  DescribeRuleCommand,
  DisableRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { ensureEventRuler, matchEvents } from '../../../../dev/build/event-ruler.ts';
import { missingToolNotice, TOOLS } from '../../../../dev/build/toolchain.ts';
import { LOCAL_CREDENTIALS, LOCAL_CREDENTIALS_ENV } from '../../../../dev/local-stack/local-clients.ts';
import { type RunningMoto, startMoto } from '../../../../dev/local-stack/moto.ts';
import { run } from '../../../../scripts/doctor/command.ts';
import {
  attachPostAuthenticationTrigger,
  createClients,
} from '../../../../scripts/user-pool/trigger-attachment.ts';
import { runCommand } from '../../../helpers/commands.ts';
import { cloudFormationAsAws, deployOnMoto, type MotoStack } from '../../../helpers/moto-stack.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const REGION = 'eu-west-1';
const STACK = 'login-history';

describe('npm run doctor on moto', () => {
  let moto: RunningMoto | undefined;
  let cloudFormation: Awaited<ReturnType<typeof cloudFormationAsAws>> | undefined;
  let stack: MotoStack | undefined;
  let poolId = '';
  let env: NodeJS.ProcessEnv;
  let backups: string;
  const saved = { ...process.env };

  before(async () => {
    moto = await startMoto();
    if (!moto) return;
    const config = { region: REGION, endpoint: moto.endpoint, credentials: LOCAL_CREDENTIALS };
    const cognito = new CognitoIdentityProviderClient(config);
    const pool = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'doctor' }))).UserPool;
    poolId = pool?.Id as string;
    const client = (
      await cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web' }))
    ).UserPoolClient?.ClientId as string;
    cognito.destroy();
    // A trail that logs this region's management events, read and write.
    await fetch(`${moto.endpoint}/doctor-trail-logs`, {
      method: 'PUT',
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/${REGION}/s3/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: `<CreateBucketConfiguration><LocationConstraint>${REGION}</LocationConstraint></CreateBucketConfiguration>`,
    });
    const trail = new CloudTrailClient(config);
    await trail.send(
      new CreateTrailCommand({ Name: 'management-events', S3BucketName: 'doctor-trail-logs' }),
    );
    await trail.send(
      new PutEventSelectorsCommand({
        TrailName: 'management-events',
        EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
      }),
    );
    await trail.send(new StartLoggingCommand({ Name: 'management-events' }));
    trail.destroy();
    stack = await deployOnMoto(moto.endpoint, REGION, STACK, {
      CognitoUserPoolArn: pool?.Arn as string,
      AuthEvents: 'enabled',
      AuthEventsClientIds: client,
      AlarmEmail: 'security@example.com',
    });
    env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
    cloudFormation = await cloudFormationAsAws(moto.endpoint);
    Object.assign(env, LOCAL_CREDENTIALS_ENV, {
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint,
    });
    backups = mkdtempSync(join(tmpdir(), 'doctor-moto-'));
  });
  after(async () => {
    process.env = saved;
    if (backups) rmSync(backups, { recursive: true, force: true });
    await cloudFormation?.stop();
    await moto?.stop();
  });

  function ready(t: TestContext): boolean {
    if (moto && stack) return true;
    skipBecause(t, missingToolNotice(moto ? TOOLS.sam : TOOLS.moto));
    return false;
  }

  const doctor = (...args: string[]) => runCommand('doctor', ['--stack-name', STACK, ...args], env);
  const lineFor = (stdout: string, check: string) =>
    stdout.split('\n').find((l) => l.slice(13).startsWith(`${check}:`)) ?? '';

  it('FAILs a fresh deploy on what is missing - the trigger and the protection moto left out - with the fix', async (t) => {
    if (!ready(t)) return;
    const result = await doctor();
    assert.equal(result.code, 1, result.stderr);
    const out = result.stdout;
    assert.match(
      lineFor(out, 'trigger'),
      new RegExp(
        `^FAIL .*PostAuthentication trigger of ${poolId} is not set.*Fix: npm run attach -- --user-pool-id ${poolId} --function-arn arn:aws:lambda:`,
      ),
    );
    assert.match(lineFor(out, 'invoke permission'), /^ok /);
    assert.match(
      lineFor(out, 'trail'),
      /^ok .*trail management-events logs eu-west-1's management events, read and write/,
    );
    for (const rule of [
      'AuthEventsRule',
      'TableProtectionChangedRule',
      'AuthEventsTableProtectionChangedRule',
      'ErasureRoleAssumedRule',
    ]) {
      assert.match(lineFor(out, `rule ${rule}`), /^ok .* with the declared pattern$/, rule);
      // moto has no LookupEvents: never ok.
      assert.match(
        lineFor(out, `rule ${rule} on recent events`),
        /^not checked .*HTTP 500: the answer is not an AWS response$/,
        rule,
      );
    }
    for (const table of ['LoginHistoryTable', 'AuthEventsTable']) {
      assert.match(lineFor(out, `deletion protection of ${table}`), /^ok .*on, as declared/);
      assert.match(
        lineFor(out, `point-in-time recovery of ${table}`),
        new RegExp(`^FAIL .*off, declared on, 35 days\\. Fix: npm run protect -- --stack-name ${STACK}$`),
      );
      assert.match(lineFor(out, `TTL of ${table}`), /^FAIL .*disabled, declared enabled on expiresAt/);
      assert.match(lineFor(out, `resource policy of ${table}`), /^FAIL .*none, declared the template's/);
    }
    assert.match(lineFor(out, 'alarm subscription'), /^ok .*1 confirmed subscription/);
    assert.match(lineFor(out, 'auth events arriving'), /^not checked .*HTTP 500/);
    assert.equal(out.trim().split('\n').length, 22, 'one line per check, and the summary');
    assert.match(out, /\d+ ok, 7 FAIL, \d+ not checked\.\n?$/);
  });

  it('passes once the trigger is attached and protect has run; a rule in the wrong state FAILs with its fix', async (t) => {
    if (!ready(t)) return;
    Object.assign(process.env, env);
    await attachPostAuthenticationTrigger(createClients(REGION), {
      userPoolId: poolId,
      region: REGION,
      functionArn: stack?.outputs.FunctionArn as string,
      dryRun: false,
      replace: false,
      skipPermissionCheck: false,
      backupFile: join(backups, 'pool.backup.json'),
      out: () => undefined,
    });
    const protect = await runCommand('protect', ['--stack-name', STACK], env);
    assert.equal(protect.code, 0, protect.stdout);
    const healthy = await doctor();
    assert.equal(healthy.code, 0, healthy.stdout);
    assert.doesNotMatch(healthy.stdout, /^FAIL/m);

    const events = new EventBridgeClient({
      region: REGION,
      endpoint: moto?.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    const name = (await runCommand('doctor', ['--stack-name', STACK, '--json'], env)).stdout;
    const ruleName = JSON.parse(name)
      .checks.find((c: { check: string }) => c.check === 'rule AuthEventsRule')
      .detail.split(' ')[0];
    const before = await events.send(new DescribeRuleCommand({ Name: ruleName }));
    await events.send(new DisableRuleCommand({ Name: ruleName }));
    const disabled = await doctor();
    assert.equal(disabled.code, 1);
    assert.match(
      lineFor(disabled.stdout, 'rule AuthEventsRule'),
      new RegExp(
        `^FAIL .*${ruleName} is DISABLED, and needs ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS \\(read-only management events reach only a rule in this state\\)\\. Fix: aws events put-rule --name ${ruleName} --state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`,
      ),
    );
    await events.send(
      new PutRuleCommand({ Name: ruleName, State: before.State, EventPattern: before.EventPattern }),
    );
    assert.equal((await doctor()).code, 0);
    events.destroy();
  });

  it('--json gives every check with its status and a summary', async (t) => {
    if (!ready(t)) return;
    const result = await doctor('--json');
    assert.equal(result.code, 0, result.stdout);
    const report = JSON.parse(result.stdout);
    const counted = (status: string) =>
      report.checks.filter((c: { status: string }) => c.status === status).length;
    assert.deepEqual(report.summary, { ok: counted('ok'), fail: 0, notChecked: counted('not-checked') });
    const notChecked = report.checks.find((c: { status: string }) => c.status === 'not-checked');
    assert.equal(typeof notChecked.reason.code, 'string');
    assert.equal(typeof notChecked.why, 'string');
  });

  it("in process, with AWS's event-ruler for TestEventPattern and no recent event: AWS's samples are tested", async (t) => {
    if (!ready(t)) return;
    const engine = ensureEventRuler();
    if (!engine.ok) {
      skipBecause(t, `AWS event-ruler is not available: ${engine.problem}`);
      return;
    }
    Object.assign(process.env, env);
    const lines: string[] = [];
    const code = await run(['--stack-name', STACK], {
      out: (line) => lines.push(line),
      services: {
        history: { lookup: async () => [] },
        engine: {
          matches: async (pattern, events) => ({
            matched: Object.fromEntries(
              Object.entries(matchEvents(engine.classpath, JSON.parse(pattern), events)).map(([n, r]) => [
                n,
                r.machine,
              ]),
            ),
          }),
        },
      },
    });
    assert.equal(code, 0, lines.join('\n'));
    const out = lines.join('\n');
    for (const rule of [
      'AuthEventsRule',
      'TableProtectionChangedRule',
      'AuthEventsTableProtectionChangedRule',
    ]) {
      assert.match(
        lineFor(out, `rule ${rule} on recent events`),
        /^ok .*agrees on \d+ documented samples/,
        rule,
      );
    }
    assert.match(
      lineFor(out, 'rule ErasureRoleAssumedRule on recent events'),
      /^not checked .*CloudTrail holds no event this rule is for/,
    );
  });

  it('refuses names beside --stack-name, and a missing name without it (exit 2)', async (t) => {
    if (!ready(t)) return;
    const mixed = await runCommand('doctor', ['--stack-name', STACK, '--table-name', 't'], env);
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /--table-name go without --stack-name/);
    const partial = await runCommand('doctor', ['--user-pool-id', poolId, '--table-name', 't'], env);
    assert.equal(partial.code, 2);
    assert.match(partial.stderr, /missing --function-arn/);
  });
});
