// Probe targets of one instance (member × family × method): routers taken from the routing
// table first, else hosts that answered a multicast echo, at most MAX_PROBE_TARGETS of
// them probed round-robin. Dead or slow routers sit out MIN_RECOVERY_TIME; dead or slow
// hosts are dropped (and discovery runs again). Pure: times come in as arguments.
import { contains, isLinkLocalV6, parseAddress, type ParsedAddress } from '../net/addr.js';
import type { Route } from '../netlink/types.js';
import { MAX_PROBE_TARGETS, MIN_RECOVERY_TIME_MS } from './constants.js';
import { RttEstimator } from './rtt.js';

const NONE: readonly string[] = [];

export type TargetKind = 'router' | 'host';

export interface Target {
  address: string;
  kind: TargetKind;
  rtt: RttEstimator;
  state: 'active' | 'dead' | 'slow';
  /** When a dead/slow router is tried again. */
  retryAt?: number;
  /** Consecutive probes to this target that were lost, and when the first of them was sent. */
  lossRun: number;
  lossRunSince?: number;
  /** When this target last answered (ack time): another target's death needs a newer one. */
  lastAckAt?: number;
}

const RTN_UNICAST = 1;
const RT_TABLE_LOCAL = 255;

export interface RouterQuery {
  /** The test address with its prefix: targets must lie in its subnet. */
  test: ParsedAddress;
  /** ifindexes of the group's members (an IPv6 link-local next hop counts only on them). */
  memberIndexes: ReadonlySet<number>;
  /** Addresses of this host, never targets. */
  own: ReadonlySet<string>;
}

/**
 * Next hops of routes that lie in the test subnet, default routes first, each once
 * (in.mpathd: router targets are the gateways of off-subnet routes on the test subnet).
 */
export function routerCandidates(routes: readonly Route[], q: RouterQuery): string[] {
  const first: string[] = [];
  const rest: string[] = [];
  for (const r of routes) {
    if (r.family !== q.test.family || r.type !== RTN_UNICAST || r.table === RT_TABLE_LOCAL) continue;
    const hops = r.nexthops
      ? r.nexthops.map((n) => ({ gateway: n.gateway, ifindex: n.ifindex }))
      : [{ gateway: r.gateway, ifindex: r.oif }];
    for (const h of hops) {
      if (h.gateway === undefined) continue;
      const gw = parseAddress(h.gateway);
      if (!gw || !contains(q.test, gw) || q.own.has(gw.address)) continue;
      // Link-local scope is one link: only next hops reached over a group member qualify.
      if (isLinkLocalV6(gw) && (h.ifindex === undefined || !q.memberIndexes.has(h.ifindex))) continue;
      (r.dst === undefined ? first : rest).push(gw.address);
    }
  }
  return [...new Set([...first, ...rest])];
}

export class TargetTable {
  private routers: Target[] = [];
  private hosts: Target[] = [];
  private lastFired: string | undefined;

  /** Router candidates from the routing table; existing entries keep their statistics. */
  setRouters(addresses: readonly string[]): void {
    const old = new Map(this.routers.map((t) => [t.address, t]));
    this.routers = addresses.map((a) => old.get(a) ?? newTarget(a, 'router'));
    // Router targets always replace host targets.
    if (this.routers.length > 0) this.hosts = [];
  }

  /** A host that answered a multicast probe; false when not taken (routers exist, full, known). */
  addHost(address: string): boolean {
    if (this.routers.length > 0 || this.hosts.length >= MAX_PROBE_TARGETS) return false;
    if (this.hosts.some((t) => t.address === address)) return false;
    this.hosts.push(newTarget(address, 'host'));
    return true;
  }

  flushHosts(): void {
    this.hosts = [];
  }

  get mode(): 'routes' | 'multicast' {
    return this.routers.length > 0 ? 'routes' : 'multicast';
  }

  /** in.mpathd: while at most one host target is known, a multicast probe goes out every cycle. */
  needsDiscovery(): boolean {
    return this.routers.length === 0 && this.hosts.length <= 1;
  }

  /** Brings dead/slow routers back once their recovery time has passed (fresh statistics). */
  revive(now: number): readonly string[] {
    // Called every round: nothing allocated unless a target is due back.
    if (!this.routers.some((t) => t.state !== 'active' && t.retryAt !== undefined && now >= t.retryAt)) return NONE;
    const back: string[] = [];
    this.routers = this.routers.map((t) => {
      if (t.state === 'active' || t.retryAt === undefined || now < t.retryAt) return t;
      back.push(t.address);
      return newTarget(t.address, 'router');
    });
    return back;
  }

  /** Probed targets: up to MAX_PROBE_TARGETS usable routers, else the hosts. */
  active(): Target[] {
    if (this.routers.length > 0) return this.routers.filter((t) => t.state === 'active').slice(0, MAX_PROBE_TARGETS);
    return this.hosts.slice(0, MAX_PROBE_TARGETS);
  }

  get(address: string): Target | undefined {
    return this.routers.find((t) => t.address === address) ?? this.hosts.find((t) => t.address === address);
  }

  /** Round-robin: the active target after the one probed last. */
  next(): Target | undefined {
    const act = this.active();
    if (act.length === 0) return undefined;
    const i = act.findIndex((t) => t.address === this.lastFired);
    const t = act[(i + 1) % act.length] as Target;
    this.lastFired = t.address;
    return t;
  }

  /** Active targets in the order they will be probed from now on. */
  firingOrder(): string[] {
    const act = this.active().map((t) => t.address);
    const i = act.indexOf(this.lastFired ?? '');
    return [...act.slice(i + 1), ...act.slice(0, i + 1)];
  }

  /** Dead (missed while others answered) or slow: routers sit out, hosts are dropped. */
  retire(address: string, why: 'dead' | 'slow', now: number): void {
    const r = this.routers.find((t) => t.address === address);
    if (r) {
      r.state = why;
      r.retryAt = now + MIN_RECOVERY_TIME_MS;
      return;
    }
    this.hosts = this.hosts.filter((t) => t.address !== address);
  }

  /** Every known target (for FDT decisions over all of them). */
  all(): Target[] {
    return [...this.routers, ...this.hosts];
  }
}

function newTarget(address: string, kind: TargetKind): Target {
  return { address, kind, rtt: new RttEstimator(), state: 'active', lossRun: 0 };
}
