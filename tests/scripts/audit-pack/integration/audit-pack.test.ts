/**
 * `npm run audit-pack` on the local stack: the files an auditor receives, each checked against the records
 * seeded and against the commands they stand for; `--verify`; and bad input that writes nothing.
 */
import assert from 'node:assert/strict';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { sha256Of } from '../../../../scripts/audit-pack/manifest.ts';
import { AUTH_EVENT_FIELDS } from '../../../../scripts/records/auth-events.ts';
import {
  auditPack,
  fixtureOptions,
  type PackFixture,
  runScript,
  SHARDS,
  startPackFixture,
} from '../../../helpers/audit-pack.ts';

const rows = (csv: string) => parse(csv, { columns: true, bom: false }) as Record<string, string>[];

describe('npm run audit-pack', () => {
  let fixture: PackFixture;
  let scratch = '';
  let pack = '';
  let made: Awaited<ReturnType<typeof auditPack>>;
  const file = (name: string) => readFileSync(join(pack, name), 'utf8');
  /** A pack into `out` without the authentication-events table, over the fixture's period or `period`. */
  const packWithoutAuthEvents = (out: string, period: { from?: string; to?: string } = {}) =>
    runScript(fixture.stack, 'audit-pack', [
      ...fixtureOptions(fixture, period),
      '--shards',
      String(SHARDS),
      '--out',
      out,
    ]);

  before(async () => {
    fixture = await startPackFixture();
    scratch = mkdtempSync(join(tmpdir(), 'audit-pack-test-'));
    pack = join(scratch, 'pack');
    made = await auditPack(fixture, pack);
  });
  after(async () => {
    await fixture?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('writes the six files and says where the report is', () => {
    assert.equal(made.code, 0, made.stderr);
    assert.deepEqual(readdirSync(pack).sort(), [
      'auth-events.csv',
      'dormant-accounts.csv',
      'manifest.json',
      'report.html',
      'sign-ins.csv',
      'summary.json',
    ]);
    assert.match(made.stdout, /report: .*pack\/report\.html/);
    assert.match(made.stdout, /manifest\.json SHA-256: [0-9a-f]{64}/);
  });

  it('sign-ins.csv is byte for byte what `history --from --to --format csv` exports', async () => {
    const exported = await runScript(fixture.stack, 'history', [
      '--from',
      fixture.from,
      '--to',
      fixture.to,
      '--table-name',
      fixture.stack.tableName,
      '--shards',
      String(SHARDS),
      '--format',
      'csv',
    ]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(file('sign-ins.csv'), exported.stdout);
    // 4 sign-ins today through Cognito + 4 written earlier in the week; mallory's lies before the period
    assert.equal(rows(exported.stdout).length, 8);
  });

  it('auth-events.csv holds every event of the period, oldest first, in the contract columns', () => {
    const events = rows(file('auth-events.csv'));
    assert.deepEqual(Object.keys(events[0] ?? {}), [...AUTH_EVENT_FIELDS]);
    const expected = [...fixture.authEvents].sort((a, b) =>
      `${a.eventTime}#${a.eventId}` < `${b.eventTime}#${b.eventId}` ? -1 : 1,
    );
    assert.deepEqual(
      events.map((e) => e.eventId),
      expected.map((e) => e.eventId),
    );
    assert.ok(!events.some((e) => e.sourceIp === '203.0.113.99'), 'the event before the period is left out');
  });

  it('dormant-accounts.csv is the review as of --to: never-signed-in first, then the longest inactive', () => {
    const dormant = rows(file('dormant-accounts.csv'));
    assert.deepEqual(
      dormant.map((a) => [a.userName, a.lastSignedInAt]),
      [
        ['carol', ''],
        ['<b>mallory</b>&co', dormant[1]?.lastSignedInAt],
      ],
    );
    assert.match(dormant[1]?.lastSignedInAt ?? '', /T12:00:00\.000Z$/);
  });

  it('summary.json totals agree with the CSVs, and the status says why it is unknown locally', () => {
    const summary = JSON.parse(file('summary.json'));
    const signIns = rows(file('sign-ins.csv'));
    const events = rows(file('auth-events.csv'));
    assert.equal(summary.signIns.signIns, signIns.length);
    assert.equal(summary.signIns.users, new Set(signIns.map((r) => r.sub)).size);
    const perDay: Record<string, number> = {};
    for (const r of signIns)
      perDay[r.signedInAt?.slice(0, 10) ?? ''] = (perDay[r.signedInAt?.slice(0, 10) ?? ''] ?? 0) + 1;
    for (const [day, count] of Object.entries(summary.signIns.perDay))
      assert.equal(count, perDay[day] ?? 0, day);
    assert.equal(Object.keys(summary.signIns.perDay).length, 7);
    assert.deepEqual(summary.signIns.byProvider, { COGNITO: 7, Google: 1 });
    assert.equal(summary.signIns.byClient['mobile-app'], 2);
    assert.equal(summary.authEvents.failures, events.filter((e) => e.outcome === 'failure').length);
    assert.equal(summary.authEvents.successes, 3);
    assert.deepEqual(summary.authEvents.topFailingSourceIps[0], { sourceIp: '203.0.113.7', failures: 4 });
    assert.deepEqual(summary.authEvents.topFailingUsers[0], {
      sub: fixture.subs.bob,
      failures: 3,
      userName: 'bob',
    });
    assert.equal(summary.dormantAccounts.dormant, rows(file('dormant-accounts.csv')).length);
    const p = summary.protection;
    assert.match(p.retention.status, /^(enabled|disabled)$/, 'dynalite answers DescribeTimeToLive');
    // Unknown, with the reason as a code the report words in its language.
    assert.deepEqual(p.pointInTimeRecovery, { status: 'unknown', reason: { code: 'not-implemented' } });
    assert.deepEqual(p.alarmSubscription, { status: 'unknown', reason: { code: 'no-stack-name' } });
    assert.equal(p.authEventTrail.status, 'unknown');
    assert.deepEqual(
      { code: p.authEventTrail.reason.code, variable: p.authEventTrail.reason.variable },
      { code: 'local-endpoint', variable: 'AWS_ENDPOINT_URL_CLOUDTRAIL' },
    );
  });

  it('manifest.json has the SHA-256 of every file, the tool version, the parameters and the identity', async () => {
    const manifest = JSON.parse(file('manifest.json'));
    assert.deepEqual(
      manifest.files.map((f: { name: string }) => f.name),
      ['auth-events.csv', 'dormant-accounts.csv', 'report.html', 'sign-ins.csv', 'summary.json'],
    );
    for (const f of manifest.files) assert.equal(f.sha256, await sha256Of(join(pack, f.name)), f.name);
    assert.equal(manifest.tool.name, 'cognito-login-history');
    assert.match(manifest.tool.version, /^\d+\.\d+\.\d+/);
    assert.match(manifest.tool.gitCommit ?? '', /^[0-9a-f]{40}/);
    assert.equal(manifest.parameters.from, fixture.from);
    assert.equal(manifest.parameters['user-pool-id'], fixture.poolId);
    assert.equal(manifest.identity.unknown.variable, 'AWS_ENDPOINT_URL_STS');
  });

  it('--verify passes an intact pack and names each changed, missing and extra file', async () => {
    const copy = join(scratch, 'copy');
    const intact = await runScript(fixture.stack, 'audit-pack', ['--verify', pack]);
    assert.equal(intact.code, 0, intact.stdout + intact.stderr);
    assert.match(intact.stdout, /intact/);
    cpSync(pack, copy, { recursive: true });
    appendFileSync(join(copy, 'sign-ins.csv'), 'x');
    unlinkSync(join(copy, 'dormant-accounts.csv'));
    writeFileSync(join(copy, 'notes.txt'), 'added later');
    const broken = await runScript(fixture.stack, 'audit-pack', ['--verify', copy]);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /^changed: sign-ins\.csv$/m);
    assert.match(broken.stdout, /^missing: dormant-accounts\.csv$/m);
    assert.match(broken.stdout, /^extra: notes\.txt/m);
    assert.doesNotMatch(broken.stdout, /report\.html/);
  });

  it('--lang ja writes the report in Japanese', async () => {
    const ja = join(scratch, 'ja');
    const r = await auditPack(fixture, ja, ['--lang', 'ja']);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(join(ja, 'report.html'), 'utf8');
    assert.match(html, /<html lang="ja">/);
    assert.match(html, /サインイン監査レポート/);
    assert.match(html, /休眠アカウント/);
  });

  it('without an authentication-events table the file is absent and the report says why', async () => {
    const none = join(scratch, 'none');
    const r = await packWithoutAuthEvents(none);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(none, 'auth-events.csv')));
    const summary = JSON.parse(readFileSync(join(none, 'summary.json'), 'utf8'));
    assert.equal(summary.authEvents.recorded, false);
    assert.equal(summary.authEvents.reason, 'not-named');
    assert.match(readFileSync(join(none, 'report.html'), 'utf8'), /data-note="no-auth-events"/);
  });

  it("a period past the pack's creation is stated and reviewed as of the creation, not as of --to", async () => {
    // --to a year ahead: read up to now; reviewed as of now, alice and bob (who signed in today) are active,
    // where a review as of --to would call every account dormant.
    const ahead = join(scratch, 'ahead');
    const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    const r = await packWithoutAuthEvents(ahead, { to: nextYear });
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(readFileSync(join(ahead, 'summary.json'), 'utf8'));
    assert.equal(summary.period.reachesPastGeneration, true);
    assert.equal(summary.dormantAccounts.asOf, summary.generatedAt);
    assert.deepEqual(
      rows(readFileSync(join(ahead, 'dormant-accounts.csv'), 'utf8')).map((a) => a.userName),
      ['carol', '<b>mallory</b>&co'],
    );
    assert.match(readFileSync(join(ahead, 'report.html'), 'utf8'), /data-note="future-period"/);

    // A period that ended yesterday: reviewed as of its end, and nothing to state.
    const past = join(scratch, 'past');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const p = await packWithoutAuthEvents(past, { to: yesterday });
    assert.equal(p.code, 0, p.stderr);
    const before = JSON.parse(readFileSync(join(past, 'summary.json'), 'utf8'));
    assert.equal(before.period.reachesPastGeneration, false);
    assert.equal(before.dormantAccounts.asOf, `${yesterday}T23:59:59.999Z`);
    assert.doesNotMatch(readFileSync(join(past, 'report.html'), 'utf8'), /data-note="future-period"/);
  });

  it('counts in the singular where there is one: a one-day period', async () => {
    const oneDay = join(scratch, 'one-day');
    const r = await packWithoutAuthEvents(oneDay, { from: fixture.to });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^ {2}\d+ sign-ins? by \d+ users? over 1 day; no authentication events \(not recorded\); \d+ of \d+ accounts? dormant$/m,
    );
    assert.doesNotMatch(r.stdout, /\b1 (days|users|sign-ins|accounts)\b/);
  });

  it('refuses bad input with a specific message and writes nothing', async () => {
    const args = (out: string, extra: string[] = []) => [...fixtureOptions(fixture), '--out', out, ...extra];
    const target = join(scratch, 'never');
    const aFile = join(scratch, 'a-file');
    writeFileSync(aFile, 'not a folder');
    const notAPack = join(scratch, 'not-a-pack');
    mkdirSync(notAPack);
    const cases: [string[], number, RegExp][] = [
      [args(target, ['--lang', 'fr']), 2, /--lang must be one of en, ja/],
      [args(target, ['--inactive-days', '0']), 2, /--inactive-days must be 1 to 99999/],
      [
        ['--from', fixture.from, '--to', fixture.to, '--user-pool-id', fixture.poolId, '--out', target],
        2,
        /give exactly one of --table-name, --stack-name/,
      ],
      [args(target, ['--from', '2026-13-01']), 2, /--from "2026-13-01" is neither a date/],
      [['--verify', pack, '--lang', 'ja'], 2, /--verify takes no other option/],
      [args(pack), 1, /is not empty: give a new folder/],
      [
        args(target, ['--auth-events-table-name', 'no-such-table']),
        1,
        /authentication-events table no-such-table does not exist/,
      ],
      [['--verify', join(scratch, 'nowhere')], 1, /^error: --verify \S+nowhere does not exist$/],
      [
        ['--verify', notAPack],
        1,
        /^error: \S+not-a-pack holds no manifest\.json: it is not an audit pack's folder$/,
      ],
      [args(aFile), 1, /^error: --out \S+a-file is a file, not a folder: give a new folder for the pack/],
      [
        args(join(aFile, 'pack')),
        1,
        /^error: cannot create the folder \S+a-file\/pack: a part of its path is a file, not a folder \(nothing was written\)$/,
      ],
    ];
    for (const [argv, code, message] of cases) {
      const r = await runScript(fixture.stack, 'audit-pack', argv);
      assert.equal(r.code, code, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr.trim(), message);
      // One line in words: never Node's `Error: ENOTDIR: not a directory, mkdir …`.
      if (code === 1) assert.doesNotMatch(r.stderr, /\bE[A-Z]{4,}\b|Error:/, r.stderr);
      assert.ok(!existsSync(target), `${argv.join(' ')} left ${target}`);
    }
    assert.equal(readdirSync(pack).length, 6, 'the existing pack is untouched');
  });
});
