// Compares two placements into advisory changes and the in.mpathd-style failover/failback logs.

import type { GroupPlacement, LogEvent, MemberPlacement, Placement, PlacementChange, RoutePlan } from './types.js';

export function diffPlacement(before: Placement, after: Placement): { changes: PlacementChange[]; log: LogEvent[] } {
  const changes: PlacementChange[] = [];
  const log: LogEvent[] = [];
  const old = new Map(before.groups.map((g) => [g.group, g]));
  const seen = new Set<string>();
  for (const g of after.groups) {
    seen.add(g.group);
    diffGroup(old.get(g.group), g, changes, log);
  }
  for (const g of before.groups) {
    if (seen.has(g.group)) continue;
    for (const a of g.addresses) {
      if (a.nic !== null) changes.push({ kind: 'address-unplaced', group: g.group, address: a.address, from: a.nic });
    }
    if (g.routes.length > 0) changes.push({ kind: 'routes-changed', group: g.group });
  }
  return { changes, log };
}

function diffGroup(prev: GroupPlacement | undefined, next: GroupPlacement, changes: PlacementChange[], log: LogEvent[]): void {
  const group = next.group;
  if (prev && prev.state !== next.state) changes.push({ kind: 'group-state', group, from: prev.state, to: next.state });

  const prevMembers = new Map((prev?.members ?? []).map((m) => [m.ifname, m]));
  for (const m of next.members) {
    const before = prevMembers.get(m.ifname);
    if (!before || !sameMember(before, m)) changes.push({ kind: 'member-changed', group, ifname: m.ifname });
  }

  const prevNic = new Map((prev?.addresses ?? []).map((a) => [a.address, a.nic]));
  const failedOver = new Set<string>();
  const failedBack = new Set<string>();
  for (const a of next.addresses) {
    const from = prevNic.get(a.address) ?? null;
    prevNic.delete(a.address);
    if (from === a.nic) continue;
    if (from === null && a.nic !== null) changes.push({ kind: 'address-placed', group, address: a.address, to: a.nic });
    else if (from !== null && a.nic === null) changes.push({ kind: 'address-unplaced', group, address: a.address, from });
    else if (from !== null && a.nic !== null) {
      changes.push({ kind: 'address-moved', group, address: a.address, from, to: a.nic });
      if (a.nic === a.home) failedBack.add(a.nic);
      else failedOver.add(`${from}\u0000${a.nic}`);
    }
  }
  for (const [address, from] of prevNic) {
    if (from !== null) changes.push({ kind: 'address-unplaced', group, address, from });
  }
  for (const pair of failedOver) {
    const [from = '', to = ''] = pair.split('\u0000');
    log.push({ level: 'info', ifname: from, group, msg: `Successfully failed over from NIC ${from} to NIC ${to}`, fields: { from, to } });
  }
  for (const to of failedBack) {
    log.push({ level: 'info', ifname: to, group, msg: `Successfully failed back to NIC ${to}`, fields: { to } });
  }

  if (routesKey(prev?.routes ?? []) !== routesKey(next.routes)) changes.push({ kind: 'routes-changed', group });
}

function sameMember(a: MemberPlacement, b: MemberPlacement): boolean {
  return a.active === b.active && a.inactive === b.inactive && a.failed === b.failed && a.offline === b.offline && a.hwaddrdup === b.hwaddrdup && a.adminOffline === b.adminOffline
    && a.standby === b.standby && a.link === b.link && a.probe === b.probe && a.state === b.state
    && a.nominee4 === b.nominee4 && a.nominee6 === b.nominee6 && a.present === b.present
    && a.testAddresses.length === b.testAddresses.length
    && a.testAddresses.every((t, i) => t.address === b.testAddresses[i]?.address);
}

function routesKey(routes: readonly RoutePlan[]): string {
  return routes.map((r) => `${r.family} ${r.dst} ${r.prefsrc ?? ''} ${r.purpose} ${r.nexthops.map((h) => `${h.ifname}/${h.gateway ?? ''}`).join(',')}`).join(';');
}
