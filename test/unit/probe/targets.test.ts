// Target selection: router next hops in the test subnet first, multicast-found hosts otherwise,
// round-robin over at most five, dead/slow routers set aside for MIN_RECOVERY_TIME.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mustParse } from '../../../src/net/addr.js';
import type { Route } from '../../../src/netlink/types.js';
import { MIN_RECOVERY_TIME_MS } from '../../../src/probe/constants.js';
import { routerCandidates, TargetTable } from '../../../src/probe/targets.js';

function route(p: Partial<Route> & { family: 4 | 6 }): Route {
  return { table: 254, protocol: 4, scope: 0, type: 1, dst: undefined, dstLen: 0, ...p };
}

const q4 = { test: mustParse('192.0.2.100/24'), memberIndexes: new Set([2, 3]), own: new Set(['192.0.2.100', '192.0.2.10']) };
const q6 = { test: mustParse('fe80::100/64'), memberIndexes: new Set([2, 3]), own: new Set<string>() };

describe('routerCandidates', () => {
  it.each([
    { what: 'default route next hop', routes: [route({ family: 4, gateway: '192.0.2.254', oif: 2 })], want: ['192.0.2.254'] },
    { what: 'next hop outside the test subnet', routes: [route({ family: 4, gateway: '198.51.100.1', oif: 2 })], want: [] },
    { what: 'connected route (no gateway)', routes: [route({ family: 4, dst: '192.0.2.0', dstLen: 24, scope: 253, oif: 2 })], want: [] },
    { what: 'own address as gateway', routes: [route({ family: 4, gateway: '192.0.2.10', oif: 2 })], want: [] },
    { what: 'local table', routes: [route({ family: 4, table: 255, gateway: '192.0.2.254', oif: 2 })], want: [] },
    { what: 'blackhole type', routes: [route({ family: 4, type: 6, gateway: '192.0.2.254' })], want: [] },
    { what: 'other family', routes: [route({ family: 6, gateway: 'fe80::1', oif: 2 })], want: [] },
    {
      what: 'default routes first, each next hop once',
      routes: [
        route({ family: 4, dst: '203.0.113.0', dstLen: 24, gateway: '192.0.2.2', oif: 2 }),
        route({ family: 4, gateway: '192.0.2.1', oif: 3 }),
        route({ family: 4, dst: '198.51.100.0', dstLen: 24, gateway: '192.0.2.1', oif: 2 }),
      ],
      want: ['192.0.2.1', '192.0.2.2'],
    },
    {
      what: 'multipath next hops',
      routes: [route({ family: 4, nexthops: [{ ifindex: 2, gateway: '192.0.2.1', weight: 1 }, { ifindex: 3, gateway: '192.0.2.2', weight: 1 }] })],
      want: ['192.0.2.1', '192.0.2.2'],
    },
  ])('IPv4: $what', ({ routes, want }) => {
    expect(routerCandidates(routes, q4)).toEqual(want);
  });

  it.each([
    { what: 'link-local router via a member', routes: [route({ family: 6, gateway: 'fe80::254', oif: 3 })], want: ['fe80::254'] },
    { what: 'link-local router via a non-member', routes: [route({ family: 6, gateway: 'fe80::254', oif: 9 })], want: [] },
    { what: 'global next hop (not in fe80::/64)', routes: [route({ family: 6, gateway: '2001:db8::254', oif: 2 })], want: [] },
  ])('IPv6: $what', ({ routes, want }) => {
    expect(routerCandidates(routes, q6)).toEqual(want);
  });
});

describe('TargetTable', () => {
  const routers = (n: number): string[] => Array.from({ length: n }, (_, i) => `192.0.2.${i + 1}`);

  it('round-robin over at most five routers, firing order follows', () => {
    const t = new TargetTable();
    t.setRouters(routers(7));
    expect(t.mode).toBe('routes');
    expect(t.active().map((x) => x.address)).toEqual(routers(5));
    const fired = Array.from({ length: 7 }, () => t.next()?.address);
    expect(fired).toEqual([...routers(5), '192.0.2.1', '192.0.2.2']);
    expect(t.firingOrder()).toEqual(['192.0.2.3', '192.0.2.4', '192.0.2.5', '192.0.2.1', '192.0.2.2']);
  });

  it('a dead router is replaced by the next candidate and comes back after MIN_RECOVERY_TIME', () => {
    const t = new TargetTable();
    t.setRouters(routers(6));
    t.retire('192.0.2.2', 'dead', 1000);
    expect(t.active().map((x) => x.address)).toEqual(['192.0.2.1', '192.0.2.3', '192.0.2.4', '192.0.2.5', '192.0.2.6']);
    expect(t.revive(1000 + MIN_RECOVERY_TIME_MS - 1)).toEqual([]);
    expect(t.revive(1000 + MIN_RECOVERY_TIME_MS)).toEqual(['192.0.2.2']);
    expect(t.active().map((x) => x.address)).toEqual(routers(5));
  });

  it('routes keep their statistics across a re-read', () => {
    const t = new TargetTable();
    t.setRouters(['192.0.2.1', '192.0.2.2']);
    t.get('192.0.2.1')!.rtt.add(5, 1000);
    t.setRouters(['192.0.2.3', '192.0.2.1']);
    expect(t.get('192.0.2.1')!.rtt.crtt).toBe(15);
    expect(t.get('192.0.2.2')).toBeUndefined();
  });

  it('hosts: up to five, none while routers exist, routers replace them; dead hosts are dropped', () => {
    const t = new TargetTable();
    expect(t.needsDiscovery()).toBe(true);
    expect(t.addHost('192.0.2.50')).toBe(true);
    expect(t.addHost('192.0.2.50')).toBe(false);
    expect(t.needsDiscovery()).toBe(true); // one host: keep multicasting
    for (let i = 51; i < 60; i++) t.addHost(`192.0.2.${i}`);
    expect(t.active().map((x) => x.address)).toEqual(['192.0.2.50', '192.0.2.51', '192.0.2.52', '192.0.2.53', '192.0.2.54']);
    expect(t.needsDiscovery()).toBe(false);
    expect(t.mode).toBe('multicast');
    t.retire('192.0.2.52', 'dead', 0);
    expect(t.active()).toHaveLength(4);
    t.setRouters(['192.0.2.254']);
    expect(t.active().map((x) => x.address)).toEqual(['192.0.2.254']);
    expect(t.addHost('192.0.2.60')).toBe(false);
    t.setRouters([]);
    expect(t.active()).toEqual([]);
  });

  it('property: next() visits every active target once per round', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 30 }), (n, rounds) => {
      const t = new TargetTable();
      t.setRouters(routers(n));
      const k = Math.min(n, 5);
      for (let r = 0; r < rounds; r++) {
        const round = Array.from({ length: k }, () => t.next()!.address);
        expect(new Set(round).size).toBe(k);
      }
    }));
  });
});
