/**
 * `npm run erase` end to end: dynalite holds the sign-in table (from template.yaml) and an auth-events table
 * (the issue 18 schema), moto answers STS (who runs it, the erasure role) and Secrets Manager (the salt),
 * cognito-local resolves --username / --email. Skipped with a notice when moto is not installed; CI
 * (REQUIRE_TOOLCHAIN=1) fails instead.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ERASURE_PARTITION } from '#contract';
import { entryOf } from '../../../../dev/build/commands.ts';
import { loadTemplate, PROJECT_ROOT, tableCreateInput } from '../../../../dev/build/template.ts';
import { startCognitoLocal } from '../../../../dev/local-stack/cognito-local.ts';
import { startDynalite } from '../../../../dev/local-stack/dynalite.ts';
import { FaultProxy } from '../../../../dev/local-stack/fault-proxy.ts';
import {
  LOCAL_CREDENTIALS,
  LOCAL_CREDENTIALS_ENV,
  localDynamoDB,
} from '../../../../dev/local-stack/local-clients.ts';
import { type RunningMoto, startMoto } from '../../../../dev/local-stack/moto.ts';
import {
  createPoolWithClient,
  createUser,
  realisticPoolInput,
} from '../../../../dev/local-stack/user-pool-fixtures.ts';
import type { ErasureRecord } from '../../../../scripts/records/erasure-record.ts';
import { skipBecause } from '../../../helpers/skip.ts';
import { putItems } from '../../../helpers/tables.ts';

const REGION = 'us-east-1';
const credentials = LOCAL_CREDENTIALS;
const SALT = 'a-test-salt-of-sixty-four-characters-0123456789abcdefghijklmnopq';
const SIGN_INS = 'login-history-erase-test';
const AUTH_EVENTS = 'auth-events-erase-test';
const ERASURE_ROLE = 'arn:aws:iam::123456789012:role/login-history-ErasureRole-TEST';
const DAY_MS = 86_400_000;

describe('npm run erase', () => {
  let moto: RunningMoto | undefined;
  const closers: (() => Promise<void>)[] = [];
  let doc: DynamoDBDocumentClient;
  let proxy: FaultProxy;
  let env: NodeJS.ProcessEnv = {};
  let saltArn = '';
  let poolId = '';
  const scratch = mkdtempSync(join(tmpdir(), 'erase-'));

  before(async () => {
    moto = await startMoto();
    if (!moto) return;
    closers.push(() => (moto as RunningMoto).stop());
    const dynalite = await startDynalite();
    closers.push(() => dynalite.close());
    // Every request of the command passes the proxy: the resume test slows it down to interrupt mid-run.
    proxy = await new FaultProxy(dynalite.endpoint, 60).start();
    closers.push(() => proxy.stop());
    const cognitoLocal = await startCognitoLocal({ dataDir: join(scratch, 'cognito') });
    closers.push(() => cognitoLocal.close());

    const client = localDynamoDB(dynalite.endpoint);
    doc = DynamoDBDocumentClient.from(client);
    closers.push(async () => doc.destroy());
    await client.send(new CreateTableCommand(tableCreateInput(loadTemplate(), SIGN_INS)));
    // The auth-events table as template.yaml defines it: pk/sk, sparse GSIs bySub and bySourceIp.
    await client.send(
      new CreateTableCommand(
        tableCreateInput(loadTemplate(), AUTH_EVENTS, { AuthEvents: 'enabled' }, 'AuthEventsTable'),
      ),
    );
    const secrets = new SecretsManagerClient({ region: REGION, endpoint: moto.endpoint, credentials });
    saltArn = (await secrets.send(new CreateSecretCommand({ Name: 'erasure-salt', SecretString: SALT })))
      .ARN as string;
    secrets.destroy();
    const cognito = new CognitoIdentityProviderClient({
      region: REGION,
      endpoint: cognitoLocal.endpoint,
      credentials,
    });
    poolId = (await createPoolWithClient(cognito, realisticPoolInput('erase'))).poolId;
    cognito.destroy();
    env = {
      ...process.env,
      ...LOCAL_CREDENTIALS_ENV,
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      AWS_ENDPOINT_URL_STS: moto.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognitoLocal.endpoint,
      NODE_NO_WARNINGS: '1',
    };
  });
  after(async () => {
    for (const close of closers.reverse()) await close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const skipped = (t: TestContext) =>
    !moto && skipBecause(t, 'moto_server is not installed (npm test installs it)');
  const where = () => ['--table-name', SIGN_INS, '--salt-secret', saltArn, '--region', REGION];
  const withAuthEvents = () => [...where(), '--auth-events-table-name', AUTH_EVENTS];
  const args = (more: string[]) => ['--import', 'tsx', entryOf('erase'), ...more];
  const erase = (more: string[], envChange: NodeJS.ProcessEnv = {}) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      const runEnv = Object.fromEntries(
        Object.entries({ ...env, ...envChange }).filter(([, value]) => value !== undefined),
      );
      execFile(process.execPath, args(more), { cwd: PROJECT_ROOT, env: runEnv }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });

  /** `count` sign-ins and `events` auth events of `sub`, one a day back from today. */
  async function seed(sub: string, count: number, events = 0) {
    const now = Date.now();
    const signIns = Array.from({ length: count }, (_, i) => {
      const at = new Date(now - i * DAY_MS).toISOString();
      return {
        sub,
        signInId: `${at}#${randomUUID()}`,
        signedInAt: at,
        dayShard: `${at.slice(0, 10)}#0`,
        email: `${sub.slice(0, 8)}@example.com`,
      };
    });
    const authEvents = Array.from({ length: events }, (_, i) => {
      const at = new Date(now - i * DAY_MS).toISOString();
      const eventId = randomUUID();
      return { pk: `${at.slice(0, 10)}#03`, sk: `${at}#${eventId}`, sub, eventId, eventName: 'InitiateAuth' };
    });
    await putItems(doc, SIGN_INS, signIns);
    await putItems(doc, AUTH_EVENTS, authEvents);
    return { oldest: signIns.at(-1)?.signedInAt, newest: signIns[0]?.signedInAt };
  }

  async function countOf(sub: string): Promise<{ signIns: number; authEvents: number }> {
    const query = async (input: Record<string, unknown>) =>
      (
        await doc.send(
          new QueryCommand({
            ...input,
            KeyConditionExpression: '#s = :s',
            ExpressionAttributeNames: { '#s': 'sub' },
            ExpressionAttributeValues: { ':s': sub },
            Select: 'COUNT',
          } as never),
        )
      ).Count ?? 0;
    return {
      signIns: await query({ TableName: SIGN_INS, ConsistentRead: true }),
      authEvents: await query({ TableName: AUTH_EVENTS, IndexName: 'bySub' }),
    };
  }

  async function erasureRecords(): Promise<ErasureRecord[]> {
    const page = await doc.send(
      new QueryCommand({
        TableName: SIGN_INS,
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'sub' },
        ExpressionAttributeValues: { ':s': ERASURE_PARTITION },
        ConsistentRead: true,
      }),
    );
    return (page.Items ?? []) as ErasureRecord[];
  }
  const hashOf = (sub: string) => createHmac('sha256', SALT).update(sub).digest('hex');

  /** A user of the pool named `username`, with the email `<username>@example.com`. */
  async function createPoolUser(username: string) {
    const cognito = new CognitoIdentityProviderClient({
      region: REGION,
      endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER,
      credentials,
    });
    try {
      return await createUser(cognito, poolId, username, 'Correct-Horse-42', {
        email: `${username}@example.com`,
      });
    } finally {
      cognito.destroy();
    }
  }

  it('refuses bad input with a clear message and deletes nothing', async (t) => {
    if (skipped(t)) return;
    const user = await createPoolUser('bad-input');
    await seed(user.sub, 3, 2);
    const seeded = await countOf(user.sub);

    // Runs at once: each is a separate process that must leave everything as it was.
    const noAwsConfig = {
      AWS_REGION: undefined,
      AWS_CONFIG_FILE: join(scratch, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-credentials'),
    };
    const [noRegion, both, unknown, noPool, noYes, noTable, noEventsTable, noSalt] = await Promise.all([
      erase(['--sub', user.sub, '--table-name', SIGN_INS, '--salt-secret', saltArn, '--yes'], noAwsConfig),
      erase(['--sub', user.sub, '--email', 'bad-input@example.com', ...where(), '--yes']),
      erase(['--username', 'nobody', '--user-pool-id', poolId, ...where(), '--yes']),
      erase(['--email', 'bad-input@example.com', ...where(), '--yes']),
      erase(['--email', 'bad-input@example.com', '--user-pool-id', poolId, ...withAuthEvents()]),
      erase(['--sub', user.sub, ...where().map((a) => (a === SIGN_INS ? 'no-such-sign-ins' : a)), '--yes']),
      erase(['--sub', user.sub, ...where(), '--auth-events-table-name', 'no-such-events', '--yes']),
      erase(['--sub', user.sub, ...where().map((a) => (a === saltArn ? 'no-such-salt' : a)), '--yes']),
    ]);
    assert.equal(noRegion.code, 1, noRegion.out);
    assert.equal(
      noRegion.out.trim(),
      'error: no AWS region: pass --region, or set AWS_REGION (or a region in your AWS profile)',
    );
    assert.equal(both.code, 2, both.out);
    assert.match(both.out, /give exactly one of --sub, --username, --email/);

    assert.equal(unknown.code, 1, unknown.out);
    assert.match(unknown.out, new RegExp(`error: no user nobody in ${poolId}`));

    assert.equal(noPool.code, 2, noPool.out);
    assert.match(noPool.out, /--email needs --user-pool-id/);

    assert.equal(noYes.code, 1, noYes.out);
    assert.match(noYes.out, /sign-ins +3 /);
    assert.match(noYes.out, /auth events +2 /);
    assert.match(noYes.out, /refusing to erase without --yes \(nothing was deleted\)/);

    // A missing table is named, whichever of the two it is (AWS's own text names none).
    for (const [run, table] of [
      [noTable, 'no-such-sign-ins'],
      [noEventsTable, 'no-such-events'],
    ] as const) {
      assert.equal(run.code, 1, run.out);
      assert.equal(
        run.out.trim(),
        `error: table ${table} does not exist (check --table-name / --auth-events-table-name and --region); nothing was deleted`,
      );
    }

    // A missing salt secret is named too, in our words (Secrets Manager's: "can't find the specified secret").
    assert.equal(noSalt.code, 1, noSalt.out);
    assert.equal(
      noSalt.out.trim(),
      "error: cannot read the erasure salt: secret no-such-salt does not exist (check --salt-secret, or the stack's ErasureSaltSecretArn, and --region)",
    );

    assert.deepEqual(await countOf(user.sub), seeded);
    assert.deepEqual(
      (await erasureRecords()).filter((r) => r.subHash === hashOf(user.sub)),
      [],
      'no record either',
    );
  });

  it('prints counts per kind and the date range on a dry run, and changes nothing', async (t) => {
    if (skipped(t)) return;
    const sub = randomUUID();
    const { oldest, newest } = await seed(sub, 4, 3);
    const { code, out } = await erase(['--sub', sub, ...withAuthEvents(), '--dry-run']);
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`sign-ins +4 +${oldest} … ${newest}`));
    assert.match(out, /auth events +3 /);
    assert.match(out, /Dry run: nothing was deleted\./);
    assert.deepEqual(await countOf(sub), { signIns: 4, authEvents: 3 });
  });

  it('erases one user (by email, as the erasure role) and writes a record without personal data; a rerun changes nothing', async (t) => {
    if (skipped(t)) return;
    const user = await createPoolUser('leaving');
    const bystander = randomUUID();
    await seed(user.sub, 7, 5);
    await seed(bystander, 2, 1);
    const started = Date.now();

    const first = await erase([
      ...['--email', 'leaving@example.com', '--user-pool-id', poolId],
      ...withAuthEvents(),
      ...['--role-arn', ERASURE_ROLE, '--yes'],
    ]);
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /Erased 7 sign-ins and 5 auth events\./);
    assert.deepEqual(await countOf(user.sub), { signIns: 0, authEvents: 0 });
    assert.deepEqual(await countOf(bystander), { signIns: 2, authEvents: 1 }, "nobody else's items");

    const records = (await erasureRecords()).filter((r) => r.subHash === hashOf(user.sub));
    assert.deepEqual(
      records.map((r) => r.status),
      ['started', 'completed'],
    );
    const done = records[1] as ErasureRecord;
    assert.deepEqual(done.itemsFound, { signIns: 7, authEvents: 5 });
    assert.deepEqual(done.itemsErased, { signIns: 7, authEvents: 5 });
    // Who ran it: the caller (moto's default identity), not the role session it became.
    assert.equal(done.requestedBy, 'arn:aws:sts::123456789012:user/moto');
    assert.ok(
      Date.parse(done.requestedAt) >= started - 1000 &&
        Date.parse(done.completedAt ?? '') >= Date.parse(done.requestedAt),
    );
    const text = JSON.stringify(records);
    for (const personal of [user.sub, 'leaving@example.com', 'leaving']) {
      assert.ok(!text.includes(personal), `the record holds no ${personal}`);
    }
    assert.equal(
      (done as unknown as Record<string, unknown>).dayShard,
      undefined,
      'absent from the byDay index: no day listing shows it',
    );

    // One of each: counted in the singular.
    const single = randomUUID();
    await seed(single, 1, 1);
    const one = await erase(['--sub', single, ...withAuthEvents(), '--yes']);
    assert.match(one.out, /Erased 1 sign-in and 1 auth event\./);

    const again = await erase(['--sub', user.sub, ...withAuthEvents(), '--yes']);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /This user was erased before \(completed .*\)\.\nNothing to erase\./);
    assert.equal((await erasureRecords()).filter((r) => r.subHash === hashOf(user.sub)).length, 2);
  });

  it('resumes after being killed mid-run, and the record counts every item once', async (t) => {
    if (skipped(t)) return;
    const sub = randomUUID();
    const total = 160;
    await seed(sub, total);
    await proxy.set('slow'); // 60 ms per request: the run takes seconds, time to kill it half-way
    let child: ChildProcess | undefined;
    try {
      child = spawn(process.execPath, args(['--sub', sub, ...where(), '--yes']), {
        cwd: PROJECT_ROOT,
        env,
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      const deadline = Date.now() + 60_000;
      let left = total;
      while (Date.now() < deadline) {
        left = (await countOf(sub)).signIns;
        if (left < total * 0.75) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await exited;
      left = (await countOf(sub)).signIns;
      assert.ok(left > 0 && left < total, `killed half-way (${left} of ${total} left)`);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await proxy.set('none');
    }
    const interrupted = (await erasureRecords()).filter((r) => r.subHash === hashOf(sub));
    assert.deepEqual(
      interrupted.map((r) => r.status),
      ['started'],
    );

    // The person signs in again before the erasure is resumed: that sign-in goes too, and is counted.
    await seed(sub, 1);

    const resumed = await erase(['--sub', sub, ...where(), '--yes']);
    assert.equal(resumed.code, 0, resumed.out);
    assert.match(resumed.out, /was interrupted: erasing resumes it/);
    // No auth-events table was named: the command says it did not look, not "0 auth events".
    assert.match(resumed.out, /^ {2}auth events +- +\(not checked: no --auth-events-table-name\)$/m);
    assert.match(
      resumed.out,
      new RegExp(
        `Erased ${total + 1} sign-ins \\(resumed\\); auth events: not checked: no --auth-events-table-name\\.`,
      ),
    );
    assert.doesNotMatch(resumed.out, /0 auth events/);
    assert.equal((await countOf(sub)).signIns, 0);
    const records = (await erasureRecords()).filter((r) => r.subHash === hashOf(sub));
    assert.deepEqual(
      records.map((r) => [r.status, r.requestedAt]),
      [
        ['started', interrupted[0]?.requestedAt],
        ['completed', interrupted[0]?.requestedAt],
      ],
    );
    assert.deepEqual(records[1]?.itemsFound, { signIns: total, authEvents: 0 });
    assert.deepEqual(records[1]?.itemsErased, { signIns: total + 1, authEvents: 0 });
  });

  it('erases the auth events of a source address that name no user, and keeps those that name one', async (t) => {
    if (skipped(t)) return;
    const address = '203.0.113.77';
    const user = randomUUID();
    const now = Date.now();
    const event = (i: number, sourceIp: string, sub?: string) => {
      const at = new Date(now - i * 60_000).toISOString();
      const eventId = randomUUID();
      return {
        pk: `${at.slice(0, 10)}#0${i % 10}`,
        sk: `${at}#${eventId}`,
        eventId,
        eventName: 'InitiateAuth',
        outcome: 'failure',
        sourceIp,
        ...(sub ? { sub } : {}),
      };
    };
    const items = [
      ...[0, 1, 2].map((i) => event(i, address)),
      ...[3, 4].map((i) => event(i, address, user)),
      event(5, '198.51.100.9'),
    ];
    await putItems(doc, AUTH_EVENTS, items);
    const ofAddress = async (sourceIp: string) =>
      (
        await doc.send(
          new QueryCommand({
            TableName: AUTH_EVENTS,
            IndexName: 'bySourceIp',
            KeyConditionExpression: 'sourceIp = :ip',
            ExpressionAttributeValues: { ':ip': sourceIp },
          }),
        )
      ).Items ?? [];

    const dryRun = await erase(['--source-ip', address, ...withAuthEvents(), '--dry-run']);
    assert.equal(dryRun.code, 0, dryRun.out);
    assert.match(
      dryRun.out,
      new RegExp(`Authentication events of ${address} that name no user:\\n  auth events +3 `),
    );
    assert.match(
      dryRun.out,
      /kept: 2 events of this address naming a user, erased only with that user's --sub/,
    );
    assert.doesNotMatch(dryRun.out, /sign-ins/);
    assert.equal((await ofAddress(address)).length, 5, 'a dry run deletes nothing');

    const erased = await erase([
      '--source-ip',
      address,
      ...withAuthEvents(),
      '--role-arn',
      ERASURE_ROLE,
      '--yes',
    ]);
    assert.equal(erased.code, 0, erased.out);
    assert.match(erased.out, new RegExp(`Erased 3 auth events of ${address} that named no user\\.`));
    assert.deepEqual(
      (await ofAddress(address)).map((item) => item.sub),
      [user, user],
      "the user's events stay: they are erased with the user",
    );
    assert.equal((await ofAddress('198.51.100.9')).length, 1, "another address's events stay");
    const hash = createHmac('sha256', SALT).update(`source-ip:${address}`).digest('hex');
    const records = (await erasureRecords()).filter((r) => r.subHash === hash);
    assert.deepEqual(
      records.map((r) => [r.status, r.subject, r.itemsErased]),
      [
        ['started', 'source-ip', undefined],
        ['completed', 'source-ip', { signIns: 0, authEvents: 3 }],
      ],
    );
    assert.ok(!JSON.stringify(records).includes(address), 'the record holds no address');

    // The user's own erasure takes the rest.
    const byUser = await erase(['--sub', user, ...withAuthEvents(), '--yes']);
    assert.match(byUser.out, /Erased 0 sign-ins and 2 auth events\./);
    assert.equal((await ofAddress(address)).length, 0);

    const refused = await Promise.all([
      erase(['--source-ip', 'not-an-address', ...withAuthEvents(), '--yes']),
      erase(['--source-ip', address, '--sub', user, ...withAuthEvents(), '--yes']),
      erase(['--source-ip', address, ...where(), '--yes']),
    ]);
    assert.deepEqual(
      refused.map((r) => r.code),
      [2, 2, 1],
    );
    assert.match(refused[0]?.out ?? '', /--source-ip "not-an-address" is not an IPv4 or IPv6 address/);
    assert.match(
      refused[2]?.out ?? '',
      /no auth-events table: only authentication events are kept by source address/,
    );
  });
});
