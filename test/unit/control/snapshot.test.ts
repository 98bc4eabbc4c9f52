// ipmpstat data from the engine: -g INTERFACES lists, -i flags/states, -a inbound/outbound.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/index.js';
import { config, snapshotOf } from '../engine/helpers.js';

const cfg = config({
  groups: [{
    name: 'g',
    members: ['eth0', 'eth1', { name: 'eth2', standby: true, test: ['192.0.2.102/24'] }, 'eth3'],
    data: [['192.0.2.10/24', 'eth0'], ['192.0.2.11/24', 'eth1', { up: false }], ['2001:db8::10/64', 'eth1']],
  }],
});

describe('snapshot', () => {
  it('renders groups, interfaces, addresses and placeholder targets', () => {
    const e = new Engine(cfg, 0);
    for (const n of ['eth0', 'eth1', 'eth2']) e.handle({ type: 'link', ifname: n, up: true }, 0);
    e.handle({ type: 'link-missing', ifname: 'eth3' }, 0);
    e.handle({ type: 'offline', ifname: 'eth1' }, 1);
    const s = snapshotOf(e);
    expect(s.groups).toEqual([{
      group: 'g', groupname: 'g', state: 'degraded', fdtMs: 10000,
      active: ['eth0', 'eth2'], inactive: [], unusable: ['eth1', 'eth3'],
    }]);
    expect(s.interfaces.map((i) => [i.interface, i.active, i.link, i.probe, i.state])).toEqual([
      ['eth0', true, 'up', 'disabled', 'ok'],
      ['eth1', false, 'up', 'disabled', 'offline'],
      ['eth2', true, 'up', 'unknown', 'unknown'],
      ['eth3', false, 'down', 'disabled', 'missing'],
    ]);
    expect(s.interfaces[0]?.flags).toEqual({ inactive: false, standby: false, mcast4: true, bcast4: true, mcast6: true, down: false, hwaddrdup: false });
    expect(s.interfaces[2]?.flags.standby).toBe(true);
    expect(s.interfaces[3]?.flags.down).toBe(true);
    expect(s.addresses).toEqual([
      { address: '192.0.2.10', prefixLen: 24, state: 'up', group: 'g', inbound: 'eth0', outbound: ['eth0', 'eth2'] },
      { address: '192.0.2.11', prefixLen: 24, state: 'down', group: 'g', inbound: null, outbound: [] },
      { address: '2001:db8::10', prefixLen: 64, state: 'up', group: 'g', inbound: 'eth2', outbound: ['eth0', 'eth2'] },
    ]);
    expect(s.targets).toEqual([
      { interface: 'eth0', family: 4, mode: 'disabled', testAddress: null, targets: [] },
      { interface: 'eth1', family: 4, mode: 'disabled', testAddress: null, targets: [] },
      { interface: 'eth2', family: 4, mode: 'disabled', testAddress: '192.0.2.102', targets: [] },
      { interface: 'eth3', family: 4, mode: 'disabled', testAddress: null, targets: [] },
    ]);
  });

  it('inactive standby and a failed group', () => {
    const c = config({ groups: [{ name: 'g', members: ['eth0', { name: 'eth1', standby: true }], data: [['192.0.2.10/24', 'eth0']] }] });
    const e = new Engine(c, 0);
    e.handle({ type: 'link', ifname: 'eth0', up: true }, 0);
    e.handle({ type: 'link', ifname: 'eth1', up: true }, 0);
    expect(snapshotOf(e).groups[0]).toMatchObject({ state: 'ok', active: ['eth0'], inactive: ['eth1'], unusable: [], fdtMs: null });
    expect(snapshotOf(e).interfaces[1]?.flags).toMatchObject({ inactive: true, standby: true, mcast4: false });
    e.handle({ type: 'link', ifname: 'eth0', up: false }, 1);
    e.handle({ type: 'link', ifname: 'eth1', up: false }, 2);
    const s = snapshotOf(e);
    expect(s.groups[0]).toMatchObject({ state: 'failed', active: [], inactive: [], unusable: ['eth0', 'eth1'] });
    expect(s.addresses[0]).toMatchObject({ inbound: null, outbound: [] });
    expect(e.placement().groups[0]?.addresses[0]?.nic).toBe('eth1'); // still configured where it was
  });
});
