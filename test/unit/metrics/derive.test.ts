// The metric derivations on hand-built engine placements, snapshots and probe records.
import { describe, expect, it } from 'vitest';
import type { ProbeRecord, StatusSnapshot } from '../../../src/control/status.js';
import type { GroupPlacement, MemberPlacement, Placement, PlacementChange } from '../../../src/engine/types.js';
import { probeObservations, repairCause, stateSamples, transitions } from '../../../src/metrics/derive.js';

function m(ifname: string, o: Partial<MemberPlacement> = {}): MemberPlacement {
  return {
    ifname, active: true, inactive: false, failed: false, offline: false, hwaddrdup: false, adminOffline: false, standby: false, link: 'up', probe: 'ok',
    state: 'ok', nominee4: false, nominee6: false, present: true, testAddresses: [], ...o,
  };
}

function placement(members: MemberPlacement[], nic: string): Placement {
  const g: GroupPlacement = {
    group: 'g', mode: 'outbound-spread', state: 'ok', members, routes: [],
    addresses: [{ address: '192.0.2.100/24', family: 4, home: 'eth0', nic, bound: true, up: true, deprecated: false }],
  };
  return { groups: [g] };
}

const healthy = placement([m('eth0'), m('eth1')], 'eth0');
const away: PlacementChange[] = [{ kind: 'address-moved', group: 'g', address: '192.0.2.100/24', from: 'eth0', to: 'eth1' }];
const back: PlacementChange[] = [{ kind: 'address-moved', group: 'g', address: '192.0.2.100/24', from: 'eth1', to: 'eth0' }];
const down = (o: Partial<MemberPlacement>) => placement([m('eth0', { active: false, failed: true, state: 'failed', ...o }), m('eth1')], 'eth1');

describe('transitions', () => {
  it.each([
    ['link', { link: 'down' as const }],
    ['link', { present: false, state: 'missing' as const }],
    ['probe', { probe: 'failed' as const }],
    ['offline', { offline: true, failed: false, state: 'offline' as const }],
  ])('a move away from a member that failed is a failover, reason %s', (reason, o) => {
    expect(transitions(healthy, down(o), away)).toEqual([{ kind: 'failover', group: 'g', ifname: 'eth0', reason }]);
  });

  it('counts one failover per member, however many addresses moved', () => {
    const twice = [...away, { ...away[0]!, address: '192.0.2.101/24' } as PlacementChange];
    expect(transitions(healthy, down({ link: 'down' }), twice)).toHaveLength(1);
  });

  it('a return to the repaired home member is a failback, with what had kept it out', () => {
    expect(transitions(down({ probe: 'failed' }), healthy, back)).toEqual([{ kind: 'failback', group: 'g', ifname: 'eth0', reason: 'probe' }]);
    expect(transitions(down({ offline: true }), healthy, back)).toEqual([{ kind: 'failback', group: 'g', ifname: 'eth0', reason: 'offline' }]);
  });

  it('a member repaired after its link came back fails back for the link, though its probes read unknown before', () => {
    expect(transitions(down({ probe: 'unknown' }), healthy, back)).toEqual([{ kind: 'failback', group: 'g', ifname: 'eth0', reason: 'link' }]);
    // Its link is back but probes are still failed: the recorded failover cause wins.
    expect(transitions(down({ probe: 'failed' }), healthy, back, () => 'link')).toEqual([{ kind: 'failback', group: 'g', ifname: 'eth0', reason: 'link' }]);
  });

  it('moves between healthy members, placements and group states are neither', () => {
    expect(transitions(healthy, placement([m('eth0'), m('eth1')], 'eth1'), away)).toEqual([]);
    expect(transitions(healthy, healthy, [{ kind: 'address-placed', group: 'g', address: '192.0.2.100/24', to: 'eth0' }, { kind: 'group-state', group: 'g', from: 'ok', to: 'degraded' }])).toEqual([]);
  });
});

describe('repairCause', () => {
  it.each([
    ['invariant check', 'invariant-check'],
    ['resync', 'resync'],
    ['address 192.0.2.100 removed from eth0', 'address'],
    ['ipmpd route removed', 'route'],
    ['eth1 set down by hand', 'link'],
    ['announcement refresh', 'other'],
  ])('%s → %s (a fixed label set, never the free text)', (reason, cause) => {
    expect(repairCause(reason)).toBe(cause);
  });
});

describe('stateSamples', () => {
  const snap: StatusSnapshot = {
    groups: [{ group: 'g', groupname: 'g', state: 'degraded', fdtMs: 1000, active: ['eth1'], inactive: [], unusable: ['eth0'] }],
    interfaces: [{
      interface: 'eth0', active: false, group: 'g', link: 'down', probe: 'unknown', state: 'failed',
      flags: { inactive: false, standby: false, mcast4: false, bcast4: false, mcast6: false, down: false, hwaddrdup: false },
    }],
    addresses: [], targets: [],
  };
  const s = stateSamples(snap);

  it('gives every possible state, 1 for the current one', () => {
    expect(s.group).toEqual([
      { labels: { group: 'g', state: 'ok' }, value: 0 },
      { labels: { group: 'g', state: 'degraded' }, value: 1 },
      { labels: { group: 'g', state: 'failed' }, value: 0 },
    ]);
    expect(s.link.filter((x) => x.value === 1)).toEqual([{ labels: { group: 'g', interface: 'eth0', state: 'down' }, value: 1 }]);
    expect(s.probe.filter((x) => x.value === 1).map((x) => x.labels.state)).toEqual(['unknown']);
    expect(s.iface.map((x) => x.labels.state)).toEqual(['ok', 'failed', 'unknown', 'offline', 'missing']);
    expect(s.iface.filter((x) => x.value === 1).map((x) => x.labels.state)).toEqual(['failed']);
    expect(s.active).toEqual([{ labels: { group: 'g', interface: 'eth0' }, value: 0 }]);
  });
});

describe('probeObservations', () => {
  const rec = (o: Partial<ProbeRecord>): ProbeRecord => ({
    sentAtMs: 0, interface: 'eth0', probe: 1, netRttMs: 0.4, rttMs: 0.6, rttAvgMs: null, rttDevMs: null, target: '192.0.2.254', outcome: 'acked', ...o,
  });

  it('answered probes give their network RTT in seconds; lost ones only count', () => {
    expect(probeObservations([rec({}), rec({ netRttMs: null }), rec({ outcome: 'lost', netRttMs: null, rttMs: null })])).toEqual([
      { interface: 'eth0', outcome: 'acked', rttSeconds: 0.0004 },
      { interface: 'eth0', outcome: 'acked', rttSeconds: 0.0006 },
      { interface: 'eth0', outcome: 'lost' },
    ]);
  });
});
