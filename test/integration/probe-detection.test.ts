// Probe-based failure detection against a real switch and router in namespaces: the
// ProbeManager runs in-process with its sockets in the host namespace, and (where the
// rule is about the group) the real Engine consumes its verdicts and hands back resets.
import { buildSnapshot } from '../../src/control/snapshot.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ANNOUNCE, DEFAULT_MPATHD, type IpmpConfig, type ProbeMode } from '../../src/config/model.js';
import type { ProbeState } from '../../src/control/status.js';
import { Engine, type EngineResult } from '../../src/engine/index.js';
import { createLogger } from '../../src/log.js';
import { RtnlClient } from '../../src/netlink/client.js';
import type { Link } from '../../src/netlink/types.js';
import { ProbeManager, type ProbeVerdict } from '../../src/probe/index.js';
import { ip, nsExec, requireNetnsSupport } from '../helpers/netns.js';
import { buildTopology, ROUTER4, CLIENT4, type Topology } from '../helpers/topology.js';

const enabled = requireNetnsSupport();

const FDT = 700;
const TEST4 = ['192.0.2.100/24', '192.0.2.101/24'];
const TEST6 = ['fe80::100/64', 'fe80::101/64'];
const ROUTER_LL = 'fe80::254';

interface Seen { ifname: string; v: ProbeVerdict; at: number }

function configFor(tests: string[][], probe: ProbeMode = 'icmp', extra: Partial<IpmpConfig> = {}): IpmpConfig {
  return {
    mpathd: { ...DEFAULT_MPATHD, failureDetectionTime: FDT },
    defaultRouters: [],
    groups: [{
      name: 'g',
      mode: 'outbound-spread',
      interfaces: tests.map((t, i) => ({ name: `eth${i}`, standby: false, testAddresses: t })),
      dataAddresses: [
        { address: '192.0.2.10/24', interface: 'eth0', deprecated: false, up: true },
        { address: '192.0.2.11/24', interface: 'eth1', deprecated: false, up: true },
      ],
      announce: DEFAULT_ANNOUNCE,
      probe,
    }],
    daemon: { quietPeriodMs: 0 },
    ...extra,
  };
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.runIf(enabled)('probe-based failure detection', () => {
  let t: Topology;
  let rtnl: RtnlClient;
  let mgr: ProbeManager | undefined;
  const logLines: string[] = [];
  let seen: Seen[] = [];

  const state = (ifname: string): ProbeState | undefined => seen.filter((s) => s.ifname === ifname).at(-1)?.v.state;
  const sysctl = (ns: string, kv: string): void => { nsExec(ns, 'sysctl', ['-q', '-w', kv]); };

  async function links(): Promise<Map<number, Link>> {
    return new Map((await rtnl.listLinks()).map((l) => [l.index, l]));
  }

  /** Starts a manager on the host namespace; `onVerdict` may be wrapped (engine tests). */
  async function start(config: IpmpConfig, onVerdict?: (ifname: string, v: ProbeVerdict) => void): Promise<ProbeManager> {
    const log = createLogger({ level: 'debug', destination: { write: (l: string) => { logLines.push(l); } } });
    const m = new ProbeManager({
      log,
      netns: t.lab.path(t.host),
      onVerdict: (ifname, v) => {
        seen.push({ ifname, v, at: performance.now() });
        onVerdict?.(ifname, v);
      },
    });
    mgr = m;
    m.configure(config, await links());
    m.updateAddresses(await rtnl.listAddresses());
    m.updateRoutes(await rtnl.listRoutes());
    return m;
  }

  beforeAll(async () => {
    t = buildTopology(2);
    for (const nic of t.nics) {
      // What the daemon sets for members (several NICs on one subnet).
      sysctl(t.host, `net.ipv4.conf.${nic}.arp_ignore=1`);
      sysctl(t.host, `net.ipv4.conf.${nic}.arp_announce=2`);
      sysctl(t.host, `net.ipv4.conf.${nic}.rp_filter=2`);
      ip(t.host, 'link', 'set', nic, 'up');
    }
    TEST4.forEach((a, i) => ip(t.host, 'addr', 'add', a, 'dev', `eth${i}`));
    TEST6.forEach((a, i) => ip(t.host, 'addr', 'add', a, 'dev', `eth${i}`, 'nodad'));
    ip(t.router, 'addr', 'add', `${ROUTER_LL}/64`, 'dev', 'eth0', 'nodad');
    rtnl = RtnlClient.open({ netns: t.lab.path(t.host) });
  });

  afterEach(() => {
    mgr?.close();
    mgr = undefined;
    seen = [];
    logLines.length = 0;
    // Every scenario starts from a healthy network.
    for (const ns of [t.router, t.client]) {
      sysctl(ns, 'net.ipv4.icmp_echo_ignore_all=0');
      sysctl(ns, 'net.ipv4.icmp_echo_ignore_broadcasts=1');
    }
    for (const i of [0, 1]) {
      try { t.attach(i); } catch { /* already attached */ }
    }
    for (const r of ['default via 192.0.2.254 dev eth0', '-6 default via fe80::254 dev eth0']) {
      const args = r.startsWith('-6') ? ['-6', 'route', 'del', ...r.slice(3).split(' ')] : ['route', 'del', ...r.split(' ')];
      try { ip(t.host, ...args); } catch { /* not present */ }
    }
  });

  afterAll(() => {
    try {
      mgr?.close();
      rtnl?.close();
    } finally {
      t?.destroy();
    }
  });

  it('black hole with carrier up: failed within FDT; reattached: ok again after 10 good probes', async () => {
    ip(t.host, 'route', 'add', 'default', 'via', ROUTER4, 'dev', 'eth0');
    const m = await start(configFor([[TEST4[0]!], [TEST4[1]!]]));
    await until(() => state('eth0') === 'ok' && state('eth1') === 'ok', 3000, 'both members ok');
    expect(m.snapshotTargets()).toEqual([
      { interface: 'eth0', family: 4, mode: 'routes', testAddress: '192.0.2.100', targets: [ROUTER4] },
      { interface: 'eth1', family: 4, mode: 'routes', testAddress: '192.0.2.101', targets: [ROUTER4] },
    ]);
    expect(m.fdtMs('g')).toBe(FDT);
    await sleep(300); // a few RTT samples

    const t0 = performance.now();
    t.detach(0);
    await until(() => state('eth0') === 'failed', 2 * FDT, 'eth0 failed');
    const detected = seen.find((s) => s.ifname === 'eth0' && s.v.state === 'failed')!;
    expect(detected.at - t0).toBeLessThanOrEqual(FDT);
    expect(detected.v.failingSince).toBeGreaterThanOrEqual(t0 - FDT / 7);
    expect(state('eth1')).toBe('ok');
    const lost = m.recentProbes().filter((r) => r.interface === 'eth0' && r.outcome === 'lost');
    expect(lost.length).toBeGreaterThanOrEqual(5);

    const since = Date.now();
    const t1 = performance.now();
    t.attach(0);
    await until(() => state('eth0') === 'ok', 4 * FDT, 'eth0 repaired');
    const repaired = seen.filter((s) => s.ifname === 'eth0').at(-1)!;
    const acked = m.recentProbes(since).filter((r) => r.interface === 'eth0' && r.outcome === 'acked' && r.sentAtMs <= Date.now());
    expect(acked.length).toBeGreaterThanOrEqual(10);
    // Ten probes at FDT/7 × [0.5, 1.0] each cannot all be in before 4.5 intervals.
    expect(repaired.at - t1).toBeGreaterThanOrEqual(4.5 * (FDT / 7));
    expect(repaired.v.lastOkAt).toBeGreaterThan(t1);
    // eth1 never failed; right before eth0's 'failed' its newest good probe was re-announced,
    // newer than eth0's first loss: the engine sees an interface failure, not a group failure.
    const eth1 = seen.filter((s) => s.ifname === 'eth1');
    expect(eth1.map((s) => s.v.state)).toEqual(['unknown', 'ok', 'ok']);
    expect(eth1[2]!.v.lastOkAt).toBeGreaterThan(detected.v.failingSince!);
    expect(seen.indexOf(eth1[2]!)).toBe(seen.indexOf(detected) - 1);
  });

  it('the router stops answering every member: group failure, nothing moves; answers again: repair', async () => {
    ip(t.host, 'route', 'add', 'default', 'via', ROUTER4, 'dev', 'eth0');
    const config = configFor([[TEST4[0]!], [TEST4[1]!]]);
    const engine = new Engine(config, performance.now());
    const results: EngineResult[] = [];
    engine.handle({ type: 'link', ifname: 'eth0', up: true }, performance.now());
    engine.handle({ type: 'link', ifname: 'eth1', up: true }, performance.now());
    const m = await start(config, (ifname, v) => {
      const r = engine.handle({ type: 'probe', ifname, ...v }, performance.now());
      results.push(r);
      if (r.probeResets.length > 0) m.reset(r.probeResets);
    });
    await until(() => state('eth0') === 'ok' && state('eth1') === 'ok', 3000, 'both members ok');
    const homes = (): Record<string, string | null> =>
      Object.fromEntries(engine.placement().groups[0]!.addresses.map((a) => [a.address, a.nic]));
    expect(homes()).toEqual({ '192.0.2.10/24': 'eth0', '192.0.2.11/24': 'eth1' });

    sysctl(t.router, 'net.ipv4.icmp_echo_ignore_all=1');
    await until(() => buildSnapshot(engine.placement(), engine.configuration()).groups[0]!.state === 'failed', 3 * FDT, 'group failure');
    const logs = results.flatMap((r) => r.log.map((l) => l.msg));
    expect(logs).toContain('All Interfaces in group g have failed');
    expect(results.flatMap((r) => r.changes).filter((c) => c.kind === 'address-moved')).toEqual([]);
    expect(homes()).toEqual({ '192.0.2.10/24': 'eth0', '192.0.2.11/24': 'eth1' });
    await until(() => state('eth0') === 'failed' && state('eth1') === 'failed', 2 * FDT, 'both verdicts failed');

    sysctl(t.router, 'net.ipv4.icmp_echo_ignore_all=0');
    await until(() => buildSnapshot(engine.placement(), engine.configuration()).groups[0]!.state === 'ok', 5 * FDT, 'group repaired');
    expect(results.flatMap((r) => r.log.map((l) => l.msg))).toEqual(expect.arrayContaining([
      'NIC repair detected on eth0 of group g', 'NIC repair detected on eth1 of group g',
    ]));
    expect(homes()).toEqual({ '192.0.2.10/24': 'eth0', '192.0.2.11/24': 'eth1' });
  });

  it('no route targets: multicast discovery finds the hosts that answer', async () => {
    sysctl(t.client, 'net.ipv4.icmp_echo_ignore_broadcasts=0');
    const m = await start(configFor([[TEST4[0]!], [TEST4[1]!]]));
    await until(() => state('eth0') === 'ok' && state('eth1') === 'ok', 3000, 'both members ok');
    const rows = m.snapshotTargets();
    expect(rows.map((r) => [r.interface, r.mode, r.targets])).toEqual([
      ['eth0', 'multicast', [CLIENT4]], ['eth1', 'multicast', [CLIENT4]],
    ]);
    // The router does not answer broadcasts, so it is not a target; a black hole is still seen.
    t.detach(1);
    await until(() => state('eth1') === 'failed', 2 * FDT, 'eth1 failed');
    expect(state('eth0')).toBe('ok');
  });

  it('no host answers the multicast probe: unknown, never failed', async () => {
    const m = await start(configFor([[TEST4[0]!], [TEST4[1]!]]));
    await sleep(3 * FDT);
    expect(seen.map((s) => [s.ifname, s.v.state])).toEqual([['eth0', 'unknown'], ['eth1', 'unknown']]);
    expect(m.snapshotTargets().map((r) => [r.mode, r.targets])).toEqual([['multicast', []], ['multicast', []]]);
    expect(m.recentProbes()).toEqual([]);
  });

  it.each(['arp', 'both'] as const)('ICMP dropped but ARP answered: with probe=%s the NIC stays healthy', async (mode) => {
    ip(t.host, 'route', 'add', 'default', 'via', ROUTER4, 'dev', 'eth0');
    sysctl(t.router, 'net.ipv4.icmp_echo_ignore_all=1');
    const m = await start(configFor([[TEST4[0]!], [TEST4[1]!]], mode));
    await until(() => state('eth0') === 'ok' && state('eth1') === 'ok', 3000, 'both members ok');
    await sleep(2 * FDT);
    expect(state('eth0')).toBe('ok');
    expect(state('eth1')).toBe('ok');
    const recs = m.recentProbes();
    expect(recs.filter((r) => r.outcome === 'acked').length).toBeGreaterThanOrEqual(10);
    if (mode === 'both') expect(recs.filter((r) => r.outcome === 'lost').length).toBeGreaterThanOrEqual(10);
    // ARP probing still sees a black hole.
    t.detach(0);
    await until(() => state('eth0') === 'failed', 2 * FDT, 'eth0 failed by ARP');
    expect(state('eth1')).toBe('ok');
  });

  it('ICMP dropped with probe=icmp: the control case fails', async () => {
    ip(t.host, 'route', 'add', 'default', 'via', ROUTER4, 'dev', 'eth0');
    sysctl(t.router, 'net.ipv4.icmp_echo_ignore_all=1');
    await start(configFor([[TEST4[0]!], [TEST4[1]!]]));
    await until(() => state('eth0') === 'failed' && state('eth1') === 'failed', 3 * FDT, 'both failed');
  });

  it('a duplicate test address disables probing on that NIC with a clear log line', async () => {
    ip(t.host, 'route', 'add', 'default', 'via', ROUTER4, 'dev', 'eth0');
    const m = await start(configFor([[TEST4[0]!], [TEST4[0]!]]));
    await until(() => state('eth0') === 'ok', 3000, 'eth0 ok');
    expect(state('eth1')).toBe('disabled');
    expect(logLines.some((l) => l.includes('Test address 192.0.2.100 is not unique in group; disabling probe-based failure detection on eth1'))).toBe(true);
    expect(m.snapshotTargets()[1]).toEqual({ interface: 'eth1', family: 4, mode: 'disabled', testAddress: null, targets: [] });
    expect(m.recentProbes().every((r) => r.interface === 'eth0')).toBe(true);
  });

  it('IPv6: link-local test addresses probe the link-local router; a black hole fails within FDT', async () => {
    ip(t.host, '-6', 'route', 'add', 'default', 'via', ROUTER_LL, 'dev', 'eth0');
    const m = await start(configFor([[TEST6[0]!], [TEST6[1]!]]));
    await until(() => state('eth0') === 'ok' && state('eth1') === 'ok', 3000, 'both members ok');
    expect(m.snapshotTargets().map((r) => [r.family, r.mode, r.testAddress, r.targets])).toEqual([
      [6, 'routes', 'fe80::100', [ROUTER_LL]], [6, 'routes', 'fe80::101', [ROUTER_LL]],
    ]);
    await sleep(200);
    const t0 = performance.now();
    t.detach(0);
    await until(() => state('eth0') === 'failed', 2 * FDT, 'eth0 failed');
    expect(seen.find((s) => s.ifname === 'eth0' && s.v.state === 'failed')!.at - t0).toBeLessThanOrEqual(FDT);
    expect(state('eth1')).toBe('ok');
  });

  it('IPv6 neighbour solicitations with ICMPv6 echo dropped: probe=arp stays healthy', async () => {
    ip(t.host, '-6', 'route', 'add', 'default', 'via', ROUTER_LL, 'dev', 'eth0');
    sysctl(t.router, 'net.ipv6.icmp.echo_ignore_all=1');
    try {
      const m = await start(configFor([[TEST6[0]!], [TEST6[1]!]], 'arp'));
      await until(() => state('eth0') === 'ok' && state('eth1') === 'ok', 3000, 'both members ok');
      await sleep(2 * FDT);
      expect([state('eth0'), state('eth1')]).toEqual(['ok', 'ok']);
      expect(m.recentProbes().filter((r) => r.outcome === 'acked' && r.target === ROUTER_LL).length).toBeGreaterThanOrEqual(10);
    } finally {
      sysctl(t.router, 'net.ipv6.icmp.echo_ignore_all=0');
    }
  });

  it('a test address configured after start is picked up (the daemon adds them after the prober starts)', async () => {
    ip(t.host, 'route', 'add', 'default', 'via', ROUTER4, 'dev', 'eth0');
    const late = '192.0.2.110/24';
    const m = await start(configFor([[late], [TEST4[1]!]]));
    try {
      await until(() => state('eth1') === 'ok', 3000, 'eth1 ok');
      await sleep(300);
      expect(state('eth0')).toBe('unknown');
      expect(logLines.some((l) => l.includes('cannot open probe sockets on eth0 for 192.0.2.110'))).toBe(true);
      ip(t.host, 'addr', 'add', late, 'dev', 'eth0');
      await until(() => state('eth0') === 'ok', 3000, 'eth0 ok once its test address exists');
      expect(m.recentProbes().some((r) => r.interface === 'eth0' && r.outcome === 'acked')).toBe(true);
    } finally {
      ip(t.host, 'addr', 'del', late, 'dev', 'eth0');
    }
  });

  it('ipv6LinkLocalTest: probes from the NIC link-local learnt from the address list', async () => {
    ip(t.host, '-6', 'route', 'add', 'default', 'via', ROUTER_LL, 'dev', 'eth0');
    const config = configFor([[], []]);
    for (const i of config.groups[0]!.interfaces) i.ipv6LinkLocalTest = true;
    const m = await start(config);
    await until(() => state('eth0') === 'ok' && state('eth1') === 'ok', 3000, 'both members ok');
    const rows = m.snapshotTargets();
    // Each NIC has its kernel link-local plus our fe80::10x; the first listed one is used.
    expect(rows.every((r) => r.family === 6 && r.testAddress?.startsWith('fe80::') && r.targets[0] === ROUTER_LL)).toBe(true);
  });
});
