// IPv6 data address moves with an unsolicited NA the client acts on; a group built on stacked
// interfaces (macvlan over each NIC: this kernel has no 8021q, VLAN groups run under Vagrant).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonProcess } from '../helpers/daemon.js';
import { holder, macOf, neighbourMac, ping } from '../helpers/host-state.js';
import { ip, requireNetnsSupport } from '../helpers/netns.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import type { Topology } from '../helpers/topology.js';
import { until, type AnnouncementWatcher } from '../helpers/wire.js';

const enabled = requireNetnsSupport();
const V6 = '2001:db8::100';
const V4 = '192.0.2.100';

describe.runIf(enabled)('e2e: IPv6 and a group over macvlan interfaces', () => {
  let t: Topology;
  let d: DaemonProcess;
  let wire: AnnouncementWatcher;
  let s: Scenario;

  beforeAll(async () => {
    s = await startScenario({
      // Stacked interfaces: mv0 on eth0, mv1 on eth1, each with its own MAC.
      prepare: (lab) => {
        for (const i of [0, 1]) {
          ip(lab.host, 'link', 'set', `eth${i}`, 'up');
          ip(lab.host, 'link', 'add', `mv${i}`, 'link', `eth${i}`, 'type', 'macvlan', 'mode', 'bridge');
        }
      },
      config: `
groups:
  - name: stacked
    announce: { arpCount: 2, arpIntervalMs: 200, naCount: 3, naIntervalMs: 200 }
    interfaces:
      - { name: mv0, testAddresses: [192.0.2.10/24, fe80::10/64] }
      - { name: mv1, testAddresses: [192.0.2.11/24, fe80::11/64] }
    dataAddresses:
      - { address: ${V4}/24, interface: mv0 }
      - { address: ${V6}/64, interface: mv0 }
`,
    });
    ({ t, d, wire } = s);
  });
  afterAll(() => s?.close());

  it('places v4 and v6 data addresses on the macvlan, usable at once (nodad)', async () => {
    expect(holder(t.host, V6)).toEqual(['mv0']);
    expect(holder(t.host, V4)).toEqual(['mv0']);
    expect(ping(t.client, V6, 2)).toBe(true);
    expect(neighbourMac(t.client, V6)).toBe(macOf(t.host, 'mv0'));
    // Let the start-up announcement series finish so the next test sees only the failover's.
    await until(() => wire.for(V6).filter((s) => s.port === t.port(0)).length >= 3, 2000, 'start-up NAs');
  });

  it('moves the IPv6 address with an unsolicited NA the client believes', async () => {
    wire.clear();
    t.cutCarrier(0); // the lower NIC loses carrier: the macvlan above it goes down too
    await until(() => holder(t.host, V6).join() === 'mv1', 2000, `${V6} on mv1`);
    await until(() => wire.for(V6).length >= 1, 1000, 'unsolicited NA on the wire');
    const na = wire.for(V6)[0]!;
    expect(na.port).toBe(t.port(1));
    expect(na.kind).toBe('na');
    expect(na.mac).toBe(macOf(t.host, 'mv1'));
    await until(() => neighbourMac(t.client, V6) === macOf(t.host, 'mv1'), 2000, 'client neighbour entry follows the NA');
    expect(ping(t.client, V6, 2)).toBe(true);
    expect(holder(t.host, V4)).toEqual(['mv1']);
    await until(() => wire.for(V6).length >= 3, 2000, 'three NAs');
  });

  it('fails back to mv0', async () => {
    t.restoreCarrier(0);
    await until(() => holder(t.host, V6).join() === 'mv0', 15_000, `${V6} back on mv0`);
    await until(() => neighbourMac(t.client, V6) === macOf(t.host, 'mv0'), 10_000, 'client follows back');
    expect(ping(t.client, V6)).toBe(true);
  });
});
