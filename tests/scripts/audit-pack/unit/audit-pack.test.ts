/** The audit pack's pure parts: the counts, the reading of policies and trail selectors, the report's markup. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdvancedEventSelector, EventSelector } from '@aws-sdk/client-cloudtrail';
import type { LoginHistoryItem } from '#contract';
import { deniedActions, notReachable } from '../../../../scripts/account/protection.ts';
import { selectorProblem } from '../../../../scripts/account/trail-check.ts';
import { renderReport, WORDS } from '../../../../scripts/audit-pack/report/report.ts';
import { wordReason } from '../../../../scripts/audit-pack/report/words.ts';
import type { PackSummary } from '../../../../scripts/audit-pack/summary.ts';
import {
  AuthEventTally,
  daysBetween,
  SignInTally,
  topEntries,
} from '../../../../scripts/audit-pack/tally.ts';
import { type Reason, reasonText } from '../../../../scripts/core/reason.ts';

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

  it('speaks Japanese with --lang ja, the status words included', () => {
    const html = render('ja');
    assert.match(html, /<html lang="ja">/);
    assert.match(html, /確認待ち/, 'pending');
    assert.match(html, /不明: 10 秒以内に応答がありませんでした/);
    assert.match(html, /認証イベントのテーブルが指定されていないため/);
    assert.match(
      html.replaceAll('<wbr>', ''),
      /保持期間（DynamoDB TTL）<\/th><td>有効<\/td><td>属性: expiresAt<\/td>/,
    );
    assert.doesNotMatch(html, /Sign-in audit report/);
  });

  it('words every reason code in both languages, Japanese without English sentences', () => {
    const reasons: Reason[] = [
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
    for (const reason of reasons) {
      const en = wordReason(WORDS.en.protection.reasons, reason);
      assert.equal(en, reasonText(reason), 'the report and the command line word it alike');
      const ja = wordReason(WORDS.ja.protection.reasons, reason);
      // What is left once names, ids, numbers and URLs are taken out holds no run of English words.
      const words = ja.replace(
        /https?:\/\/\S+|[A-Za-z_]+(Exception|Enabled|_[A-Z_]+)\b|--[a-z-]+|[a-z]+(?=[ ）]*$)/g,
        '',
      );
      assert.doesNotMatch(words, /[A-Za-z]{3,} [A-Za-z]{3,}/, `${reason.code}: ${ja}`);
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

  it('states a period that ends after the pack was made', () => {
    const html = renderReport({
      lang: 'en',
      summary: summary({
        period: { ...summary().period, reachesPastGeneration: true },
      }),
      dormant: [],
      files: [],
      tool: { name: 'cognito-login-history', version: '1.0.0', gitCommit: null },
      identity: { arn: 'arn:aws:sts::123456789012:assumed-role/auditor/me', account: '123456789012' },
    });
    assert.match(
      html,
      /data-note="future-period">The period reaches past the moment this pack was made \(2026-03-03T00:00:00.000Z\)/,
    );
    assert.match(html, /arn:<wbr>aws:<wbr>sts:/, 'an ARN wraps at its separators only');
  });
});
