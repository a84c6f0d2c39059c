/**
 * report.html's markup: the stylesheet and the templates the page is made of. Words come in already chosen
 * (report.ts picks them from the dictionaries); everything a template puts on the page is escaped here.
 * Printing on A4 is part of the design: a heading and an introduction stay with what follows them (at least
 * a table's first rows), rows and charts are never cut, a closing note stays with the rows it comments on,
 * and no cell breaks a word or a date (Japanese breaks between phrases, not inside a word).
 */
import { CHART_WIDTH } from '../charts.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * An id, e-mail address or ARN, escaped, with break opportunities after its separators (@ . / : _ -) so
 * that a long one wraps at a separator rather than inside a word.
 */
export function breakableId(text: string): string {
  return escapeHtml(text).replace(/([@./:_-])/g, '$1<wbr>');
}

/**
 * A sentence that may quote ids (AWS's error text names ARNs, a reason names an endpoint URL), escaped: its
 * long ARNs and URLs may wrap at their separators, every other word only at spaces.
 */
export function textWithIds(text: string): string {
  return text
    .split(/(\s+)/)
    .map((word) =>
      /^(arn:|https?:\/\/)|^\S{24,}$/.test(word) && /[:/]/.test(word) ? breakableId(word) : escapeHtml(word),
    )
    .join('');
}

const JAPANESE_FONTS =
  '"Hiragino Sans", "Yu Gothic UI", "Noto Sans CJK JP", "Noto Sans JP", "IPAPGothic", "IPAexGothic", Meiryo, ';

function stylesheet(lang: string): string {
  return `:root { --ink: #1d2733; --muted: #5b6675; --rule: #d5dbe3; --good: #1f7a4d; --attention: #b23a48; --unknown: #8a6d1d; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: ${CHART_WIDTH + 48}px; padding: 24px; color: var(--ink); background: white;
  font: 14px/1.55 ${lang === 'ja' ? JAPANESE_FONTS : ''}system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
/* Japanese wraps between phrases (Chromium's BudouX), never inside a word such as リカバリ; elsewhere at spaces. */
:lang(ja) { word-break: auto-phrase; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid var(--rule); padding-bottom: 4px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0 0; color: var(--muted); }
dl.meta dt { font-weight: 600; white-space: nowrap; } dl.meta dd { margin: 0; }
.figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }
.figures > div { border: 1px solid var(--rule); border-radius: 6px; padding: 10px; }
.figures .label { color: var(--muted); font-size: 12px; } .figures .value { font-size: 22px; font-weight: 700; }
figure { margin: 18px 0; } figcaption { font-weight: 600; margin-bottom: 4px; }
figure svg { font-family: inherit; max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--rule); vertical-align: top; }
thead th, .nowrap { white-space: nowrap; }
tr.good td:nth-child(2) { color: var(--good); font-weight: 600; }
tr.attention td:nth-child(2) { color: var(--attention); font-weight: 600; }
p.good { color: var(--good); font-weight: 600; } p.attention { color: var(--attention); font-weight: 600; }
tr.unknown td:nth-child(2) { color: var(--unknown); }
td.hash { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11px; white-space: nowrap; }
.note { color: var(--muted); } ul.coverage li { margin-bottom: 4px; }
/* On paper: a heading or an introduction never ends a page (it goes over with what it introduces, at least
   a table's header and first row); a row, a chart, the key figures are never cut; a table's header repeats
   on every page; a closing note never starts a page alone. tests/helpers/report-print.ts checks the PDF. */
h2, figcaption, .intro { break-after: avoid; }
figure, .figures, .intro, tr, dl.meta, li { break-inside: avoid; }
/* The short tables (six checks, the pack's five files) print whole; only the dormant list runs over pages. */
table.protection, table.files { break-inside: avoid; }
thead { display: table-header-group; }
.closing { break-before: avoid; break-inside: avoid; }
@page { size: A4; margin: 14mm 12mm; }
@media print { body { padding: 0; max-width: none; } h2 { margin-top: 18px; } }`;
}

export function figure(name: string, caption: string, svg: string): string {
  return `<figure data-chart="${name}"><figcaption>${escapeHtml(caption)}</figcaption>${svg}</figure>`;
}

/**
 * A note. `intro`: it introduces what follows and goes over to the next page with it; `closing`: it comments
 * on what precedes and never starts a page alone; `name` marks it for tests (data-note).
 */
export function note(
  text: string,
  options: { name?: string; intro?: boolean; closing?: boolean } = {},
): string {
  const name = options.name ? ` data-note="${options.name}"` : '';
  const role = options.intro ? ' intro' : options.closing ? ' closing' : '';
  return `<p class="note${role}"${name}>${escapeHtml(text)}</p>`;
}

/** A paragraph that introduces what follows (kept with it on paper). */
export const intro = (text: string) => `<p class="intro">${escapeHtml(text)}</p>`;

/** A cell: its HTML (already escaped), and its class: nowrap (dates, statuses, numbers) or hash. */
export interface Cell {
  html: string;
  className?: 'nowrap' | 'hash';
}
export const text = (value: string, nowrap = false): Cell =>
  nowrap ? { html: escapeHtml(value), className: 'nowrap' } : { html: escapeHtml(value) };
export const id = (value: string): Cell => ({ html: breakableId(value) });
export const hash = (value: string): Cell => ({ html: escapeHtml(value), className: 'hash' });

export function table(
  className: string,
  head: readonly Cell[] | undefined,
  rows: { cells: readonly Cell[]; attributes?: string; header?: boolean }[],
): string {
  const cell = (tag: string, c: Cell) =>
    `<${tag}${c.className ? ` class="${c.className}"` : ''}>${c.html}</${tag}>`;
  const thead = head ? `<thead><tr>${head.map((c) => cell('th', c)).join('')}</tr></thead>` : '';
  const body = rows
    .map(
      (r) =>
        `<tr${r.attributes ? ` ${r.attributes}` : ''}>${r.cells.map((c, i) => cell(r.header && i === 0 ? 'th' : 'td', c)).join('')}</tr>`,
    )
    .join('\n');
  return `<table class="${className}">${thead}<tbody>\n${body}\n</tbody></table>`;
}

/** A section: its heading, kept on paper with the start of what follows it. */
export function section(heading: string, body: string): string {
  return `<section>\n<h2>${escapeHtml(heading)}</h2>\n${body}\n</section>`;
}

export interface PageParts {
  lang: string;
  title: string;
  heading: string;
  /** The header's label / value pairs (values already escaped). */
  meta: [label: string, html: string, field?: string][];
  sections: string[];
}

export function page(parts: PageParts): string {
  const meta = parts.meta
    .map(
      ([label, html, field]) =>
        `<dt>${escapeHtml(label)}</dt><dd${field ? ` data-field="${field}"` : ''}>${html}</dd>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="${parts.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(parts.title)}</title>
<style>
${stylesheet(parts.lang)}
</style>
</head>
<body>
<header>
<h1>${escapeHtml(parts.heading)}</h1>
<dl class="meta">
${meta}
</dl>
</header>
${parts.sections.join('\n')}
</body>
</html>
`;
}

/** The key figures: one box per figure. */
export function keyFigures(items: [key: string, label: string, value: string][]): string {
  return `<div class="figures">\n${items
    .map(
      ([key, label, value]) =>
        `<div><div class="label">${escapeHtml(label)}</div><div class="value" data-total="${key}">${escapeHtml(value)}</div></div>`,
    )
    .join('\n')}\n</div>`;
}

export const list = (className: string, items: string[]) =>
  `<ul class="${className}">\n${items.map((line) => `<li>${escapeHtml(line)}</li>`).join('\n')}\n</ul>`;
