// Two groups routing the same destination (each a default route via its own router) must give
// the kernel one route, not two intents that replace each other on every run.
import { describe, expect, it } from 'vitest';
import { intentFromPlacement, mergeSharedRoutes } from '../../../src/apply/from-placement.js';
import type { RouteIntent } from '../../../src/apply/intent.js';
import { Engine } from '../../../src/engine/index.js';
import { config } from '../engine/helpers.js';

const route = (group: string, family: 4 | 6, dst: string, dstLen: number, hops: [string, string?][], prefsrc?: string): RouteIntent => ({
  group, family, dst, dstLen, nexthops: hops.map(([ifname, gateway]) => (gateway ? { ifname, gateway } : { ifname })), ...(prefsrc ? { prefsrc } : {}),
});

describe('mergeSharedRoutes', () => {
  it('joins two groups\' default routes into one multipath route, the first group\'s source kept', () => {
    const merged = mergeSharedRoutes([
      route('a', 4, '0.0.0.0', 0, [['eth0', '198.51.100.254'], ['eth1', '198.51.100.254']], '198.51.100.10'),
      route('b', 4, '0.0.0.0', 0, [['eth0.100', '203.0.113.254']], '203.0.113.10'),
    ]);
    expect(merged).toEqual([route('a', 4, '0.0.0.0', 0, [['eth0', '198.51.100.254'], ['eth1', '198.51.100.254'], ['eth0.100', '203.0.113.254']], '198.51.100.10')]);
  });

  it('keeps routes to different destinations and families apart, and adds no next hop twice', () => {
    const routes = [
      route('a', 4, '198.51.100.0', 24, [['eth0']]),
      route('a', 4, '0.0.0.0', 0, [['eth0', '198.51.100.254']]),
      route('b', 4, '0.0.0.0', 0, [['eth0', '198.51.100.254']]),
      route('b', 6, '::', 0, [['eth1', 'fe80::1']]),
      route('b', 4, '203.0.113.0', 24, [['eth1']]),
    ];
    expect(mergeSharedRoutes(routes)).toEqual([routes[0], routes[1], routes[3], routes[4]]);
  });

  it('never makes a device-only IPv6 multipath route (the kernel refuses it): the first stands', () => {
    const a = route('a', 6, '2001:db8::', 64, [['eth0']]);
    expect(mergeSharedRoutes([a, route('b', 6, '2001:db8::', 64, [['eth2']])])).toEqual([a]);
  });

  it('does not change its input', () => {
    const a = route('a', 4, '0.0.0.0', 0, [['eth0', '198.51.100.254']]);
    mergeSharedRoutes([a, route('b', 4, '0.0.0.0', 0, [['eth1', '203.0.113.254']])]);
    expect(a.nexthops).toHaveLength(1);
  });

  it('two groups with a router each give one default route in the intent', () => {
    const cfg = config({
      routers: ['198.51.100.254', '203.0.113.254'],
      groups: [
        { name: 'lan', members: ['eth0', 'eth1'], data: [['198.51.100.10/24', 'eth0']] },
        { name: 'vlan', members: ['eth0.100', 'eth1.100'], data: [['203.0.113.10/24', 'eth0.100']] },
      ],
    });
    const e = new Engine(cfg, 0);
    for (const n of ['eth0', 'eth1', 'eth0.100', 'eth1.100']) e.handle({ type: 'link', ifname: n, up: true }, 0);
    const defaults = intentFromPlacement(e.placement(), cfg).routes.filter((r) => r.dstLen === 0 && r.family === 4);
    expect(defaults).toHaveLength(1);
    expect(defaults[0]?.nexthops.map((h) => `${h.ifname} via ${h.gateway}`).sort()).toEqual([
      'eth0 via 198.51.100.254', 'eth0.100 via 203.0.113.254', 'eth1 via 198.51.100.254', 'eth1.100 via 203.0.113.254',
    ]);
  });
});
