/** The audit pack's pure parts: the counts, the reading of policies and trail selectors, the report's markup. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdvancedEventSelector, EventSelector } from '@aws-sdk/client-cloudtrail';
import type { LoginHistoryItem } from '#contract';
import { deniedActions, notReachable, type Status } from '../../../../scripts/account/protection.ts';
import { selectorProblem } from '../../../../scripts/account/trail-check.ts';
import { perDayChart, rankingChart } from '../../../../scripts/audit-pack/charts.ts';
import { DORMANT_ROWS_SHOWN, renderReport, WORDS } from '../../../../scripts/audit-pack/report/report.ts';
import { wordReason } from '../../../../scripts/audit-pack/report/words.ts';
import type { PackSummary } from '../../../../scripts/audit-pack/summary.ts';
import {
  AuthEventTally,
  daysBetween,
  SignInTally,
  topEntries,
} from '../../../../scripts/audit-pack/tally.ts';
import { type Reason, reasonText } from '../../../../scripts/core/reason.ts';
import { reportInput } from '../../../helpers/report-fixture.ts';
import { englishIn, namesAndIds, pageTexts } from '../../../helpers/report-language.ts';

/** One of each reason code, with parameters as AWS and the local endpoints give them. */
const EVERY_REASON: Reason[] = [
  { code: 'not-implemented' },
  { code: 'timeout', seconds: 10 },
  { code: 'aws-error', name: 'AccessDeniedException', message: 'User is not authorized to perform this' },
  {
    code: 'local-endpoint',
    service: 'sns',
    variable: 'AWS_ENDPOINT_URL_SNS',
    endpoint: 'http://127.0.0.1:1',
  },
  { code: 'not-reported', field: 'DeletionProtectionEnabled' },
  { code: 'table-arn-unknown' },
  { code: 'no-stack-name' },
  { code: 'trail-unreadable', trail: 'org', cause: { code: 'timeout', seconds: 10 } },
];

const signIn = (sub: string, signedInAt: string, extra: Record<string, unknown> = {}) =>
  ({ sub, signedInAt, signInId: `${signedInAt}#r`, ...extra }) as LoginHistoryItem;

describe('audit pack counts', () => {
  it('counts every day of the period, zero days included, and each key', () => {
    const days = daysBetween('2026-02-27', '2026-03-02');
    assert.deepEqual(days, ['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    const tally = new SignInTally(days);
    tally.add(signIn('a', '2026-02-27T10:00:00.000Z', { clientId: 'web' }));
    tally.add(signIn('a', '2026-03-02T10:00:00.000Z', { clientId: 'web', identityProvider: 'Google' }));
    tally.add(signIn('b', '2026-03-02T11:00:00.000Z'));
    const totals = tally.totals();
    assert.deepEqual(totals.perDay, { '2026-02-27': 1, '2026-02-28': 0, '2026-03-01': 0, '2026-03-02': 2 });
    assert.deepEqual(totals.byClient, { web: 2, '(none)': 1 });
    assert.deepEqual(totals.byProvider, { COGNITO: 2, Google: 1 });
    assert.equal(totals.users, 2);
    assert.equal(tally.latestOf('a'), '2026-03-02T10:00:00.000Z');
    assert.equal(tally.latestOf('nobody'), undefined);
  });

  it('ranks failing sources and users, and counts failures no user can be named for', () => {
    const tally = new AuthEventTally(['2026-03-01']);
    const event = (sourceIp: string, outcome: 'success' | 'failure', sub?: string) =>
      tally.add({
        eventTime: '2026-03-01T01:00:00.000Z',
        eventId: Math.random().toString(),
        eventName: 'InitiateAuth',
        outcome,
        userPoolId: 'p',
        sourceIp,
        ...(sub ? { sub } : {}),
      });
    for (let i = 0; i < 3; i++) event('203.0.113.1', 'failure');
    event('203.0.113.2', 'failure', 'u1');
    event('203.0.113.2', 'success', 'u1');
    const totals = tally.totals();
    assert.equal(totals.failures, 4);
    assert.equal(totals.successes, 1);
    assert.equal(totals.sourceIps, 2);
    assert.deepEqual(totals.topFailingSourceIps, [
      { sourceIp: '203.0.113.1', failures: 3 },
      { sourceIp: '203.0.113.2', failures: 1 },
    ]);
    assert.deepEqual(totals.topFailingUsers, [{ sub: 'u1', failures: 1 }]);
    assert.equal(totals.failuresWithoutSub, 3);
    assert.deepEqual(topEntries({ b: 2, a: 2, c: 5 }, 2), [
      ['c', 5],
      ['a', 2],
    ]);
  });
});

describe('protection status readings', () => {
  it('finds the actions an append-only policy denies', () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'dynamodb:PutItem', Principal: '*' },
        { Effect: 'Deny', Action: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'], Principal: '*' },
        { Effect: 'Deny', Action: 'dynamodb:DeleteItem', Principal: '*' },
      ],
    });
    assert.deepEqual(deniedActions(policy), ['dynamodb:DeleteItem', 'dynamodb:UpdateItem']);
    assert.deepEqual(deniedActions(JSON.stringify({ Statement: { Effect: 'Allow', Action: '*' } })), []);
  });

  it('knows which trail selectors keep Cognito sign-in events (management events, reads and writes)', () => {
    // The pack judges a trail's selectors as attach does (trail-check.ts): no problem means they keep them.
    const logsAuthEvents = (s: {
      EventSelectors?: EventSelector[];
      AdvancedEventSelectors?: AdvancedEventSelector[];
    }) => selectorProblem(s.EventSelectors, s.AdvancedEventSelectors) === undefined;
    assert.equal(
      logsAuthEvents({ EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }] }),
      true,
    );
    assert.equal(
      logsAuthEvents({ EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'WriteOnly' }] }),
      false,
    );
    assert.equal(
      logsAuthEvents({ EventSelectors: [{ IncludeManagementEvents: false, ReadWriteType: 'All' }] }),
      false,
    );
    assert.equal(
      logsAuthEvents({
        EventSelectors: [
          {
            IncludeManagementEvents: true,
            ReadWriteType: 'All',
            ExcludeManagementEventSources: ['cognito-idp.amazonaws.com'],
          },
        ],
      }),
      false,
    );
    const advanced = (fields: { Field: string; Equals?: string[]; NotEquals?: string[] }[]) =>
      logsAuthEvents({ AdvancedEventSelectors: [{ FieldSelectors: fields }] });
    assert.equal(advanced([{ Field: 'eventCategory', Equals: ['Management'] }]), true);
    assert.equal(advanced([{ Field: 'eventCategory', Equals: ['Data'] }]), false);
    assert.equal(
      advanced([
        { Field: 'eventCategory', Equals: ['Management'] },
        { Field: 'readOnly', Equals: ['false'] },
      ]),
      false,
    );
    assert.equal(
      advanced([
        { Field: 'eventCategory', Equals: ['Management'] },
        { Field: 'eventSource', NotEquals: ['cognito-idp.amazonaws.com'] },
      ]),
      false,
    );
  });

  it('does not ask AWS about a local table', () => {
    assert.deepEqual(notReachable('sts', { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' }), {
      code: 'local-endpoint',
      service: 'sts',
      variable: 'AWS_ENDPOINT_URL_STS',
      endpoint: 'http://127.0.0.1:8000',
    });
    assert.equal(
      notReachable('sts', { AWS_ENDPOINT_URL_DYNAMODB: 'http://x', AWS_ENDPOINT_URL_STS: 'http://y' }),
      undefined,
    );
    assert.equal(notReachable('cloudtrail', {}), undefined);
  });
});

describe('report.html', () => {
  const summary = (overrides: Partial<PackSummary> = {}): PackSummary => ({
    generatedAt: '2026-03-03T00:00:00.000Z',
    period: {
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-02T23:59:59.999Z',
      fromDay: '2026-03-01',
      toDay: '2026-03-02',
      days: 2,
      reachesPastGeneration: false,
    },
    userPoolId: 'us-east-1_<x>',
    table: 't',
    signIns: {
      signIns: 1,
      users: 1,
      perDay: { '2026-03-01': 1, '2026-03-02': 0 },
      byClient: { '<img src=x>': 1 },
      byProvider: { COGNITO: 1 },
    },
    authEvents: { recorded: false, reason: 'not-named' },
    dormantAccounts: {
      asOf: '2026-03-02T23:59:59.999Z',
      inactiveDays: 90,
      cutoff: '',
      users: 1,
      dormant: 0,
      neverRecorded: 0,
      disabled: 0,
    },
    protection: {
      retention: { status: 'enabled', facts: { attribute: 'expiresAt' } },
      pointInTimeRecovery: { status: 'unknown', reason: { code: 'timeout', seconds: 10 } },
      deletionProtection: { status: 'enabled' },
      appendOnlyPolicy: { status: 'none' },
      alarmSubscription: { status: 'pending' },
      authEventTrail: { status: 'logging', facts: { trails: ['org-trail'] } },
    },
    integrity: {
      recorded: true,
      intervals: 2184,
      verifiedIntervals: 2184,
      sealedItems: 31_000,
      altered: 0,
      erased: 3,
      expired: 0,
      replayed: 12,
      unexplained: 0,
      unsealedMs: 0,
      intact: true,
    },
    ...overrides,
  });
  const render = (lang: 'en' | 'ja') =>
    renderReport({
      lang,
      summary: summary(),
      dormant: [],
      files: [{ name: 'sign-ins.csv', sha256: 'ab'.repeat(32), bytes: 10 }],
      tool: { name: 'cognito-login-history', version: '1.0.0', gitCommit: null },
      identity: { unknown: { code: 'not-implemented' } },
    });

  it('is self-contained: no script, no link, no URL to fetch; data shows as text', () => {
    const html = render('en');
    assert.doesNotMatch(html, /<(script|link|img|iframe|object|embed)\b|\b(src|href)="|url\(|@import/i);
    assert.match(html, /<text [^>]*>&lt;img src=x&gt;<\/text>/, 'an app client id is text in the chart');
    assert.match(html, /us-east-1_&#60;x&#62;/);
    assert.match(
      html,
      /data-note="no-auth-events">Failed attempts are not part of this pack: no authentication-events table was named/,
    );
    assert.match(html, /@page \{ size: A4/);
  });

  it('speaks Japanese with --lang ja, the status words and punctuation included', () => {
    const html = render('ja');
    assert.match(html, /<html lang="ja">/);
    assert.match(html, /確認待ち/, 'pending');
    assert.match(html, /不明：10 秒以内に応答がありませんでした/);
    assert.match(html, /認証イベントのテーブルが指定されていないため/);
    assert.match(
      html.replaceAll('<wbr>', ''),
      /保持期間（DynamoDB TTL）<\/th><td>有効<\/td><td>属性：expiresAt<\/td>/,
    );
    assert.doesNotMatch(html, /Sign-in audit report/);
  });

  it('words every reason code in both languages, the command line and the English report alike', () => {
    for (const reason of EVERY_REASON) {
      assert.equal(wordReason(WORDS.en.protection.reasons, reason), reasonText(reason), reason.code);
      assert.notEqual(wordReason(WORDS.ja.protection.reasons, reason), reasonText(reason), reason.code);
    }
  });

  it("states the trail's integrity in both languages, and says when it is not intact", () => {
    const page = (lang: 'en' | 'ja', integrity = summary().integrity) =>
      renderReport({
        lang,
        summary: summary({ integrity }),
        dormant: [],
        files: [],
        tool: { name: 'cognito-login-history', version: '1.0.0', gitCommit: null },
        identity: { unknown: { code: 'not-implemented' } },
      });
    assert.match(
      page('en'),
      /data-integrity="intact">Integrity: 2,184 intervals sealed, 2,184 verified; 0 altered; 3 erased \(npm run erase\); 0 removed by TTL; 12 replayed late/,
    );
    assert.match(
      page('ja'),
      /data-integrity="intact">完全性：封印された区間 2,184、うち検証済み 2,184。改変 0 件、消去 3 件/,
    );
    const tampered = {
      ...(summary().integrity as object),
      altered: 1,
      unexplained: 1,
      intact: false,
    } as PackSummary['integrity'];
    assert.match(page('en', tampered), /1 difference is not explained: integrity.json names it/);
    assert.match(page('ja', tampered), /1 件の差異は説明がつきません/);
    assert.match(
      page('en', { recorded: false, reason: 'stack-without-integrity' }),
      /data-note="no-integrity">The stack does not seal its records/,
    );
  });

  // Every reason and every status on a Japanese page, as many pages as it takes: the page's texts (titles,
  // chart labels and accessible names included) hold no English once names and ids are taken out.
  it('holds no English in Japanese outside names and ids, for every reason, status and chart', () => {
    const intact = reportInput({ lang: 'ja' }).summary.integrity;
    const INTEGRITY_STATES: PackSummary['integrity'][] = [
      intact,
      {
        ...(intact as object),
        altered: 1,
        unexplained: 1,
        unsealedMs: 7_200_000,
        intact: false,
      } as PackSummary['integrity'],
      { recorded: false, reason: 'stack-without-integrity' },
      { recorded: false, reason: 'not-named' },
    ];
    const statuses = Object.keys(WORDS.en.protection.status) as Status[];
    const rows = Object.keys(WORDS.en.protection.names) as (keyof PackSummary['protection'])[];
    const pages = Math.max(EVERY_REASON.length, statuses.length, INTEGRITY_STATES.length);
    let pagesChecked = 0;
    for (let i = 0; i < pages; i++) {
      const base = reportInput({ lang: 'ja', dormant: 3 });
      const protection = { ...base.summary.protection };
      rows.forEach((row, r) => {
        const status = statuses[(i + r) % statuses.length] as Status;
        protection[row] =
          status === 'unknown'
            ? { status, reason: EVERY_REASON[(i + r) % EVERY_REASON.length] as Reason }
            : { status, facts: protection[row].facts ?? {} };
      });
      const input = {
        ...base,
        summary: {
          ...base.summary,
          protection,
          period: { ...base.summary.period, reachesPastGeneration: i === 0 },
          integrity: INTEGRITY_STATES[i % INTEGRITY_STATES.length] as PackSummary['integrity'],
        },
        identity: { unknown: EVERY_REASON[i % EVERY_REASON.length] as Reason },
      };
      const html = renderReport(input);
      assert.deepEqual(englishIn(pageTexts(html), namesAndIds(input)), [], `page ${i}`);
      pagesChecked++;
    }
    assert.equal(pagesChecked, pages);
    // The check can fail: the English page of the same input is full of English.
    const en = reportInput({ lang: 'en', dormant: 3 });
    assert.ok(englishIn(pageTexts(renderReport(en)), namesAndIds(en)).length > 20);
  });

  it('states a period that ends after the pack was made, in the page language', () => {
    const input = (lang: 'en' | 'ja', reachesPastGeneration: boolean) => ({
      lang,
      summary: summary({ period: { ...summary().period, reachesPastGeneration } }),
      dormant: [],
      files: [],
      tool: { name: 'cognito-login-history', version: '1.0.0', gitCommit: null },
      identity: { arn: 'arn:aws:sts::123456789012:assumed-role/auditor/me', account: '123456789012' },
    });
    const html = renderReport(input('en', true));
    assert.match(
      html,
      /data-note="future-period">The period reaches past the moment this pack was made \(2026-03-03T00:00:00.000Z\)/,
    );
    assert.match(
      renderReport(input('ja', true)),
      /data-note="future-period">対象期間はこのパックの作成時点（2026-03-03T00:00:00.000Z）より先まで/,
    );
    assert.doesNotMatch(renderReport(input('en', false)), /data-note="future-period"/);
    assert.match(html, /arn:<wbr>aws:<wbr>sts:/, 'an ARN wraps at its separators only');
  });

  it('lists the dormant accounts in one table, its header once, with a closing note past the rows shown', () => {
    const html = renderReport(reportInput({ lang: 'en', dormant: DORMANT_ROWS_SHOWN + 5 }));
    assert.equal(html.match(/<table class="dormant">/g)?.length, 1);
    assert.equal(html.match(/<th[^>]*>Last sign-in \(UTC\)<\/th>/g)?.length, 1);
    const dormantTable = /<table class="dormant">.*?<\/table>/s.exec(html)?.[0] ?? '';
    assert.equal(
      dormantTable.match(/<tr>/g)?.length,
      1 + DORMANT_ROWS_SHOWN,
      'the header and the rows shown',
    );
    assert.match(html, /<p class="note closing">The first 200 of 205 are listed/);
    // Dates and statuses never wrap; ids wrap at their separators only.
    assert.match(html, /<td class="nowrap">2026-05-20<\/td>/);
    assert.match(html, /firstname.<wbr>lastname.<wbr>0@<wbr>subsidiary/);
  });
});

describe('report charts', () => {
  const words = (locale: string) => ({ caption: 'Sign-ins by app client', locale, count: 'count' });
  const bars = (svg: string) => [...svg.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));

  it('draws a single key as a bar as thick as one of many (not a line)', () => {
    const one = bars(rankingChart([{ label: 'web', count: 3 }], words('en-US')));
    const many = bars(
      rankingChart(
        Array.from({ length: 8 }, (_, i) => ({ label: `client-${i}`, count: 10 - i })),
        words('en-US'),
      ),
    );
    assert.equal(one.length, 1);
    assert.equal(many.length, 8);
    assert.ok((one[0] as number) >= 16, `a single bar is ${one[0]} px thick`);
    for (const thickness of many) assert.ok(Math.abs(thickness - (one[0] as number)) <= 1, `${thickness}`);
    assert.equal(rankingChart([], words('en-US')), '', 'no key, no chart');
  });

  it("formats counts in the page's locale and names the chart by its caption, not Plot's English labels", () => {
    const svg = rankingChart([{ label: 'web', count: 12_345 }], {
      ...words('ja-JP'),
      caption: '件数の図',
      count: '件数',
    });
    assert.match(svg, /<text[^>]*>12,345<\/text>/);
    assert.match(svg, /件数 →/);
    assert.match(svg, /^<svg [^>]*\brole="img"/);
    assert.match(svg, /^<svg [^>]*\baria-label="件数の図"/);
    assert.equal(svg.match(/aria-label=/g)?.length, 1, 'one accessible name: the caption');
    assert.match(svg, /data-mark="bar"/);
    const perDay = perDayChart(
      { '2026-03-01': 1_500, '2026-03-02': 0 },
      { ...words('en-US'), caption: 'Per day' },
    );
    assert.match(perDay, /<title>2026-03-01: 1,500<\/title>/);
    assert.doesNotMatch(perDay, /1\.5k/);
  });
});
