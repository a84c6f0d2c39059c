/**
 * The `sam local` block of docs/tests-and-ci.md, run verbatim with bash against real Docker engines: it must build, start the
 * local DynamoDB where containers reach this machine, invoke the function in the Lambda Node.js 22 image under
 * SAM's emulator, show the item it recorded, and stop everything it started. Twice: on the engine `npm test`
 * prepared (or one of this file's own), and on an engine in Docker's default configuration as a user's first
 * `dockerd` runs (fresh data root, the default bridge docker0 made by dockerd itself, which then reports no
 * Gateway for it), started and stopped here. Bash traces each command with a timestamp, which gives the
 * invoke's wall time.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { PROJECT_ROOT } from '../../../../dev/build/template.ts';
import { findTool, missingToolNotice, TOOLS } from '../../../../dev/build/toolchain.ts';
import { type DockerEngine, docker, startDefaultDockerEngine } from '../../../../dev/docker/docker-engine.ts';
import { buildLambdaImage } from '../../../../dev/docker/lambda-image.ts';
import { type DockerForTests, dockerForTests } from '../../../helpers/docker.ts';
import { readmeBlock } from '../../../helpers/readme.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const SAMPLE_SUB = '97446a08-1071-7008-8a0b-abb8cc5d9bab';
const SAMPLE_CLIENT = '1example23456789abcdefghij';

/** Seconds each traced command took: from its trace line to the next one's (bash -x with PS4 timestamps). */
function commandTimes(trace: string): { command: string; seconds: number }[] {
  const steps = [...trace.matchAll(/^\++\[(\d+\.\d+)\] (.*)$/gm)].map((m) => ({
    at: Number(m[1]),
    command: m[2] as string,
  }));
  return steps.slice(0, -1).map((step, i) => ({
    command: step.command,
    seconds: (steps[i + 1] as { at: number }).at - step.at,
  }));
}

/** Runs the block with bash against `engine` and checks what it must do; `scratch` holds the empty AWS files. */
async function runRecipe(t: TestContext, sam: string, engine: DockerEngine, scratch: string) {
  const started = performance.now();
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      '/bin/bash',
      // Bash ignores PS4 from the environment when run as root: set it, then the block exactly as written.
      ['-euo', 'pipefail', '-c', `PS4='+[$EPOCHREALTIME] '; set -x\n${readmeBlock('sam-local')}`],
      {
        cwd: PROJECT_ROOT,
        maxBuffer: 64 * 1024 * 1024,
        timeout: 600_000,
        env: {
          // A user's shell (its CA and npm settings matter: sam build runs npm ci), minus any AWS or Docker
          // setting of this machine's; the tools on PATH (sam from its venv, node 22, npm, docker).
          ...Object.fromEntries(
            Object.entries(process.env).filter(([name]) => !/^(AWS_|DOCKER_|LOGIN_HISTORY_)/.test(name)),
          ),
          PATH: `${dirname(sam)}:${dirname(process.execPath)}:${process.env.PATH}`,
          DOCKER_HOST: engine.host,
          SAM_CLI_TELEMETRY: '0',
          // No profile of this machine's may leak in: the recipe must work with none.
          AWS_CONFIG_FILE: join(scratch, 'no-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-credentials'),
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
  const seconds = (performance.now() - started) / 1000;
  const times = commandTimes(result.stderr);
  const time = (pattern: RegExp) => times.find((c) => pattern.test(c.command))?.seconds.toFixed(1) ?? '?';
  const report = /REPORT RequestId: \S+\s+Init Duration: [\d.]+ ms\s+Duration: ([\d.]+) ms/.exec(
    result.stderr,
  )?.[1];
  t.diagnostic(
    `recipe ${seconds.toFixed(1)} s: lambda-image ${time(/lambda-image/)} s, sam build ${time(/^sam build/)} s, ` +
      `sam local invoke ${time(/^sam local invoke/)} s (a new container per invoke: always cold; ` +
      `REPORT Duration ${report ?? '?'} ms)`,
  );
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);

  // The local DynamoDB listened where host-gateway leads on this engine: the host's address on its bridge.
  assert.match(result.stderr, new RegExp(`at http://${engine.bridgeAddress.replaceAll('.', '\\.')}:8000,`));

  // The item, as `npm run history` prints it: the sample event's user and app client, signed in just now.
  const row = result.stdout
    .split('\n')
    .find(
      (line) => /^\d{4}-\d\d-\d\dT/.test(line) && line.includes(SAMPLE_SUB) && line.includes(SAMPLE_CLIENT),
    );
  assert.ok(row, `the history shows the recorded item:\n${result.stdout}`);
  const signedInAt = Date.parse(row.split(/\s+/)[0] as string);
  assert.ok(Date.now() - signedInAt < 10 * 60_000, `recorded just now: ${row}`);
  assert.doesNotMatch(result.stderr, /LOGIN_HISTORY_WRITE_FAILED/, 'the write reached the local DynamoDB');
  assert.match(result.stderr, /REPORT RequestId: \S+\s+Init Duration: [\d.]+ ms\s+Duration: [\d.]+ ms/);

  // Everything it started is stopped: the local DynamoDB (trap on EXIT), and SAM's container, the one that
  // mounted this project's .aws-sam/build (other tests' containers may share the engine meanwhile).
  assert.equal(existsSync(join(PROJECT_ROOT, '.local-stack', 'local-dynamodb.json')), false);
  const ids = (await docker(engine.host, ['ps', '-aq'])).split('\n').filter(Boolean);
  const mounts = ids.length
    ? await docker(engine.host, ['inspect', '--format', '{{range .Mounts}}{{.Source}} {{end}}', ...ids])
    : '';
  assert.doesNotMatch(
    mounts,
    new RegExp(`${join(PROJECT_ROOT, '.aws-sam')}`),
    'the invoke container is gone',
  );
}

describe('docs/tests-and-ci.md: sam local invoke, verbatim', () => {
  let dockerSetup: DockerForTests;
  let scratch: string;

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'sam-local-recipe-'));
    if (findTool(TOOLS.sam)) dockerSetup = await dockerForTests();
  });
  after(async () => {
    if (dockerSetup && 'engine' in dockerSetup) await dockerSetup.engine.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** The sam CLI, Docker and bash, or undefined after skipping with the reason. */
  function prerequisites(t: TestContext): string | undefined {
    const sam = findTool(TOOLS.sam);
    if (!sam) return void skipBecause(t, missingToolNotice(TOOLS.sam));
    if ('problem' in dockerSetup)
      return void skipBecause(t, `no Docker for sam local: ${dockerSetup.problem}`);
    if (!existsSync('/bin/bash')) return void skipBecause(t, 'bash is not installed');
    return sam;
  }

  it('invokes the function in the Lambda image and shows the item it recorded, then stops what it started', async (t) => {
    const sam = prerequisites(t);
    if (!sam || 'problem' in dockerSetup) return;
    await runRecipe(t, sam, dockerSetup.engine, scratch);
  });

  it("does the same on an engine's first start in Docker's default configuration", async (t) => {
    const sam = prerequisites(t);
    if (!sam) return;
    let engine: DockerEngine | undefined;
    try {
      try {
        engine = await startDefaultDockerEngine();
      } catch (error) {
        return void skipBecause(t, `no engine in the default configuration: ${(error as Error).message}`);
      }
      await buildLambdaImage(engine.host);
      t.diagnostic(
        `${engine.privateEngine ? 'private dockerd, fresh data root' : "this machine's engine"}: default bridge ` +
          `IPAM ${(await docker(engine.host, ['network', 'inspect', 'bridge', '--format', '{{json .IPAM.Config}}'])).trim()}, ` +
          `host address ${engine.bridgeAddress}`,
      );
      await runRecipe(t, sam, engine, scratch);
    } finally {
      await engine?.stop();
    }
  });
});
