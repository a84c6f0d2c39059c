/**
 * report.html in a real browser (Debian's headless Chromium, driven by playwright-core), opened from a pack
 * built on the local stack: it loads nothing but itself, logs no error, draws one bar per day and per key of
 * the data, and shows the same totals as the CSVs; no table cell breaks a word or a date; the Japanese page
 * holds no English outside names and ids; printed on A4 it takes at most four pages, no heading or
 * introduction ends a page and no page holds only a note. A full-page screenshot and the A4 PDF of each
 * language are kept in .scratch/audit-pack-report/ (CI keeps them as artefacts: docs/tests-and-ci.md).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { Browser } from 'playwright-core';
import type { PackSummary } from '../../../../scripts/audit-pack/summary.ts';
import { auditPack, type PackFixture, startPackFixture } from '../../../helpers/audit-pack.ts';
import { englishIn, namesAndIds } from '../../../helpers/report-language.ts';
import {
  brokenWords,
  browserProblem,
  launchChromium,
  printA4,
  printProblems,
  REPORT_OUTPUT,
  renderedTexts,
} from '../../../helpers/report-print.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const rows = (path: string) =>
  parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];

const problem = browserProblem();

describe('report.html in headless Chromium', () => {
  let fixture: PackFixture | undefined;
  let browser: Browser | undefined;
  let scratch = '';
  const packs: Record<string, string> = {};

  before(async () => {
    if (problem) return;
    fixture = await startPackFixture();
    scratch = mkdtempSync(join(tmpdir(), 'audit-pack-browser-'));
    for (const lang of ['en', 'ja']) {
      packs[lang] = join(scratch, lang);
      const made = await auditPack(fixture, packs[lang] as string, ['--lang', lang]);
      assert.equal(made.code, 0, made.stderr);
    }
    browser = await launchChromium();
    mkdirSync(REPORT_OUTPUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await fixture?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  for (const lang of ['en', 'ja']) {
    it(`${lang}: loads only itself, draws the data it summarises, reads in ${lang} and prints on A4`, async (t) => {
      if (problem) {
        skipBecause(t, `no headless Chromium: ${problem}`);
        return;
      }
      const pack = packs[lang] as string;
      const url = pathToFileURL(join(pack, 'report.html')).href;
      const summary: PackSummary = JSON.parse(readFileSync(join(pack, 'summary.json'), 'utf8'));
      const manifest = JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8'));
      const context = await (browser as Browser).newContext({ viewport: { width: 800, height: 1200 } });
      const page = await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await context.route('**/*', (route) => {
        requests.push(route.request().url());
        return route.request().url() === url ? route.continue() : route.abort();
      });
      await page.goto(url, { waitUntil: 'load' });

      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [url], 'the page requests nothing but itself');
      assert.equal(await page.locator('script').count(), 0, 'no script');

      // One bar per day of the period (zero days too), as tall as its count.
      const bars = (chart: string, side: 'height' | 'width' = 'height') =>
        page.$$eval(
          `figure[data-chart="${chart}"] svg g[data-mark="bar"] rect`,
          (rects, side) => rects.map((r) => (r as SVGRectElement).getBBox()[side]),
          side,
        );
      const perDay = (chart: string, counts: Record<string, number>) =>
        bars(chart).then((heights) => {
          const values = Object.values(counts);
          assert.equal(heights.length, summary.period.days, `${chart}: one bar per day`);
          const max = Math.max(...values);
          const tallest = Math.max(...heights);
          heights.forEach((h, i) => {
            assert.ok(Math.abs(h - (tallest * (values[i] as number)) / max) < 0.5, `${chart} bar ${i}: ${h}`);
          });
        });
      assert.ok(summary.authEvents.recorded);
      await perDay('sign-ins-per-day', summary.signIns.perDay);
      await perDay('failures-per-day', summary.authEvents.failuresPerDay);
      // One bar per key, each a bar a reader sees (not a line), however few keys there are.
      const ranked = {
        'by-client': Object.keys(summary.signIns.byClient).length,
        'by-provider': 2,
        'top-failing-ips': summary.authEvents.topFailingSourceIps.length,
        'top-failing-users': 2,
      };
      for (const [chart, keys] of Object.entries(ranked)) {
        const thickness = await bars(chart);
        assert.equal(thickness.length, keys, chart);
        for (const h of thickness) assert.ok(h >= 16, `${chart}: a bar ${h} px thick`);
      }

      // The totals on the page are those of the CSVs.
      const signIns = rows(join(pack, 'sign-ins.csv'));
      const events = rows(join(pack, 'auth-events.csv'));
      const dormant = rows(join(pack, 'dormant-accounts.csv'));
      const total = async (key: string) =>
        Number(((await page.locator(`[data-total="${key}"]`).textContent()) ?? '').replace(/[,\s]/g, ''));
      assert.equal(await total('sign-ins'), signIns.length);
      assert.equal(await total('users'), new Set(signIns.map((r) => r.sub)).size);
      assert.equal(await total('failures'), events.filter((e) => e.outcome === 'failure').length);
      assert.equal(await total('dormant'), dormant.length);
      const dormantNames = await page.locator('table.dormant tbody tr td:first-child').allInnerTexts();
      assert.deepEqual(
        dormantNames,
        dormant.map((a) => a.userName),
        'every dormant account, names shown as text',
      );

      // No table cell or header line breaks a word, a date or a number (ids wrap at their separators).
      assert.deepEqual(await brokenWords(page), []);

      // Japanese: no English outside names and ids (tests/helpers/report-language.ts says what counts).
      if (lang === 'ja') {
        const names = namesAndIds({
          summary,
          dormant: dormant.map((a) => ({ userName: a.userName ?? '', sub: a.sub ?? '', email: a.email })),
          files: manifest.files,
          tool: manifest.tool,
          identity: manifest.identity,
        });
        assert.deepEqual(englishIn(await renderedTexts(page), names), []);
      }

      await page.screenshot({ path: join(REPORT_OUTPUT, `report-${lang}.png`), fullPage: true });
      const pdfPath = join(REPORT_OUTPUT, `report-${lang}.pdf`);
      const pages = await printA4(page, pdfPath);
      const pdf = readFileSync(pdfPath).toString('latin1');
      assert.match(pdf, /\/MediaBox \[0 0 59[45]\.\d+ 84[12]\.\d+\]/, 'A4 pages');
      assert.ok(pages.length >= 2 && pages.length <= 4, `${pages.length} pages`);
      assert.deepEqual(await printProblems(page, pages), []);
      t.diagnostic(
        `screenshot and A4 PDF (${pages.length} pages): ${join(REPORT_OUTPUT, `report-${lang}`)}.{png,pdf}`,
      );
      await context.close();
    });
  }
});
