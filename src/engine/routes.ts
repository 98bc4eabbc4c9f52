// Route intent for one group. Linux owns addresses per host, so which NIC carries outbound
// traffic and which source it uses is decided by routes, not by where addresses sit:
// - outbound-spread: each data subnet's prefix route is multipath over every active member;
//   the default route is multipath over (router × active member) — the kernel hashes flows (L4).
// - active-standby: the prefix route goes via the NIC(s) currently holding the subnet's data
//   addresses; the default route via the routers over those NICs.
// prefsrc: the first up, non-deprecated data address of the subnet (config order); if all are
// deprecated, the first up data address. It is never a test address, so unbound sockets never
// pick a test address as source; probe sockets bind their test address explicitly, which wins.
// Test subnets that no data subnet covers get a 'test-subnet' route via the members with a test
// address there, with prefsrc = the group's first data address of that family (omitted if the
// group has none, in which case only the test address can be a source there).
// IPv6 link-local routers are reachable over every member; others must lie in a data subnet.

import type { PlacementMode } from '../config/model.js';
import { contains, isLinkLocalV6, mustParse, networkOf, type Family, type ParsedAddress } from '../net/addr.js';
import type { RoutePlan, RouteNexthop } from './types.js';

export interface RouteAddress {
  address: string;
  nic: string | null;
  up: boolean;
  deprecated: boolean;
}

export interface RouteMember {
  name: string;
  active: boolean;
  testAddresses: string[];
}

interface Subnet {
  family: Family;
  net: ParsedAddress;
  dst: string;
  prefsrc: string | undefined;
  holders: string[];
}

export function computeRoutes(
  mode: PlacementMode,
  members: RouteMember[],
  addresses: RouteAddress[],
  defaultRouters: string[],
): RoutePlan[] {
  const memberOrder = members.map((m) => m.name);
  const active = members.filter((m) => m.active).map((m) => m.name);
  const subnets = dataSubnets(addresses, memberOrder);
  const routes: RoutePlan[] = [];
  const via = (s: Subnet): string[] => (mode === 'outbound-spread' ? active : s.holders);

  for (const s of subnets) {
    const nexthops = via(s).map((ifname) => ({ ifname }));
    if (nexthops.length === 0) continue;
    routes.push(withSrc({ family: s.family, dst: s.dst, nexthops, purpose: 'prefix' }, s.prefsrc));
  }

  for (const family of [4, 6] as const) {
    const nexthops: RouteNexthop[] = [];
    let prefsrc: string | undefined;
    for (const r of defaultRouters) {
      const router = mustParse(r);
      if (router.family !== family) continue;
      const famSubnets = subnets.filter((s) => s.family === family);
      const subnet = isLinkLocalV6(router) ? famSubnets[0] : famSubnets.find((s) => contains(s.net, router));
      if (!subnet) continue;
      const ifnames = isLinkLocalV6(router)
        ? mode === 'outbound-spread' ? active : unique(famSubnets.flatMap((s) => s.holders), memberOrder)
        : via(subnet);
      if (ifnames.length === 0) continue;
      prefsrc ??= subnet.prefsrc;
      for (const ifname of ifnames) nexthops.push({ ifname, gateway: router.address });
    }
    if (nexthops.length > 0) routes.push(withSrc({ family, dst: 'default', nexthops, purpose: 'default' }, prefsrc));
  }

  routes.push(...testSubnetRoutes(members, subnets));
  return routes;
}

function dataSubnets(addresses: RouteAddress[], memberOrder: string[]): Subnet[] {
  const byDst = new Map<string, Subnet & { fallbackSrc: string }>();
  for (const a of addresses) {
    if (!a.up) continue;
    const p = mustParse(a.address);
    const dst = networkOf(p);
    let s = byDst.get(dst);
    if (!s) {
      s = { family: p.family, net: p, dst, prefsrc: undefined, holders: [], fallbackSrc: p.address };
      byDst.set(dst, s);
    }
    if (!a.deprecated && s.prefsrc === undefined) s.prefsrc = p.address;
    if (a.nic !== null && !s.holders.includes(a.nic)) s.holders.push(a.nic);
  }
  return [...byDst.values()].map((s) => ({
    family: s.family,
    net: s.net,
    dst: s.dst,
    prefsrc: s.prefsrc ?? s.fallbackSrc,
    holders: unique(s.holders, memberOrder),
  }));
}

function testSubnetRoutes(members: RouteMember[], subnets: Subnet[]): RoutePlan[] {
  const byDst = new Map<string, { family: Family; ifnames: string[] }>();
  for (const m of members) {
    for (const t of m.testAddresses) {
      const p = mustParse(t);
      if (isLinkLocalV6(p)) continue; // the kernel's fe80::/64 route serves probing
      if (subnets.some((s) => contains(s.net, p) || contains(p, s.net))) continue;
      const dst = networkOf(p);
      const entry = byDst.get(dst) ?? { family: p.family, ifnames: [] };
      if (!entry.ifnames.includes(m.name)) entry.ifnames.push(m.name);
      byDst.set(dst, entry);
    }
  }
  return [...byDst].map(([dst, e]) =>
    withSrc(
      { family: e.family, dst, nexthops: e.ifnames.map((ifname) => ({ ifname })), purpose: 'test-subnet' },
      subnets.find((s) => s.family === e.family)?.prefsrc,
    ),
  );
}

function withSrc(r: RoutePlan, prefsrc: string | undefined): RoutePlan {
  return prefsrc === undefined ? r : { ...r, prefsrc };
}

/** Deduplicate and sort by config order so route sets compare stably. */
function unique(names: string[], order: string[]): string[] {
  return [...new Set(names)].sort((a, b) => rank(order, a) - rank(order, b));
}

function rank(order: string[], n: string): number {
  const i = order.indexOf(n);
  return i < 0 ? order.length : i;
}
