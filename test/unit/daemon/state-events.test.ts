// stateEvents(): the table is the specification of what operators are told, per engine result.
import { describe, expect, it } from 'vitest';
import type { EngineResult, GroupPlacement, MemberPlacement, Placement, PlacementChange } from '../../../src/engine/types.js';
import type { GroupState, InterfaceState } from '../../../src/engine/states.js';
import { stateEvents, type StateEvent } from '../../../src/daemon/state-events.js';
import { StateStream } from '../../../src/daemon/state-stream.js';
import { silentLogger } from '../../../src/log.js';

const AT = '2024-05-01T10:00:00.000Z';
const A = '192.0.2.100/24';
const B = '192.0.2.101/24';

function member(ifname: string, state: InterfaceState): MemberPlacement {
  return {
    ifname, state, active: state === 'ok', inactive: false, failed: state === 'failed', offline: state === 'offline', hwaddrdup: false, adminOffline: state === 'offline', standby: false,
    link: 'up', probe: 'ok', nominee4: false, nominee6: false, present: state !== 'missing', testAddresses: [],
  };
}

/** Group g: eth0 and eth1 in the given states; A and B both homed on eth0. */
function placement(eth0: InterfaceState, eth1: InterfaceState, state: GroupState = 'ok'): Placement {
  const g: GroupPlacement = {
    group: 'g', mode: 'active-standby', state, members: [member('eth0', eth0), member('eth1', eth1)], routes: [],
    addresses: [A, B].map((address) => ({ address, family: 4, home: 'eth0', nic: 'eth0', bound: true, up: true, deprecated: false })),
  };
  return { groups: [g] };
}

const result = (p: Placement, changes: PlacementChange[]): EngineResult => ({ placement: p, changes, log: [], probeResets: [] });
const moved = (address: string, from: string, to: string): PlacementChange => ({ kind: 'address-moved', group: 'g', address, from, to });
const ev = (e: Omit<StateEvent, 'at' | 'group'>): StateEvent => ({ group: 'g', ...e, at: AT });

const cases: Array<[string, Placement | undefined, EngineResult, StateEvent[]]> = [
  ['the first placement is adopted, not reported', undefined, result(placement('failed', 'ok'), [moved(A, 'eth0', 'eth1')]), []],
  ['nothing changed: nothing reported', placement('ok', 'ok'), result(placement('ok', 'ok'), []), []],
  ['carrier loss on eth0: interface-failed, one address-moved per address, one failover',
    placement('ok', 'ok'), result(placement('failed', 'ok', 'degraded'), [moved(A, 'eth0', 'eth1'), moved(B, 'eth0', 'eth1'), { kind: 'group-state', group: 'g', from: 'ok', to: 'degraded' }]), [
      ev({ event: 'interface-failed', interface: 'eth0', state: 'failed' }),
      ev({ event: 'address-moved', interface: 'eth1', peer: 'eth0', addresses: [A] }),
      ev({ event: 'address-moved', interface: 'eth1', peer: 'eth0', addresses: [B] }),
      ev({ event: 'failover', interface: 'eth0', peer: 'eth1', addresses: [A, B], state: 'failed' }),
    ]],
  ['repair of eth0 with failback: interface-repaired and failback to the home NIC',
    placement('failed', 'ok', 'degraded'), result(placement('ok', 'ok'), [moved(A, 'eth1', 'eth0'), { kind: 'group-state', group: 'g', from: 'degraded', to: 'ok' }]), [
      ev({ event: 'interface-repaired', interface: 'eth0', state: 'ok' }),
      ev({ event: 'address-moved', interface: 'eth0', peer: 'eth1', addresses: [A] }),
      ev({ event: 'failback', interface: 'eth0', peer: 'eth1', addresses: [A] }),
    ]],
  ['a move between two working NICs away from home is only address-moved',
    placement('ok', 'ok'), result(placement('ok', 'ok'), [moved(A, 'eth0', 'eth1')]), [
      ev({ event: 'address-moved', interface: 'eth1', peer: 'eth0', addresses: [A] }),
    ]],
  ['if_mpadm -d eth0: offline and a failover naming the offline state',
    placement('ok', 'ok'), result(placement('offline', 'ok'), [moved(A, 'eth0', 'eth1')]), [
      ev({ event: 'offline', interface: 'eth0', state: 'offline' }),
      ev({ event: 'address-moved', interface: 'eth1', peer: 'eth0', addresses: [A] }),
      ev({ event: 'failover', interface: 'eth0', peer: 'eth1', addresses: [A], state: 'offline' }),
    ]],
  ['if_mpadm -r eth0: online, then failback',
    placement('offline', 'ok'), result(placement('ok', 'ok'), [moved(A, 'eth1', 'eth0')]), [
      ev({ event: 'online', interface: 'eth0', state: 'ok' }),
      ev({ event: 'address-moved', interface: 'eth0', peer: 'eth1', addresses: [A] }),
      ev({ event: 'failback', interface: 'eth0', peer: 'eth1', addresses: [A] }),
    ]],
  ['a member vanishing is interface-failed with state missing',
    placement('ok', 'ok'), result(placement('missing', 'ok'), []), [ev({ event: 'interface-failed', interface: 'eth0', state: 'missing' })]],
  ['failed → missing is not a second failure', placement('failed', 'ok'), result(placement('missing', 'ok'), []), []],
  ['every NIC failed: group-failed',
    placement('failed', 'ok', 'degraded'), result(placement('failed', 'failed', 'failed'), [{ kind: 'group-state', group: 'g', from: 'degraded', to: 'failed' }]), [
      ev({ event: 'interface-failed', interface: 'eth1', state: 'failed' }),
      ev({ event: 'group-failed', state: 'failed' }),
    ]],
  ['leaving group failure: group-repaired with the new group state',
    placement('failed', 'failed', 'failed'), result(placement('failed', 'ok', 'degraded'), [{ kind: 'group-state', group: 'g', from: 'failed', to: 'degraded' }]), [
      ev({ event: 'interface-repaired', interface: 'eth1', state: 'ok' }),
      ev({ event: 'group-repaired', state: 'degraded' }),
    ]],
  ['ok → degraded alone is no group event', placement('ok', 'unknown'), result(placement('ok', 'unknown', 'degraded'), [{ kind: 'group-state', group: 'g', from: 'ok', to: 'degraded' }]), []],
];

describe('stateEvents', () => {
  it.each(cases)('%s', (_name, before, r, expected) => {
    expect(stateEvents(before, r, AT)).toEqual(expected);
  });
});

describe('StateStream', () => {
  it('adopts the initial result silently, then reports against the last placement, to every subscriber until it unsubscribes', () => {
    const s = new StateStream(silentLogger, () => new Date(AT));
    const a: StateEvent[] = [];
    const b: StateEvent[] = [];
    s.subscribe((e) => a.push(e));
    const off = s.subscribe((e) => b.push(e));
    s.observe(result(placement('ok', 'ok'), []), true);
    expect(a).toEqual([]);
    s.observe(result(placement('failed', 'ok'), [moved(A, 'eth0', 'eth1')]));
    expect(a.map((e) => e.event)).toEqual(['interface-failed', 'address-moved', 'failover']);
    off();
    s.duplicate('g', '192.0.2.100', 'eth1');
    expect(a.at(-1)).toEqual({ event: 'duplicate-address', group: 'g', interface: 'eth1', addresses: ['192.0.2.100'], at: AT });
    expect(b).toHaveLength(3);
  });

  it('a throwing subscriber does not stop the others', () => {
    const s = new StateStream(silentLogger, () => new Date(AT));
    const got: string[] = [];
    s.subscribe(() => { throw new Error('boom'); });
    s.subscribe((e) => got.push(e.event));
    s.duplicate('g', '192.0.2.1', undefined);
    expect(got).toEqual(['duplicate-address']);
  });
});
