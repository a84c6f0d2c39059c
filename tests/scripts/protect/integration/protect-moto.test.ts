/**
 * `npm run protect` on moto, run as a user runs it: the stack is this application's processed template deployed
 * by moto's CloudFormation (tests/helpers/moto-stack.ts). moto creates the tables without the PITR, TTL and
 * resource policy the template declares (it ignores those properties), which is the drift protect exists for;
 * the test tampers with more (deletion protection off, a different policy, a shorter PITR window, TTL on another
 * attribute) and checks what DynamoDB then reports, not what protect says. Skipped with a notice when moto or the
 * SAM CLI is not provisioned; CI (REQUIRE_TOOLCHAIN=1) installs them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../../../../dev/local-stack/local-clients.ts';
import { type RunningMoto, startMoto } from '../../../../dev/local-stack/moto.ts';
import { runCommand } from '../../../helpers/commands.ts';
import { deployedOnMoto, deployOnMoto, type MotoStack, motoCommandEnv } from '../../../helpers/moto-stack.ts';

const REGION = 'eu-west-1';
const STACK = 'login-history';
const PARAMETERS = {
  CognitoUserPoolArn: `arn:aws:cognito-idp:${REGION}:123456789012:userpool/${REGION}_AbCdEf123`,
  AuthEvents: 'enabled',
  AuthEventsClientIds: '1example23456789abcdefghij',
  AlarmEmail: 'security@example.com',
};

describe('npm run protect on moto', () => {
  let moto: RunningMoto | undefined;
  /** What a command run as a user sees; stopCloudFormation ends its CloudFormation proxy. */
  let env: NodeJS.ProcessEnv;
  let stopCloudFormation: (() => Promise<void>) | undefined;
  let stack: MotoStack | undefined;
  let ddb: DynamoDBClient;

  before(async () => {
    moto = await startMoto();
    if (!moto) return;
    stack = await deployOnMoto(moto.endpoint, REGION, STACK, PARAMETERS);
    ddb = new DynamoDBClient({ region: REGION, endpoint: moto.endpoint, credentials: LOCAL_CREDENTIALS });
    ({ env, stop: stopCloudFormation } = await motoCommandEnv(moto.endpoint, REGION));
  });
  after(async () => {
    ddb?.destroy();
    await stopCloudFormation?.();
    await moto?.stop();
  });

  const ready = (t: TestContext) => deployedOnMoto(t, moto, stack);

  const history = () => stack?.outputs.TableName as string;
  const authEvents = () => stack?.outputs.AuthEventsTableName as string;
  const arnOf = async (table: string) =>
    (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table?.TableArn as string;

  /** What DynamoDB reports for one table, in protect's terms. */
  async function state(table: string) {
    const described = (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table;
    const pitr = (await ddb.send(new DescribeContinuousBackupsCommand({ TableName: table })))
      .ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    const ttl = (await ddb.send(new DescribeTimeToLiveCommand({ TableName: table }))).TimeToLiveDescription;
    let policy: any;
    try {
      policy = JSON.parse(
        (await ddb.send(new GetResourcePolicyCommand({ ResourceArn: described?.TableArn }))).Policy ?? 'null',
      );
    } catch (error) {
      if ((error as Error).name !== 'PolicyNotFoundException') throw error;
      policy = null;
    }
    return {
      deletionProtection: described?.DeletionProtectionEnabled,
      pitr: `${pitr?.PointInTimeRecoveryStatus} ${pitr?.RecoveryPeriodInDays ?? ''}`.trim(),
      ttl: `${ttl?.TimeToLiveStatus} ${ttl?.AttributeName ?? ''}`.trim(),
      policy,
    };
  }

  it('deploys the processed template, without the types moto does not implement', (t) => {
    if (!ready(t)) return;
    assert.ok(history() && authEvents(), JSON.stringify(stack?.outputs));
    assert.ok(stack?.omitted.includes('TableProtectionChangedAlarm'), 'alarms are left out');
    assert.ok(!stack?.omitted.includes('LoginHistoryTable') && !stack?.omitted.includes('AuthEventsTable'));
  });

  it('--dry-run lists every difference and changes nothing', async (t) => {
    if (!ready(t)) return;
    // Tampering beyond what moto left out: protection off, a policy of someone else's, a 7-day window, TTL
    // on another attribute.
    await ddb.send(new UpdateTableCommand({ TableName: history(), DeletionProtectionEnabled: false }));
    await ddb.send(
      new PutResourcePolicyCommand({
        ResourceArn: await arnOf(history()),
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'dynamodb:*', Resource: '*' },
          ],
        }),
      }),
    );
    await ddb.send(
      new UpdateContinuousBackupsCommand({
        TableName: authEvents(),
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 },
      }),
    );
    const before = { history: await state(history()), authEvents: await state(authEvents()) };

    const result = await runCommand('protect', ['--stack-name', STACK, '--dry-run'], env);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    const at = (table: string) => lines.indexOf(lines.find((l) => l.includes(`(${table})`)) as string);
    const historyLines = lines.slice(at(history()), at(authEvents())).join('\n');
    const authLines = lines.slice(at(authEvents())).join('\n');
    assert.match(historyLines, /deletion protection\s+off, declared on/);
    assert.match(historyLines, /point-in-time recovery\s+off, declared on, 35 days/);
    assert.match(historyLines, /TTL\s+disabled, declared enabled on expiresAt/);
    assert.match(historyLines, /resource policy\s+a different one, declared the template's/);
    assert.match(authLines, /deletion protection\s+on, as declared/);
    assert.match(authLines, /point-in-time recovery\s+on, 7 days, declared on, 35 days/);
    assert.match(authLines, /resource policy\s+none, declared the template's/);
    assert.match(result.stdout, /Dry run: nothing changed\./);
    assert.deepEqual({ history: await state(history()), authEvents: await state(authEvents()) }, before);
  });

  it('puts every setting back as the template declares it, and says what it verified', async (t) => {
    if (!ready(t)) return;
    const result = await runCommand('protect', ['--stack-name', STACK], env);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(
      result.stdout,
      /verified: deletion protection, point-in-time recovery, TTL, resource policy now as declared/,
    );

    for (const table of [history(), authEvents()]) {
      const now = await state(table);
      assert.equal(now.deletionProtection, true, table);
      assert.equal(now.pitr, 'ENABLED 35', table);
      assert.equal(now.ttl, 'ENABLED expiresAt', table);
      // The template's append-only policy, naming this stack's erasure role (from the stack's own output).
      const sids = (now.policy.Statement as { Sid: string }[]).map((s) => s.Sid);
      assert.ok(
        sids.includes('NobodyUpdatesOrBatchWrites') && sids.includes('OnlyTheErasureRoleDeletes'),
        table,
      );
      const erasure = now.policy.Statement.find((s: any) => s.Sid === 'OnlyTheErasureRoleDeletes');
      assert.equal(erasure.Condition.ArnNotEquals['aws:PrincipalArn'], stack?.outputs.ErasureRoleArn);
      assert.ok(!JSON.stringify(now.policy).includes('111122223333'), "the other account's grant is gone");
    }
  });

  it('finds nothing to do the second time', async (t) => {
    if (!ready(t)) return;
    const result = await runCommand('protect', ['--stack-name', STACK], env);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /, declared |verified|NOT RESTORED/);
    assert.equal(result.stdout.match(/, as declared/g)?.length, 8, result.stdout);
  });

  it('turns TTL on another attribute off first, and says that enabling it waits for DynamoDB', async (t) => {
    if (!ready(t)) return;
    const table = authEvents();
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { Enabled: false, AttributeName: 'expiresAt' },
      }),
    );
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'eventTime' },
      }),
    );
    const result = await runCommand('protect', ['--stack-name', STACK], env);
    assert.equal(result.code, 1, 'not restored yet');
    assert.match(
      result.stdout,
      /TTL\s+enabled on eventTime, declared enabled on expiresAt: NOT RESTORED: TTL on eventTime turned off; .*run protect again then/,
    );
    assert.equal((await state(table)).ttl, 'DISABLED eventTime');
    const again = await runCommand('protect', ['--stack-name', STACK], env);
    assert.equal(again.code, 0, again.stdout);
    assert.equal((await state(table)).ttl, 'ENABLED expiresAt');
  });

  it('refuses a stack that does not exist, and changes nothing', async (t) => {
    if (!ready(t)) return;
    const result = await runCommand('protect', ['--stack-name', 'no-such-stack'], env);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error: stack "no-such-stack" does not exist \(check --stack-name and --region\)$/m,
    );
  });
});
