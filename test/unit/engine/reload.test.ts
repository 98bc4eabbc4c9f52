// reload(): state carries over by name, placement is re-derived, changes are the minimal diff.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/index.js';
import { allUp, config, roles, where } from './helpers.js';

const base = config({
  groups: [{ name: 'g', members: ['eth0', 'eth1'], data: [['192.0.2.10/24', 'eth0'], ['192.0.2.11/24', 'eth1']] }],
});

function started() {
  const e = new Engine(base, 0);
  allUp(e, ['eth0', 'eth1']);
  return e;
}

describe('reload', () => {
  it('identical config: no changes', () => {
    const e = started();
    const r = e.reload(base, 10);
    expect(r.changes).toEqual([]);
    expect(r.placement).toEqual(e.placement());
  });

  it('added and removed data addresses', () => {
    const e = started();
    const next = config({
      groups: [{ name: 'g', members: ['eth0', 'eth1'], data: [['192.0.2.10/24', 'eth0'], ['192.0.2.12/24', 'eth1']] }],
    });
    const r = e.reload(next, 10);
    expect(r.changes).toEqual([
      { kind: 'address-placed', group: 'g', address: '192.0.2.12/24', to: 'eth1' },
      { kind: 'address-unplaced', group: 'g', address: '192.0.2.11/24', from: 'eth1' },
    ]); // same subnet, same prefsrc: the route set is unchanged
  });

  it('removed member: its addresses move, failover state of others is kept', () => {
    const e = started();
    e.handle({ type: 'link', ifname: 'eth2', up: true }, 5); // not a member yet: only observed
    const next = config({
      groups: [{ name: 'g', members: ['eth1', 'eth2'], data: [['192.0.2.10/24', 'eth0'], ['192.0.2.11/24', 'eth1']] }],
    });
    const r = e.reload(next, 10);
    // eth2's link was already known, so it joins at once; eth0's address goes to the least loaded.
    expect(roles(r.placement)).toBe('eth1:A eth2:A');
    expect(where(r.placement)).toEqual({ '192.0.2.10': 'eth2', '192.0.2.11': 'eth1' });
    expect(r.changes).toContainEqual({ kind: 'address-moved', group: 'g', address: '192.0.2.10/24', from: 'eth0', to: 'eth2' });
  });

  it('new member without a known link waits, others are unaffected', () => {
    const e = started();
    const next = config({
      groups: [{ name: 'g', members: ['eth0', 'eth1', 'eth3'], data: [['192.0.2.10/24', 'eth0'], ['192.0.2.11/24', 'eth1'], ['192.0.2.13/24', 'eth3']] }],
    });
    const r = e.reload(next, 10);
    expect(roles(r.placement)).toBe('eth0:A eth1:A eth3:U');
    expect(r.placement.groups[0]?.state).toBe('degraded');
    expect(where(r.placement)['192.0.2.13']).toBe('eth0');
    const up = e.handle({ type: 'link', ifname: 'eth3', up: true }, 20);
    expect(where(up.placement)['192.0.2.13']).toBe('eth3');
    expect(up.placement.groups[0]?.state).toBe('ok');
  });

  it('switching FAILBACK takes effect on the next repair', () => {
    const e = started();
    e.reload({ ...base, mpathd: { ...base.mpathd, failback: false } }, 1);
    e.handle({ type: 'link', ifname: 'eth0', up: false }, 10);
    const r = e.handle({ type: 'link', ifname: 'eth0', up: true }, 20);
    expect(roles(r.placement)).toBe('eth0:I eth1:A');
  });

  it('removed group: everything unplaced', () => {
    const e = started();
    const r = e.reload({ ...base, groups: [] }, 10);
    expect(r.changes).toEqual([
      { kind: 'address-unplaced', group: 'g', address: '192.0.2.10/24', from: 'eth0' },
      { kind: 'address-unplaced', group: 'g', address: '192.0.2.11/24', from: 'eth1' },
      { kind: 'routes-changed', group: 'g' },
    ]);
  });
});
