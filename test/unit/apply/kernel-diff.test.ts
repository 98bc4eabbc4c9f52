import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planAddressChanges, planRouteChanges, type Change, type KernelView } from '../../../src/apply/kernel-diff.js';
import { RTPROT_IPMPD, type Intent } from '../../../src/apply/intent.js';
import { IFA_F_NODAD, IFA_F_NOPREFIXROUTE, RT_TABLE_MAIN } from '../../../src/netlink/constants.js';
import type { Address, Link, Route } from '../../../src/netlink/types.js';

const link = (index: number, name: string, up = true): Link => ({
  index, name, flags: 0, up, running: up, lowerUp: up, operstate: up ? 'up' : 'down', carrier: up, mtu: 1500,
  mac: `02:00:00:00:00:0${index}`, master: undefined, kind: 'veth',
});
const addr = (index: number, local: string, prefixLen = 24, flags = IFA_F_NOPREFIXROUTE, family: 4 | 6 = 4): Address => ({
  family, index, prefixLen, local, address: local, flags, scope: 0, preferredLft: 0xffffffff, validLft: 0xffffffff,
});
const LINKS = [link(1, 'lo'), link(2, 'eth0'), link(3, 'eth1'), link(4, 'mgmt0')];

const INTENT: Intent = {
  members: ['eth0', 'eth1'],
  addresses: [
    { group: 'g', ifname: 'eth0', family: 4, address: '192.0.2.10', prefixLen: 24, role: 'test', deprecated: true },
    { group: 'g', ifname: 'eth1', family: 4, address: '192.0.2.11', prefixLen: 24, role: 'test', deprecated: true },
    { group: 'g', ifname: 'eth1', family: 4, address: '192.0.2.100', prefixLen: 24, role: 'data', deprecated: false },
    { group: 'g', ifname: 'eth1', family: 6, address: '2001:db8::100', prefixLen: 64, role: 'data', deprecated: false },
  ],
  routes: [
    { group: 'g', family: 4, dst: '192.0.2.0', dstLen: 24, nexthops: [{ ifname: 'eth1' }], prefsrc: '192.0.2.100' },
    { group: 'g', family: 4, dst: '0.0.0.0', dstLen: 0, nexthops: [{ ifname: 'eth0', gateway: '192.0.2.254' }, { ifname: 'eth1', gateway: '192.0.2.254' }], prefsrc: '192.0.2.100' },
  ],
  managed: ['192.0.2.10', '192.0.2.11', '192.0.2.100', '2001:db8::100'],
};

const kinds = (cs: Change[]): string[] => cs.map((c) => `${c.kind}:${'ifname' in c ? c.ifname : ''}:${'spec' in c && 'address' in c.spec ? c.spec.address : ''}`);

describe('planAddressChanges', () => {
  const cases: { name: string; view: Address[]; links?: Link[]; want: string[] }[] = [
    {
      name: 'empty host: everything is added',
      view: [],
      want: ['add-address:eth0:192.0.2.10', 'add-address:eth1:192.0.2.11', 'add-address:eth1:192.0.2.100', 'add-address:eth1:2001:db8::100'],
    },
    {
      name: 'already right: nothing to do (restart adopts)',
      view: [addr(2, '192.0.2.10'), addr(3, '192.0.2.11'), addr(3, '192.0.2.100'), addr(3, '2001:db8::100', 64, IFA_F_NOPREFIXROUTE | IFA_F_NODAD, 6)],
      want: [],
    },
    {
      name: 'data address on the wrong member: add on the new one first, then delete the old',
      view: [addr(2, '192.0.2.10'), addr(3, '192.0.2.11'), addr(2, '192.0.2.100'), addr(3, '2001:db8::100', 64, IFA_F_NOPREFIXROUTE, 6)],
      want: ['add-address:eth1:192.0.2.100', 'delete-address:eth0:192.0.2.100'],
    },
    {
      name: 'an address without noprefixroute is replaced in place',
      view: [addr(2, '192.0.2.10', 24, 0), addr(3, '192.0.2.11'), addr(3, '192.0.2.100'), addr(3, '2001:db8::100', 64, IFA_F_NOPREFIXROUTE, 6)],
      want: ['add-address:eth0:192.0.2.10'],
    },
    {
      name: 'wrong prefix length: old entry deleted, right one added',
      view: [addr(2, '192.0.2.10', 25), addr(3, '192.0.2.11'), addr(3, '192.0.2.100'), addr(3, '2001:db8::100', 64, IFA_F_NOPREFIXROUTE, 6)],
      want: ['add-address:eth0:192.0.2.10', 'delete-address:eth0:192.0.2.10'],
    },
    {
      name: 'unmanaged addresses on members and anything on non-members are never touched',
      view: [addr(2, '192.0.2.10'), addr(3, '192.0.2.11'), addr(3, '192.0.2.100'), addr(3, '2001:db8::100', 64, IFA_F_NOPREFIXROUTE, 6),
        addr(2, '192.0.2.77'), addr(4, '192.0.2.100'), addr(3, 'fe80::1', 64, 0, 6)],
      want: [],
    },
    {
      name: 'an admin-down member is brought up first',
      links: [link(1, 'lo'), link(2, 'eth0', false), link(3, 'eth1'), link(4, 'mgmt0')],
      view: [addr(2, '192.0.2.10'), addr(3, '192.0.2.11'), addr(3, '192.0.2.100'), addr(3, '2001:db8::100', 64, IFA_F_NOPREFIXROUTE, 6)],
      want: ['link-up:eth0:'],
    },
    {
      name: 'a member missing from the host gets nothing',
      links: [link(1, 'lo'), link(3, 'eth1')],
      view: [addr(3, '192.0.2.11'), addr(3, '192.0.2.100'), addr(3, '2001:db8::100', 64, IFA_F_NOPREFIXROUTE, 6)],
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(kinds(planAddressChanges(INTENT, { links: c.links ?? LINKS, addresses: c.view, routes: [] }))).toEqual(c.want);
    });
  }

  it('uses noprefixroute on every address and nodad on IPv6', () => {
    const cs = planAddressChanges(INTENT, { links: LINKS, addresses: [], routes: [] });
    for (const c of cs) {
      if (c.kind !== 'add-address') continue;
      expect((c.spec.flags ?? 0) & IFA_F_NOPREFIXROUTE).toBeTruthy();
      expect(Boolean((c.spec.flags ?? 0) & IFA_F_NODAD)).toBe(c.spec.family === 6);
    }
  });
});

const route = (r: Partial<Route> & { dstLen: number }): Route => ({
  family: 4, table: RT_TABLE_MAIN, protocol: RTPROT_IPMPD, scope: 0, type: 1, dst: undefined, priority: 0, ...r,
});

describe('planRouteChanges', () => {
  const prefix = route({ dst: '192.0.2.0', dstLen: 24, oif: 3, prefsrc: '192.0.2.100' });
  const dflt = route({ dstLen: 0, nexthops: [{ ifindex: 2, gateway: '192.0.2.254', weight: 1 }, { ifindex: 3, gateway: '192.0.2.254', weight: 1 }], prefsrc: '192.0.2.100' });
  const view = (routes: Route[]): KernelView => ({ links: LINKS, addresses: [], routes });
  it('installs missing routes', () => {
    expect(planRouteChanges(INTENT, view([])).map((c) => c.kind)).toEqual(['replace-route', 'replace-route']);
  });
  it('leaves matching routes alone', () => {
    expect(planRouteChanges(INTENT, view([prefix, dflt]))).toEqual([]);
  });
  it('replaces a route whose nexthops differ (failure or repair)', () => {
    const stale = { ...dflt, nexthops: [{ ifindex: 2, gateway: '192.0.2.254', weight: 1 }] };
    const cs = planRouteChanges(INTENT, view([prefix, stale]));
    expect(cs).toHaveLength(1);
    expect(cs[0]!.kind).toBe('replace-route');
  });
  it('deletes ipmpd routes no longer wanted, never anyone else\'s', () => {
    const ours = route({ dst: '198.51.100.0', dstLen: 24, oif: 2 });
    const theirs = route({ dst: '203.0.113.0', dstLen: 24, oif: 4, protocol: 4 });
    const cs = planRouteChanges(INTENT, view([prefix, dflt, ours, theirs]));
    expect(cs.map((c) => `${c.kind}:${'spec' in c && 'dst' in c.spec ? c.spec.dst : ''}`)).toEqual(['delete-route:198.51.100.0']);
  });
});

describe('IPv6 on-link prefixes', () => {
  it('use one nexthop: the kernel has no device-only IPv6 multipath', () => {
    const intent: Intent = { ...INTENT, routes: [{ group: 'g', family: 6, dst: '2001:db8::', dstLen: 64, nexthops: [{ ifname: 'eth0' }, { ifname: 'eth1' }] }] };
    const [c] = planRouteChanges(intent, { links: LINKS, addresses: [], routes: [] });
    expect(c?.kind === 'replace-route' && c.spec.nexthops === undefined && c.spec.oif === 2).toBe(true);
  });
  it('keep multipath when every nexthop has a gateway', () => {
    const intent: Intent = { ...INTENT, routes: [{ group: 'g', family: 6, dst: '::', dstLen: 0, nexthops: [{ ifname: 'eth0', gateway: 'fe80::1' }, { ifname: 'eth1', gateway: 'fe80::1' }] }] };
    const [c] = planRouteChanges(intent, { links: LINKS, addresses: [], routes: [] });
    expect(c?.kind === 'replace-route' && c.spec.nexthops?.length).toBe(2);
  });
});

describe('convergence property', () => {
  // Applying the planned address changes to a model kernel leaves nothing more to plan.
  const arbAddr = fc.record({
    index: fc.constantFrom(2, 3, 4),
    local: fc.constantFrom('192.0.2.10', '192.0.2.11', '192.0.2.100', '192.0.2.77'),
    prefixLen: fc.constantFrom(24, 25),
    flags: fc.constantFrom(0, IFA_F_NOPREFIXROUTE),
  });
  it('plan → apply → plan is empty', () => {
    fc.assert(fc.property(fc.array(arbAddr, { maxLength: 8 }), (raw) => {
      let kernel: Address[] = raw.map((r) => addr(r.index, r.local, r.prefixLen, r.flags));
      const intent: Intent = { ...INTENT, addresses: INTENT.addresses.filter((a) => a.family === 4) };
      for (const c of planAddressChanges(intent, { links: LINKS, addresses: kernel, routes: [] })) {
        if (c.kind === 'add-address') {
          kernel = kernel.filter((k) => !(k.index === c.spec.index && k.local === c.spec.address && k.prefixLen === c.spec.prefixLen));
          kernel.push(addr(c.spec.index, c.spec.address, c.spec.prefixLen, c.spec.flags ?? 0));
        } else if (c.kind === 'delete-address') {
          kernel = kernel.filter((k) => !(k.index === c.spec.index && k.local === c.spec.address && k.prefixLen === c.spec.prefixLen));
        }
      }
      expect(planAddressChanges(intent, { links: LINKS, addresses: kernel, routes: [] })).toEqual([]);
      // Non-members keep exactly what they had.
      expect(kernel.filter((k) => k.index === 4).length).toBe(raw.filter((r) => r.index === 4).length);
    }), { numRuns: 300 });
  });
});
