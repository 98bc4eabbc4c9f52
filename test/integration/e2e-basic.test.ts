// Seed "basic IPMP": one floating data address on NIC 1, a deprecated test address on each
// NIC. Carrier loss on NIC 1 moves the address to NIC 2 (announced), repair brings it back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonProcess } from '../helpers/daemon.js';
import { holder, macOf, neighbourMac, ping, routeDevices } from '../helpers/host-state.js';
import { requireNetnsSupport } from '../helpers/netns.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { CLIENT4, type Topology } from '../helpers/topology.js';
import { until, type AnnouncementWatcher } from '../helpers/wire.js';

const enabled = requireNetnsSupport();
const DATA = '192.0.2.100';

const CONFIG = `
mpathd:
  failureDetectionTime: 700
  failback: true
defaultRouters: [192.0.2.254]
groups:
  - name: appserver-ipmp
    announce: { arpCount: 3, arpIntervalMs: 300, naCount: 3, naIntervalMs: 300 }
    interfaces:
      - { name: eth0, standby: false, testAddresses: [192.0.2.10/24] }
      - { name: eth1, standby: false, testAddresses: [192.0.2.11/24] }
    dataAddresses:
      - { address: ${DATA}/24, interface: eth0 }
`;

describe.runIf(enabled)('e2e: basic IPMP, link-based failover', () => {
  let s: Scenario;
  let t: Topology;
  let d: DaemonProcess;
  let wire: AnnouncementWatcher;

  beforeAll(async () => {
    s = await startScenario({ config: CONFIG });
    ({ t, d, wire } = s);
    await d.probesSettled();
  });
  afterAll(() => s?.close());

  it('places the data address on its home NIC and test addresses on their own', async () => {
    expect(holder(t.host, DATA)).toEqual(['eth0']);
    expect(holder(t.host, '192.0.2.10')).toEqual(['eth0']);
    expect(holder(t.host, '192.0.2.11')).toEqual(['eth1']);
    expect(routeDevices(t.host, 'default')).toEqual(['eth0', 'eth1']);
    expect(ping(t.client, DATA, 2)).toBe(true);
    expect(neighbourMac(t.client, DATA)).toBe(macOf(t.host, 'eth0'));
    // The host answers from the data address, never from a test address.
    await until(() => wire.for(DATA).length >= 1, 2000, 'initial announcement of the data address');
  });

  it('moves the address to eth1 on carrier loss, announces it, and the client keeps reaching it', async () => {
    wire.clear();
    t.cutCarrier(0);
    await until(() => holder(t.host, DATA).join() === 'eth1', 2000, `${DATA} on eth1`);
    // Frames of the start-up series from eth0 may still be in flight (and broadcasts reach
    // every port): look for frames entering the switch from eth1.
    const fromEth1 = (): typeof wire.seen => wire.for(DATA).filter((s) => s.port === t.port(1) && s.mac === macOf(t.host, 'eth1'));
    await until(() => fromEth1().length >= 1, 1000, 'gratuitous ARP from eth1');
    const first = fromEth1()[0]!;
    expect(first.kind).toBe('garp');
    expect(first.mac).toBe(macOf(t.host, 'eth1'));
    expect(first.port).toBe(t.port(1));
    await until(() => neighbourMac(t.client, DATA) === macOf(t.host, 'eth1'), 2000, 'client neighbour entry updated to eth1');
    expect(ping(t.client, DATA, 3)).toBe(true);
    expect(routeDevices(t.host, 'default')).toEqual(['eth1']);
    expect(holder(t.host, '192.0.2.10')).toEqual(['eth0']); // test addresses never move
    await until(() => d.logsMatching(/link has gone down on eth0/i).length > 0, 1000, 'in.mpathd-style log line');
  });

  it('fails back to eth0 on repair', async () => {
    wire.clear();
    t.restoreCarrier(0);
    // With probing, repair also needs 10 answered probes from eth0 (FDT 700 ms: ~1 s).
    await until(() => holder(t.host, DATA).join() === 'eth0', 4000, `${DATA} back on eth0`);
    await until(() => neighbourMac(t.client, DATA) === macOf(t.host, 'eth0'), 2000, 'client neighbour entry back to eth0');
    expect(ping(t.client, DATA, 2)).toBe(true);
    await until(() => routeDevices(t.host, 'default').join() === 'eth0,eth1', 2000, 'default route over both NICs');
    expect(CLIENT4).toBe('192.0.2.50');
  });

  it('a carrier flap of a few milliseconds ends with the address home and no refused change', async () => {
    await until(() => holder(t.host, DATA).join() === 'eth0', 4000, 'settled on eth0');
    const before = d.logs.length;
    t.cutCarrier(0);
    t.restoreCarrier(0);
    await until(() => d.logs.slice(before).some((l) => /failed back|failback|moved .* to eth0/i.test(l.msg)), 4000, 'failback after the flap');
    await until(() => holder(t.host, DATA).join() === 'eth0', 4000, 'address home after the flap');
    expect(d.logs.slice(before).filter((l) => /cannot apply/.test(l.msg))).toEqual([]);
    expect(ping(t.client, DATA, 2)).toBe(true);
  });
});
