/** `npm run history` against the local stack: every way to name a user or a day, and its messages. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { entryOf } from '../../../../dev/build/commands.ts';
import { loadTemplate, PROJECT_ROOT, tableCreateInput } from '../../../../dev/build/template.ts';
import { type LocalStack, startLocalStack } from '../../../../dev/local-stack/local-stack.ts';
import {
  createPoolWithClient,
  createUser,
  realisticPoolInput,
  signIn,
} from '../../../../dev/local-stack/user-pool-fixtures.ts';
import { attachLocally } from '../../../helpers/local-stack.ts';

describe('npm run history', () => {
  let stack: LocalStack;
  let poolId = '';
  let adminSub = '';
  const today = new Date().toISOString().slice(0, 10);

  before(async () => {
    stack = await startLocalStack({ parameters: { DayIndexShards: '3' } });
    Object.assign(process.env, stack.clientEnv);
    const cognito = new CognitoIdentityProviderClient({});
    const pool = await createPoolWithClient(cognito, realisticPoolInput('history'));
    poolId = pool.poolId;
    stack.grantInvoke(pool.poolArn);
    await attachLocally(stack, poolId);
    const admin = await createUser(cognito, poolId, 'admin', 'Correct-Horse-42', {
      email: 'admin@example.com',
    });
    const other = await createUser(cognito, poolId, 'other', 'Correct-Horse-42', {
      email: 'other@example.com',
    });
    adminSub = admin.sub;
    for (const user of [admin, other, admin, other, admin, other, admin])
      await signIn(cognito, pool.clientId, user);
    cognito.destroy();
  });
  after(async () => {
    await stack?.stop();
  });

  const history = (args: string[]) =>
    new Promise<{ code: number; out: string; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          entryOf('history'),
          ...args,
          ...(args.includes('--stack-name') || args.includes('--table-name')
            ? []
            : ['--table-name', stack.tableName]),
        ],
        { cwd: PROJECT_ROOT, env: { ...process.env, ...stack.clientEnv, NODE_NO_WARNINGS: '1' } },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}`, stdout, stderr }),
      );
    });

  it('finds a user by sub, username and email alike, newest first', async () => {
    const outputs = await Promise.all([
      history(['--sub', adminSub, '--json']),
      history(['--username', 'admin', '--user-pool-id', poolId, '--json']),
      history(['--email', 'admin@example.com', '--user-pool-id', poolId, '--json']),
    ]);
    for (const { code, out } of outputs) {
      assert.equal(code, 0, out);
      const items = JSON.parse(out);
      assert.equal(items.length, 4);
      assert.ok(items.every((i: { sub: string }) => i.sub === adminSub));
      const times = items.map((i: { signInId: string }) => i.signInId);
      assert.deepEqual(times, [...times].sort().reverse());
    }
  });

  it('reads every shard of the day index, merged newest first, and honours --limit', async () => {
    const all = await history(['--date', today, '--shards', '3', '--json']);
    const items = JSON.parse(all.stdout);
    assert.equal(items.length, 7);
    assert.equal(all.stderr, '', 'all of them shown: nothing to say');
    // (random request ids decide the shards here; tests/function/integration/history-table checks the spread)
    const ids = items.map((i: { signInId: string }) => i.signInId);
    assert.deepEqual(ids, [...ids].sort().reverse());
    const limited = await history(['--date', today, '--shards', '3', '--limit', '2', '--json']);
    assert.deepEqual(JSON.parse(limited.stdout), items.slice(0, 2), 'stdout is the rows, nothing else');
    assert.equal(
      limited.stderr,
      `showing the newest 2 sign-ins of ${today}; more exist (--limit shows up to 10000)\n`,
    );
  });

  it('says on stderr when --limit leaves rows out, in every format, and never when it does not', async () => {
    const cases: [string[], string][] = [
      [
        ['--sub', adminSub, '--limit', '3'],
        'showing the newest 3 sign-ins; more exist (--limit shows up to 10000)',
      ],
      [['--sub', adminSub, '--limit', '1', '--format', 'csv'], 'showing the newest 1 sign-in; more exist'],
      [
        ['--username', 'admin', '--user-pool-id', poolId, '--limit', '2', '--format', 'jsonl'],
        'showing the newest 2',
      ],
    ];
    for (const [args, said] of cases) {
      const r = await history(args);
      assert.equal(r.code, 0, r.out);
      assert.ok(r.stderr.startsWith(said), `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout, /more exist/);
    }
    const exact = await history(['--sub', adminSub, '--limit', '4', '--json']);
    assert.equal(JSON.parse(exact.stdout).length, 4);
    assert.equal(exact.stderr, '', 'exactly the limit: nothing left out');
  });

  it('prints a readable table by default', async () => {
    const { code, out } = await history(['--username', 'other', '--user-pool-id', poolId]);
    assert.equal(code, 0);
    const lines = out.trim().split('\n');
    assert.match(lines[0] as string, /^signed in \(UTC\)\s+user\s+provider\s+app client\s+new device\s+sub$/);
    assert.equal(lines.length, 2 + 3);
    assert.ok(lines.slice(2).every((l) => l.includes(' other ')));
  });

  it('says so when nothing is found, and names what is wrong', async () => {
    assert.match((await history(['--date', '2001-01-01'])).out, /No sign-ins found\./);
    const unknownUser = await history(['--email', 'nobody@example.com', '--user-pool-id', poolId]);
    assert.equal(unknownUser.code, 1);
    assert.match(unknownUser.out, /no user with email nobody@example.com/);
    const noTable = await history(['--sub', 'x', '--table-name', 'no-such-table']);
    assert.equal(noTable.code, 1);
    assert.match(noTable.out, /table no-such-table does not exist/);
    const ddb = new DynamoDBClient({ endpoint: stack.dynamoEndpoint });
    await ddb.send(
      new CreateTableCommand(tableCreateInput(loadTemplate(), 'no-day-index', { DayIndex: 'disabled' })),
    );
    ddb.destroy();
    const noIndex = await history(['--date', today, '--table-name', 'no-day-index']);
    assert.equal(noIndex.code, 1);
    assert.match(noIndex.out, /has no byDay index \(deployed with DayIndex=disabled\)/);
    const badDate = await history(['--date', '26/11/2026']);
    assert.equal(badDate.code, 2);
    assert.match(badDate.out, /--date "26\/11\/2026" is not a date \(YYYY-MM-DD, UTC\)/);
  });
});
