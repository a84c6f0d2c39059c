/**
 * `npm run history -- --attempts | --failed-attempts`, and one user's view with their failures, on dynalite:
 * the formats and their field names, the credential-stuffing summary, and the options each mode refuses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { loadTemplate, tableCreateInput } from '../../../../dev/build/template.ts';
import { missingToolNotice, TOOLS } from '../../../../dev/build/toolchain.ts';
import { type RunningDynalite, startDynalite } from '../../../../dev/local-stack/dynalite.ts';
import {
  LOCAL_CREDENTIALS_ENV,
  localClientConfig,
  localDynamoDB,
} from '../../../../dev/local-stack/local-clients.ts';
import { type RunningMoto, startMoto } from '../../../../dev/local-stack/moto.ts';
import { AUTH_EVENT_FIELDS, type AuthEventRecord } from '../../../../scripts/records/auth-events.ts';
import {
  authEvent,
  byTimeThenId,
  createAuthEventsTable,
  putAuthEvents,
} from '../../../helpers/auth-events.ts';
import { runCommand } from '../../../helpers/commands.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const SIGN_INS = 'login-history-test';
const EVENTS = 'auth-events-test';
const DAY = '2026-11-03';
const at = (hms: string) => `${DAY}T${hms}Z`;

describe('npm run history: authentication events', () => {
  let dynalite: RunningDynalite;
  let env: Record<string, string>;
  const events: AuthEventRecord[] = [];

  before(async () => {
    dynalite = await startDynalite();
    const ddb = localDynamoDB(dynalite.endpoint);
    const doc = DynamoDBDocumentClient.from(ddb);
    await ddb.send(new CreateTableCommand(tableCreateInput(loadTemplate(), SIGN_INS)));
    await createAuthEventsTable(ddb, EVENTS);
    // Alice: a wrong password, a wrong MFA code, then a sign-in. A stuffing IP tries alice, bob and 3 unknown names.
    events.push(
      authEvent({ eventTime: at('08:00:00.000'), sub: 'sub-alice', sourceIp: '198.51.100.1' }),
      authEvent({
        eventTime: at('08:00:30.000'),
        eventName: 'RespondToAuthChallenge',
        errorCode: 'CodeMismatchException',
        sub: 'sub-alice',
        sourceIp: '198.51.100.1',
        authFlow: undefined,
      }),
      authEvent({
        eventTime: at('08:01:00.000'),
        eventName: 'RespondToAuthChallenge',
        outcome: 'success',
        errorCode: undefined,
        sub: 'sub-alice',
        sourceIp: '198.51.100.1',
      }),
      authEvent({ eventTime: at('09:00:00.000'), sub: 'sub-alice', sourceIp: '203.0.113.66' }),
      authEvent({ eventTime: at('09:00:01.000'), sub: 'sub-bob', sourceIp: '203.0.113.66' }),
      authEvent({
        eventTime: at('09:00:02.000'),
        errorCode: 'UserNotFoundException',
        sourceIp: '203.0.113.66',
      }),
      authEvent({ eventTime: at('09:00:03.000'), sourceIp: '203.0.113.66', userAgent: '=HYPERLINK("x")' }),
      authEvent({ eventTime: at('09:00:04.000'), sourceIp: '203.0.113.66' }),
    );
    for (const e of events) {
      for (const key of Object.keys(e) as (keyof AuthEventRecord)[]) if (e[key] === undefined) delete e[key];
    }
    await putAuthEvents(doc, EVENTS, events);
    const signedInAt = at('08:01:00.400');
    await doc.send(
      new PutCommand({
        TableName: SIGN_INS,
        Item: {
          sub: 'sub-alice',
          signInId: `${signedInAt}#req-1`,
          signedInAt,
          userPoolId: 'us-east-1_Local',
          clientId: 'client1',
          requestId: 'req-1',
          dayShard: `${DAY}#0`,
        },
      }),
    );
    ddb.destroy();
    env = {
      ...process.env,
      ...LOCAL_CREDENTIALS_ENV,
      AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
      NODE_NO_WARNINGS: '1',
    } as Record<string, string>;
  });
  after(async () => {
    await dynalite?.close();
  });

  const history = (args: string[]) => runCommand('history', args, env);
  const period = ['--from', DAY, '--to', DAY, '--auth-events-table-name', EVENTS];

  it('--attempts lists every event of the period oldest first, with the records’ field names', async () => {
    const json = await history(['--attempts', ...period, '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), [...events].sort(byTimeThenId));

    const jsonl = await history(['--attempts', ...period, '--format', 'jsonl', '--outcome', 'success']);
    assert.deepEqual(
      jsonl.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
      events.filter((e) => e.outcome === 'success'),
    );

    const csv = await history(['--attempts', ...period, '--format', 'csv', '--outcome', 'failure']);
    const rows = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0]!), [...AUTH_EVENT_FIELDS]);
    assert.equal(rows.length, events.filter((e) => e.outcome === 'failure').length);
    assert.ok(
      rows.some((r) => r.userAgent === `'=HYPERLINK("x")`),
      'a formula cell is neutralised',
    );

    const limited = await history(['--attempts', ...period, '--format', 'jsonl', '--limit', '2']);
    assert.equal(limited.stdout.trim().split('\n').length, 2);
    assert.equal(
      limited.stderr,
      'showing the first 2 events of the period; more exist (raise --limit, or leave it out for all of them)\n',
    );
    const failures = await history([
      '--attempts',
      ...period,
      '--outcome',
      'failure',
      '--format',
      'csv',
      '--limit',
      '1',
    ]);
    assert.match(failures.stderr, /^showing the first 1 failure event of the period; more exist/);
    const everything = await history([
      '--attempts',
      ...period,
      '--format',
      'jsonl',
      '--limit',
      String(events.length),
    ]);
    assert.equal(everything.stderr, '');
  });

  it('--attempts with a time range keeps only the events inside it, both ends included', async () => {
    const { stdout: out } = await history([
      '--attempts',
      '--from',
      at('09:00:01.000'),
      '--to',
      at('09:00:03.000'),
      '--auth-events-table-name',
      EVENTS,
      '--json',
    ]);
    assert.deepEqual(
      JSON.parse(out).map((e: AuthEventRecord) => e.eventTime),
      [at('09:00:01.000'), at('09:00:02.000'), at('09:00:03.000')],
    );
  });

  it('--failed-attempts summarises by source IP (distinct users) and by user', async () => {
    const { code, stdout: out, stderr: err } = await history(['--failed-attempts', ...period, '--json']);
    assert.equal(code, 0, err);
    const summary = JSON.parse(out);
    assert.equal(summary.failures, 7);
    assert.deepEqual(summary.bySourceIp[0], {
      sourceIp: '203.0.113.66',
      failures: 5,
      firstFailure: at('09:00:00.000'),
      lastFailure: at('09:00:04.000'),
      distinctUsers: 2,
      failuresWithoutUser: 3,
    });
    assert.equal(summary.bySourceIp[1].sourceIp, '198.51.100.1');
    const alice = summary.byUser.find((u: { sub?: string }) => u.sub === 'sub-alice');
    assert.deepEqual(alice, {
      sub: 'sub-alice',
      failures: 3,
      firstFailure: at('08:00:00.000'),
      lastFailure: at('09:00:00.000'),
      sourceIps: 2,
    });
    assert.equal(summary.byUser.find((u: { sub?: string }) => u.sub === undefined).failures, 3);

    const table = await history(['--failed-attempts', ...period]);
    assert.match(table.stdout, /^7 failed attempts\./);
    assert.match(table.stdout, /203\.0\.113\.66\s+5\s+2\s+3/);
    const one = await history([
      ...['--failed-attempts', '--from', at('09:00:04.000'), '--to', at('09:00:04.000')],
      ...['--auth-events-table-name', EVENTS],
    ]);
    assert.match(one.stdout, /^1 failed attempt\./, 'one, in the singular');
  });

  it("one user's view shows their failures beside their sign-ins, the sign-in with its source IP", async () => {
    const {
      code,
      stdout: out,
      stderr: err,
    } = await history([
      '--sub',
      'sub-alice',
      '--table-name',
      SIGN_INS,
      '--auth-events-table-name',
      EVENTS,
      '--json',
    ]);
    assert.equal(code, 0, err);
    const rows = JSON.parse(out) as Record<string, string>[];
    assert.deepEqual(
      rows.map((r) => [r.eventTime, r.outcome, r.recordedBy, r.errorCode, r.sourceIp]),
      [
        [at('09:00:00.000'), 'failure', 'auth-event', 'NotAuthorizedException', '203.0.113.66'],
        [at('08:01:00.400'), 'success', 'sign-in', undefined, '198.51.100.1'],
        [at('08:00:30.000'), 'failure', 'auth-event', 'CodeMismatchException', '198.51.100.1'],
        [at('08:00:00.000'), 'failure', 'auth-event', 'NotAuthorizedException', '198.51.100.1'],
      ],
    );
    // --limit cuts the merged rows, and says so.
    const two = await history([
      ...['--sub', 'sub-alice', '--table-name', SIGN_INS, '--auth-events-table-name', EVENTS],
      ...['--json', '--limit', '2'],
    ]);
    assert.deepEqual(JSON.parse(two.stdout), rows.slice(0, 2));
    assert.match(two.stderr, /^showing the newest 2 rows; more exist/);
    // Without the auth-events table, the view is the sign-ins alone, as before.
    const plain = await history(['--sub', 'sub-alice', '--table-name', SIGN_INS, '--json']);
    assert.deepEqual(
      JSON.parse(plain.stdout).map((i: { signInId: string }) => i.signInId),
      [`${at('08:01:00.400')}#req-1`],
    );
  });

  it('refuses options that do not apply, with exit 2 and a message naming them', async () => {
    const cases: [string[], RegExp][] = [
      [['--attempts', '--from', DAY, '--to', DAY, '--table-name', SIGN_INS], /--auth-events-table-name/],
      [['--attempts', ...period, '--sub', 'x'], /does not take --sub/],
      [['--attempts', ...period, '--shards', '2'], /does not take --shards/],
      [['--attempts', '--auth-events-table-name', EVENTS], /needs the period/],
      [['--attempts', ...period, '--outcome', 'maybe'], /--outcome must be failure or success/],
      [['--failed-attempts', ...period, '--limit', '3'], /--limit goes with --attempts/],
      [['--failed-attempts', ...period, '--outcome', 'failure'], /--outcome goes with --attempts/],
      [['--attempts', '--failed-attempts', ...period], /give one of --attempts/],
      [['--date', DAY, '--table-name', SIGN_INS, '--outcome', 'failure'], /--outcome goes with --attempts/],
      [['--date', DAY, '--table-name', SIGN_INS, '--auth-events-table-name', EVENTS], /goes with --attempts/],
    ];
    const results = await Promise.all(cases.map(([args]) => history(args)));
    for (const [i, [args, message]] of cases.entries()) {
      const { code, stdout: out, stderr: err } = results[i]!;
      assert.equal(code, 2, `${args.join(' ')}: ${err}`);
      assert.match(err, message);
      assert.equal(out, '');
    }
  });

  it('says so when the table named is not an auth-events table, or does not exist', async () => {
    const wrong = await history([
      '--attempts',
      '--from',
      DAY,
      '--to',
      DAY,
      '--auth-events-table-name',
      SIGN_INS,
    ]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /is not an auth-events table/);
    const missing = await history([
      '--failed-attempts',
      '--from',
      DAY,
      '--to',
      DAY,
      '--auth-events-table-name',
      'nope',
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /auth-events table nope does not exist/);
  });
});

describe('npm run history --attempts --stack-name (CloudFormation on moto)', () => {
  let moto: RunningMoto | undefined;
  let dynalite: RunningDynalite;
  let env: Record<string, string>;
  const event = authEvent({ eventTime: at('10:00:00.000'), sourceIp: '192.0.2.9' });

  before(async () => {
    moto = await startMoto();
    dynalite = await startDynalite();
    if (!moto) return;
    const ddb = localDynamoDB(dynalite.endpoint);
    await createAuthEventsTable(ddb, EVENTS);
    await putAuthEvents(DynamoDBDocumentClient.from(ddb), EVENTS, [event]);
    ddb.destroy();
    const cfn = new CloudFormationClient(localClientConfig(moto.endpoint));
    for (const [name, outputs] of [
      ['with-auth-events', { TableName: { Value: SIGN_INS }, AuthEventsTableName: { Value: EVENTS } }],
      ['without-auth-events', { TableName: { Value: SIGN_INS } }],
    ] as const) {
      await cfn.send(
        new CreateStackCommand({
          StackName: name,
          TemplateBody: JSON.stringify({
            Resources: { Placeholder: { Type: 'AWS::SNS::Topic' } },
            Outputs: outputs,
          }),
        }),
      );
    }
    cfn.destroy();
    env = {
      ...process.env,
      ...LOCAL_CREDENTIALS_ENV,
      AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
      AWS_ENDPOINT_URL_CLOUDFORMATION: moto.endpoint,
      NODE_NO_WARNINGS: '1',
    } as Record<string, string>;
  });
  after(async () => {
    await moto?.stop();
    await dynalite?.close();
  });

  const history = (args: string[]) => runCommand('history', args, env);

  it("reads the table from the stack's AuthEventsTableName output, and says when the stack has none", async (t) => {
    if (!moto) {
      skipBecause(t, missingToolNotice(TOOLS.moto));
      return;
    }
    const [found, none] = await Promise.all([
      history(['--attempts', '--from', DAY, '--to', DAY, '--stack-name', 'with-auth-events', '--json']),
      history(['--failed-attempts', '--from', DAY, '--to', DAY, '--stack-name', 'without-auth-events']),
    ]);
    assert.equal(found.code, 0, found.stderr);
    assert.deepEqual(JSON.parse(found.stdout), [event]);
    assert.equal(none.code, 1);
    assert.match(
      none.stderr,
      /stack "without-auth-events" records no authentication events .*AuthEvents=enabled/,
    );
  });
});
