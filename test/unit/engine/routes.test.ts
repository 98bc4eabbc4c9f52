// Route intent: outbound-spread multipath following failures/repairs; active-standby via holders;
// prefsrc never a test address.
import { describe, expect, it } from 'vitest';
import { computeRoutes, Engine, type RoutePlan } from '../../../src/engine/index.js';
import { allUp, config } from './helpers.js';

const spread = config({
  routers: ['192.0.2.1', '2001:db8::1', '198.51.100.1'],
  groups: [{
    name: 'g',
    members: [{ name: 'eth0', test: ['192.0.2.100/24'] }, { name: 'eth1', test: ['192.0.2.101/24'] }, { name: 'eth2', test: ['192.0.2.102/24'] }],
    data: [['192.0.2.10/24', 'eth0'], ['192.0.2.11/24', 'eth1'], ['2001:db8::10/64', 'eth2']],
  }],
});

const nh = (...ifs: string[]) => ifs.map((ifname) => ({ ifname }));
const gw = (gateway: string, ...ifs: string[]) => ifs.map((ifname) => ({ ifname, gateway }));

describe('route intent', () => {
  it('outbound-spread: multipath over active members, follows failure and repair', () => {
    const e = new Engine(spread, 0);
    const all = allUp(e, ['eth0', 'eth1', 'eth2']);
    const expected = (...ifs: string[]): RoutePlan[] => [
      { family: 4, dst: '192.0.2.0/24', nexthops: nh(...ifs), prefsrc: '192.0.2.10', purpose: 'prefix' },
      { family: 6, dst: '2001:db8::/64', nexthops: nh(...ifs), prefsrc: '2001:db8::10', purpose: 'prefix' },
      { family: 4, dst: 'default', nexthops: gw('192.0.2.1', ...ifs), prefsrc: '192.0.2.10', purpose: 'default' },
      { family: 6, dst: 'default', nexthops: gw('2001:db8::1', ...ifs), prefsrc: '2001:db8::10', purpose: 'default' },
    ];
    expect(all.placement.groups[0]?.routes).toEqual(expected('eth0', 'eth1', 'eth2'));
    const down = e.handle({ type: 'link', ifname: 'eth1', up: false }, 10);
    expect(down.placement.groups[0]?.routes).toEqual(expected('eth0', 'eth2'));
    expect(down.changes).toContainEqual({ kind: 'routes-changed', group: 'g' });
    const up = e.handle({ type: 'link', ifname: 'eth1', up: true }, 20);
    expect(up.placement.groups[0]?.routes).toEqual(expected('eth0', 'eth1', 'eth2'));
    // Group failure: routes stay as they were (nothing moves).
    e.handle({ type: 'link', ifname: 'eth0', up: false }, 30);
    e.handle({ type: 'link', ifname: 'eth1', up: false }, 30);
    const before = e.placement().groups[0]?.routes;
    const failed = e.handle({ type: 'link', ifname: 'eth2', up: false }, 30);
    expect(failed.placement.groups[0]?.state).toBe('failed');
    expect(failed.placement.groups[0]?.routes).toEqual(before);
  });

  it('active-standby: prefix route via the NICs holding the subnet', () => {
    const cfg = config({
      routers: ['192.0.2.1'],
      groups: [{ name: 'g', members: ['eth0', { name: 'eth1', standby: true }], data: [['192.0.2.10/24', 'eth0']] }],
    });
    const e = new Engine(cfg, 0);
    const r = allUp(e, ['eth0', 'eth1']);
    expect(r.placement.groups[0]?.routes).toEqual([
      { family: 4, dst: '192.0.2.0/24', nexthops: nh('eth0'), prefsrc: '192.0.2.10', purpose: 'prefix' },
      { family: 4, dst: 'default', nexthops: gw('192.0.2.1', 'eth0'), prefsrc: '192.0.2.10', purpose: 'default' },
    ]);
    const f = e.handle({ type: 'link', ifname: 'eth0', up: false }, 5);
    expect(f.placement.groups[0]?.routes).toEqual([
      { family: 4, dst: '192.0.2.0/24', nexthops: nh('eth1'), prefsrc: '192.0.2.10', purpose: 'prefix' },
      { family: 4, dst: 'default', nexthops: gw('192.0.2.1', 'eth1'), prefsrc: '192.0.2.10', purpose: 'default' },
    ]);
  });

  it('prefsrc skips deprecated data addresses and never uses a test address', () => {
    const routes = computeRoutes(
      'outbound-spread',
      [{ name: 'eth0', active: true, testAddresses: ['192.0.2.100/24', '203.0.113.5/24'] }, { name: 'eth1', active: true, testAddresses: ['203.0.113.6/24'] }],
      [
        { address: '192.0.2.10/24', nic: 'eth0', up: true, deprecated: true },
        { address: '192.0.2.11/24', nic: 'eth1', up: true, deprecated: false },
        { address: '192.0.2.12/24', nic: 'eth1', up: false, deprecated: false },
      ],
      ['192.0.2.1', '203.0.113.1', 'fe80::1'],
    );
    expect(routes).toEqual([
      { family: 4, dst: '192.0.2.0/24', nexthops: nh('eth0', 'eth1'), prefsrc: '192.0.2.11', purpose: 'prefix' },
      // 203.0.113.1 lies only in a test subnet: not a data router. fe80::1: no IPv6 data here.
      { family: 4, dst: 'default', nexthops: gw('192.0.2.1', 'eth0', 'eth1'), prefsrc: '192.0.2.11', purpose: 'default' },
      { family: 4, dst: '203.0.113.0/24', nexthops: nh('eth0', 'eth1'), prefsrc: '192.0.2.11', purpose: 'test-subnet' },
    ]);
  });

  it('only deprecated data addresses: prefsrc is still a data address', () => {
    const routes = computeRoutes('active-standby', [{ name: 'eth0', active: true, testAddresses: ['192.0.2.100/24'] }],
      [{ address: '192.0.2.10/24', nic: 'eth0', up: true, deprecated: true }], []);
    expect(routes).toEqual([{ family: 4, dst: '192.0.2.0/24', nexthops: nh('eth0'), prefsrc: '192.0.2.10', purpose: 'prefix' }]);
  });

  it('IPv6 link-local router is reachable over every active member', () => {
    const routes = computeRoutes('outbound-spread',
      [{ name: 'eth0', active: true, testAddresses: ['fe80::1:2/64'] }, { name: 'eth1', active: false, testAddresses: [] }, { name: 'eth2', active: true, testAddresses: [] }],
      [{ address: '2001:db8:1::5/64', nic: 'eth0', up: true, deprecated: false }], ['fe80::1']);
    expect(routes).toEqual([
      { family: 6, dst: '2001:db8:1::/64', nexthops: nh('eth0', 'eth2'), prefsrc: '2001:db8:1::5', purpose: 'prefix' },
      { family: 6, dst: 'default', nexthops: gw('fe80::1', 'eth0', 'eth2'), prefsrc: '2001:db8:1::5', purpose: 'default' },
    ]);
  });

  it('several routers: one multipath default route per family', () => {
    const routes = computeRoutes('outbound-spread',
      [{ name: 'eth0', active: true, testAddresses: [] }, { name: 'eth1', active: true, testAddresses: [] }],
      [{ address: '192.0.2.10/24', nic: 'eth0', up: true, deprecated: false }], ['192.0.2.1', '192.0.2.2']);
    expect(routes[1]).toEqual({ family: 4, dst: 'default', nexthops: [...gw('192.0.2.1', 'eth0', 'eth1'), ...gw('192.0.2.2', 'eth0', 'eth1')], prefsrc: '192.0.2.10', purpose: 'default' });
  });
});
