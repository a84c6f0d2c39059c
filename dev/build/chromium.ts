/**
 * Headless Chromium for the audit report's browser tests: Debian's `chromium` package (with a Japanese font
 * for the `--lang ja` report) and poppler's `pdftotext` (poppler-utils) to read the printed A4 pages back,
 * installed by `npm test` as root when missing, like the other Debian tools (debian-tools.ts). Playwright's own
 * browser download is never used: the browser comes from the distribution.
 */
import { type DebianTool, ensureDebianTools } from './debian-tools.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** How `npm test` tells the test processes why there is no browser. */
export const CHROMIUM_PROBLEM_ENV = 'LOGIN_HISTORY_CHROMIUM_PROBLEM';

const BROWSER_TOOLS: DebianTool[] = [
  { command: 'chromium', path: CHROMIUM, debianPackage: 'chromium' },
  // Without a CJK font the Japanese report renders as empty boxes.
  {
    command: 'ipagp.ttf',
    path: '/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf',
    debianPackage: 'fonts-ipafont-gothic',
  },
  // The printed report's pages as text: what ends a page, what a page holds (tests/helpers/report-print.ts).
  { command: 'pdftotext', path: '/usr/bin/pdftotext', debianPackage: 'poppler-utils' },
  {
    command: 'LiberationSans-Regular.ttf',
    path: '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
    debianPackage: 'fonts-liberation',
  },
];

/** Installs the browser and fonts when missing (root only); returns why there is no browser, or undefined. */
export function ensureChromium(progress?: (line: string) => void): string | undefined {
  return ensureDebianTools(BROWSER_TOOLS, "the audit report's browser test", progress);
}
