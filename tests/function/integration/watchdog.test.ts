/**
 * The watchdog on real engines (moto: Cognito, Lambda, EventBridge, Scheduler, CloudTrail, DynamoDB with
 * streams and resource policies, S3 Object Lock, KMS, CloudWatch): every check passes on a trail as deployed,
 * and each way of stopping the trail fails its own check, whose metric (read back from CloudWatch) breaches
 * the template's alarm for it. moto stores alarms but never evaluates them: the alarm's definition is
 * applied to the metric moto holds. The watchdog's silence: no heartbeat is a breach by its alarm's
 * definition (missing data breaching).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { CloudTrailClient, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CreateTableCommand,
  DeleteResourcePolicyCommand,
  type DynamoDBClient,
  PutResourcePolicyCommand,
} from '@aws-sdk/client-dynamodb';
import { DisableRuleCommand, EventBridgeClient, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  LambdaClient,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { createWatchdogApi } from '../../../authenticated/src/watchdog-api.ts';
import { CHECKS, runWatchdog, type WatchdogConfig } from '../../../authenticated/src/watchdog-checks.ts';
import { loadTemplate, resolveConditions, tableCreateInput } from '../../../dev/build/template.ts';
import { createLocalDigests, sealLocally } from '../../../dev/local-stack/digests-local.ts';
import {
  LOCAL_CREDENTIALS,
  LOCAL_CREDENTIALS_ENV,
  LOCAL_SDK_REGION,
  localClientConfig,
  localDocumentClient,
  localDynamoDB,
} from '../../../dev/local-stack/local-clients.ts';
import { createMotoRole, type RunningMoto, startMoto } from '../../../dev/local-stack/moto.ts';
import { runCommand } from '../../helpers/commands.ts';
import { createLoggingTrail } from '../../helpers/moto.ts';
import { skipBecause } from '../../helpers/skip.ts';

const NAMESPACE = 'LoginHistory/watchdog-test';
const TABLE = 'login-history-watched';
/** The smallest zip file there is (an end-of-central-directory record), and one with a comment: two codes. */
const CODE = Buffer.from('504b0506000000000000000000000000000000000000', 'hex');
const OTHER_CODE = Buffer.from('504b05060000000000000000000000000000000001002e', 'hex');
const APPEND_ONLY = (arn: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'NobodyChanges',
        Effect: 'Deny',
        Principal: '*',
        Action: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: arn,
      },
    ],
  });

describe('the watchdog (moto)', () => {
  let moto: RunningMoto | undefined;
  let config: WatchdogConfig;
  let watchdog: ReturnType<typeof createWatchdogApi>;
  let ddb: DynamoDBClient;
  let lambda: LambdaClient;
  let cloudwatch: CloudWatchClient;
  const template = loadTemplate();

  before(async () => {
    moto = await startMoto();
    if (!moto) return;
    const c = localClientConfig(moto.endpoint);
    ddb = localDynamoDB(moto.endpoint);
    lambda = new LambdaClient(c);
    cloudwatch = new CloudWatchClient(c);
    const role = await createMotoRole(moto.endpoint, 'watched-functions');
    const versions: string[] = [];
    const functionArns: string[] = [];
    for (const name of ['trigger', 'sealer', 'detector']) {
      const created = await lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs22.x',
          Role: role,
          Handler: 'index.handler',
          Code: { ZipFile: CODE },
        }),
      );
      functionArns.push(created.FunctionArn as string);
      versions.push(
        (await lambda.send(new PublishVersionCommand({ FunctionName: name }))).FunctionArn as string,
      );
    }
    const cognito = new CognitoIdentityProviderClient(c);
    const pool = await cognito.send(
      new CreateUserPoolCommand({
        PoolName: 'watched',
        LambdaConfig: { PostAuthentication: functionArns[0] },
      }),
    );
    cognito.destroy();
    const events = new EventBridgeClient(c);
    for (const name of ['protection-changed', 'trail-changed']) {
      await events.send(
        new PutRuleCommand({ Name: name, EventPattern: '{"source":["aws.dynamodb"]}', State: 'ENABLED' }),
      );
    }
    events.destroy();
    const scheduler = new SchedulerClient(c);
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'seal-every',
        ScheduleExpression: 'rate(15 minutes)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: functionArns[1], RoleArn: role },
      }),
    );
    scheduler.destroy();
    await createLoggingTrail(moto.endpoint, c.region, {
      name: 'management',
      bucket: 'trail-logs',
      multiRegion: true,
    });
    const table = await ddb.send(
      new CreateTableCommand({
        ...tableCreateInput(template, TABLE),
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    const tableArn = table.TableDescription?.TableArn as string;
    await ddb.send(new PutResourcePolicyCommand({ ResourceArn: tableArn, Policy: APPEND_ONLY(tableArn) }));
    const mapping = await lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: table.TableDescription?.LatestStreamArn,
        FunctionName: 'detector',
        StartingPosition: 'LATEST',
      }),
    );
    const digests = await createLocalDigests(moto.endpoint);
    const now = Date.now();
    const doc = localDocumentClient(moto.endpoint);
    await sealLocally(digests, doc, [{ table: 'sign-ins', tableName: TABLE, dayIndexShards: 1 }], {
      genesis: now - 3_600_000,
      until: now,
    });
    doc.destroy();
    config = {
      userPoolId: pool.UserPool?.Id as string,
      triggerFunctionArn: functionArns[0] as string,
      functionVersionArns: versions,
      ruleNames: ['protection-changed', 'trail-changed'],
      scheduleNames: ['seal-every'],
      mappingIds: [mapping.UUID as string],
      tables: [{ table: 'sign-ins', tableName: TABLE, tableArn }],
      sealIntervalMinutes: 15,
      sealGraceMinutes: 15,
    };
    watchdog = createWatchdogApi(
      { endpoint: moto.endpoint, region: LOCAL_SDK_REGION, credentials: LOCAL_CREDENTIALS },
      { bucket: digests.bucket, signingKeyArn: digests.keyArn, region: LOCAL_SDK_REGION },
    );
  });
  after(async () => {
    ddb?.destroy();
    lambda?.destroy();
    cloudwatch?.destroy();
    await moto?.stop();
  });

  const skipped = (t: TestContext) =>
    !moto && skipBecause(t, 'moto_server is not installed (npm test installs it)');
  /** One run as the scheduled function makes it: the checks, then their metrics published. */
  async function run(now = Date.now()) {
    const results = await runWatchdog(config, watchdog.api, now);
    await watchdog.publish(NAMESPACE, results, new Date(now));
    return Object.fromEntries(results.map((r) => [r.check, r]));
  }
  /** The newest value CloudWatch holds for a check's metric. */
  async function metric(name: string, dimension?: string) {
    const answer = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: NAMESPACE,
        MetricName: name,
        ...(dimension ? { Dimensions: [{ Name: 'Check', Value: dimension }] } : {}),
        StartTime: new Date(Date.now() - 3_600_000),
        EndTime: new Date(Date.now() + 3_600_000),
        Period: 60,
        Statistics: ['Maximum', 'SampleCount'],
      }),
    );
    const points = (answer.Datapoints ?? []).sort(
      (a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0),
    );
    return points.at(-1);
  }
  /** The template's alarm on a check: does `value` breach it? */
  function alarmBreaches(check: string, value: number) {
    const resources = resolveConditions(template)(template.Resources) as Record<string, any>;
    const [, alarm] = Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.Dimensions?.[0]?.Value === check,
    ) ?? [undefined, undefined];
    assert.ok(alarm, `the template has an alarm on check ${check}`);
    assert.equal(alarm.Properties.MetricName, 'TrailCheckFailed');
    assert.equal(alarm.Properties.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
    return value >= alarm.Properties.Threshold;
  }

  it('passes every check on a trail as deployed, and publishes a 0 per check and a heartbeat', async (t) => {
    if (skipped(t)) return;
    const results = await run();
    for (const check of CHECKS) assert.equal(results[check]?.ok, true, `${check}: ${results[check]?.detail}`);
    for (const check of CHECKS) assert.equal((await metric('TrailCheckFailed', check))?.Maximum, 0, check);
    assert.equal((await metric('WatchdogHeartbeat'))?.SampleCount, 1);
  });

  it('after npm run detach the trigger check fails, and its metric breaches its alarm', async (t) => {
    if (!moto || skipped(t)) return;
    const detach = await runCommand('detach', ['--user-pool-id', config.userPoolId], {
      ...process.env,
      ...LOCAL_CREDENTIALS_ENV,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: moto.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: moto.endpoint,
      NODE_NO_WARNINGS: '1',
    });
    assert.equal(detach.code, 0, `${detach.stdout}${detach.stderr}`);
    const results = await run();
    assert.equal(results.trigger?.ok, false);
    assert.match(
      results.trigger?.detail ?? '',
      /PostAuthentication trigger is not set, not arn:aws:lambda:.*:function:trigger: sign-ins are not recorded/,
    );
    const value = (await metric('TrailCheckFailed', 'trigger'))?.Maximum as number;
    assert.equal(value, 1);
    assert.ok(alarmBreaches('trigger', value));
    assert.equal(results.functions?.ok, true, 'the other checks are not affected');
  });

  it('fails its own check for each other way of stopping the trail', async (t) => {
    if (!moto || skipped(t)) return;
    const c = localClientConfig(moto.endpoint);
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'sealer', ZipFile: OTHER_CODE }));
    await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'detector', ReservedConcurrentExecutions: 0 }),
    );
    const events = new EventBridgeClient(c);
    await events.send(new DisableRuleCommand({ Name: 'trail-changed' }));
    events.destroy();
    const cloudtrail = new CloudTrailClient(c);
    await cloudtrail.send(new StopLoggingCommand({ Name: 'management' }));
    cloudtrail.destroy();
    await ddb.send(new DeleteResourcePolicyCommand({ ResourceArn: config.tables[0]?.tableArn }));
    // Three hours on, with no seal since: late.
    const results = await run(Date.now() + 3 * 3_600_000);
    assert.match(results.functions?.detail ?? '', /sealer: CodeSha256 changed since version 1 was deployed/);
    assert.match(results.functions?.detail ?? '', /detector: reserved concurrency is 0/);
    assert.match(results.rules?.detail ?? '', /rule trail-changed is DISABLED/);
    assert.match(
      results.trail?.detail ?? '',
      /no trail logs us-east-1's management events.*management is not logging/,
    );
    assert.match(results.policies?.detail ?? '', new RegExp(`${TABLE} has no resource policy`));
    assert.match(results.seal?.detail ?? '', /sign-ins: sealed only up to /);
    for (const check of ['functions', 'rules', 'trail', 'policies', 'seal']) {
      assert.equal(results[check]?.ok, false, check);
      assert.ok(alarmBreaches(check, 1));
    }
    assert.equal(results.streams?.ok, true, 'the streams and the mapping were left on');
  });

  it("alarms on the watchdog's own silence: no heartbeat is a breach", (t) => {
    if (skipped(t)) return;
    const resources = resolveConditions(template)(template.Resources) as Record<string, any>;
    const silent = Object.values(resources).find(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === 'WatchdogHeartbeat',
    );
    assert.ok(silent, 'the template has an alarm on the heartbeat');
    assert.equal(silent.Properties.TreatMissingData, 'breaching', 'a period without a heartbeat breaches');
    assert.equal(silent.Properties.ComparisonOperator, 'LessThanThreshold');
    // Three of the watchdog's intervals, whichever is chosen: one late run is no silence, three missed runs are.
    for (const minutes of template.Parameters.WatchdogIntervalMinutes.AllowedValues as number[]) {
      const chosen = resolveConditions(template, { WatchdogIntervalMinutes: String(minutes) })(
        template.Resources,
      ) as Record<string, any>;
      const alarm = Object.values(chosen).find((r) => r.Properties?.MetricName === 'WatchdogHeartbeat');
      assert.equal(alarm?.Properties.Period, 3 * minutes * 60, `every ${minutes} minutes`);
      assert.equal(alarm?.Properties.EvaluationPeriods, 1);
    }
    assert.equal(
      JSON.stringify(resources.WatchdogFunction.Properties.Events.Every.Properties.ScheduleExpression),
      JSON.stringify({ 'Fn::Sub': `rate(${'$'}{WatchdogIntervalMinutes} minutes)` }),
    );
  });
});
