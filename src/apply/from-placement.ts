// Engine placement (group terms) → Intent (kernel terms). Test addresses stay on their own
// NIC; data addresses go where the engine put them; every configured address is "managed".
import { trackedGroups } from '../config/anonymous.js';
import type { IpmpConfig } from '../config/model.js';
import type { Placement } from '../engine/types.js';
import { isLinkLocalV6, mustParse } from '../net/addr.js';
import type { AddressIntent, Intent, RouteIntent } from './intent.js';

function splitPrefix(text: string): { address: string; prefixLen: number } {
  const p = mustParse(text);
  return { address: p.address, prefixLen: p.prefixLen };
}

const isLinkLocal6 = (a: string): boolean => isLinkLocalV6(mustParse(a));

/** Every address the configuration names (without prefix): what ipmpd manages. */
export function managedAddresses(config: IpmpConfig): Set<string> {
  const managed = new Set<string>();
  for (const g of trackedGroups(config)) {
    for (const m of g.interfaces) for (const t of m.testAddresses) managed.add(splitPrefix(t).address);
    for (const d of g.dataAddresses) managed.add(splitPrefix(d.address).address);
  }
  return managed;
}

export function intentFromPlacement(placement: Placement, config: IpmpConfig): Intent {
  const addresses: AddressIntent[] = [];
  const routes: RouteIntent[] = [];
  const healthy: string[] = [];
  const managed = managedAddresses(config);
  for (const g of placement.groups) {
    for (const m of g.members) if (m.present && !m.failed && !m.offline) healthy.push(m.ifname);
    for (const m of g.members) {
      // An offline NIC's test addresses go down, as if_mpadm -d takes them down; a NIC that
      // in.mpathd offlined for a duplicate hardware address keeps them (it is not probed).
      if (!m.present || m.adminOffline) continue;
      for (const t of m.testAddresses) {
        const { address, prefixLen } = splitPrefix(t.address);
        // IPv6 link-local test addresses are never chosen for global destinations anyway;
        // any other test address is marked deprecated so it is never a preferred source.
        addresses.push({ group: g.group, ifname: m.ifname, family: t.family, address, prefixLen, role: 'test', deprecated: !(t.family === 6 && isLinkLocal6(address)) });
      }
    }
    for (const a of g.addresses) {
      if (a.nic === null || !a.up) continue;
      const { address, prefixLen } = splitPrefix(a.address);
      addresses.push({ group: g.group, ifname: a.nic, family: a.family, address, prefixLen, role: 'data', deprecated: a.deprecated });
    }
    for (const r of g.routes) {
      const isDefault = r.dst === 'default';
      const { address, prefixLen } = isDefault ? { address: r.family === 4 ? '0.0.0.0' : '::', prefixLen: 0 } : splitPrefix(r.dst);
      routes.push({
        group: g.group, family: r.family, dst: address, dstLen: prefixLen,
        nexthops: r.nexthops.map((h) => ({ ifname: h.ifname, ...(h.gateway ? { gateway: h.gateway } : {}) })),
        ...(r.prefsrc ? { prefsrc: splitPrefix(r.prefsrc).address } : {}),
      });
    }
  }
  return {
    members: trackedGroups(config).flatMap((g) => g.interfaces.map((i) => i.name)),
    addresses,
    routes: mergeSharedRoutes(routes),
    managed: [...managed],
    healthy,
  };
}

/**
 * The kernel has one route per destination: when two groups both route one (typically each a
 * default route via its own router), they become one multipath route over both groups' next
 * hops — as Solaris spreads over several default routers — instead of replacing each other on
 * every run. The first group's source stays. IPv6 routes without a gateway are the exception:
 * the kernel refuses device-only IPv6 multipath, so the first group's route stands.
 */
export function mergeSharedRoutes(routes: RouteIntent[]): RouteIntent[] {
  const byDst = new Map<string, RouteIntent>();
  const out: RouteIntent[] = [];
  for (const r of routes) {
    const key = `${r.family}|${r.dst}/${r.dstLen}`;
    const first = byDst.get(key);
    if (!first) {
      const copy = { ...r, nexthops: [...r.nexthops] };
      byDst.set(key, copy);
      out.push(copy);
      continue;
    }
    if (r.family === 6 && [...first.nexthops, ...r.nexthops].some((h) => h.gateway === undefined)) continue;
    for (const h of r.nexthops) {
      if (!first.nexthops.some((x) => x.ifname === h.ifname && x.gateway === h.gateway)) first.nexthops.push(h);
    }
  }
  return out;
}
