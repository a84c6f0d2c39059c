/**
 * report.html: one self-contained page an auditor reads in a browser or on paper (A4). Everything is inline
 * (styles, the charts as SVG); the page has no script and refers to nothing outside itself. English or
 * Japanese: the words come from the language's dictionary (en.ts, ja.ts), the markup from page.ts. Pure: the
 * pack's summary and dormant accounts in, a string out.
 */
import type { Check, Facts } from '../../account/protection.ts';
import type { Reason } from '../../core/reason.ts';
import type { DormantAccount } from '../../records/dormant-accounts.ts';
import { perDayChart, rankingChart } from '../charts.ts';
import type { PackSummary } from '../summary.ts';
import { EN } from './en.ts';
import { JA } from './ja.ts';
import {
  breakableId,
  type Cell,
  escapeHtml,
  figure,
  hash,
  id,
  intro,
  keyFigures,
  list,
  note,
  page,
  section,
  table,
  text,
  textWithIds,
} from './page.ts';
import { LANGS, type Lang, type Protection, type Words, wordReason } from './words.ts';

export { LANGS, type Lang };

/** Every language's dictionary. */
export const WORDS: Record<Lang, Words> = { en: EN, ja: JA };

/** The report lists this many dormant accounts; dormant-accounts.csv has all of them. */
export const DORMANT_ROWS_SHOWN = 200;
/** How many app clients / providers the ranking charts show (the summary has all). */
const RANKED = 12;

function statusText(w: Words, check: Check): string {
  const word = w.protection.status[check.status];
  return check.reason ? w.punctuation.labelled(word, wordReason(w.protection.reasons, check.reason)) : word;
}

/**
 * What a status rests on, as HTML: each fact labelled in the page's language; an ARN or action name may wrap
 * at its separators, a time or a number never.
 */
function factsCell(w: Words, facts: Facts = {}): Cell {
  const n = (x: number) => x.toLocaleString(w.locale);
  const value = (v: Facts[keyof Facts]) =>
    Array.isArray(v)
      ? v.map(breakableId).join(w.punctuation.list)
      : typeof v === 'number'
        ? `<span class="nowrap">${n(v)}</span>`
        : /^\d{4}-\d\d-\d\dT/.test(String(v))
          ? `<span class="nowrap">${escapeHtml(String(v))}</span>`
          : breakableId(String(v));
  const html = (Object.entries(facts) as [keyof Facts, Facts[keyof Facts]][])
    .map(([key, v]) => w.punctuation.labelled(escapeHtml(w.protection.facts[key]), value(v)))
    .join(w.punctuation.facts);
  return { html };
}

const statusClass = (check: Check) =>
  check.status === 'unknown'
    ? 'unknown'
    : ['enabled', 'confirmed', 'logging'].includes(check.status)
      ? 'good'
      : 'attention';

export interface ReportInput {
  lang: Lang;
  summary: PackSummary;
  dormant: DormantAccount[];
  /** SHA-256 of the data files (the report cannot hold its own). */
  files: { name: string; sha256: string; bytes: number }[];
  tool: { name: string; version: string; gitCommit: string | null };
  identity: { arn: string; account: string } | { unknown: Reason };
}

function charts(w: Words, s: PackSummary): { charts: string[]; failureNote: string } {
  const n = (x: number) => x.toLocaleString(w.locale);
  const auth = s.authEvents;
  const ranking = (counts: Record<string, number>) =>
    Object.entries(counts)
      .slice(0, RANKED)
      .map(([label, count]) => ({ label, count }));
  const chartWords = (caption: string, failure = false) => ({
    caption,
    locale: w.locale,
    count: w.charts.count,
    failure,
  });
  const drawn = [
    figure(
      'sign-ins-per-day',
      w.charts.signInsPerDay,
      perDayChart(s.signIns.perDay, chartWords(w.charts.signInsPerDay)),
    ),
  ];
  if (auth.recorded) {
    drawn.push(
      figure(
        'failures-per-day',
        w.charts.failuresPerDay,
        perDayChart(auth.failuresPerDay, chartWords(w.charts.failuresPerDay, true)),
      ),
    );
  }
  const ranked = (
    name: string,
    caption: string,
    entries: { label: string; count: number }[],
    failure = false,
  ) => {
    const svg = rankingChart(entries, chartWords(caption, failure));
    if (svg) drawn.push(figure(name, caption, svg));
  };
  if (s.signIns.signIns > 0) {
    ranked('by-client', w.charts.byClient, ranking(s.signIns.byClient));
    ranked('by-provider', w.charts.byProvider, ranking(s.signIns.byProvider));
  }
  if (!auth.recorded) {
    return {
      charts: drawn,
      failureNote: note(w.failures.notInPack[auth.reason], { name: 'no-auth-events' }),
    };
  }
  if (auth.failures === 0) return { charts: drawn, failureNote: note(w.failures.none) };
  ranked(
    'top-failing-ips',
    w.charts.topIps,
    auth.topFailingSourceIps.map((x) => ({ label: x.sourceIp, count: x.failures })),
    true,
  );
  ranked(
    'top-failing-users',
    w.charts.topUsers,
    auth.topFailingUsers.map((x) => ({ label: x.userName ?? x.sub, count: x.failures })),
    true,
  );
  const failureNote =
    auth.failuresWithoutSub > 0
      ? note(w.failures.withoutSub(auth.failuresWithoutSub, n(auth.failuresWithoutSub)))
      : '';
  return { charts: drawn, failureNote };
}

function dormantSection(w: Words, s: PackSummary, dormant: DormantAccount[]): string {
  const n = (x: number) => x.toLocaleString(w.locale);
  const d = s.dormantAccounts;
  const introduction = w.dormant.intro({
    asOf: d.asOf.slice(0, 10),
    inactiveDays: d.inactiveDays,
    dormant: n(d.dormant),
    users: n(d.users),
  });
  if (dormant.length === 0)
    return section(w.dormant.heading, `${intro(introduction)}\n<p>${escapeHtml(w.dormant.none)}</p>`);
  const shown = dormant.slice(0, DORMANT_ROWS_SHOWN);
  const rows = shown.map((a) => ({
    cells: [
      id(a.userName),
      id(a.email ?? ''),
      a.enabled
        ? text(w.dormant.enabled, true)
        : { html: `<strong>${escapeHtml(w.dormant.disabled)}</strong>`, className: 'nowrap' },
      text(a.createdAt.slice(0, 10), true),
      text(a.lastSignedInAt ?? w.dormant.never, true),
    ] satisfies Cell[],
  }));
  const head = w.dormant.columns.map((c) => text(c));
  const more =
    dormant.length > shown.length
      ? note(w.dormant.more(n(shown.length), n(dormant.length)), { closing: true })
      : '';
  return section(w.dormant.heading, `${intro(introduction)}\n${table('dormant', head, rows)}${more}`);
}

function integritySection(w: Words, s: PackSummary): string {
  const i = s.integrity;
  if (!i.recorded)
    return section(w.integrity.heading, note(w.integrity.notRecorded[i.reason], { name: 'no-integrity' }));
  const n = (x: number) => x.toLocaleString(w.locale);
  const lines = [
    `<p data-integrity="${i.intact ? 'intact' : 'not-intact'}">${escapeHtml(
      w.integrity.sealed({
        intervals: i.intervals,
        intervalsText: n(i.intervals),
        verified: n(i.verifiedIntervals),
        altered: n(i.altered),
        erased: n(i.erased),
        expired: n(i.expired),
        replayed: n(i.replayed),
      }),
    )}</p>`,
    `<p class="${i.intact ? 'good' : 'attention'}">${escapeHtml(i.intact ? w.integrity.intact : w.integrity.notIntact(i.unexplained, n(i.unexplained)))}</p>`,
  ];
  if (i.unsealedMs > 0) lines.push(note(w.integrity.unsealed(n(Math.ceil(i.unsealedMs / 3_600_000)))));
  lines.push(note(w.integrity.howToCheck, { closing: true }));
  return section(w.integrity.heading, lines.join('\n'));
}

export function renderReport(input: ReportInput): string {
  const { lang, summary: s } = input;
  const w = WORDS[lang];
  const n = (x: number) => x.toLocaleString(w.locale);
  const auth = s.authEvents;
  const { charts: drawn, failureNote } = charts(w, s);
  const future = s.period.reachesPastGeneration
    ? note(w.figures.futurePeriod(s.generatedAt), { name: 'future-period' })
    : '';

  const protectionRows = (Object.keys(w.protection.names) as Protection[]).map((key) => {
    const check = s.protection[key];
    return {
      header: true,
      attributes: `data-protection="${key}" class="${statusClass(check)}"`,
      cells: [
        text(w.protection.names[key]),
        { html: textWithIds(statusText(w, check)) },
        factsCell(w, check.facts),
      ],
    };
  });

  const identity =
    'arn' in input.identity
      ? breakableId(input.identity.arn)
      : textWithIds(
          w.punctuation.labelled(
            w.protection.status.unknown,
            wordReason(w.protection.reasons, input.identity.unknown),
          ),
        );
  const tool = `${input.tool.name} ${input.tool.version}${input.tool.gitCommit ? ` (${input.tool.gitCommit.slice(0, 12)})` : ''}`;
  const files = input.files.map((f) => ({
    cells: [id(f.name), text(n(f.bytes), true), hash(f.sha256)],
  }));

  return page({
    lang,
    title: `${w.header.title} — ${s.userPoolId} — ${s.period.fromDay} – ${s.period.toDay}`,
    heading: w.header.title,
    meta: [
      [w.header.period, `${escapeHtml(s.period.from)} – ${escapeHtml(s.period.to)}`, 'period'],
      [w.header.pool, escapeHtml(s.userPoolId)],
      [w.header.table, escapeHtml(s.table)],
      [w.header.generated, escapeHtml(s.generatedAt)],
      [w.header.identity, identity],
      [w.header.tool, escapeHtml(tool)],
    ],
    sections: [
      section(
        w.figures.heading,
        `${future}\n${keyFigures([
          ['sign-ins', w.figures.signIns, n(s.signIns.signIns)],
          ['users', w.figures.users, n(s.signIns.users)],
          ['failures', w.figures.failures, auth.recorded ? n(auth.failures) : w.figures.notRecorded],
          ['dormant', w.figures.dormant, n(s.dormantAccounts.dormant)],
        ])}\n${drawn.join('\n')}\n${failureNote}`,
      ),
      dormantSection(w, s, input.dormant),
      section(
        w.protection.heading,
        `${note(w.protection.intro, { intro: true })}\n${table('protection', undefined, protectionRows)}`,
      ),
      integritySection(w, s),
      section(w.coverage.heading, list('coverage', w.coverage.lines)),
      section(
        w.files.heading,
        `${note(w.files.intro, { intro: true })}\n${table(
          'files',
          w.files.columns.map((c) => text(c)),
          files,
        )}\n${note(w.files.verifyHow, { closing: true })}`,
      ),
    ],
  });
}
