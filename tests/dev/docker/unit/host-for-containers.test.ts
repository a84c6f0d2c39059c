/**
 * Where the local DynamoDB must listen for sam local's containers, decided from what engines really report.
 * bridge-fresh-engine.json and bridge-engine-restarted.json are `docker network inspect bridge` from Debian's
 * docker.io 20.10.24 on this project's machine: on a fresh data root with no docker0 (the engine creates the
 * bridge and records no Gateway), then started again once docker0 existed (Gateway present).
 * bridge-docker-desktop.json has the shape Docker Desktop reports (its docker0 lives in Desktop's VM, so it is
 * never an interface of the machine running sam).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  addressForContainers,
  type BridgeNetwork,
  interfaceIpv4,
} from '../../../../dev/docker/host-for-containers.ts';

const bridge = (name: string) =>
  (
    JSON.parse(
      readFileSync(join(import.meta.dirname, '..', 'fixtures', 'docker', `${name}.json`), 'utf8'),
    ) as BridgeNetwork[]
  )[0] as BridgeNetwork;

const DEBIAN = 'Debian GNU/Linux 12 (bookworm)';
/** A Linux machine where the engine has created docker0 with its usual address. */
const linuxWithDocker0 = (iface: string) =>
  ({ docker0: ['172.17.0.1'], eth0: ['10.0.2.15'], lo: ['127.0.0.1'] })[iface];

describe('the address sam local containers reach this machine at', () => {
  it('a fresh engine that records no Gateway: the address on its bridge interface', () => {
    const fresh = bridge('bridge-fresh-engine');
    assert.equal(fresh.IPAM?.Config?.[0]?.Gateway, undefined, 'the recording has no Gateway');
    assert.equal(
      addressForContainers({ operatingSystem: DEBIAN, bridge: fresh }, linuxWithDocker0),
      '172.17.0.1',
    );
  });

  it('an engine that has run before (Gateway recorded): the same address', () => {
    const restarted = bridge('bridge-engine-restarted');
    assert.equal(
      addressForContainers({ operatingSystem: DEBIAN, bridge: restarted }, linuxWithDocker0),
      '172.17.0.1',
    );
  });

  it('Docker Desktop: loopback, which host-gateway is forwarded to, although docker0 is not here', () => {
    const asked: string[] = [];
    const macInterfaces = (iface: string) => {
      asked.push(iface);
      return ({ lo0: ['127.0.0.1'], en0: ['192.168.1.20'] } as Record<string, string[]>)[iface];
    };
    assert.equal(
      addressForContainers(
        { operatingSystem: 'Docker Desktop', bridge: bridge('bridge-docker-desktop') },
        macInterfaces,
      ),
      '127.0.0.1',
    );
    assert.deepEqual(asked, [], 'the VM bridge is not looked for on the host');
  });

  it('follows the bridge the engine names (a daemon started with --bridge), within its subnet', () => {
    const own: BridgeNetwork = {
      Options: { 'com.docker.network.bridge.name': 'lhdocker7' },
      IPAM: { Config: [{ Subnet: '10.213.7.0/24' }] },
    };
    const twoAddresses = (iface: string) =>
      iface === 'lhdocker7' ? ['192.168.50.1', '10.213.7.1'] : undefined;
    assert.equal(addressForContainers({ operatingSystem: DEBIAN, bridge: own }, twoAddresses), '10.213.7.1');
  });

  it('an engine on another machine (bridge not here): says so instead of guessing', () => {
    assert.throws(
      () =>
        addressForContainers({ operatingSystem: DEBIAN, bridge: bridge('bridge-fresh-engine') }, (iface) =>
          iface === 'eth0' ? ['10.0.2.15'] : undefined,
        ),
      /default bridge docker0 is not an interface of this machine: the engine runs elsewhere/,
    );
  });

  it('a bridge interface without an IPv4 address: says so', () => {
    assert.throws(
      () =>
        addressForContainers({ operatingSystem: DEBIAN, bridge: bridge('bridge-fresh-engine') }, () => []),
      /default bridge docker0 has no IPv4 address/,
    );
  });

  it("reads this machine's interfaces, whether or not they are up", () => {
    assert.ok(interfaceIpv4('lo')?.includes('127.0.0.1'));
    assert.equal(interfaceIpv4('no-such-interface0'), undefined);
  });
});
