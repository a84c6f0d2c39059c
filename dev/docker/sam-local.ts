/**
 * The real SAM emulator: `sam build` into a folder, and `sam local start-lambda` (warm containers) as a Lambda
 * Invoke endpoint on a free loopback port, for the tests. The function runs in the Lambda Node.js 22 image (or
 * the stand-in, see lambda-image.ts) under SAM's own aws-lambda-rie, reaching the host at host.docker.internal.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../build/template.ts';
import { findTool, OFFLINE_TOOL_ENV, runTool, TOOLS } from '../build/toolchain.ts';
import { eachLine, freePort, hasExited, watchdog } from '../local-stack/servers.ts';
import type { DockerEngine } from './docker-engine.ts';

/** The architecture SAM must run the function as on this machine (the template's default is arm64). */
export const LOCAL_ARCHITECTURE = process.arch === 'arm64' ? 'arm64' : 'x86_64';

function sam(): string {
  const path = findTool(TOOLS.sam);
  if (!path) throw new Error('the SAM CLI is not provisioned (npm test installs it into .venv/sam)');
  return path;
}

/** `sam build` of the project into `buildDir`; returns the built template's path. */
export function samBuild(buildDir: string): string {
  // --no-cached: samconfig.toml's cached builds share .aws-sam/deps, which a concurrent `sam build` in the
  // project (the README recipe's, the toolchain test's) would be rewriting at the same time.
  const result = runTool(sam(), ['build', '--build-dir', buildDir, '--no-cached', '--region', 'us-east-1'], {
    cwd: PROJECT_ROOT,
  });
  if (result.status !== 0)
    throw new Error(`sam build failed: ${(result.stderr || result.stdout).slice(-2000)}`);
  return join(buildDir, 'template.yaml');
}

export interface SamLocalLambdaOptions {
  engine: DockerEngine;
  /** --invoke-image; SAM pulls public.ecr.aws/lambda/nodejs:22 when this is undefined. */
  image?: string;
  template: string;
  /** `--env-vars` content: function logical ID → variables (only those the template declares reach it). */
  envVars: Record<string, Record<string, string>>;
  parameters?: Record<string, string>;
  /** Folder for the env-vars file and the emulator's output. */
  workDir: string;
}

export interface SamLocalLambda {
  endpoint: string;
  /** Everything SAM and the function printed so far (function logs included), line by line. */
  output(): string[];
  stop(): Promise<void>;
}

export async function startSamLocalLambda(options: SamLocalLambdaOptions): Promise<SamLocalLambda> {
  const port = await freePort();
  const envFile = join(options.workDir, 'sam-local-env.json');
  writeFileSync(envFile, JSON.stringify(options.envVars, null, 2));
  const parameters = { Architecture: LOCAL_ARCHITECTURE, ...options.parameters };
  const args = [
    'local',
    'start-lambda',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--template',
    options.template,
    '--env-vars',
    envFile,
    '--parameter-overrides',
    Object.entries(parameters)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
    '--warm-containers',
    'EAGER',
    '--container-host-interface',
    '127.0.0.1',
    '--add-host',
    `host.docker.internal:${options.engine.bridgeAddress}`,
    ...(options.image ? ['--invoke-image', options.image, '--skip-pull-image'] : []),
  ];
  const child: ChildProcess = spawn(sam(), args, {
    cwd: options.workDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...OFFLINE_TOOL_ENV, DOCKER_HOST: options.engine.host },
  });
  const lines: string[] = [];
  const partial = [
    eachLine(child.stdout, (line) => lines.push(line)),
    eachLine(child.stderr, (line) => lines.push(line)),
  ];
  const output = () => [...lines, ...partial.map((p) => p()).filter(Boolean)];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If this process dies without stop(), SAM gets SIGTERM all the same.
  const guard = watchdog(child);

  const stop = async () => {
    if (!hasExited(child)) {
      // SAM removes its warm containers on SIGTERM (base_local_service's handler) before it exits.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    await guard.release();
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (hasExited(child)) break;
    // Flask answers 404 on / once it serves; EAGER containers are created before that.
    const answered = await fetch(endpoint, { signal: AbortSignal.timeout(1000) }).then(
      () => true,
      () => false,
    );
    if (answered) return { endpoint, output, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`sam local start-lambda did not start:\n${output().slice(-30).join('\n')}`);
}
