/**
 * Headless Chromium for the audit report's browser test: Debian's `chromium` package (with a Japanese font
 * for the `--lang ja` report), installed by `npm test` as root when missing, like Docker for the sam local
 * tests. Playwright's own browser download is never used: the browser comes from the distribution.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { which } from '../local-stack/servers.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** How `npm test` tells the test processes why there is no browser. */
export const CHROMIUM_PROBLEM_ENV = 'LOGIN_HISTORY_CHROMIUM_PROBLEM';
const PACKAGES = ['chromium', 'fonts-ipafont-gothic', 'fonts-liberation'];
const JAPANESE_FONT = '/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf';

/** Installs the packages when missing and this is root with apt-get; returns why there is no browser, or undefined. */
export function ensureChromium(progress: (line: string) => void = () => undefined): string | undefined {
  if (existsSync(CHROMIUM) && existsSync(JAPANESE_FONT)) return undefined;
  if (process.getuid?.() !== 0) {
    return `${CHROMIUM} is not installed and this is not root (Debian: apt-get install ${PACKAGES.join(' ')})`;
  }
  if (!which('apt-get')) return `${CHROMIUM} is not installed and there is no apt-get to install it with`;
  progress(`Installing Debian ${PACKAGES.join(' ')} for the audit report's browser test — first run only…`);
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...PACKAGES], {
      encoding: 'utf8',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  let result = install();
  if (result.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8' });
    result = install();
  }
  if (result.status !== 0 || !existsSync(CHROMIUM)) {
    return `apt-get install ${PACKAGES.join(' ')} failed: ${(result.stderr || String(result.error)).trim().split('\n').at(-1)}`;
  }
  return undefined;
}
