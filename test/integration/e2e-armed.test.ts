// Seed "armed failover" (issue 14): the daemon arms each member's failover in native code.
// Carrier loss sends the plan before JavaScript runs; after a reload that removes a member or
// changes the addresses, the old plan never fires — the new one does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtnlMonitor } from '../../src/netlink/monitor.js';
import type { DaemonProcess } from '../helpers/daemon.js';
import { holder, macOf, ping } from '../helpers/host-state.js';
import { requireNetnsSupport } from '../helpers/netns.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import type { Topology } from '../helpers/topology.js';
import { until, type AnnouncementWatcher } from '../helpers/wire.js';

const enabled = requireNetnsSupport();

const config = (members: string[], data: string[]): string => `
mpathd: { failureDetectionTime: 1000, failback: true }
defaultRouters: [192.0.2.254]
groups:
  - name: g
    announce: { arpCount: 2, arpIntervalMs: 200 }
    interfaces:
${members.map((m) => `      - { name: ${m} }`).join('\n')}
    dataAddresses:
${data.map((a) => `      - { address: ${a}/24, interface: eth0 }`).join('\n')}
`;

describe.runIf(enabled)('e2e: armed failover', () => {
  let s: Scenario;
  let t: Topology;
  let d: DaemonProcess;
  let wire: AnnouncementWatcher;
  let mon: RtnlMonitor;
  /** Every NIC each address was ever added to, from the host's notifications. */
  const addedOn = new Map<string, Set<string>>();

  const fires = (): number => d.logsMatching(/armed failover for eth0 sent by the trigger/).length;
  const reload = async (yaml: string): Promise<void> => {
    const before = d.logsMatching(/configuration reloaded/).length;
    d.writeConfig(yaml);
    await d.signal('SIGHUP');
    await until(() => d.logsMatching(/configuration reloaded/).length > before, 3000, 'reload');
    // Plans are re-armed once the daemon is idle after the reload.
    await new Promise((r) => setTimeout(r, 200));
  };
  const failback = async (address: string): Promise<void> => {
    t.restoreCarrier(0);
    await until(() => holder(t.host, address).join() === 'eth0', 5000, `${address} back on eth0`);
    await new Promise((r) => setTimeout(r, 200));
    addedOn.clear();
  };

  beforeAll(async () => {
    s = await startScenario({ config: config(['eth0', 'eth1', 'eth2'], ['192.0.2.100']), nics: 3 });
    ({ t, d, wire } = s);
    mon = await RtnlMonitor.open({ netns: t.lab.path(t.host), routes: false });
    mon.on('event', (e) => {
      if (e.kind !== 'address-added') return;
      const name = mon.links.get(e.address.index)?.name ?? '?';
      addedOn.set(e.address.local, new Set([...(addedOn.get(e.address.local) ?? []), name]));
    });
    await until(() => holder(t.host, '192.0.2.100').join() === 'eth0', 3000, 'placed on eth0');
    await new Promise((r) => setTimeout(r, 200));
  });
  afterAll(async () => {
    mon?.close();
    await s?.close();
  });

  it('carrier loss: the trigger sends the move and its first GARP; the ordinary run completes it', async () => {
    wire.clear();
    t.cutCarrier(0);
    await until(() => fires() === 1, 2000, 'native fire logged');
    await until(() => holder(t.host, '192.0.2.100').length === 1 && holder(t.host, '192.0.2.100')[0] !== 'eth0', 2000, 'moved off eth0');
    const to = holder(t.host, '192.0.2.100')[0]!;
    // Broadcasts reach every port: count the frames entering the switch from the new holder.
    const port = t.port(Number(to.slice(3)));
    const fromNew = () => wire.for('192.0.2.100').filter((w) => w.mac === macOf(t.host, to) && w.port === port);
    await until(() => fromNew().length > 0, 2000, `GARP from ${to}`);
    // Two frames in all (arpCount 2): the native first one, then the writer's continuation.
    await until(() => fromNew().length === 2, 2000, 'second GARP');
    await new Promise((r) => setTimeout(r, 300));
    expect(fromNew()).toHaveLength(2);
    expect(ping(t.client, '192.0.2.100', 2)).toBe(true);
    expect(d.logsMatching(/cannot apply|refused/)).toEqual([]);
    await failback('192.0.2.100');
  });

  it('a member removed by a reload never receives the old plan; the new plan fires', async () => {
    // With eth1 and eth2 both usable the engine's choice for eth0's addresses is one of them;
    // remove that one from the group.
    const before = fires();
    await reload(config(['eth0', 'eth2'], ['192.0.2.100']));
    t.cutCarrier(0);
    await until(() => holder(t.host, '192.0.2.100').join() === 'eth2', 3000, 'moved to eth2');
    await until(() => fires() === before + 1, 2000, 'new plan fired');
    expect([...(addedOn.get('192.0.2.100') ?? [])]).toEqual(['eth2']);
    await failback('192.0.2.100');
  });

  it('an address dropped by a reload is never placed by the old plan; the new address moves', async () => {
    const before = fires();
    await reload(config(['eth0', 'eth1', 'eth2'], ['192.0.2.101']));
    await until(() => holder(t.host, '192.0.2.101').join() === 'eth0' && holder(t.host, '192.0.2.100').length === 0, 3000, 'new address placed, old removed');
    await new Promise((r) => setTimeout(r, 200));
    addedOn.clear();
    t.cutCarrier(0);
    await until(() => holder(t.host, '192.0.2.101').length === 1 && holder(t.host, '192.0.2.101')[0] !== 'eth0', 3000, '.101 moved');
    await until(() => fires() === before + 1, 2000, 'new plan fired');
    await new Promise((r) => setTimeout(r, 100));
    expect(addedOn.get('192.0.2.100')).toBeUndefined();
    expect(holder(t.host, '192.0.2.100')).toEqual([]);
  });
});

describe.runIf(enabled)('e2e: armed failover disabled', () => {
  let s: Scenario | undefined;
  afterAll(async () => { await s?.close(); });

  it('without native arming (IPMPD_NATIVE_ARMING=0) the JavaScript fast path still moves the address', async () => {
    process.env.IPMPD_NATIVE_ARMING = '0';
    try {
      s = await startScenario({ config: config(['eth0', 'eth1'], ['192.0.2.100']) });
    } finally {
      delete process.env.IPMPD_NATIVE_ARMING;
    }
    const { t, d } = s;
    await until(() => holder(t.host, '192.0.2.100').join() === 'eth0', 3000, 'placed on eth0');
    expect(d.logsMatching(/native arming disabled/)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 200));
    t.cutCarrier(0);
    await until(() => holder(t.host, '192.0.2.100').join() === 'eth1', 3000, 'moved to eth1');
    expect(d.logsMatching(/sent by the trigger/)).toEqual([]);
  });
});
