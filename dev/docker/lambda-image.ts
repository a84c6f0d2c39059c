/**
 * A stand-in for the Lambda Node.js 22 base image (public.ecr.aws/lambda/nodejs:22) for machines that cannot
 * pull it, built from registry parts only: Debian's glibc, libgcc, libstdc++ and busybox (the shell and the
 * mv/chmod/cp SAM's image build runs), Node 22 (the binary the project runs on) and AWS's own runtime
 * interface client from npm (aws-lambda-ric, pinned in lambda-image/package-lock.json; its native addon is
 * compiled here, against Node 22's headers). Same layout as the official image: /var/lang/bin/node,
 * /var/runtime/bootstrap, /var/task, /lambda-entrypoint.sh. Used as
 * `sam local … --invoke-image <tag> --skip-pull-image`; SAM adds its own emulator on top, as with the real image.
 *
 * The compiled client is cached in .ci/lambda-image/ (keyed by its lock file and the Node version); the image
 * is tagged with a hash of everything in it, so an unchanged image is not imported again.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DebianTool } from '../build/debian-tools.ts';
import { PROJECT_ROOT } from '../build/template.ts';
import { which } from '../local-stack/servers.ts';
import { docker } from './docker-engine.ts';

export const STANDIN_REPOSITORY = 'cognito-login-history/lambda-nodejs22-standin';
const SOURCE_DIR = join(PROJECT_ROOT, 'dev', 'docker', 'lambda-image');
const CACHE_DIR = join(PROJECT_ROOT, '.ci', 'lambda-image');
/** glibc, the C++ runtime Node and the client's addon link against, and one static binary for the shell tools. */
const DEBIAN_PACKAGES = ['libc6', 'libgcc-s1', 'libstdc++6', 'gcc-12-base', 'busybox-static'];
const BUSYBOX_TOOLS = ['sh', 'mv', 'chmod', 'cp', 'rm', 'ls', 'cat', 'env', 'mkdir'];
/** The official image's environment (docker inspect public.ecr.aws/lambda/nodejs:22). */
const IMAGE_ENV = {
  LANG: 'en_US.UTF-8',
  TZ: ':/etc/localtime',
  PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
  LD_LIBRARY_PATH:
    '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib',
  LAMBDA_TASK_ROOT: '/var/task',
  LAMBDA_RUNTIME_DIR: '/var/runtime',
  NODE_PATH:
    '/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task',
};

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) {
    const detail = (result.stderr || result.stdout || String(result.error))
      .trim()
      .split('\n')
      .slice(-3)
      .join(' ');
    throw new Error(`${command} ${args.slice(0, 2).join(' ')} failed: ${detail}`);
  }
  return result.stdout;
}

/** What compiles aws-lambda-ric's addon; `npm test` installs them where missing (dev/build/debian-tools.ts). */
export const LAMBDA_IMAGE_BUILD_TOOLS: DebianTool[] = [
  { command: 'cmake', debianPackage: 'cmake' },
  { command: 'make', debianPackage: 'make' },
  { command: 'g++', debianPackage: 'g++' },
];

/** Why the stand-in cannot be built on this machine, or undefined. */
export function lambdaImageProblem(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return `the stand-in Lambda image is built for linux-x64 only (this is ${process.platform}-${process.arch}); with internet access SAM pulls the real image`;
  }
  const missing = [
    'apt-get',
    'dpkg-deb',
    'tar',
    'python3',
    ...LAMBDA_IMAGE_BUILD_TOOLS.map((t) => t.command),
  ].filter((tool) => !which(tool));
  if (missing.length > 0) {
    return `building the stand-in Lambda image needs ${missing.join(', ')} (Debian: apt-get install cmake make g++ python3)`;
  }
  return undefined;
}

const sha = (...parts: (string | Buffer)[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
};

/** aws-lambda-ric with its addon compiled for `node` (version `nodeVersion`), from the pinned lock; cached. */
function runtimeInterfaceClient(node: string, nodeVersion: string, progress: (line: string) => void): string {
  if (!nodeVersion.startsWith('v22.'))
    throw new Error(`the stand-in image needs Node 22, got ${nodeVersion}`);
  const nodeDir = join(dirname(node), '..');
  if (!existsSync(join(nodeDir, 'include', 'node', 'node_api.h'))) {
    throw new Error(
      `no Node headers under ${nodeDir}/include/node to compile aws-lambda-ric's addon against`,
    );
  }
  const key = sha(readFileSync(join(SOURCE_DIR, 'package-lock.json')), nodeVersion).slice(0, 16);
  const target = join(CACHE_DIR, `ric-${key}`);
  if (existsSync(join(target, 'node_modules', 'aws-lambda-ric', 'rapid-client.node'))) return target;

  progress(
    'Compiling AWS Lambda runtime interface client (aws-lambda-ric) for the stand-in image — first run only, about a minute…',
  );
  mkdirSync(CACHE_DIR, { recursive: true });
  const work = mkdtempSync(join(CACHE_DIR, 'building-'));
  try {
    copyFileSync(join(SOURCE_DIR, 'package.json'), join(work, 'package.json'));
    copyFileSync(join(SOURCE_DIR, 'package-lock.json'), join(work, 'package-lock.json'));
    run('npm', ['ci', '--no-audit', '--no-fund'], {
      cwd: work,
      // node-gyp compiles against these headers instead of downloading them; `node` in its scripts is Node 22.
      env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}`, npm_config_nodedir: nodeDir },
    });
    rmSync(target, { recursive: true, force: true });
    renameSync(work, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return target;
}

/**
 * Builds (or finds) the stand-in image in the engine at `host` and returns its tag.
 */
export async function buildLambdaImage(
  host: string,
  progress: (line: string) => void = () => undefined,
): Promise<string> {
  const problem = lambdaImageProblem();
  if (problem) throw new Error(problem);
  // npm scripts and the tests run on Node 22 (scripts/run.mjs sees to it): the image gets this very binary.
  const node = process.execPath;
  const nodeVersion = process.version;
  const client = runtimeInterfaceClient(node, nodeVersion, progress);
  mkdirSync(CACHE_DIR, { recursive: true });
  const scratch = mkdtempSync(join(CACHE_DIR, 'image-'));
  try {
    const debs = join(scratch, 'debs');
    mkdirSync(debs);
    run('apt-get', ['download', ...DEBIAN_PACKAGES], { cwd: debs });
    const debFiles = readdirSync(debs).sort();
    const tag = `${STANDIN_REPOSITORY}:${sha(
      debFiles.join('\n'),
      nodeVersion,
      basename(client),
      readFileSync(join(SOURCE_DIR, 'bootstrap')),
      readFileSync(join(SOURCE_DIR, 'lambda-entrypoint.sh')),
      JSON.stringify(IMAGE_ENV),
    ).slice(0, 12)}`;
    const present = await docker(host, ['image', 'inspect', '--format', '{{.Id}}', tag]).then(
      () => true,
      () => false,
    );
    if (present) return tag;

    progress(`Building the stand-in Lambda Node.js 22 image ${tag}…`);
    const rootfs = join(scratch, 'rootfs');
    mkdirSync(rootfs);
    for (const deb of debFiles) run('dpkg-deb', ['-x', join(debs, deb), rootfs]);
    for (const tool of BUSYBOX_TOOLS) symlinkSync('busybox', join(rootfs, 'bin', tool));
    mkdirSync(join(rootfs, 'var', 'lang', 'bin'), { recursive: true });
    copyFileSync(node, join(rootfs, 'var', 'lang', 'bin', 'node'));
    chmodSync(join(rootfs, 'var', 'lang', 'bin', 'node'), 0o755);
    cpSync(join(client, 'node_modules'), join(rootfs, 'var', 'runtime', 'node_modules'), { recursive: true });
    copyFileSync(join(SOURCE_DIR, 'bootstrap'), join(rootfs, 'var', 'runtime', 'bootstrap'));
    copyFileSync(join(SOURCE_DIR, 'lambda-entrypoint.sh'), join(rootfs, 'lambda-entrypoint.sh'));
    chmodSync(join(rootfs, 'var', 'runtime', 'bootstrap'), 0o755);
    chmodSync(join(rootfs, 'lambda-entrypoint.sh'), 0o755);
    for (const dir of ['var/task', 'opt', 'etc', 'tmp']) mkdirSync(join(rootfs, dir), { recursive: true });
    chmodSync(join(rootfs, 'tmp'), 0o1777);
    const tarball = join(scratch, 'rootfs.tar');
    run('tar', ['-C', rootfs, '--owner=0', '--group=0', '-cf', tarball, '.']);
    const changes = [
      ...Object.entries(IMAGE_ENV).map(([name, value]) => `ENV ${name}=${value}`),
      'WORKDIR /var/task',
      'ENTRYPOINT ["/lambda-entrypoint.sh"]',
      `LABEL org.opencontainers.image.description="Stand-in for public.ecr.aws/lambda/nodejs:22 (Debian ${debFiles.join(' ')}; Node ${nodeVersion}; aws-lambda-ric)"`,
    ];
    await docker(host, ['import', ...changes.flatMap((c) => ['--change', c]), tarball, tag]);
    return tag;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
