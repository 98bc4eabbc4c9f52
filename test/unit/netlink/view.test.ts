// The monitor's view rules: keys, upsert/remove events, NLM_F_REPLACE, IPv4 flushes the
// kernel does not announce, IPv6 addresses in DAD, and resync diffs.
import { describe, expect, it } from 'vitest';
import { IFA_F_DADFAILED, IFA_F_NODAD, IFA_F_TENTATIVE, RT_SCOPE_HOST, RT_SCOPE_LINK, RTN_LOCAL } from '../../../src/netlink/constants.js';
import type { Address, Link, Route } from '../../../src/netlink/types.js';
import { addressKey, diffViews, routeKey, sameData, View } from '../../../src/netlink/view.js';

const link = (index: number, over: Partial<Link> = {}): Link => ({
  index, name: `l${index}`, flags: 0x11043, up: true, running: true, lowerUp: true, operstate: 'up', carrier: true,
  mtu: 1500, mac: '02:00:00:00:00:01', master: undefined, kind: 'veth', ...over,
});
const addr = (index: number, local: string, over: Partial<Address> = {}): Address => ({
  family: local.includes(':') ? 6 : 4, index, prefixLen: 24, local, address: local, flags: 0x80, scope: 0, ...over,
});
const route = (over: Partial<Route> & Pick<Route, 'dst'>): Route => ({
  family: 4, table: 254, protocol: 4, scope: 0, type: 1, dstLen: 24, ...over,
});

function world(): View {
  const v = new View();
  v.upsertLink(link(2));
  v.upsertLink(link(3));
  v.upsertAddress(addr(2, '192.0.2.1'));
  v.upsertAddress(addr(3, '198.51.100.1'));
  v.upsertRoute(route({ dst: '192.0.2.0', oif: 2, scope: RT_SCOPE_LINK, protocol: 2 }));
  v.upsertRoute(route({ dst: '10.0.0.0', dstLen: 8, gateway: '192.0.2.254', oif: 2 }));
  v.upsertRoute(route({ dst: '192.0.2.1', dstLen: 32, oif: 2, table: 255, type: RTN_LOCAL, scope: RT_SCOPE_HOST }));
  v.upsertRoute(route({ dst: '203.0.113.0', nexthops: [{ ifindex: 2, gateway: '192.0.2.2', weight: 1 }, { ifindex: 3, gateway: '198.51.100.2', weight: 1 }] }));
  return v;
}
const dsts = (v: View): string[] => [...v.routes.values()].map((r) => `${r.dst}/${r.dstLen}`).sort();

describe('view keys', () => {
  it.each([
    [addr(2, '192.0.2.1'), '4 2 192.0.2.1/24'],
    [addr(2, '192.0.2.1', { address: '192.0.2.9', prefixLen: 32 }), '4 2 192.0.2.1/32 peer 192.0.2.9'],
    [addr(5, '2001:db8::1', { prefixLen: 64 }), '6 5 2001:db8::1/64'],
  ])('addressKey(%j) = %s', (a, key) => expect(addressKey(a)).toBe(key));

  it.each([
    [route({ dst: '192.0.2.0', oif: 2 }), '4 254 192.0.2.0/24 tos 0 metric 0 dev 2'],
    [route({ dst: undefined, dstLen: 0, gateway: '192.0.2.1', oif: 2, priority: 10 }), '4 254 0.0.0.0/0 tos 0 metric 10'],
    [route({ family: 6, dst: 'fe80::', dstLen: 64, oif: 7, priority: 256 }), '6 254 fe80::/64 tos 0 metric 256 dev 7'],
    [route({ dst: '203.0.113.0', nexthops: [{ ifindex: 2, weight: 1 }] }), '4 254 203.0.113.0/24 tos 0 metric 0'],
  ])('routeKey(%j) = %s', (r, key) => expect(routeKey(r)).toBe(key));

  it('sameData ignores undefined members and compares nested arrays', () => {
    expect(sameData({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameData({ n: [{ x: 1 }] }, { n: [{ x: 2 }] })).toBe(false);
    expect(sameData([1, 2], { 0: 1, 1: 2 })).toBe(false);
  });
});

describe('view updates', () => {
  it('reports added, changed (with up/down) and unchanged links', () => {
    const v = new View();
    expect(v.upsertLink(link(2)).map((e) => e.kind)).toEqual(['link-added']);
    expect(v.upsertLink(link(2))).toEqual([]);
    expect(v.upsertLink(link(2, { mtu: 1400 })).map((e) => e.kind)).toEqual(['link-changed']);
    const down = v.upsertLink(link(2, { mtu: 1400, running: false, lowerUp: false }));
    expect(down.map((e) => e.kind)).toEqual(['link-changed', 'link-down']);
    expect(down[1]).toMatchObject({ previous: { running: true } });
    expect(v.upsertLink(link(2, { mtu: 1400 })).map((e) => e.kind)).toEqual(['link-changed', 'link-up']);
  });

  it('drops IPv4 routes whose only device goes down, keeping local and multipath routes', () => {
    const v = world();
    const ev = v.upsertLink(link(2, { up: false, running: false, lowerUp: false }));
    expect(ev.filter((e) => e.kind === 'route-removed').length).toBe(2);
    expect(dsts(v)).toEqual(['192.0.2.1/32', '203.0.113.0/24']);
    // The second nexthop's device going down too kills the multipath route.
    v.upsertLink(link(3, { up: false, running: false, lowerUp: false }));
    expect(dsts(v)).toEqual(['192.0.2.1/32']);
  });

  it('drops every IPv4 route on a device that loses its last IPv4 address, local ones included', () => {
    const v = world();
    v.upsertAddress(addr(2, '192.0.2.7'));
    expect(v.removeAddress(addr(2, '192.0.2.7')).map((e) => e.kind)).toEqual(['address-removed']);
    const ev = v.removeAddress(addr(2, '192.0.2.1'));
    expect(ev.map((e) => e.kind)).toEqual(['address-removed', 'route-removed', 'route-removed', 'route-removed']);
    expect(dsts(v)).toEqual(['203.0.113.0/24']);
    expect(v.removeAddress(addr(2, '192.0.2.1'))).toEqual([]);
  });

  it('removes a link with its addresses and routes', () => {
    const v = world();
    v.upsertRoute(route({ family: 6, dst: 'fe80::', dstLen: 64, oif: 2, priority: 256 }));
    const ev = v.removeLink(link(2));
    expect(ev.at(-1)?.kind).toBe('link-removed');
    expect(dsts(v)).toEqual([]);
    expect([...v.addresses.keys()]).toEqual(['4 3 198.51.100.1/24']);
  });

  it('replaces same-identity routes on NLM_F_REPLACE, reporting the old one as previous', () => {
    const v = world();
    const ev = v.upsertRoute(route({ dst: '10.0.0.0', dstLen: 8, oif: 3, scope: RT_SCOPE_LINK }), true);
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ kind: 'route-added', route: { oif: 3 }, previous: { gateway: '192.0.2.254' } });
    expect([...v.routes.values()].filter((r) => r.dst === '10.0.0.0')).toHaveLength(1);
    // Without the flag both device routes coexist (a prefix on two links).
    v.upsertRoute(route({ dst: '10.0.0.0', dstLen: 8, oif: 2, scope: RT_SCOPE_LINK }));
    expect([...v.routes.values()].filter((r) => r.dst === '10.0.0.0')).toHaveLength(2);
  });

  it('keeps IPv6 addresses out while in DAD, in when done or failed', () => {
    const v = new View();
    const tentative = addr(2, '2001:db8::1', { prefixLen: 64, flags: IFA_F_TENTATIVE });
    expect(v.upsertAddress(tentative)).toEqual([]);
    expect(v.addresses.size).toBe(0);
    expect(v.upsertAddress({ ...tentative, flags: IFA_F_TENTATIVE | IFA_F_DADFAILED }).map((e) => e.kind)).toEqual(['address-added']);
    expect(v.upsertAddress({ ...tentative, flags: IFA_F_TENTATIVE }).map((e) => e.kind)).toEqual(['address-removed']);
    expect(v.upsertAddress({ ...tentative, flags: IFA_F_NODAD }).map((e) => e.kind)).toEqual(['address-added']);
  });

  it('diffs two views into the events that turn one into the other', () => {
    const a = world();
    const b = world();
    b.upsertLink(link(3, { mtu: 9000, running: false }));
    b.removeAddress(addr(3, '198.51.100.1'));
    b.upsertAddress(addr(2, '192.0.2.50'));
    b.upsertLink(link(4));
    const kinds = diffViews(a, b).map((e) => e.kind);
    expect(kinds).toEqual(['link-changed', 'link-down', 'link-added', 'address-removed', 'address-added']);
    expect(diffViews(b, b)).toEqual([]);
    // Applying the diff's end state: b's maps are what a resync installs.
    expect(diffViews(new View(), b).filter((e) => e.kind.endsWith('added'))).toHaveLength(b.links.size + b.addresses.size + b.routes.size);
  });
});
