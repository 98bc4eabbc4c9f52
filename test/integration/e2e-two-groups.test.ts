// Two groups, each with its own router (a LAN and a second subnet on the same segment, as a
// VLAN group beside a LAN group would be): the kernel gets one multipath default route over
// both, every run leaves it alone, and a cable pull keeps both groups' addresses reachable.
// Before, each group's default route replaced the other's on every run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { RtnlMonitor, type MonitorEvent } from '../../src/netlink/monitor.js';
import { DaemonProcess } from '../helpers/daemon.js';
import { holder } from '../helpers/host-state.js';
import { pingOnce } from '../helpers/invariant.js';
import { ip, requireNetnsSupport } from '../helpers/netns.js';
import { buildTopology, type Topology } from '../helpers/topology.js';
import { sleep, until } from '../helpers/wire.js';

const enabled = requireNetnsSupport();
const LAN = '192.0.2.100';
const OTHER = '203.0.113.100';
const CONFIG = `
defaultRouters: [192.0.2.254, 203.0.113.254]
groups:
  - name: lan
    interfaces: [{ name: eth0 }, { name: eth1 }]
    dataAddresses: [{ address: ${LAN}/24, interface: eth0 }]
  - name: other
    interfaces: [{ name: eth2 }, { name: eth3 }]
    dataAddresses: [{ address: ${OTHER}/24, interface: eth2 }]
`;

interface JsonRoute { dst: string; gateway?: string; dev?: string; protocol?: string | number; nexthops?: { gateway?: string; dev: string }[] }
function defaults(ns: string): JsonRoute[] {
  return JSON.parse(execFileSync('ip', ['-n', ns, '-j', 'route', 'show', 'default'], { encoding: 'utf8' }) || '[]') as JsonRoute[];
}
const hops = (r: JsonRoute | undefined): string[] =>
  (r?.nexthops ?? (r ? [{ dev: r.dev ?? '', gateway: r.gateway }] : [])).map((h) => `${h.dev} via ${h.gateway ?? ''}`).sort();

describe.runIf(enabled)('e2e: two groups with a router each', () => {
  let t: Topology;
  let d: DaemonProcess;
  let monitor: RtnlMonitor;
  const routeEvents: MonitorEvent[] = [];

  beforeAll(async () => {
    t = buildTopology(4);
    // The second subnet's router sits on the same segment (the router namespace's LAN port).
    ip(t.router, 'addr', 'add', '203.0.113.254/24', 'dev', 'eth0');
    d = new DaemonProcess(t.host);
    d.writeConfig(CONFIG);
    await d.start();
    monitor = await RtnlMonitor.open({ netns: t.lab.path(t.host) });
    monitor.on('event', (e) => {
      if ((e.kind === 'route-added' || e.kind === 'route-removed') && e.route.protocol === 73 && e.route.dstLen === 0) routeEvents.push(e);
    });
  });
  afterAll(async () => {
    monitor?.close();
    await d?.stop().catch(() => undefined);
    d?.cleanup();
    t?.destroy();
  });

  it('one default route over both groups\' members and routers', () => {
    const r = defaults(t.host).filter((x) => String(x.protocol) === 'ipmpd' || String(x.protocol) === '73');
    expect(r).toHaveLength(1);
    expect(hops(r[0])).toEqual(['eth0 via 192.0.2.254', 'eth1 via 192.0.2.254', 'eth2 via 203.0.113.254', 'eth3 via 203.0.113.254']);
  });

  it('a run with nothing to change (reload of the same file) leaves the default route alone', async () => {
    routeEvents.length = 0;
    const mark = d.logs.length;
    await d.signal('SIGHUP');
    await d.waitFor(() => d.logs.slice(mark).some((l) => /configuration reloaded/.test(l.msg)), 15_000, () => `reload not logged: ${JSON.stringify(d.logs.slice(-8))}`);
    // The reload's run has been written by the time it logs; its notifications arrive within this.
    await sleep(300);
    expect(routeEvents).toEqual([]);
  });

  it('a cable pull in one group keeps both groups\' addresses on a usable member and reachable', async () => {
    t.cutCarrier(0);
    await until(() => holder(t.host, LAN).join() === 'eth1', 10_000, `${LAN} on eth1`);
    await until(() => !hops(defaults(t.host)[0]).some((h) => h.startsWith('eth0 ')), 10_000, 'eth0 out of the default route');
    expect(holder(t.host, OTHER)).toEqual(['eth2']);
    // The client is on the LAN; the router is on both subnets.
    expect(await pingOnce(t.client, LAN, 2)).toBe(true);
    expect(await pingOnce(t.router, OTHER, 2)).toBe(true);
    t.restoreCarrier(0);
  });
});
