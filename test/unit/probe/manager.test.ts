// ProbeManager configuration rules without touching any network: sockets would be opened in
// a namespace path that does not exist (so nothing can ever be sent from the test machine),
// and every manager is closed before its first probe round.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ANNOUNCE, DEFAULT_MPATHD, type IpmpConfig } from '../../../src/config/model.js';
import { createLogger } from '../../../src/log.js';
import type { Address, Link, Route } from '../../../src/netlink/types.js';
import { ProbeManager, type ProbeVerdict } from '../../../src/probe/index.js';

const NO_NETNS = '/run/netns/ipmpd-unit-test-does-not-exist';

function link(index: number, name: string, up = true): Link {
  return {
    index, name, flags: 0, up, running: up, lowerUp: up, operstate: up ? 'up' : 'down', carrier: up, mtu: 1500,
    mac: `02:00:00:00:00:0${index}`, master: undefined, kind: 'veth',
  };
}

const LINKS = new Map([[2, link(2, 'eth0')], [3, link(3, 'eth1')], [4, link(4, 'eth2')]]);

function config(tests: string[][], extra: { ll?: boolean[]; fdt?: number } = {}): IpmpConfig {
  return {
    mpathd: { ...DEFAULT_MPATHD, failureDetectionTime: extra.fdt ?? 60_000 },
    defaultRouters: [],
    groups: [{
      name: 'g', mode: 'outbound-spread', probe: 'icmp', announce: DEFAULT_ANNOUNCE, dataAddresses: [],
      interfaces: tests.map((t, i) => ({
        name: `eth${i}`, standby: false, testAddresses: t, ...(extra.ll?.[i] ? { ipv6LinkLocalTest: true } : {}),
      })),
    }],
  };
}

describe('ProbeManager configuration', () => {
  let mgr: ProbeManager | undefined;
  afterEach(() => { mgr?.close(); mgr = undefined; });

  function make(): { m: ProbeManager; verdicts: [string, ProbeVerdict][]; lines: string[] } {
    const verdicts: [string, ProbeVerdict][] = [];
    const lines: string[] = [];
    const m = new ProbeManager({
      log: createLogger({ level: 'debug', destination: { write: (l: string) => { lines.push(l); } } }),
      netns: NO_NETNS,
      onVerdict: (n, v) => { verdicts.push([n, v]); },
    });
    mgr = m;
    return { m, verdicts, lines };
  }

  it('initial verdicts arrive asynchronously: unknown for probers, disabled without a test address', async () => {
    const { m, verdicts } = make();
    m.configure(config([['192.0.2.100/24'], ['192.0.2.101/24'], []]), LINKS);
    expect(verdicts).toEqual([]);
    await Promise.resolve();
    expect(verdicts).toEqual([['eth0', { state: 'unknown' }], ['eth1', { state: 'unknown' }], ['eth2', { state: 'disabled' }]]);
    expect(m.fdtMs('g')).toBe(60_000);
    expect(m.fdtMs('nope')).toBeNull();
    // A second identical configure changes nothing and emits nothing.
    m.configure(config([['192.0.2.100/24'], ['192.0.2.101/24'], []]), LINKS);
    await Promise.resolve();
    expect(verdicts).toHaveLength(3);
  });

  it('a duplicate test address disables the later member, logged in in.mpathd words (once)', async () => {
    const { m, verdicts, lines } = make();
    const c = config([['192.0.2.100/24'], ['192.0.2.100/24']]);
    m.configure(c, LINKS);
    m.configure(c, LINKS);
    await Promise.resolve();
    expect(verdicts).toEqual([['eth0', { state: 'unknown' }], ['eth1', { state: 'disabled' }]]);
    const dup = lines.filter((l) => l.includes('Test address 192.0.2.100 is not unique in group; disabling probe-based failure detection on eth1'));
    expect(dup).toHaveLength(1);
    expect(m.snapshotTargets()).toEqual([
      { interface: 'eth0', family: 4, mode: 'multicast', testAddress: '192.0.2.100', targets: [] },
      { interface: 'eth1', family: 4, mode: 'disabled', testAddress: null, targets: [] },
    ]);
  });

  it('IPv6: only link-local test addresses probe; the NIC link-local comes from the address list', async () => {
    const { m, verdicts, lines } = make();
    m.configure(config([['2001:db8::100/64'], [], ['fe80::102/64', '192.0.2.102/24']], { ll: [false, true, false] }), LINKS);
    expect(lines.some((l) => l.includes('IPv6 test address 2001:db8::100/64 on eth0 is not link-local'))).toBe(true);
    const ll: Address = { family: 6, index: 3, prefixLen: 64, local: 'fe80::1:1', address: undefined, flags: 0x80, scope: 253 };
    m.updateAddresses([ll]);
    await Promise.resolve();
    expect(verdicts).toEqual([['eth0', { state: 'disabled' }], ['eth1', { state: 'unknown' }], ['eth2', { state: 'unknown' }]]);
    expect(m.snapshotTargets().map((r) => [r.interface, r.family, r.mode, r.testAddress])).toEqual([
      ['eth0', 4, 'disabled', null],
      ['eth1', 6, 'multicast', 'fe80::1:1'],
      ['eth2', 4, 'multicast', '192.0.2.102'],
      ['eth2', 6, 'multicast', 'fe80::102'],
    ]);
  });

  it('router targets come from the routes, own addresses excluded, re-read on change', () => {
    const { m } = make();
    m.configure(config([['192.0.2.100/24'], ['192.0.2.101/24']]), LINKS);
    const r = (gateway: string, dst?: string): Route => ({
      family: 4, table: 254, protocol: 4, scope: 0, type: 1, dst, dstLen: dst ? 24 : 0, gateway, oif: 2,
    });
    m.updateRoutes([r('192.0.2.254'), r('192.0.2.101', '203.0.113.0'), r('192.0.2.1', '198.51.100.0')]);
    expect(m.snapshotTargets().map((x) => [x.mode, x.targets])).toEqual([
      ['routes', ['192.0.2.254', '192.0.2.1']], ['routes', ['192.0.2.254', '192.0.2.1']],
    ]);
    m.updateRoutes([]);
    expect(m.snapshotTargets().map((x) => [x.mode, x.targets])).toEqual([['multicast', []], ['multicast', []]]);
  });

  it('a member whose NIC is missing is unknown until it appears; reset of an unknown member stays unknown', async () => {
    const { m, verdicts } = make();
    m.configure(config([['192.0.2.100/24'], ['192.0.2.101/24']]), new Map([[2, link(2, 'eth0')]]));
    m.reset(['eth1']);
    await Promise.resolve();
    expect(verdicts).toEqual([['eth0', { state: 'unknown' }], ['eth1', { state: 'unknown' }]]);
    expect(m.snapshotTargets()[1]).toMatchObject({ interface: 'eth1', mode: 'disabled' });
    m.configure(config([['192.0.2.100/24'], ['192.0.2.101/24']]), LINKS);
    expect(m.snapshotTargets()[1]).toMatchObject({ interface: 'eth1', mode: 'multicast', testAddress: '192.0.2.101' });
  });

  it('a throwing verdict handler is logged, not lost silently, and later verdicts still arrive', async () => {
    const lines: string[] = [];
    const got: string[] = [];
    mgr = new ProbeManager({
      log: createLogger({ destination: { write: (l: string) => { lines.push(l); } } }),
      netns: NO_NETNS,
      onVerdict: (n) => { got.push(n); if (n === 'eth0') throw new Error('boom'); },
    });
    mgr.configure(config([['192.0.2.100/24'], ['192.0.2.101/24']]), LINKS);
    await Promise.resolve();
    expect(got).toEqual(['eth0', 'eth1']);
    expect(lines.some((l) => l.includes('probe verdict handler failed') && l.includes('boom'))).toBe(true);
  });

  it('probe: transitive — members without a test address get a transitive prober (MODE transitive, TESTADDR empty) to the data subnet\'s routers', async () => {
    const { m, verdicts } = make();
    const c = config([['192.0.2.10/24'], [], []]);
    const g = c.groups[0]!;
    c.groups[0] = { ...g, probe: 'transitive', dataAddresses: [{ address: '192.0.2.100/24', interface: 'eth0', deprecated: false, up: true }] };
    m.configure(c, LINKS);
    m.updateRoutes([{ family: 4, type: 1, table: 254, protocol: 73, scope: 0, dst: undefined, dstLen: 0, gateway: '192.0.2.254', oif: 3 } as unknown as Route]);
    await Promise.resolve();
    expect(verdicts).toEqual([['eth0', { state: 'unknown' }], ['eth1', { state: 'unknown' }], ['eth2', { state: 'unknown' }]]);
    expect(m.snapshotTargets()).toEqual([
      { interface: 'eth0', family: 4, mode: 'routes', testAddress: '192.0.2.10', targets: ['192.0.2.254'] },
      { interface: 'eth1', family: 4, mode: 'transitive', testAddress: null, targets: ['192.0.2.254'] },
      { interface: 'eth2', family: 4, mode: 'transitive', testAddress: null, targets: ['192.0.2.254'] },
    ]);
    expect(m.fdtMs('g')).toBe(60_000);
  });

  it('probe: transitive, IPv6 data: a member without a v6 test address probes from its link-local address once it has one', async () => {
    const { m } = make();
    const c = config([[], []]);
    c.groups[0] = { ...c.groups[0]!, probe: 'transitive', dataAddresses: [{ address: '2001:db8::100/64', interface: 'eth0', deprecated: false, up: true }] };
    m.configure(c, LINKS);
    expect(m.snapshotTargets()).toEqual([
      { interface: 'eth0', family: 4, mode: 'disabled', testAddress: null, targets: [] },
      { interface: 'eth1', family: 4, mode: 'disabled', testAddress: null, targets: [] },
    ]);
    m.updateAddresses([{ family: 6, index: 3, local: 'fe80::1:3', prefixLen: 64, scope: 253, flags: 0 } as unknown as Address]);
    expect(m.snapshotTargets()[1]).toMatchObject({ interface: 'eth1', family: 6, mode: 'transitive', testAddress: null });
    m.updateRoutes([{ family: 6, type: 1, table: 254, protocol: 9, scope: 0, dst: undefined, dstLen: 0, gateway: 'fe80::fe', oif: 3 } as unknown as Route]);
    expect(m.snapshotTargets()[1]).toMatchObject({ mode: 'transitive', targets: ['fe80::fe'] });
  });

  it('probe: transitive without data addresses has nothing to probe: disabled', async () => {
    const { m, verdicts } = make();
    const c = config([[], []]);
    c.groups[0] = { ...c.groups[0]!, probe: 'transitive' };
    m.configure(c, LINKS);
    await Promise.resolve();
    expect(verdicts).toEqual([['eth0', { state: 'disabled' }], ['eth1', { state: 'disabled' }]]);
  });

  it('closed managers refuse configuration', () => {
    const { m } = make();
    m.close();
    expect(() => m.configure(config([]), LINKS)).toThrow(/closed/);
  });
});
