/**
 * A Docker engine for the tests that run the real SAM emulator. An engine that already answers (DOCKER_HOST or
 * the default socket) is used as it is. Otherwise, as root, Debian's docker.io is installed if missing and a
 * private dockerd is started: data, exec root and socket in a temporary folder, its own bridge on a free
 * 10.213.x.0/24 with no masquerading and no forwarding (containers reach only the host's bridge address, no
 * other network), ports published on 127.0.0.1 only. Stopping it removes every container, the bridge and the
 * folder; a watchdog does the same if this process dies first.
 *
 * `startDefaultDockerEngine` starts an engine as a user's first `dockerd` runs instead: a fresh data root and
 * Docker's default bridge docker0, created by dockerd itself (the same isolation flags; they do not change how
 * the bridge is created or what the engine reports about it).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DebianTool, ensureDebianTools } from '../build/debian-tools.ts';
import { hasExited, watchdog } from '../local-stack/servers.ts';
import { DEFAULT_BRIDGE_INTERFACE, findAddressForContainers, interfaceIpv4 } from './host-for-containers.ts';

/** How `npm test` hands its engine and stand-in image (or why there is none) to the test processes. */
export const DOCKER_ENV = {
  host: 'DOCKER_HOST',
  bridge: 'LOGIN_HISTORY_DOCKER_BRIDGE',
  image: 'LOGIN_HISTORY_LAMBDA_IMAGE',
  problem: 'LOGIN_HISTORY_DOCKER_PROBLEM',
} as const;

export interface DockerEngine {
  /** The value for DOCKER_HOST. */
  host: string;
  /** The host's address on the engine's default bridge: what `host.docker.internal` must map to on Linux. */
  bridgeAddress: string;
  /** True when this process started the engine (and stop() ends it). */
  privateEngine: boolean;
  stop(): Promise<void>;
}

const DEFAULT_SOCKET = '/var/run/docker.sock';
const isRoot = () => process.getuid?.() === 0;

/** Runs the docker CLI against `host`; rejects with its stderr. */
export function docker(host: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'docker',
      args,
      { env: { ...process.env, DOCKER_HOST: host }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`docker ${args[0]}: ${stderr.trim() || error.message}`)) : resolve(stdout),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** GET /_ping on a unix-socket DOCKER_HOST: true when an engine answers. */
function ping(host: string): Promise<boolean> {
  const socketPath = host.replace(/^unix:\/\//, '');
  if (socketPath === host || !existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** The host's address on the engine's default bridge, as `local-dynamodb --for-docker` finds it. */
function hostAddressOnBridge(host: string): Promise<string> {
  return findAddressForContainers({ ...process.env, DOCKER_HOST: host });
}

/** The engine, its CLI and iproute2 (the private engine's own bridge is made with `ip`). */
const DOCKER_TOOLS: DebianTool[] = [
  { command: 'dockerd', debianPackage: 'docker.io' },
  { command: 'docker', debianPackage: 'docker.io' },
  { command: 'ip', debianPackage: 'iproute2' },
];

/** Installs Debian's docker.io (and iproute2) where missing, as root; undefined when there, else why not. */
export function ensureDockerInstalled(
  progress: (line: string) => void = () => undefined,
): string | undefined {
  return ensureDebianTools(DOCKER_TOOLS, 'the SAM emulator tests', progress);
}

/** A /24 in 10.213.0.0/16 that no interface of this machine uses, and a bridge name for it. */
function freeBridgeSubnet(): { name: string; address: string } {
  const used = new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((a) => a?.address ?? ''),
  );
  const names = new Set(Object.keys(networkInterfaces()));
  for (let attempt = 0; attempt < 256; attempt++) {
    const octet = Math.floor(Math.random() * 254) + 1;
    const address = `10.213.${octet}.1`;
    const name = `lhdocker${octet}`;
    if (![...used].some((a) => a.startsWith(`10.213.${octet}.`)) && !names.has(name))
      return { name, address };
  }
  throw new Error('no free 10.213.x.0/24 subnet for the Docker bridge');
}

function ip(args: string[]) {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.trim()}`);
}

/** The bridge a private engine uses: one made for it beforehand, or Docker's default one made by dockerd. */
type BridgeChoice = 'own' | 'default';

async function startPrivateEngine(
  storageDriver: 'overlay2' | 'vfs',
  bridgeChoice: BridgeChoice,
): Promise<DockerEngine> {
  const root = mkdtempSync(join(tmpdir(), 'login-history-docker-'));
  const socket = join(root, 'docker.sock');
  const host = `unix://${socket}`;
  let bridge: { name: string; address?: string };
  // The bridge this engine owns and removes afterwards; a docker0 that was here before is left as it was.
  let ownedBridge = '';
  if (bridgeChoice === 'own') {
    const own = freeBridgeSubnet();
    ip(['link', 'add', 'name', own.name, 'type', 'bridge']);
    ip(['addr', 'add', `${own.address}/24`, 'dev', own.name]);
    ip(['link', 'set', own.name, 'up']);
    bridge = own;
    ownedBridge = own.name;
  } else {
    bridge = { name: DEFAULT_BRIDGE_INTERFACE };
    if (interfaceIpv4(DEFAULT_BRIDGE_INTERFACE) === undefined) ownedBridge = DEFAULT_BRIDGE_INTERFACE;
  }
  // An empty configuration file: the machine's /etc/docker/daemon.json must not change this engine.
  writeFileSync(join(root, 'daemon.json'), '{}\n');
  const log = openSync(join(root, 'dockerd.log'), 'a');
  const dockerd = spawn(
    'dockerd',
    [
      `--config-file=${join(root, 'daemon.json')}`,
      `--data-root=${join(root, 'data')}`,
      `--exec-root=${join(root, 'exec')}`,
      `--pidfile=${join(root, 'dockerd.pid')}`,
      `--host=${host}`,
      `--storage-driver=${storageDriver}`,
      ...(bridgeChoice === 'own' ? [`--bridge=${bridge.name}`] : []),
      '--iptables=false',
      '--ip-masq=false',
      '--ip-forward=false',
      '--ip=127.0.0.1',
    ],
    { stdio: ['ignore', log, log] },
  );
  dockerd.on('error', (error) => writeFileSync(join(root, 'dockerd.log'), `level=fatal ${error.message}\n`));
  // If this process dies without stop(), the watchdog ends dockerd and removes the bridge and the folder.
  const guard = watchdog(dockerd, '[ -z "$1" ] || ip link delete "$1" 2>/dev/null; rm -rf "$2"', [
    ownedBridge,
    root,
  ]);

  const stopEngine = async () => {
    if (!hasExited(dockerd)) {
      const containers = (await docker(host, ['ps', '-aq']).catch(() => '')).split('\n').filter(Boolean);
      if (containers.length > 0) await docker(host, ['rm', '-f', '-v', ...containers]).catch(() => '');
      const gone = new Promise<void>((resolve) => dockerd.once('exit', () => resolve()));
      dockerd.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 20_000).unref())]);
      if (!hasExited(dockerd)) dockerd.kill('SIGKILL');
    }
    await guard.release();
  };

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !hasExited(dockerd)) {
    if (await ping(host)) {
      try {
        const bridgeAddress = bridge.address ?? (await hostAddressOnBridge(host));
        return { host, bridgeAddress, privateEngine: true, stop: stopEngine };
      } catch (error) {
        await stopEngine();
        throw error;
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const output = readFileSync(join(root, 'dockerd.log'), 'utf8');
  await stopEngine();
  const lastError = output
    .split('\n')
    .filter((l) => /level=(error|fatal)|failed to start/i.test(l))
    .at(-1);
  throw new Error(`dockerd (${storageDriver}) did not start: ${lastError ?? output.slice(-500)}`);
}

/** The engine at `host` when it answers, used as it is (stop() leaves it running). */
async function answeringEngine(host: string): Promise<DockerEngine | undefined> {
  if (!(await ping(host))) return undefined;
  return {
    host,
    bridgeAddress: await hostAddressOnBridge(host),
    privateEngine: false,
    stop: async () => undefined,
  };
}

/**
 * The engine to use: an existing one that answers, else a private one (root only). Throws with the reason
 * when there is none.
 */
export async function startDockerEngine(
  progress: (line: string) => void = () => undefined,
): Promise<DockerEngine> {
  const existing = await answeringEngine(process.env.DOCKER_HOST ?? `unix://${DEFAULT_SOCKET}`);
  if (existing) return existing;
  if (process.env.DOCKER_HOST)
    throw new Error(`no Docker engine answers at DOCKER_HOST=${process.env.DOCKER_HOST}`);
  return startPrivateEngineWithFallback('own', progress);
}

/**
 * An engine in Docker's default configuration, as a user's machine has one: the machine's own engine when one
 * answers at the default socket (never DOCKER_HOST, which `npm test` points at its private engine), else
 * (root only) a private dockerd on a fresh data root with the default bridge docker0, made by dockerd itself.
 */
export async function startDefaultDockerEngine(
  progress: (line: string) => void = () => undefined,
): Promise<DockerEngine> {
  return (
    (await answeringEngine(`unix://${DEFAULT_SOCKET}`)) ?? startPrivateEngineWithFallback('default', progress)
  );
}

async function startPrivateEngineWithFallback(
  bridgeChoice: BridgeChoice,
  progress: (line: string) => void,
): Promise<DockerEngine> {
  const problem = ensureDockerInstalled(progress);
  if (problem) throw new Error(problem);
  if (!isRoot()) throw new Error('no Docker engine is running, and starting one needs root');
  // overlay2 where the kernel allows it (fast container start); vfs works everywhere (a full copy per layer).
  try {
    return await startPrivateEngine('overlay2', bridgeChoice);
  } catch {
    return await startPrivateEngine('vfs', bridgeChoice);
  }
}
