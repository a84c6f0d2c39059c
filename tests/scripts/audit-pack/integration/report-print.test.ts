/**
 * report.html of small and large packs (0, 3, 25 and 200 dormant accounts; one app client and one identity
 * provider in the 3-account pack), in English and Japanese, in headless Chromium and printed on A4: no
 * heading or introduction ends a page, no page holds only a note, no table cell breaks a word or a date, a
 * chart of a single key draws a real bar, the Japanese page holds no English outside names and ids, and the
 * page count stays what such a pack needs. The reports are rendered from summaries (no stack needed); the
 * screenshots and PDFs go to .scratch/audit-pack-report/ with the real packs' (tests/…/e2e/report.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { renderReport } from '../../../../scripts/audit-pack/report/report.ts';
import { reportInput } from '../../../helpers/report-fixture.ts';
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

const problem = browserProblem();

/**
 * At most this many A4 pages: the header, key figures and charts take two, the protection, coverage and files
 * sections one more, and a page of the dormant table holds at least 18 accounts (each row two lines: the
 * e-mail address wraps at its @).
 */
const pageBudget = (dormant: number) => 3 + Math.ceil(dormant / 18);

describe('report.html printed on A4, small and large, in both languages', () => {
  let browser: Browser | undefined;
  before(async () => {
    if (problem) return;
    browser = await launchChromium();
    mkdirSync(REPORT_OUTPUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
  });

  for (const lang of ['en', 'ja'] as const) {
    for (const dormant of [0, 3, 25, 200]) {
      it(`${lang}, ${dormant} dormant accounts`, async (t) => {
        if (problem) {
          skipBecause(t, `no headless Chromium: ${problem}`);
          return;
        }
        const input = reportInput({
          lang,
          dormant,
          clients: dormant === 3 ? 1 : 3,
          failingIps: dormant === 0 ? 0 : 3,
        });
        const page = await (browser as Browser).newPage({ viewport: { width: 800, height: 1200 } });
        try {
          await page.setContent(renderReport(input), { waitUntil: 'load' });
          assert.deepEqual(await brokenWords(page), []);
          if (lang === 'ja') assert.deepEqual(englishIn(await renderedTexts(page), namesAndIds(input)), []);
          if (dormant === 3) {
            // One app client, one identity provider: a bar each, not a line.
            for (const chart of ['by-client', 'by-provider']) {
              const thickness = await page.$$eval(
                `figure[data-chart="${chart}"] g[data-mark="bar"] rect`,
                (r) => r.map((rect) => (rect as SVGRectElement).getBBox().height),
              );
              assert.equal(thickness.length, 1, chart);
              assert.ok((thickness[0] as number) >= 16, `${chart}: ${thickness[0]} px`);
            }
          }
          const name = `report-${lang}-${dormant}-dormant`;
          await page.screenshot({ path: join(REPORT_OUTPUT, `${name}.png`), fullPage: true });
          const pages = await printA4(page, join(REPORT_OUTPUT, `${name}.pdf`));
          assert.ok(
            pages.length <= pageBudget(dormant),
            `${pages.length} pages, budget ${pageBudget(dormant)}`,
          );
          assert.deepEqual(await printProblems(page, pages), []);
          // The table runs to its last account on paper.
          const last = input.dormant.at(-1)?.userName;
          if (last) assert.match(pages.flat().join('\n'), new RegExp(`^\\s*${last}\\s`, 'm'));
          t.diagnostic(`${pages.length} pages: ${join(REPORT_OUTPUT, name)}.{png,pdf}`);
        } finally {
          await page.close();
        }
      });
    }
  }
});
