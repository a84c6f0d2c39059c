/**
 * `npm test`: provisions the pinned Python tools and, as root, the Debian packages some tests run (AWS CLI v2,
 * jq, docker.io, a compiler for the stand-in Lambda image) on first use, then runs every tests/**\/*.test.ts file
 * under node's test runner (spec output), then one plain summary line `N passed, N failed, N skipped` for CI.
 * `--tier <name>` (npm run test:unit, …) runs one tier and prepares only what it needs. No shell globbing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { helpPointer } from '../../scripts/core/cli.ts';
import { CHROMIUM_PROBLEM_ENV, ensureChromium } from '../build/chromium.ts';
import { AWS_CLI_PROBLEM_ENV, AWS_CLI_RECIPE_TOOLS, ensureDebianTools } from '../build/debian-tools.ts';
import { PROJECT_ROOT } from '../build/template.ts';
import { ensurePythonTools, PROBLEM_ENV } from '../build/toolchain.ts';
import { DOCKER_ENV, type DockerEngine, startDockerEngine } from '../docker/docker-engine.ts';
import { buildLambdaImage, LAMBDA_IMAGE_BUILD_TOOLS } from '../docker/lambda-image.ts';
import { findTestFiles, isTier, TIERS, tierOf } from './test-tiers.ts';

const USAGE = `usage: npm test [-- <path part>...]
       npm run test:unit | test:integration | test:e2e | test:sam-local [-- <path part>...]

Runs the test files under tests/ (those whose path contains one of the parts, when given; of one tier with
--tier <${Object.keys(TIERS).join('|')}>), then prints one line: N passed, N failed, N skipped.
Prepares what the chosen files need first: the pinned Python tools, and as root the Debian packages and a
private Docker engine (stopped at the end). The unit tier needs none of them. See docs/tests-and-ci.md.`;

const { values, positionals: filter } = parseArgs({
  options: { tier: { type: 'string' }, help: { type: 'boolean', default: false } },
  allowPositionals: true,
  strict: false, // a path part may start with a dash
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
/** A usage error: the error and where the usage is, not the usage itself (as runCli does for the commands). */
function usageError(message: string): never {
  console.error(`error: ${message}\n${helpPointer(USAGE)}`);
  process.exit(2);
}
// Not strict (a path part may start with a dash), but a mistyped option (--teir) must not run everything.
const unknownOptions = Object.keys(values).filter((name) => name !== 'tier' && name !== 'help');
if (unknownOptions.length > 0) usageError(`unknown option --${unknownOptions.join(', --')}`);
const tier = values.tier;
if (tier !== undefined && (typeof tier !== 'string' || !isTier(tier))) {
  usageError(`--tier must be one of ${Object.keys(TIERS).join(', ')}`);
}
const files = findTestFiles(PROJECT_ROOT)
  .filter((f) => tier === undefined || tierOf(f) === tier)
  .filter((f) => filter.length === 0 || filter.some((part) => f.includes(part)));
if (files.length === 0) {
  usageError(`no test files match ${[tier && `--tier ${tier}`, ...filter].filter(Boolean).join(' ')}`);
}

// The SAM CLI, cfn-lint, checkov and moto at their pinned versions, for every tier but unit; where they cannot
// be had, the tests that need them skip and quote this reason.
const toolchainProblem = files.some((f) => TIERS[tierOf(f) ?? 'integration'].needsPythonTools)
  ? await ensurePythonTools()
  : undefined;

// The README's CLI-only attach recipe runs Debian's AWS CLI v2 and jq: installed here where that needs root.
// What a file needs is read from what it imports, so a new test of the same kind is prepared for too.
const imports = (f: string, module: string) => readFileSync(join(PROJECT_ROOT, f), 'utf8').includes(module);
const awsCliProblem = files.some((f) => imports(f, 'AWS_CLI_RECIPE_TOOLS'))
  ? ensureDebianTools(AWS_CLI_RECIPE_TOOLS, "the README's AWS CLI recipe test")
  : undefined;

// The sam local tests need Docker: one engine and one stand-in Lambda image for the whole run (installed and
// started here where that needs root), stopped at the end. Where it cannot be had, they skip quoting why.
let engine: DockerEngine | undefined;
const dockerEnv: Record<string, string> = {};
if (files.some((f) => tierOf(f) === 'sam-local')) {
  const started = performance.now();
  try {
    const buildToolsProblem = ensureDebianTools(LAMBDA_IMAGE_BUILD_TOOLS, 'the stand-in Lambda image');
    if (buildToolsProblem) throw new Error(buildToolsProblem);
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

// The rules' pattern tests run AWS event-ruler in a JVM, resolved with Maven: a JDK and Maven are installed
// here as root when missing (the tests themselves say why they skip where they cannot be had).
if (files.some((f) => imports(f, '/dev/build/event-ruler.ts'))) {
  const problem = ensureDebianTools(
    [
      { command: 'javac', debianPackage: 'openjdk-17-jdk-headless' },
      { command: 'mvn', debianPackage: 'maven' },
    ],
    "the EventBridge rules' pattern tests (AWS event-ruler)",
  );
  if (problem) console.error(`AWS event-ruler: ${problem}`);
}

// The report's browser test needs Debian's chromium (installed here as root when missing); where it
// cannot be had, the test skips quoting why.
const browserProblem = files.some((f) => imports(f, '/dev/build/chromium.ts'))
  ? ensureChromium((line) => console.error(line))
  : undefined;

const scratch = mkdtempSync(join(tmpdir(), 'login-history-tests-'));
const testEnv = {
  ...process.env,
  NODE_NO_WARNINGS: '1',
  ...(toolchainProblem ? { [PROBLEM_ENV]: toolchainProblem } : {}),
  ...(awsCliProblem ? { [AWS_CLI_PROBLEM_ENV]: awsCliProblem } : {}),
  ...(browserProblem ? { [CHROMIUM_PROBLEM_ENV]: browserProblem } : {}),
  ...dockerEnv,
};

/** One node --test run of `batch`, `concurrency` files at a time; its TAP goes to `tap`. */
let running: ReturnType<typeof spawn> | undefined;
function runBatch(batch: string[], concurrency: number, tap: string): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      // A test that waits forever fails after 15 minutes (the whole suite takes about 10) instead of holding the
      // run until CI's time is up. Not --test-force-exit: it ends files whose tests are declared after an await.
      '--test-timeout=900000',
      `--test-concurrency=${concurrency}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...batch,
    ],
    { cwd: PROJECT_ROOT, stdio: 'inherit', env: testEnv },
  );
  running = child;
  return new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}
// Ctrl-C or a CI timeout: the test runner ends its files, then the engine goes with its containers.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    interrupted = true;
    running?.kill(signal);
  });

// The load tests measure answers against Cognito's 5 s on 2 cores: they run alone, after the others, so that
// no other file's engines compete with them for the CPU (two at once timed sign-ins out).
const isLoadTest = (f: string) => f.endsWith('load.test.ts');
const batches = [
  { files: files.filter((f) => !isLoadTest(f)), concurrency: 2 },
  { files: files.filter(isLoadTest), concurrency: 1 },
].filter((b) => b.files.length > 0);
const taps: string[] = [];
let status = 0;
for (const [n, batch] of batches.entries()) {
  if (interrupted) break;
  const tap = join(scratch, `results-${n}.tap`);
  taps.push(tap);
  status = Math.max(status, await runBatch(batch.files, batch.concurrency, tap));
}
const dockerStop = performance.now();
await engine?.stop();
if (engine) console.error(`Docker stopped in ${((performance.now() - dockerStop) / 1000).toFixed(1)} s`);

let summary = 'test runner produced no results';
try {
  const texts = taps.map((tap) => readFileSync(tap, 'utf8'));
  const count = (name: string) =>
    texts.reduce((sum, text) => sum + Number(text.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0), 0);
  summary = `${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`;
} catch {
  // keep the default summary
}
rmSync(scratch, { recursive: true, force: true });
console.log(summary);
process.exit(status);
