// Pure derivations behind the metrics: engine results, writer reports, status snapshots and
// probe records in, plain numbers and labels out. No prom-client here, so each rule is unit
// tested on its own and the registry (registry.ts) only stores what these return.
import type { ProbeRecord, StatusSnapshot } from '../control/status.js';
import type { MemberPlacement, Placement, PlacementChange } from '../engine/types.js';
import { GROUP_STATES, INTERFACE_STATES, LINK_STATES, PROBE_STATES } from './states.js';

export type TransitionReason = 'link' | 'probe' | 'offline';

export interface Transition {
  kind: 'failover' | 'failback';
  group: string;
  /** failover: the member the addresses left; failback: the member they returned to. */
  ifname: string;
  reason: TransitionReason;
}

/** Why a member cannot hold addresses: offline wins (an operator's act), then link, then probes. */
function failureReason(m: MemberPlacement | undefined): TransitionReason | undefined {
  if (!m) return 'link';
  if (m.offline) return 'offline';
  if (!m.present || m.link === 'down') return 'link';
  if (m.probe === 'failed') return 'probe';
  return undefined;
}

function member(p: Placement | undefined, group: string, ifname: string): MemberPlacement | undefined {
  return p?.groups.find((g) => g.group === group)?.members.find((m) => m.ifname === ifname);
}

/**
 * Failovers and failbacks of one engine step, one per (group, member) whatever the number of
 * addresses moved. A failover: addresses left a member that is now unusable (the reason is
 * why). A failback: addresses returned to their home member, which was unusable before the
 * step (the reason is its failover's, from failedOverFor, else what kept it out). Moves between healthy members count as neither.
 */
export function transitions(
  prev: Placement | undefined, next: Placement, changes: readonly PlacementChange[],
  failedOverFor: (group: string, ifname: string) => TransitionReason | undefined = () => undefined,
): Transition[] {
  const out = new Map<string, Transition>();
  for (const c of changes) {
    if (c.kind !== 'address-moved') continue;
    const out1 = failureReason(member(next, c.group, c.from));
    if (out1 && !member(next, c.group, c.from)?.active) {
      out.set(`failover|${c.group}|${c.from}`, { kind: 'failover', group: c.group, ifname: c.from, reason: out1 });
      continue;
    }
    const home = next.groups.find((g) => g.group === c.group)?.addresses.find((a) => a.address === c.address || a.address.split('/')[0] === c.address)?.home;
    const before = member(prev, c.group, c.to);
    // The state before the step is not enough: a member whose link came back re-earns its
    // probes (they read failed or unknown) before it is repaired, yet the cause was the link.
    // So the cause its failover recorded wins; the state before is the fallback.
    const back = before && !before.active ? (failedOverFor(c.group, c.to) ?? failureReason(before) ?? (before.failed ? 'link' : undefined)) : undefined;
    if (home === c.to && back) out.set(`failback|${c.group}|${c.to}`, { kind: 'failback', group: c.group, ifname: c.to, reason: back });
  }
  return [...out.values()];
}

/**
 * A writer run that was not driven by the engine but still changed the kernel repaired drift.
 * Its reason is free text (it names addresses and NICs); labels need a small fixed set.
 */
export type RepairCause = 'invariant-check' | 'resync' | 'address' | 'route' | 'link' | 'other';

export function repairCause(reason: string): RepairCause {
  if (reason === 'invariant check') return 'invariant-check';
  if (reason === 'resync') return 'resync';
  if (reason.startsWith('address ')) return 'address';
  if (reason === 'ipmpd route removed') return 'route';
  if (reason.endsWith(' set down by hand')) return 'link';
  return 'other';
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** One 0/1 sample per possible state (the Prometheus "enum" pattern): absent states still read 0. */
function oneHot(base: Record<string, string>, states: readonly string[], current: string): Sample[] {
  return states.map((state) => ({ labels: { ...base, state }, value: state === current ? 1 : 0 }));
}

export interface StateSamples {
  group: Sample[];
  link: Sample[];
  probe: Sample[];
  iface: Sample[];
  active: Sample[];
}

/** The state gauges, computed at scrape time from ipmpstat's snapshot. */
export function stateSamples(s: StatusSnapshot): StateSamples {
  const out: StateSamples = { group: [], link: [], probe: [], iface: [], active: [] };
  for (const g of s.groups) out.group.push(...oneHot({ group: g.groupname }, GROUP_STATES, g.state));
  for (const i of s.interfaces) {
    const base = { group: i.group, interface: i.interface };
    out.link.push(...oneHot(base, LINK_STATES, i.link));
    out.probe.push(...oneHot(base, PROBE_STATES, i.probe));
    out.iface.push(...oneHot(base, INTERFACE_STATES, i.state));
    out.active.push({ labels: base, value: i.active ? 1 : 0 });
  }
  return out;
}

export interface ProbeObservation {
  interface: string;
  outcome: 'acked' | 'lost';
  /** Round trip in seconds (Prometheus base unit); only for acked probes with a measured RTT. */
  rttSeconds?: number;
}

export function probeObservations(records: readonly ProbeRecord[]): ProbeObservation[] {
  return records.map((r) => {
    const rtt = r.outcome === 'acked' ? (r.netRttMs ?? r.rttMs) : null;
    return { interface: r.interface, outcome: r.outcome, ...(rtt !== null && rtt >= 0 ? { rttSeconds: rtt / 1000 } : {}) };
  });
}
