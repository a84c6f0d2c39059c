/**
 * The audit report in headless Chromium, on screen and on A4 paper, for its browser tests: the page's texts
 * (for the language check), the words a table cell breaks, and the printed pages as text.
 *
 * The printed pages are read back with poppler's `pdftotext -layout` (Debian's poppler-utils, installed with
 * Chromium by dev/build/chromium.ts): it extracts each page's text in reading order, one line per printed
 * line, pages separated by form feeds, Japanese included (Chromium embeds a ToUnicode map for every font). That
 * is all the checks need, so no PDF library joins the dependencies. A heading is "last on a page" when the
 * page's last printed line is (part of) a heading, a figure caption, an introduction or a table header; a page
 * "holds only a note" when every line of it is part of a note.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_PROBLEM_ENV, ensureChromium } from '../../dev/build/chromium.ts';
import { PROJECT_ROOT } from '../../dev/build/template.ts';

export const PDFTOTEXT = '/usr/bin/pdftotext';

/** Where the browser tests keep their screenshots and PDFs (CI keeps them as artefacts). */
export const REPORT_OUTPUT = join(PROJECT_ROOT, '.scratch', 'audit-pack-report');

/** Why the report cannot be rendered and printed here (no Chromium, no pdftotext), or undefined. */
export function browserProblem(): string | undefined {
  return (
    process.env[CHROMIUM_PROBLEM_ENV] ??
    ensureChromium() ??
    (existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing`) ??
    (existsSync(PDFTOTEXT) ? undefined : `${PDFTOTEXT} is missing (Debian: apt-get install poppler-utils)`)
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Every text of the rendered page (page.evaluate): text nodes with <wbr> removed, titles, labels. A string,
 * not a function: the test's TypeScript transform must not reach into the browser.
 */
const COLLECT_TEXTS = `(() => {
  const root = document.documentElement.cloneNode(true);
  root.querySelectorAll('wbr').forEach((wbr) => wbr.remove());
  root.normalize();
  const texts = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement || !node.parentElement.closest('style, script')) texts.push(node.textContent);
  }
  root.querySelectorAll('[title], [aria-label], [alt]').forEach((element) => {
    for (const attribute of ['title', 'aria-label', 'alt']) {
      const value = element.getAttribute(attribute);
      if (value) texts.push(value);
    }
  });
  return texts.filter((t) => t.trim() !== '');
})()`;

export const renderedTexts = (page: Page) => page.evaluate(COLLECT_TEXTS) as Promise<string[]>;

/**
 * The words that a table cell or a header line breaks across lines: every run of printable ASCII (a word, a
 * date, a number, an id up to its next <wbr>) and every run of katakana (a Japanese loanword such as
 * リカバリ) inside one text node must lie on one line. Breaks at spaces, at <wbr> after an id's separators,
 * after a hyphen before a letter (point-in-/time, org-/trail; never inside a date) and between Japanese
 * phrases are the allowed ones.
 */
const BROKEN_WORDS = `(() => {
  const broken = [];
  const cells = document.querySelectorAll('table th, table td, dl.meta dt, dl.meta dd');
  for (const cell of cells) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      for (const match of text.matchAll(/(?:[\\x21-\\x2c\\x2e-\\x7e]|-(?![A-Za-z]))+(?:-(?=[A-Za-z]))?|[\\u30a0-\\u30ff]{2,}/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top / 3)));
        if (tops.size > 1) broken.push(match[0] + ' in ' + cell.tagName.toLowerCase() + ': "' + cell.textContent.trim().slice(0, 80) + '"');
      }
    }
  }
  return broken;
})()`;

export const brokenWords = (page: Page) => page.evaluate(BROKEN_WORDS) as Promise<string[]>;

const squeeze = (text: string) => text.replace(/\s+/g, '');

/** The texts that must not end a page, and the notes' texts (page.evaluate), whitespace removed. */
const PRINT_ROLES = `(() => {
  const texts = (selector) => [...document.querySelectorAll(selector)].map((e) => e.textContent.replace(/\\s+/g, ''));
  return { keptWithNext: texts('h1, h2, figcaption, .intro, thead'), notes: texts('.note') };
})()`;

/** A4 pages as pdftotext reads them: each page's non-empty lines. */
export async function printA4(page: Page, path: string): Promise<string[][]> {
  await page.pdf({ path, format: 'A4', printBackground: true });
  const text = execFileSync(PDFTOTEXT, ['-layout', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
  const pages = text.split('\f').map((p) => p.split('\n').filter((line) => line.trim() !== ''));
  while (pages.length > 0 && pages.at(-1)?.length === 0) pages.pop();
  return pages;
}

/** What is wrong with the printed pages: a heading or introduction ending a page, a page of notes only. */
export async function printProblems(page: Page, pages: string[][]): Promise<string[]> {
  const { keptWithNext, notes } = (await page.evaluate(PRINT_ROLES)) as {
    keptWithNext: string[];
    notes: string[];
  };
  const problems: string[] = [];
  pages.forEach((lines, i) => {
    const last = squeeze(lines.at(-1) ?? '');
    if (i < pages.length - 1 && last.length >= 4 && keptWithNext.some((t) => t.includes(last))) {
      problems.push(
        `page ${i + 1} of ${pages.length} ends with "${lines.at(-1)?.trim()}", which introduces what follows`,
      );
    }
    if (lines.every((line) => notes.some((note) => note.includes(squeeze(line))))) {
      problems.push(
        `page ${i + 1} of ${pages.length} holds only a note: "${lines.join(' ').trim().slice(0, 120)}"`,
      );
    }
  });
  return problems;
}
