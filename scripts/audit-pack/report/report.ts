/**
 * report.html: one self-contained page an auditor reads in a browser or on paper (A4). Everything is inline
 * (styles, the charts as SVG); the page has no script and refers to nothing outside itself. English or
 * Japanese. Pure: the pack's summary and dormant accounts in, a string out.
 */

import type { Check, ProtectionStatus } from '../../account/protection.ts';
import type { DormantAccount } from '../../records/dormant-accounts.ts';
import { CHART_WIDTH, perDayChart, rankingChart } from '../charts.ts';
import type { PackSummary } from '../summary.ts';

export const LANGS = ['en', 'ja'] as const;
export type Lang = (typeof LANGS)[number];

/** The report lists this many dormant accounts; dormant-accounts.csv has all of them. */
export const DORMANT_ROWS_SHOWN = 200;
/** How many app clients / providers the ranking charts show (the summary has all). */
const RANKED = 12;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const number = (lang: Lang, n: number) => n.toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-US');

type Protection = keyof ProtectionStatus;

interface Text {
  title: string;
  period: string;
  pool: string;
  table: string;
  generated: string;
  tool: string;
  figures: string;
  signIns: string;
  users: string;
  failures: string;
  dormant: string;
  notRecorded: string;
  signInsPerDay: string;
  failuresPerDay: string;
  byClient: string;
  byProvider: string;
  topIps: string;
  topUsers: string;
  count: string;
  noFailures: string;
  noAuthEvents: (reason: string) => string;
  failuresWithoutSub: (n: string) => string;
  dormantHeading: string;
  dormantIntro: (s: PackSummary) => string;
  dormantColumns: [string, string, string, string, string];
  never: string;
  disabled: string;
  enabled: string;
  dormantMore: (shown: string, all: string) => string;
  noDormant: string;
  protectionHeading: string;
  protectionIntro: string;
  protectionNames: Record<Protection, string>;
  statusWords: Record<string, string>;
  unknown: string;
  coverageHeading: string;
  coverage: string[];
  filesHeading: string;
  filesIntro: string;
  filesColumns: [string, string, string];
  verifyHow: string;
  identity: string;
}

const EN: Text = {
  title: 'Sign-in audit report',
  period: 'Period (UTC)',
  pool: 'User pool',
  table: 'Login-history table',
  generated: 'Generated',
  tool: 'Tool',
  figures: 'Key figures',
  signIns: 'Successful sign-ins',
  users: 'Users who signed in',
  failures: 'Failed sign-in attempts',
  dormant: 'Dormant accounts',
  notRecorded: 'not recorded',
  signInsPerDay: 'Successful sign-ins per day',
  failuresPerDay: 'Failed sign-in attempts per day',
  byClient: 'Sign-ins by app client',
  byProvider: 'Sign-ins by identity provider (COGNITO: users of the pool itself)',
  topIps: 'Source IP addresses with the most failed attempts',
  topUsers: 'Users with the most failed attempts',
  count: 'count',
  noFailures: 'No failed attempt was recorded in this period.',
  noAuthEvents: (reason) =>
    `Failed attempts are not part of this pack: ${reason} Only successful sign-ins are covered.`,
  failuresWithoutSub: (n) =>
    `${n} failed attempts named no known user (for example an unknown user name) and are counted by source IP only.`,
  dormantHeading: 'Dormant accounts',
  dormantIntro: (s) =>
    `Accounts that existed on ${s.dormantAccounts.asOf.slice(0, 10)} and had no recorded sign-in in the ${s.dormantAccounts.inactiveDays} days before it, or none at all: ${s.dormantAccounts.dormant} of ${s.dormantAccounts.users}. Review whether each still needs access.`,
  dormantColumns: ['User', 'Email', 'Account', 'Created', 'Last sign-in (UTC)'],
  never: 'never recorded',
  disabled: 'disabled',
  enabled: 'enabled',
  dormantMore: (shown, all) =>
    `The first ${shown} of ${all} are listed; dormant-accounts.csv has all of them.`,
  noDormant: 'No dormant account.',
  protectionHeading: 'How the records are protected',
  protectionIntro:
    'Read from the account when the pack was made. "unknown" means it could not be read, with the reason.',
  protectionNames: {
    retention: 'Retention (DynamoDB TTL)',
    pointInTimeRecovery: 'Point-in-time recovery',
    deletionProtection: 'Deletion protection',
    appendOnlyPolicy: 'Append-only resource policy',
    alarmSubscription: 'Alarm e-mail subscription',
    authEventTrail: 'CloudTrail logging of authentication events',
  },
  statusWords: {
    enabled: 'enabled',
    disabled: 'disabled',
    none: 'none',
    partial: 'partial',
    confirmed: 'confirmed',
    pending: 'pending confirmation',
    logging: 'logging',
    'not logging': 'not logging',
    'not configured': 'not configured',
  },
  unknown: 'unknown',
  coverageHeading: 'What the data covers, and what it does not',
  coverage: [
    'Successful sign-ins are recorded by a Cognito PostAuthentication trigger: one record per sign-in that completed, with the time, user, app client and identity provider.',
    'The trigger receives no IP address, so the sign-in records hold none. Source IP addresses appear only in the authentication events, which come from CloudTrail.',
    'Failed attempts are known only through the CloudTrail path (authentication events). Without it, this pack shows no failures; that does not mean there were none.',
    'Token refreshes (REFRESH_TOKEN_AUTH) do not run the trigger and are not recorded as sign-ins: a user can stay signed in without appearing here.',
    'Records older than the retention period have been deleted by DynamoDB TTL; "never recorded" means none within the history that is kept.',
    'Times are UTC. A period given as dates covers whole days, both ends included.',
  ],
  filesHeading: 'Files of this pack',
  filesColumns: ['File', 'Bytes', 'SHA-256'],
  filesIntro: 'Each file is listed with its SHA-256; manifest.json lists them all, including this report.',
  verifyHow:
    'To check that nothing was changed: npm run audit-pack -- --verify <folder> (or sha256sum against manifest.json). Keep the SHA-256 of manifest.json, printed when the pack was made, apart from the pack.',
  identity: 'Generated by',
};

const JA: Text = {
  title: 'サインイン監査レポート',
  period: '対象期間（UTC）',
  pool: 'ユーザープール',
  table: 'ログイン履歴テーブル',
  generated: '作成日時',
  tool: 'ツール',
  figures: '主な数値',
  signIns: 'サインイン成功件数',
  users: 'サインインしたユーザー数',
  failures: 'サインイン失敗件数',
  dormant: '休眠アカウント数',
  notRecorded: '記録なし',
  signInsPerDay: '日別のサインイン成功件数',
  failuresPerDay: '日別のサインイン失敗件数',
  byClient: 'アプリクライアント別のサインイン件数',
  byProvider: 'ID プロバイダー別のサインイン件数（COGNITO はユーザープールのユーザー）',
  topIps: '失敗の多い送信元 IP アドレス',
  topUsers: '失敗の多いユーザー',
  count: '件数',
  noFailures: 'この期間に記録されたサインイン失敗はありません。',
  noAuthEvents: (reason) =>
    `サインイン失敗はこのパックに含まれていません（${reason}）。対象はサインイン成功のみです。`,
  failuresWithoutSub: (n) =>
    `${n} 件の失敗はユーザーを特定できない試行（存在しないユーザー名など）のため、送信元 IP アドレス別にのみ集計しています。`,
  dormantHeading: '休眠アカウント',
  dormantIntro: (s) =>
    `${s.dormantAccounts.asOf.slice(0, 10)} 時点で存在し、その日までの ${s.dormantAccounts.inactiveDays} 日間にサインインの記録がない（または一度も記録がない）アカウント：${s.dormantAccounts.users} 件中 ${s.dormantAccounts.dormant} 件。アクセス権が引き続き必要か、アカウントごとにご確認ください。`,
  dormantColumns: ['ユーザー', 'メールアドレス', '状態', '作成日', '最終サインイン（UTC）'],
  never: '記録なし',
  disabled: '無効',
  enabled: '有効',
  dormantMore: (shown, all) =>
    `${all} 件のうち先頭の ${shown} 件を掲載しています。全件は dormant-accounts.csv にあります。`,
  noDormant: '休眠アカウントはありません。',
  protectionHeading: '記録の保護状況',
  protectionIntro:
    'パック作成時に AWS アカウントから読み取った状態です。「不明」は読み取れなかったことを示し、その理由を併記しています。',
  protectionNames: {
    retention: '保持期間（DynamoDB TTL）',
    pointInTimeRecovery: 'ポイントインタイムリカバリ',
    deletionProtection: '削除保護',
    appendOnlyPolicy: '追記専用のリソースポリシー',
    alarmSubscription: 'アラーム通知メールの購読',
    authEventTrail: 'CloudTrail による認証イベントの記録',
  },
  statusWords: {
    enabled: '有効',
    disabled: '無効',
    none: 'なし',
    partial: '一部のみ',
    confirmed: '確認済み',
    pending: '確認待ち',
    logging: '記録中',
    'not logging': '記録なし',
    'not configured': '未設定',
  },
  unknown: '不明',
  coverageHeading: 'データの範囲と限界',
  coverage: [
    'サインイン成功は Cognito の認証後（PostAuthentication）トリガーが記録します。完了したサインイン 1 回につき 1 件で、日時・ユーザー・アプリクライアント・ID プロバイダーを含みます。',
    'このトリガーには IP アドレスが渡されないため、サインインの記録に IP アドレスはありません。送信元 IP アドレスは CloudTrail 由来の認証イベントにのみ含まれます。',
    'サインイン失敗は CloudTrail 経由（認証イベント）でのみ把握できます。これが無い場合、このパックに失敗は現れませんが、失敗が無かったという意味ではありません。',
    'トークンの更新（REFRESH_TOKEN_AUTH）ではトリガーが実行されず、サインインとして記録されません。ここに現れないままサインイン状態が続くユーザーもありえます。',
    '保持期間を過ぎた記録は DynamoDB の TTL によって削除されています。「記録なし」は保持されている履歴の範囲内で記録がないという意味です。',
    '日時はすべて UTC です。日付で指定した期間は、開始日・終了日を含む終日が対象です。',
  ],
  filesHeading: 'このパックのファイル',
  filesColumns: ['ファイル', 'バイト数', 'SHA-256'],
  filesIntro:
    '各ファイルの SHA-256 を示します。manifest.json にはこのレポートを含むすべてのファイルが記載されています。',
  verifyHow:
    '改ざんがないことの確認方法：npm run audit-pack -- --verify <フォルダー>（または manifest.json と sha256sum の照合）。パック作成時に表示される manifest.json の SHA-256 は、パックとは別に保管してください。',
  identity: '作成者',
};

export const TEXTS: Record<Lang, Text> = { en: EN, ja: JA };

function statusText(t: Text, check: Check): string {
  if (check.status.startsWith('unknown')) {
    return `${t.unknown}: ${check.status.replace(/^unknown:\s*/, '')}`;
  }
  return t.statusWords[check.status] ?? check.status;
}

function factsText(lang: Lang, check: Check): string {
  const facts = check.facts ?? {};
  return Object.entries(facts)
    .map(
      ([key, value]) =>
        `${key}: ${Array.isArray(value) ? value.join(', ') : typeof value === 'number' ? number(lang, value) : String(value)}`,
    )
    .join('; ');
}

const statusClass = (check: Check) =>
  check.status.startsWith('unknown')
    ? 'unknown'
    : ['enabled', 'confirmed', 'logging'].includes(check.status)
      ? 'good'
      : 'attention';

function figure(name: string, caption: string, svg: string): string {
  return `<figure data-chart="${name}"><figcaption>${escapeHtml(caption)}</figcaption>${svg}</figure>`;
}

export interface ReportInput {
  lang: Lang;
  summary: PackSummary;
  dormant: DormantAccount[];
  /** SHA-256 of the data files (the report cannot hold its own). */
  files: { name: string; sha256: string; bytes: number }[];
  tool: { name: string; version: string; gitCommit: string | null };
  identity: { arn: string; account: string } | { unknown: string };
}

export function renderReport(input: ReportInput): string {
  const { lang, summary: s } = input;
  const t = TEXTS[lang];
  const e = escapeHtml;
  const n = (x: number) => number(lang, x);
  const auth = s.authEvents;
  const figures: [string, string, string][] = [
    ['sign-ins', t.signIns, n(s.signIns.signIns)],
    ['users', t.users, n(s.signIns.users)],
    ['failures', t.failures, auth.recorded ? n(auth.failures) : t.notRecorded],
    ['dormant', t.dormant, n(s.dormantAccounts.dormant)],
  ];
  const ranking = (counts: Record<string, number>) =>
    Object.entries(counts)
      .slice(0, RANKED)
      .map(([label, count]) => ({ label, count }));

  const charts: string[] = [
    figure('sign-ins-per-day', t.signInsPerDay, perDayChart(s.signIns.perDay, t.count)),
  ];
  if (auth.recorded) {
    charts.push(
      figure('failures-per-day', t.failuresPerDay, perDayChart(auth.failuresPerDay, t.count, true)),
    );
  }
  if (s.signIns.signIns > 0) {
    charts.push(figure('by-client', t.byClient, rankingChart(ranking(s.signIns.byClient), t.count)));
    charts.push(figure('by-provider', t.byProvider, rankingChart(ranking(s.signIns.byProvider), t.count)));
  }
  let failureNote = '';
  if (!auth.recorded) {
    failureNote = `<p class="note" data-note="no-auth-events">${e(t.noAuthEvents(auth.reason))}</p>`;
  } else if (auth.failures === 0) {
    failureNote = `<p class="note">${e(t.noFailures)}</p>`;
  } else {
    charts.push(
      figure(
        'top-failing-ips',
        t.topIps,
        rankingChart(
          auth.topFailingSourceIps.map((x) => ({ label: x.sourceIp, count: x.failures })),
          t.count,
          true,
        ),
      ),
    );
    if (auth.topFailingUsers.length > 0) {
      charts.push(
        figure(
          'top-failing-users',
          t.topUsers,
          rankingChart(
            auth.topFailingUsers.map((x) => ({ label: x.userName ?? x.sub, count: x.failures })),
            t.count,
            true,
          ),
        ),
      );
    }
    if (auth.failuresWithoutSub > 0)
      failureNote = `<p class="note">${e(t.failuresWithoutSub(n(auth.failuresWithoutSub)))}</p>`;
  }

  const shown = input.dormant.slice(0, DORMANT_ROWS_SHOWN);
  const dormantRows = shown
    .map(
      (a) =>
        `<tr><td>${e(a.userName)}</td><td>${e(a.email ?? '')}</td><td>${a.enabled ? e(t.enabled) : `<strong>${e(t.disabled)}</strong>`}</td><td>${e(a.createdAt.slice(0, 10))}</td><td>${e(a.lastSignedInAt ?? t.never)}</td></tr>`,
    )
    .join('\n');
  const dormantTable =
    input.dormant.length === 0
      ? `<p>${e(t.noDormant)}</p>`
      : `<table class="dormant"><thead><tr>${t.dormantColumns.map((c) => `<th>${e(c)}</th>`).join('')}</tr></thead><tbody>
${dormantRows}
</tbody></table>${input.dormant.length > shown.length ? `<p class="note">${e(t.dormantMore(n(shown.length), n(input.dormant.length)))}</p>` : ''}`;

  const protectionRows = (Object.keys(t.protectionNames) as Protection[])
    .map((key) => {
      const check = s.protection[key];
      return `<tr data-protection="${key}" class="${statusClass(check)}"><th>${e(t.protectionNames[key])}</th><td>${e(statusText(t, check))}</td><td>${e(factsText(lang, check))}</td></tr>`;
    })
    .join('\n');

  const identity = 'arn' in input.identity ? input.identity.arn : `${t.unknown}: ${input.identity.unknown}`;
  const tool = `${input.tool.name} ${input.tool.version}${input.tool.gitCommit ? ` (${input.tool.gitCommit.slice(0, 12)})` : ''}`;
  const files = input.files
    .map((f) => `<tr><td>${e(f.name)}</td><td>${n(f.bytes)}</td><td class="hash">${f.sha256}</td></tr>`)
    .join('\n');

  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(`${t.title} — ${s.userPoolId} — ${s.period.fromDay} – ${s.period.toDay}`)}</title>
<style>
:root { --ink: #1d2733; --muted: #5b6675; --rule: #d5dbe3; --good: #1f7a4d; --attention: #b23a48; --unknown: #8a6d1d; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: ${CHART_WIDTH + 48}px; padding: 24px; color: var(--ink); background: white;
  font: 14px/1.55 ${lang === 'ja' ? '"Hiragino Sans", "Yu Gothic UI", "Noto Sans CJK JP", "Noto Sans JP", "IPAPGothic", "IPAexGothic", Meiryo, ' : ''}system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid var(--rule); padding-bottom: 4px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0 0; color: var(--muted); }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }
.figures > div { border: 1px solid var(--rule); border-radius: 6px; padding: 10px; }
.figures .label { color: var(--muted); font-size: 12px; } .figures .value { font-size: 22px; font-weight: 700; }
figure { margin: 18px 0; break-inside: avoid; } figcaption { font-weight: 600; margin-bottom: 4px; }
figure svg { font-family: inherit; max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--rule); vertical-align: top; overflow-wrap: anywhere; }
thead { display: table-header-group; } tr { break-inside: avoid; }
tr.good td:nth-child(2) { color: var(--good); font-weight: 600; }
tr.attention td:nth-child(2) { color: var(--attention); font-weight: 600; }
tr.unknown td:nth-child(2) { color: var(--unknown); }
td.hash { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11px; }
.note { color: var(--muted); } ul.coverage li { margin-bottom: 4px; }
h2, figcaption { break-after: avoid; }
@page { size: A4; margin: 14mm 12mm; }
@media print { body { padding: 0; max-width: none; } h2 { margin-top: 18px; } }
</style>
</head>
<body>
<header>
<h1>${e(t.title)}</h1>
<dl class="meta">
<dt>${e(t.period)}</dt><dd data-field="period">${e(s.period.from)} – ${e(s.period.to)}</dd>
<dt>${e(t.pool)}</dt><dd>${e(s.userPoolId)}</dd>
<dt>${e(t.table)}</dt><dd>${e(s.table)}</dd>
<dt>${e(t.generated)}</dt><dd>${e(s.generatedAt)}</dd>
<dt>${e(t.identity)}</dt><dd>${e(identity)}</dd>
<dt>${e(t.tool)}</dt><dd>${e(tool)}</dd>
</dl>
</header>
<section>
<h2>${e(t.figures)}</h2>
<div class="figures">
${figures.map(([key, label, value]) => `<div><div class="label">${e(label)}</div><div class="value" data-total="${key}">${e(value)}</div></div>`).join('\n')}
</div>
${charts.join('\n')}
${failureNote}
</section>
<section>
<h2>${e(t.dormantHeading)}</h2>
<p>${e(t.dormantIntro(s))}</p>
${dormantTable}
</section>
<section>
<h2>${e(t.protectionHeading)}</h2>
<p class="note">${e(t.protectionIntro)}</p>
<table class="protection"><tbody>
${protectionRows}
</tbody></table>
</section>
<section>
<h2>${e(t.coverageHeading)}</h2>
<ul class="coverage">
${t.coverage.map((line) => `<li>${e(line)}</li>`).join('\n')}
</ul>
</section>
<section>
<h2>${e(t.filesHeading)}</h2>
<p class="note">${e(t.filesIntro)}</p>
<table class="files"><thead><tr>${t.filesColumns.map((c) => `<th>${e(c)}</th>`).join('')}</tr></thead><tbody>
${files}
</tbody></table>
<p class="note">${e(t.verifyHow)}</p>
</section>
</body>
</html>
`;
}
