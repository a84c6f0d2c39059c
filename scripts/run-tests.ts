/**
 * `npm test`: provisions the pinned Python tools on first use, then runs every tests/**\/*.test.ts file
 * under node's test runner (spec output), then one plain summary line `N passed, N failed` for CI.
 * Portable: no shell globbing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CHROMIUM_PROBLEM_ENV, ensureChromium } from './build/chromium.ts';
import { PROJECT_ROOT } from './build/template.ts';
import { ensurePythonTools, PROBLEM_ENV } from './build/toolchain.ts';
import { DOCKER_ENV, type DockerEngine, startDockerEngine } from './local-stack/docker-engine.ts';
import { buildLambdaImage } from './local-stack/lambda-image.ts';

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const filter = process.argv.slice(2);
const files = findTests(join(PROJECT_ROOT, 'tests'))
  .map((f) => relative(PROJECT_ROOT, f))
  .filter((f) => filter.length === 0 || filter.some((part) => f.includes(part)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filter.join(' ')}`);
  process.exit(2);
}

// The SAM CLI, cfn-lint, checkov and moto at their pinned versions; where they cannot be had, the tests
// that need them skip and quote this reason.
const toolchainProblem = await ensurePythonTools();

// The sam local tests need Docker: one engine and one stand-in Lambda image for the whole run (installed and
// started here where that needs root), stopped at the end. Where it cannot be had, they skip quoting why.
let engine: DockerEngine | undefined;
const dockerEnv: Record<string, string> = {};
if (files.some((f) => f.includes('/sam-local/'))) {
  const started = performance.now();
  try {
    engine = await startDockerEngine((line) => console.error(line));
    const engineMs = performance.now() - started;
    const image = await buildLambdaImage(engine.host, (line) => console.error(line));
    Object.assign(dockerEnv, {
      [DOCKER_ENV.host]: engine.host,
      [DOCKER_ENV.bridge]: engine.bridgeAddress,
      [DOCKER_ENV.image]: image,
    });
    console.error(
      `Docker for the sam local tests: ${engine.privateEngine ? 'private dockerd' : 'engine'} at ${engine.host} ` +
        `ready in ${(engineMs / 1000).toFixed(1)} s, image ${image} in ${((performance.now() - started - engineMs) / 1000).toFixed(1)} s`,
    );
  } catch (error) {
    dockerEnv[DOCKER_ENV.problem] = (error as Error).message;
  }
}

// The report's browser test needs Debian's chromium (installed here as root when missing); where it
// cannot be had, the test skips quoting why.
const browserProblem = files.some((f) => f.includes('/browser/'))
  ? ensureChromium((line) => console.error(line))
  : undefined;

const scratch = mkdtempSync(join(tmpdir(), 'login-history-tests-'));
const tap = join(scratch, 'results.tap');
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_NO_WARNINGS: '1',
      ...(toolchainProblem ? { [PROBLEM_ENV]: toolchainProblem } : {}),
      ...(browserProblem ? { [CHROMIUM_PROBLEM_ENV]: browserProblem } : {}),
      ...dockerEnv,
    },
  },
);
// Ctrl-C or a CI timeout: the test runner ends its files, then the engine goes with its containers.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
const status = await new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
const dockerStop = performance.now();
await engine?.stop();
if (engine) console.error(`Docker stopped in ${((performance.now() - dockerStop) / 1000).toFixed(1)} s`);

let summary = 'test runner produced no results';
try {
  const text = readFileSync(tap, 'utf8');
  const count = (name: string) => Number(text.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
  summary = `${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`;
} catch {
  // keep the default summary
}
rmSync(scratch, { recursive: true, force: true });
console.log(summary);
process.exit(status);
