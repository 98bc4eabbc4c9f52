// During a group failure addresses stay put, but routes must follow the links that are up:
// otherwise probe replies fail the reverse-path check and no member can earn its repair.
import { describe, expect, it } from 'vitest';
import { Engine, type Placement } from '../../../src/engine/index.js';
import { config } from './helpers.js';

const cfg = config({
  routers: ['192.0.2.254'],
  groups: [{ name: 'g', members: [{ name: 'eth0', test: ['192.0.2.10/24'] }, { name: 'eth1', standby: true, test: ['192.0.2.11/24'] }], data: [['192.0.2.100/24', 'eth0']] }],
});

const routes = (p: Placement): string[] =>
  p.groups[0]!.routes.map((r) => `${r.dst} ${r.nexthops.map((h) => h.ifname).join(',')}`);

describe('routes during a group failure', () => {
  it('stay as they were while no link is up, then follow the first link to come up', () => {
    const e = new Engine(cfg, 0);
    e.handle({ type: 'link', ifname: 'eth0', up: true }, 0);
    e.handle({ type: 'link', ifname: 'eth1', up: true }, 0);
    e.handle({ type: 'link', ifname: 'eth0', up: false }, 1000);
    const afterFailover = routes(e.placement());
    expect(afterFailover).toEqual(['192.0.2.0/24 eth1', 'default eth1']);
    const failed = e.handle({ type: 'link', ifname: 'eth1', up: false }, 2000);
    expect(failed.placement.groups[0]!.state).toBe('failed');
    expect(routes(failed.placement)).toEqual(afterFailover);
    expect(failed.placement.groups[0]!.addresses[0]!.nic).toBe('eth1'); // nothing moved
    // eth0's link returns but its probes must still earn the repair: the group is still
    // failed, yet the address leaves eth1 (no link) for eth0, and the routes go over eth0, so
    // clients reach it and the probes can succeed.
    e.handle({ type: 'probe', ifname: 'eth0', state: 'failed' }, 2500);
    const linkBack = e.handle({ type: 'link', ifname: 'eth0', up: true }, 3000);
    expect(linkBack.placement.groups[0]!.state).toBe('failed');
    expect(linkBack.placement.groups[0]!.addresses[0]!.nic).toBe('eth0');
    expect(routes(linkBack.placement)).toEqual(['192.0.2.0/24 eth0', 'default eth0']);
  });
});
