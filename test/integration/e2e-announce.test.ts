// Exact announcement counts and spacing after a failover, counted on the switch port the
// way the kernel bonding selftests count GARPs on the gateway side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonProcess } from '../helpers/daemon.js';
import { holder, macOf } from '../helpers/host-state.js';
import { requireNetnsSupport } from '../helpers/netns.js';
import { buildTopology, type Topology } from '../helpers/topology.js';
import { AnnouncementWatcher, sleep, until } from '../helpers/wire.js';

const enabled = requireNetnsSupport();
const V4 = '192.0.2.100';
const V6 = '2001:db8::100';
const ARP_COUNT = 4;
const ARP_INTERVAL = 250;
const NA_COUNT = 3;
const NA_INTERVAL = 300;

describe.runIf(enabled)('e2e: announcement counts and spacing', () => {
  let t: Topology;
  let d: DaemonProcess;
  let wire: AnnouncementWatcher;

  beforeAll(async () => {
    t = buildTopology(2);
    d = new DaemonProcess(t.host);
    d.writeConfig(`
groups:
  - name: g
    announce: { arpCount: ${ARP_COUNT}, arpIntervalMs: ${ARP_INTERVAL}, naCount: ${NA_COUNT}, naIntervalMs: ${NA_INTERVAL} }
    interfaces:
      - { name: eth0, testAddresses: [192.0.2.10/24] }
      - { name: eth1, testAddresses: [192.0.2.11/24] }
    dataAddresses:
      - { address: ${V4}/24, interface: eth0 }
      - { address: ${V6}/64, interface: eth0 }
`);
    await d.start();
    // Let the start-up series end before counting.
    await sleep(Math.max(ARP_COUNT * ARP_INTERVAL, NA_COUNT * NA_INTERVAL) + 200);
    wire = new AnnouncementWatcher(t.sw, [t.port(1)]);
  });
  afterAll(async () => {
    wire?.close();
    await d?.stop().catch(() => undefined);
    d?.cleanup();
    t?.destroy();
  });

  it(`sends exactly ${ARP_COUNT} GARPs ${ARP_INTERVAL} ms apart and ${NA_COUNT} NAs ${NA_INTERVAL} ms apart from the new NIC`, async () => {
    t.cutCarrier(0);
    await until(() => holder(t.host, V4).join() === 'eth1', 2000, 'failover');
    // Wait past the end of both series, plus a margin that would reveal an extra frame.
    await sleep(Math.max((ARP_COUNT - 1) * ARP_INTERVAL, (NA_COUNT - 1) * NA_INTERVAL) + 700);
    const mac = macOf(t.host, 'eth1');
    const garps = wire.for(V4).filter((s) => s.kind === 'garp');
    const nas = wire.for(V6).filter((s) => s.kind === 'na');
    expect(garps).toHaveLength(ARP_COUNT);
    expect(nas).toHaveLength(NA_COUNT);
    for (const s of [...garps, ...nas]) expect(s.mac).toBe(mac);
    const gaps = (xs: { atNs: bigint }[]): number[] => xs.slice(1).map((x, i) => Number(x.atNs - xs[i]!.atNs) / 1e6);
    for (const g of gaps(garps)) expect(Math.abs(g - ARP_INTERVAL)).toBeLessThan(40);
    for (const g of gaps(nas)) expect(Math.abs(g - NA_INTERVAL)).toBeLessThan(40);
  });
});
