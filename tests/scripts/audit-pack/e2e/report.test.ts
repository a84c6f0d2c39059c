/**
 * report.html in a real browser (Debian's headless Chromium, driven by playwright-core), opened from a pack
 * built on the local stack: it loads nothing but itself, logs no error, draws one bar per day and per key of
 * the data, and shows the same totals as the CSVs. A screenshot and an A4 PDF of each language are kept in
 * .scratch/audit-pack-report/ for a person to look at.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_PROBLEM_ENV, ensureChromium } from '../../../../dev/build/chromium.ts';
import { PROJECT_ROOT } from '../../../../dev/build/template.ts';
import { auditPack, type PackFixture, startPackFixture } from '../../../helpers/audit-pack.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const OUTPUT = join(PROJECT_ROOT, '.scratch', 'audit-pack-report');
const rows = (path: string) =>
  parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];

const problem =
  process.env[CHROMIUM_PROBLEM_ENV] ??
  ensureChromium() ??
  (existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing`);

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
    browser = await chromium.launch({
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
    rmSync(OUTPUT, { recursive: true, force: true });
    mkdirSync(OUTPUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await fixture?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  for (const lang of ['en', 'ja']) {
    it(`${lang}: loads only itself, logs no error, and draws the data it summarises`, async (t) => {
      if (problem) {
        skipBecause(t, `no headless Chromium: ${problem}`);
        return;
      }
      const pack = packs[lang] as string;
      const url = pathToFileURL(join(pack, 'report.html')).href;
      const summary = JSON.parse(readFileSync(join(pack, 'summary.json'), 'utf8'));
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
      const bars = (chart: string) =>
        page.$$eval(`figure[data-chart="${chart}"] svg g[aria-label="bar"] rect`, (rects) =>
          rects.map((r) => (r as SVGRectElement).getBBox().height),
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
      await perDay('sign-ins-per-day', summary.signIns.perDay);
      await perDay('failures-per-day', summary.authEvents.failuresPerDay);
      assert.equal((await bars('by-client')).length, Object.keys(summary.signIns.byClient).length);
      assert.equal((await bars('by-provider')).length, 2);
      assert.equal((await bars('top-failing-ips')).length, summary.authEvents.topFailingSourceIps.length);
      assert.equal((await bars('top-failing-users')).length, 2);

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

      await page.screenshot({ path: join(OUTPUT, `report-${lang}.png`), fullPage: true });
      const pdf = await page.pdf({
        path: join(OUTPUT, `report-${lang}.pdf`),
        format: 'A4',
        printBackground: true,
      });
      const text = pdf.toString('latin1');
      assert.match(text, /^%PDF-/);
      assert.match(text, /\/MediaBox \[0 0 59[45]\.\d+ 84[12]\.\d+\]/, 'A4 pages');
      t.diagnostic(`screenshot and A4 PDF: ${join(OUTPUT, `report-${lang}`)}.{png,pdf}`);
      await context.close();
    });
  }
});
