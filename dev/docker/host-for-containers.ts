/**
 * The address of this machine that Docker containers reach as `host.docker.internal` when they are started with
 * `--add-host host.docker.internal:host-gateway`: where a server the containers call (the local DynamoDB that
 * `sam local`'s function writes to) must listen.
 *
 * - Docker Engine on Linux: `host-gateway` is the default bridge's own address, the IPv4 address of its
 *   interface (`com.docker.network.bridge.name`, docker0 by default). The interface is asked, not the network's
 *   IPAM config: an engine that created docker0 itself on its first start (Debian's docker.io 20.10 on a fresh
 *   data root) reports only the subnet there, with no Gateway; the Gateway appears only once docker0 existed
 *   before the engine started.
 * - Docker Desktop (macOS, Windows, Linux): the engine and its bridge live in a VM, and `host-gateway` leads to
 *   Desktop's host proxy, which connects to the host's loopback: listen on 127.0.0.1.
 *
 * Sources: https://docs.docker.com/reference/cli/docker/container/run/#add-host (host-gateway),
 * https://docs.docker.com/desktop/features/networking/networking-how-tos/ (Desktop: a container reaches a
 * service on the host at host.docker.internal), https://github.com/moby/moby/pull/40007 (host-gateway-ip
 * defaults to the default bridge's IP).
 */
import { execFile, spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';

/** `docker network inspect bridge` (one element of its array), the fields read here. */
export interface BridgeNetwork {
  Options?: Record<string, string> | null;
  IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] | null };
}

/** What the engine says about itself. */
export interface EngineFacts {
  /** `docker info`'s OperatingSystem: "Docker Desktop" for an engine in Desktop's VM. */
  operatingSystem: string;
  bridge: BridgeNetwork;
}

export const DEFAULT_BRIDGE_INTERFACE = 'docker0';
const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';
const LOOPBACK = '127.0.0.1';

const ipv4ToNumber = (address: string) =>
  address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);

function inSubnet(address: string, subnet: string): boolean {
  const [base, bits] = subnet.split('/');
  if (!base || !/^\d+\.\d+\.\d+\.\d+$/.test(base) || bits === undefined) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4ToNumber(address) / size) === Math.floor(ipv4ToNumber(base) / size);
}

/**
 * The address to listen on, from the engine's facts and this machine's interfaces (`ipv4Of` returns an
 * interface's IPv4 addresses, undefined when there is no such interface). Throws saying why there is none.
 */
export function addressForContainers(
  facts: EngineFacts,
  ipv4Of: (iface: string) => string[] | undefined,
): string {
  if (/docker desktop/i.test(facts.operatingSystem)) return LOOPBACK;
  const iface = facts.bridge.Options?.[BRIDGE_NAME_OPTION] || DEFAULT_BRIDGE_INTERFACE;
  const addresses = ipv4Of(iface);
  if (addresses === undefined) {
    throw new Error(
      `the Docker engine's default bridge ${iface} is not an interface of this machine: the engine runs elsewhere ` +
        '(a remote DOCKER_HOST, or rootless Docker); run sam local where the engine runs',
    );
  }
  const subnets = (facts.bridge.IPAM?.Config ?? []).map((c) => c.Subnet ?? '');
  const address = addresses.find((a) => subnets.some((s) => inSubnet(a, s))) ?? addresses[0];
  if (!address) throw new Error(`the Docker engine's default bridge ${iface} has no IPv4 address`);
  return address;
}

/** An interface's IPv4 addresses, also while it is down (os.networkInterfaces() lists only running ones). */
export function interfaceIpv4(iface: string): string[] | undefined {
  // Plain output (not -json): the same `inet a.b.c.d/n` lines from every iproute2 version and busybox's ip.
  const result = spawnSync('ip', ['-4', 'address', 'show', 'dev', iface], { encoding: 'utf8' });
  if (result.error) {
    // No ip command: the running interfaces Node sees (docker0 runs while a container is attached).
    const listed = networkInterfaces()[iface];
    return listed?.filter((a) => a.family === 'IPv4').map((a) => a.address);
  }
  if (result.status !== 0) return undefined; // "Device … does not exist."
  return [...result.stdout.matchAll(/^\s*inet (\d+\.\d+\.\d+\.\d+)\//gm)].map((m) => m[1] as string);
}

function dockerCli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', args, { env, timeout: 30_000 }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        reject(new Error('the docker command is not installed (sam local needs Docker)'));
      } else if (error) {
        const command = args.filter((a) => !a.startsWith('-') && !a.startsWith('{')).join(' ');
        reject(new Error(`docker ${command}: ${stderr.trim() || error.message}`));
      } else resolve(stdout);
    });
  });
}

/** Asks the engine the docker CLI talks to (DOCKER_HOST, or the current context), then this machine. */
export async function findAddressForContainers(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const operatingSystem = await dockerCli(['info', '--format', '{{.OperatingSystem}}'], env);
  const inspect = await dockerCli(['network', 'inspect', 'bridge'], env);
  const [bridge] = JSON.parse(inspect) as BridgeNetwork[];
  if (!bridge) throw new Error('the Docker engine has no default bridge network');
  return addressForContainers({ operatingSystem: operatingSystem.trim(), bridge }, interfaceIpv4);
}
