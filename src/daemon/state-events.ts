// State-change events for operators (ipmpctl monitor, hooks): what happened to a group, a NIC
// or an address, derived from one engine result and the placement before it. Pure: the same
// inputs give the same events, so the table test is the specification.
import { STATE_EVENT_KINDS, type StateEventKind } from '../config/event-kinds.js';
import type { EngineResult, MemberPlacement, Placement } from '../engine/types.js';

export { STATE_EVENT_KINDS, type StateEventKind };

export interface StateEvent {
  event: StateEventKind;
  group: string;
  /** The NIC the event is about: the failed one for failover, the repaired one for failback. */
  interface?: string;
  /** address/prefix as configured. */
  addresses?: string[];
  /** The other NIC of a move: where addresses went (failover) or came from (failback). */
  peer?: string;
  /** The new state of the NIC (ipmpstat -i) or of the group (ipmpstat -g). */
  state?: string;
  /** ISO time. */
  at: string;
}

/** A member that cannot hold data addresses now: what makes a move a failover. */
const DOWN_STATES = new Set(['failed', 'offline', 'missing']);

/**
 * Events for one engine result. `before` is the placement the previous result left (undefined
 * at start: the first placement is adopted, not reported). Order: NIC states, moves, group states.
 */
export function stateEvents(before: Placement | undefined, r: EngineResult, at: string): StateEvent[] {
  if (!before) return [];
  const out: StateEvent[] = [];
  const member = (p: Placement, group: string, ifname: string): MemberPlacement | undefined =>
    p.groups.find((g) => g.group === group)?.members.find((m) => m.ifname === ifname);

  // NIC transitions: every member present before and after (not only member-changed, so a
  // state change the engine folded into another change is still reported).
  for (const g of r.placement.groups) {
    for (const m of g.members) {
      const was = member(before, g.group, m.ifname)?.state;
      if (was === undefined || was === m.state) continue;
      const base = { group: g.group, interface: m.ifname, state: m.state, at };
      if (was === 'offline') out.push({ event: 'online', ...base });
      if (m.state === 'offline') out.push({ event: 'offline', ...base });
      else if ((m.state === 'failed' || m.state === 'missing') && was !== 'failed' && was !== 'missing') out.push({ event: 'interface-failed', ...base });
      else if (m.state === 'ok' && (was === 'failed' || was === 'missing')) out.push({ event: 'interface-repaired', ...base });
    }
  }

  // Moves: one address-moved per address, and one failover / failback per (from, to) pair.
  const pairs = new Map<string, { group: string; from: string; to: string; addresses: string[] }>();
  for (const c of r.changes) {
    if (c.kind !== 'address-moved') continue;
    out.push({ event: 'address-moved', group: c.group, interface: c.to, peer: c.from, addresses: [c.address], at });
    const key = `${c.group}|${c.from}|${c.to}`;
    const p = pairs.get(key) ?? { group: c.group, from: c.from, to: c.to, addresses: [] };
    p.addresses.push(c.address);
    pairs.set(key, p);
  }
  for (const p of pairs.values()) {
    const g = r.placement.groups.find((x) => x.group === p.group);
    const fromState = g?.members.find((m) => m.ifname === p.from)?.state ?? 'missing';
    const home = (a: string): string | undefined => g?.addresses.find((x) => x.address === a)?.home;
    if (DOWN_STATES.has(fromState)) {
      out.push({ event: 'failover', group: p.group, interface: p.from, peer: p.to, addresses: p.addresses, state: fromState, at });
    } else if (p.addresses.every((a) => home(a) === p.to)) {
      out.push({ event: 'failback', group: p.group, interface: p.to, peer: p.from, addresses: p.addresses, at });
    }
  }

  for (const c of r.changes) {
    if (c.kind !== 'group-state') continue;
    if (c.to === 'failed') out.push({ event: 'group-failed', group: c.group, state: c.to, at });
    else if (c.from === 'failed') out.push({ event: 'group-repaired', group: c.group, state: c.to, at });
  }
  return out;
}

/** Another host claims one of our addresses (src/dad/); not an engine change, reported alike. */
export function duplicateEvent(group: string, address: string, ifname: string | undefined, at: string): StateEvent {
  return { event: 'duplicate-address', group, addresses: [address], at, ...(ifname ? { interface: ifname } : {}) };
}
