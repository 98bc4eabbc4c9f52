// Intent vs the kernel's view → the netlink changes that close the gap. Pure: the same
// function serves the daemon, the 20 s invariant check and `ipmpctl plan`.
import { IFA_F_NODAD, IFA_F_NOPREFIXROUTE, IFA_F_SECONDARY, RT_TABLE_MAIN } from '../netlink/constants.js';
import type { Address, AddressSpec, Link, Route, RouteSpec } from '../netlink/types.js';
import { RTPROT_IPMPD, type AddressIntent, type Intent, type RouteIntent } from './intent.js';

export interface KernelView {
  links: Iterable<Link>;
  addresses: Iterable<Address>;
  routes: Iterable<Route>;
}

export type Change =
  | { kind: 'link-up'; ifname: string; index: number }
  | { kind: 'add-address'; ifname: string; spec: AddressSpec; intent: AddressIntent; replaces: boolean }
  | { kind: 'delete-address'; ifname: string; spec: AddressSpec }
  | { kind: 'replace-route'; spec: RouteSpec; intent: RouteIntent }
  | { kind: 'delete-route'; spec: RouteSpec };

const FOREVER = 0xffffffff;

function linkIndex(links: Iterable<Link>): Map<string, Link> {
  const m = new Map<string, Link>();
  for (const l of links) m.set(l.name, l);
  return m;
}

export function addressSpecFor(a: AddressIntent, index: number): AddressSpec {
  return {
    family: a.family,
    index,
    address: a.address,
    prefixLen: a.prefixLen,
    // ipmpd owns the prefix routes (they must follow failures); IPv6 moves must be usable at once.
    flags: IFA_F_NOPREFIXROUTE | (a.family === 6 ? IFA_F_NODAD : 0),
    preferredLft: a.family === 6 && a.deprecated ? 0 : FOREVER,
    validLft: FOREVER,
  };
}

function addressIsRight(have: Address, want: AddressIntent): boolean {
  if (have.prefixLen !== want.prefixLen) return false;
  if ((have.flags & IFA_F_NOPREFIXROUTE) === 0) return false;
  if (want.family === 6 && want.deprecated && have.preferredLft !== undefined && have.preferredLft !== 0) return false;
  return true;
}

/** `index|address` pairs ipmpd itself placed (the writer's record, kept across restarts). */
export type OwnedAddresses = ReadonlySet<string>;
export const ownedKey = (index: number, address: string): string => `${index}|${address}`;

/**
 * Interfaces to bring up, addresses to add (or fix) and to remove. Adds come first so a move
 * never leaves a gap. Copies are removed from members, and from any other NIC where ipmpd
 * itself placed them (`owned`): a member renamed away, or one dropped from the configuration.
 */
export function planAddressChanges(intent: Intent, view: KernelView, owned: OwnedAddresses = new Set()): Change[] {
  const links = linkIndex(view.links);
  const byIndex = new Map<number, Link>();
  for (const l of links.values()) byIndex.set(l.index, l);
  const members = new Set(intent.members);
  const changes: Change[] = [];

  for (const name of intent.members) {
    const l = links.get(name);
    if (l && !l.up) changes.push({ kind: 'link-up', ifname: name, index: l.index });
  }

  const present = new Map<string, Address[]>(); // "ifname|address" → kernel entries
  const primaries = new Set<string>(); // "index|address" of IPv4 primaries
  for (const a of view.addresses) {
    if (a.family === 4 && (a.flags & IFA_F_SECONDARY) === 0) primaries.add(`${a.index}|${a.local}`);
    const l = byIndex.get(a.index);
    if (!l || (!members.has(l.name) && !owned.has(ownedKey(a.index, a.local)))) continue;
    const key = `${l.name}|${a.local}`;
    present.set(key, [...(present.get(key) ?? []), a]);
  }

  const wanted = new Set<string>();
  // An address whose chosen NIC does not exist cannot be added: its other copies stay, so
  // no address is ever deleted without a home to go to.
  const homeless = new Set<string>();
  for (const want of intent.addresses) {
    const l = links.get(want.ifname);
    if (!l) {
      homeless.add(want.address);
      continue;
    }
    const key = `${want.ifname}|${want.address}`;
    wanted.add(key);
    const have = present.get(key);
    if (have?.some((h) => addressIsRight(h, want))) continue;
    for (const h of have ?? []) {
      if (h.prefixLen !== want.prefixLen) {
        changes.push({ kind: 'delete-address', ifname: want.ifname, spec: { family: h.family, index: h.index, address: h.local, prefixLen: h.prefixLen } });
      }
    }
    const replaces = (have ?? []).some((h) => h.prefixLen === want.prefixLen);
    changes.push({ kind: 'add-address', ifname: want.ifname, spec: addressSpecFor(want, l.index), intent: want, replaces });
  }

  const managed = new Set(intent.managed);
  for (const [key, entries] of present) {
    if (wanted.has(key)) continue;
    const [ifname] = key.split('|');
    for (const h of entries) {
      if (!managed.has(h.local) && !owned.has(ownedKey(h.index, h.local))) continue;
      if (homeless.has(h.local)) continue;
      changes.push({ kind: 'delete-address', ifname: ifname ?? '', spec: { family: h.family, index: h.index, address: h.local, prefixLen: h.prefixLen } });
    }
  }
  // Adds before deletes: the new home answers before the old one stops. Secondaries are
  // deleted before primaries: removing a primary first promotes a secondary and rebuilds its
  // routes, once per remaining address — quadratic work in the kernel for a large move.
  const deletes = changes.filter((c) => c.kind === 'delete-address');
  const isPrimary = (c: Change): boolean => c.kind === 'delete-address' && primaries.has(`${c.spec.index}|${c.spec.address}`);
  return [
    ...changes.filter((c) => c.kind === 'link-up'),
    ...changes.filter((c) => c.kind === 'add-address'),
    ...deletes.filter((c) => !isPrimary(c)),
    ...deletes.filter((c) => isPrimary(c)),
  ];
}

/** Metric per kind of route: IPv6 prefix routes take the kernel's own 256 so they replace it. */
function priorityFor(r: { family: 4 | 6; dstLen: number }): number {
  if (r.family === 4) return 0;
  return r.dstLen === 0 ? 1024 : 256;
}

function routeKey(family: number, dst: string | undefined, dstLen: number): string {
  return `${family}|${dstLen === 0 ? 'default' : dst}/${dstLen}`;
}

function nexthopSet(r: Route): string {
  const hops = r.nexthops?.length ? r.nexthops.map((n) => `${n.ifindex}/${n.gateway ?? ''}`) : [`${r.oif ?? 0}/${r.gateway ?? ''}`];
  return hops.sort().join(',');
}

export function routeSpecFor(r: RouteIntent, links: Map<string, Link>): RouteSpec | undefined {
  const hops = r.nexthops.flatMap((h) => {
    const l = links.get(h.ifname);
    return l ? [{ ifindex: l.index, ...(h.gateway ? { gateway: h.gateway } : {}), weight: 1 }] : [];
  });
  if (hops.length === 0) return undefined;
  // The kernel refuses device-only IPv6 nexthops in a multipath route ("Device only routes
  // can not be added for IPv6 using the multipath API"): an on-link IPv6 prefix uses the
  // first active member; the route set still follows every failure and repair.
  if (r.family === 6 && hops.length > 1 && hops.some((h) => !h.gateway)) hops.splice(1);
  const base: RouteSpec = {
    family: r.family,
    table: RT_TABLE_MAIN,
    protocol: RTPROT_IPMPD,
    ...(r.dstLen > 0 ? { dst: r.dst } : {}),
    dstLen: r.dstLen,
    priority: priorityFor(r),
    ...(r.prefsrc ? { prefsrc: r.prefsrc } : {}),
  };
  const [only] = hops;
  if (hops.length === 1 && only) {
    return { ...base, oif: only.ifindex, ...(only.gateway ? { gateway: only.gateway } : {}) };
  }
  return { ...base, nexthops: hops };
}

function specNexthops(s: RouteSpec): string {
  const hops = s.nexthops?.length ? s.nexthops.map((n) => `${n.ifindex}/${n.gateway ?? ''}`) : [`${s.oif ?? 0}/${s.gateway ?? ''}`];
  return hops.sort().join(',');
}

/**
 * A route's source must exist in the kernel now, or the kernel refuses the route (EINVAL
 * "Invalid prefsrc") and the subnet is left without one. With `present` (the addresses in the
 * kernel after this run's address changes), a missing source is replaced by another data
 * address of the same group and family that is present, or dropped.
 */
function usableSource(want: RouteIntent, intent: Intent, present: ReadonlySet<string> | undefined): RouteIntent {
  if (!want.prefsrc || !present || present.has(want.prefsrc)) return want;
  const alt = intent.addresses.find((a) => a.role === 'data' && a.group === want.group && a.family === want.family && present.has(a.address));
  const { prefsrc: _dropped, ...rest } = want;
  return alt ? { ...rest, prefsrc: alt.address } : rest;
}

/** Routes to replace (missing or different) and ipmpd-owned routes no longer wanted. */
export function planRouteChanges(intent: Intent, view: KernelView, present?: ReadonlySet<string>): Change[] {
  const links = linkIndex(view.links);
  const kernel = new Map<string, Route[]>();
  for (const r of view.routes) {
    if (r.table !== RT_TABLE_MAIN) continue;
    const k = routeKey(r.family, r.dst, r.dstLen);
    kernel.set(k, [...(kernel.get(k) ?? []), r]);
  }
  const changes: Change[] = [];
  const wanted = new Set<string>();
  for (const asked of intent.routes) {
    const want = usableSource(asked, intent, present);
    const spec = routeSpecFor(want, links);
    if (!spec) continue;
    const k = routeKey(want.family, want.dst, want.dstLen);
    wanted.add(k);
    const same = (kernel.get(k) ?? []).find((r) => (r.priority ?? 0) === spec.priority);
    if (same && same.protocol === RTPROT_IPMPD && nexthopSet(same) === specNexthops(spec) && (same.prefsrc ?? '') === (spec.prefsrc ?? '')) continue;
    changes.push({ kind: 'replace-route', spec, intent: want });
  }
  for (const [k, routes] of kernel) {
    if (wanted.has(k)) continue;
    for (const r of routes) {
      if (r.protocol !== RTPROT_IPMPD) continue;
      changes.push({
        kind: 'delete-route',
        spec: { family: r.family, table: r.table, protocol: r.protocol, dst: r.dst, dstLen: r.dstLen, ...(r.priority !== undefined ? { priority: r.priority } : {}) },
      });
    }
  }
  return changes;
}

/** One line per change, for logs and `ipmpctl plan`. */
export function describeChange(c: Change, nameOf: (index: number) => string): string {
  switch (c.kind) {
    case 'link-up':
      return `link ${c.ifname} up`;
    case 'add-address':
      return `address ${c.replaces ? 'replace' : 'add'} ${c.spec.address}/${c.spec.prefixLen} dev ${c.ifname} (${c.intent.role}${c.intent.deprecated ? ', deprecated' : ''}) noprefixroute${c.spec.family === 6 ? ' nodad' : ''}`;
    case 'delete-address':
      return `address del ${c.spec.address}/${c.spec.prefixLen} dev ${c.ifname}`;
    case 'replace-route':
    case 'delete-route': {
      const s = c.spec;
      const dst = s.dstLen === 0 ? 'default' : `${s.dst}/${s.dstLen}`;
      const hops = s.nexthops?.length
        ? s.nexthops.map((n) => `nexthop${n.gateway ? ` via ${n.gateway}` : ''} dev ${nameOf(n.ifindex)}`).join(' ')
        : `${s.gateway ? `via ${s.gateway} ` : ''}${s.oif !== undefined ? `dev ${nameOf(s.oif)}` : ''}`.trim();
      return c.kind === 'delete-route'
        ? `route del ${dst}${s.priority ? ` metric ${s.priority}` : ''}`
        : `route replace ${dst} ${hops}${s.prefsrc ? ` src ${s.prefsrc}` : ''}${s.priority ? ` metric ${s.priority}` : ''} proto ipmpd`;
    }
  }
}
