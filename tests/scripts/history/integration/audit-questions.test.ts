/**
 * What auditors ask, answered by `npm run history` on the real engines: users in a cognito-local pool, sign-ins
 * written by the function's own code (handler + writer) into dynalite at chosen times, and the command run as
 * a user runs it. The dormant-account report and the period export are compared exactly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminDisableUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parse } from 'csv-parse/sync';
import type { LoginHistoryItem } from '#contract';
import { readConfig } from '../../../../authenticated/src/config.ts';
import { createPostAuthenticationHandler } from '../../../../authenticated/src/record-sign-in.ts';
import { createHistoryClient, createHistoryWriter } from '../../../../authenticated/src/write-history.ts';
import { loadTemplate, tableCreateInput } from '../../../../dev/build/template.ts';
import { type LocalStack, startLocalStack } from '../../../../dev/local-stack/local-stack.ts';
import {
  createPoolWithClient,
  createUser,
  realisticPoolInput,
} from '../../../../dev/local-stack/user-pool-fixtures.ts';
import { EXPORT_COLUMNS } from '../../../../scripts/core/output.ts';
import { runCommand } from '../../../helpers/commands.ts';
import { captureLogs, lambdaContext, sampleEvent } from '../../../helpers/events.ts';

const DAY = 86_400_000;
const SHARDS = '3';

interface TestUser {
  username: string;
  sub: string;
  email?: string;
}

describe('npm run history answers the auditor', () => {
  let stack: LocalStack;
  let poolId = '';
  let clientId = '';
  const users: Record<string, TestUser> = {};
  const written: LoginHistoryItem[] = [];
  const now = Date.now();
  const today = new Date(now).toISOString().slice(0, 10);
  const daysAgo = (days: number, at = '12:00:00.000') =>
    Date.parse(`${new Date(now - days * DAY).toISOString().slice(0, 10)}T${at}Z`);

  /** One sign-in through the function's own handler and writer, at a chosen time. */
  async function signInAt(user: TestUser, at: number, extra: Record<string, string> = {}) {
    const logs = captureLogs();
    const handler = createPostAuthenticationHandler({
      configResult: readConfig({ TABLE_NAME: stack.tableName, DAY_INDEX_SHARDS: SHARDS }),
      writeItem: async (item, budget) => {
        written.push(item);
        return createHistoryWriter(createHistoryClient(), stack.tableName)(item, budget);
      },
      log: logs.log,
      now: () => at,
    });
    const event = sampleEvent();
    event.userName = user.username;
    event.userPoolId = poolId;
    event.callerContext.clientId = clientId;
    event.request.userAttributes = { sub: user.sub, ...(user.email ? { email: user.email } : {}), ...extra };
    await handler(event, lambdaContext(`req-${user.username}-${at}`));
    assert.deepEqual(logs.codes(), ['LOGIN_HISTORY_WRITTEN']);
  }

  /** Accounts are created "400 days ago" on cognito-local's clock; everything else runs on the real time. */
  let cognitoTime: number | undefined = now - 400 * DAY;

  before(async () => {
    stack = await startLocalStack({
      parameters: { DayIndexShards: SHARDS },
      cognitoNow: () => new Date(cognitoTime ?? Date.now()),
    });
    Object.assign(process.env, stack.clientEnv);
    const cognito = new CognitoIdentityProviderClient({});
    const pool = await createPoolWithClient(cognito, realisticPoolInput('audit'));
    poolId = pool.poolId;
    clientId = pool.clientId;
    const accounts: [string, Record<string, string>][] = [
      ['alice', { email: 'alice@example.com' }], // active: an old sign-in and a recent one
      ['bob', { email: 'bob@example.com' }], // dormant: last sign-in 120 days ago
      ['carol', {}], // never signed in, no email
      ['dave', { email: 'dave@example.com' }], // disabled and dormant
      ['o"brien,山田', { email: 'yamada@example.jp' }], // quote, comma, Japanese; active
      ['=1+2', { email: '-cmd@example.com' }], // a formula a spreadsheet would evaluate; active
    ];
    for (const [username, attributes] of accounts) {
      const created = await createUser(cognito, poolId, username, 'Correct-Horse-42', attributes);
      users[username] = {
        username,
        sub: created.sub,
        ...(attributes.email ? { email: attributes.email } : {}),
      };
    }
    await cognito.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'dave' }));
    cognito.destroy();
    cognitoTime = undefined;

    const u = (name: string) => users[name] as TestUser;
    await signInAt(u('alice'), daysAgo(200, '08:00:00.000')); // the history's first sign-in
    await signInAt(u('alice'), daysAgo(3));
    await signInAt(u('bob'), daysAgo(120));
    await signInAt(u('dave'), daysAgo(150));
    // The export window: 10 to 8 days ago, with sign-ins on its edges and just outside them.
    await signInAt(u('o"brien,山田'), daysAgo(10, '00:00:00.000'));
    await signInAt(u('=1+2'), daysAgo(9, '13:14:15.161'));
    await signInAt(u('alice'), daysAgo(9, '13:14:15.161'));
    await signInAt(u('alice'), daysAgo(8, '23:59:59.999'), {
      identities: JSON.stringify([{ providerName: 'corp-saml', providerType: 'SAML', primary: 'true' }]),
    });
    await signInAt(u('alice'), daysAgo(11, '23:59:59.999'));
    await signInAt(u('o"brien,山田'), daysAgo(7, '00:00:00.000'));
    for (let i = 0; i < 30; i++) await signInAt(u('=1+2'), daysAgo(9, '00:00:00.000') + i * 60_000);
  });
  after(async () => {
    await stack?.stop();
  });

  const history = (args: string[]) =>
    runCommand('history', args, { ...process.env, ...stack.clientEnv, NODE_NO_WARNINGS: '1' });
  const where = () => ['--table-name', stack.tableName, '--shards', SHARDS];
  const dormant = (...more: string[]) =>
    history(['--inactive-since', '90d', '--user-pool-id', poolId, ...where(), ...more]);
  const iso = (ms: number) => new Date(ms).toISOString();

  describe('dormant-account report', () => {
    const expected = () => {
      const created = iso(Math.floor((now - 400 * DAY) / 1000) * 1000); // Cognito keeps whole seconds
      const account = (name: string, enabled: boolean, last: string | null) => {
        const user = users[name] as TestUser;
        return {
          userName: name,
          sub: user.sub,
          ...(user.email ? { email: user.email } : {}),
          enabled,
          userStatus: 'CONFIRMED',
          createdAt: created,
          lastSignedInAt: last,
        };
      };
      // never recorded first, then the longest inactive
      return [
        account('carol', true, null),
        account('dave', false, iso(daysAgo(150))),
        account('bob', true, iso(daysAgo(120))),
      ];
    };

    it('--json: every dormant user, disabled ones marked, never-signed-in as null; says when history begins', async () => {
      const { code, stdout, stderr } = await dormant('--json');
      assert.equal(code, 0, stderr);
      assert.deepEqual(JSON.parse(stdout), expected());
      assert.match(stderr, /^3 of 6 users of .* have no recorded sign-in since /);
      assert.ok(
        stderr.includes(`\nThe history holds sign-ins since ${iso(daysAgo(200, '08:00:00.000'))}: "never`),
        stderr,
      );
    });

    it('--format csv: the same rows, parseable', async () => {
      const { code, stdout } = await dormant('--format', 'csv');
      assert.equal(code, 0);
      const rows = parse(stdout, { columns: true }) as Record<string, string>[];
      assert.deepEqual(
        rows,
        expected().map((a) => ({
          ...a,
          email: a.email ?? '',
          enabled: String(a.enabled),
          lastSignedInAt: a.lastSignedInAt ?? '',
        })),
      );
    });

    it('table: the heading names the window and the start of the history; disabled accounts marked', async () => {
      const { code, stdout } = await dormant();
      assert.equal(code, 0);
      const lines = stdout.trimEnd().split('\n');
      assert.match(lines[0] as string, /have no recorded sign-in since .* \(90 days\)\.$/);
      assert.match(lines[1] as string, /^The history holds sign-ins since .*Disabled accounts are marked\.$/);
      assert.match(
        lines[3] as string,
        /^last sign-in \(UTC\)\s+user\s+email\s+account\s+status\s+created\s+sub$/,
      );
      assert.match(lines[5] as string, /^never recorded\s+carol\s+-\s+enabled\s+CONFIRMED/);
      assert.match(lines[6] as string, /\s+dave\s+dave@example.com\s+DISABLED\s+/);
      assert.equal(lines.length, 5 + 3);
    });

    it('a shorter window finds more dormant users; a longer one fewer', async () => {
      const week = JSON.parse(
        (await history(['--inactive-since', '5d', '--user-pool-id', poolId, ...where(), '--json'])).stdout,
      );
      assert.deepEqual(week.map((a: { userName: string }) => a.userName).sort(), [
        '=1+2',
        'bob',
        'carol',
        'dave',
        'o"brien,山田',
      ]);
      const year = JSON.parse(
        (await history(['--inactive-since', '365d', '--user-pool-id', poolId, ...where(), '--json'])).stdout,
      );
      assert.deepEqual(
        year.map((a: { userName: string }) => a.userName),
        ['carol'],
      );
    });

    it('bad windows are usage errors that query nothing', async () => {
      for (const args of [
        ['--inactive-since', 'soon'],
        ['--inactive-since', '0d'],
        ['--inactive-since=-5d'],
        ['--inactive-since', '90'],
        ['--inactive-since', '1.5d'],
      ]) {
        // A pool and table that do not exist: exit 2 (not 1) shows nothing was looked up.
        const r = await history([
          ...args,
          '--user-pool-id',
          'local_missing',
          '--table-name',
          'no-such-table',
        ]);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /--inactive-since must be a number of days such as 90d/);
      }
      const ambiguous = await history(['--inactive-since', '-5d', '--user-pool-id', poolId, ...where()]);
      assert.equal(ambiguous.code, 2);
      const noPool = await history(['--inactive-since', '90d', ...where()]);
      assert.equal(noPool.code, 2);
      assert.match(noPool.stderr, /--inactive-since needs --user-pool-id/);
    });
  });

  describe('export of a period', () => {
    const from = () => iso(daysAgo(10)).slice(0, 10);
    const to = () => iso(daysAgo(8)).slice(0, 10);
    const inWindow = () =>
      written
        .filter((i) => i.signedInAt >= `${from()}T00:00:00.000Z` && i.signedInAt <= `${to()}T23:59:59.999Z`)
        .sort((a, b) => (a.signInId < b.signInId ? -1 : 1));

    it('--format json: every sign-in of the whole days, oldest first, merged over every shard', async () => {
      const { code, stdout, stderr } = await history([
        '--from',
        from(),
        '--to',
        to(),
        ...where(),
        '--format',
        'json',
      ]);
      assert.equal(code, 0, stderr);
      const items = JSON.parse(stdout);
      assert.equal(items.length, 34);
      assert.deepEqual(items, inWindow());
      const shardsUsed = new Set(items.map((i: { dayShard: string }) => i.dayShard.split('#')[1]));
      assert.equal(shardsUsed.size, 3, 'the sign-ins are spread over all shards');
    });

    it('--format csv: RFC 4180, the documented columns, a round trip through a CSV parser', async () => {
      const { code, stdout } = await history(['--from', from(), '--to', to(), ...where(), '--format', 'csv']);
      assert.equal(code, 0);
      assert.ok(stdout.includes('\r\n'), 'CRLF record separators');
      const rows = parse(stdout, { columns: true }) as Record<string, string>[];
      assert.deepEqual(Object.keys(rows[0] ?? {}), [...EXPORT_COLUMNS]);
      const expected = inWindow().map((item) => {
        const row = Object.fromEntries(
          EXPORT_COLUMNS.map((c) => [c, item[c] === undefined ? '' : String(item[c])]),
        );
        // Formula-looking cells are neutralised with a leading apostrophe; everything else is exact.
        for (const c of EXPORT_COLUMNS) if (/^[=+\-@\t\r]/.test(row[c] as string)) row[c] = `'${row[c]}`;
        return row;
      });
      assert.deepEqual(rows, expected);
      const yamada = rows.find((r) => r.email === 'yamada@example.jp');
      assert.equal(yamada?.userName, 'o"brien,山田');
      const formula = rows.find((r) => r.userName === "'=1+2");
      assert.equal(formula?.email, "'-cmd@example.com");
      assert.equal(rows.find((r) => r.identityProvider !== '')?.identityProvider, 'corp-saml');
    });

    it('--format jsonl and ISO-time bounds; --limit applies', async () => {
      const jsonl = await history(['--from', from(), '--to', to(), ...where(), '--format', 'jsonl']);
      const lines = jsonl.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(lines, inWindow());
      const start = iso(daysAgo(9, '13:14:15.161'));
      const exact = await history(['--from', start, '--to', start, ...where(), '--json']);
      assert.deepEqual(
        JSON.parse(exact.stdout)
          .map((i: { userName: string }) => i.userName)
          .sort(),
        ['=1+2', 'alice'],
      );
      const limited = await history(['--from', from(), '--to', to(), ...where(), '--json', '--limit', '5']);
      assert.deepEqual(JSON.parse(limited.stdout), inWindow().slice(0, 5));
      assert.equal(
        limited.stderr,
        'showing the first 5 sign-ins of the period; more exist (raise --limit, or leave it out for all of them)\n',
      );
      const all = await history([
        '--from',
        from(),
        '--to',
        to(),
        ...where(),
        '--json',
        '--limit',
        String(inWindow().length),
      ]);
      assert.equal(all.stderr, '', 'the limit is the count: nothing left out');
    });

    it('table output shows the identity provider', async () => {
      const { stdout } = await history(['--from', from(), '--to', to(), ...where()]);
      assert.match(stdout.split('\n')[0] as string, /^signed in \(UTC\)\s+user\s+provider\s+app client/);
      assert.match(stdout, /alice\s+corp-saml\s+/);
    });

    it('refuses without the day index instead of scanning the table', async () => {
      const ddb = new DynamoDBClient({ endpoint: stack.dynamoEndpoint });
      await ddb.send(
        new CreateTableCommand(tableCreateInput(loadTemplate(), 'audit-no-index', { DayIndex: 'disabled' })),
      );
      ddb.destroy();
      const r = await history(['--from', from(), '--to', to(), '--table-name', 'audit-no-index']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /has no byDay index \(deployed with DayIndex=disabled\); --from\/--to needs it/);
    });

    it('bad ranges are usage errors', async () => {
      for (const [args, message] of [
        [['--from', to(), '--to', from()], /--to .* is before --from/],
        [['--from', '2026-13-01', '--to', today], /--from "2026-13-01" is neither a date/],
        [['--from', 'last week', '--to', today], /--from "last week" is neither a date/],
        [['--from', today], /--from and --to go together/],
        [['--to', today], /--from and --to go together/],
        [['--from', today, '--to', today, '--sub', 'x'], /give exactly one of/],
      ] as [string[], RegExp][]) {
        const r = await history([...args, '--table-name', 'no-such-table']);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message);
      }
    });
  });
});
