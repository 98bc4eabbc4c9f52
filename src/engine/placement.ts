// Where each data address lives, given which members are active. Home-based spreading:
// an address sits on its home NIC while that NIC is active; a displaced NIC's addresses move
// together to an active standby first, else to the active member with the fewest data addresses
// (ties: config order). FAILBACK=yes pulls addresses home as soon as home is active again;
// FAILBACK=no leaves them where they are while their current NIC stays active.
// With no active member (group failure) nothing moves — unless the NIC holding an address no
// longer exists (renamed away, deleted) or has lost its link while another member's link is up:
// then it goes to a member that exists, one whose link is up first, so a client can still reach
// it over the routes that follow live links. (A group failure with every link up — all probe
// targets gone, e.g. a router reboot — still moves nothing, as in.mpathd.)

export interface AssignMember {
  name: string;
  standby: boolean;
  active: boolean;
  /** The NIC exists (default true). */
  present?: boolean;
  /** Its link is up, whatever the probes say (default false). */
  linkUp?: boolean;
}

export interface AssignAddress {
  address: string;
  home: string;
  up: boolean;
  /** Where it is now (null: never placed). */
  current: string | null;
}

export interface Assignment {
  nic: string | null;
  bound: boolean;
}

export function assignAddresses(
  members: AssignMember[],
  addresses: AssignAddress[],
  failback: boolean,
): Map<string, Assignment> {
  const out = new Map<string, Assignment>();
  const active = new Set(members.filter((m) => m.active).map((m) => m.name));
  const isMember = new Set(members.map((m) => m.name));
  const standby = new Set(members.filter((m) => m.standby).map((m) => m.name));

  if (active.size === 0) {
    // Group failure (or nothing usable yet): leave every address where it was; one never placed
    // waits on its home NIC so it stays configured for local services.
    const byName = new Map(members.map((m) => [m.name, m]));
    const linkUp = members.filter((m) => m.present !== false && m.linkUp);
    const refuge = linkUp[0]?.name ?? members.find((m) => m.present !== false)?.name ?? null;
    const stranded = (n: string): boolean => {
      const m = byName.get(n);
      if (!m || m.present === false) return true;
      return !m.linkUp && linkUp.length > 0;
    };
    for (const a of addresses) {
      let nic = a.up ? (a.current ?? (isMember.has(a.home) ? a.home : null)) : null;
      if (nic !== null && refuge !== null && stranded(nic)) nic = refuge;
      out.set(a.address, { nic, bound: false });
    }
    return out;
  }

  const counts = new Map<string, number>([...active].map((n) => [n, 0]));
  const displaced = new Map<string, AssignAddress[]>(); // by source NIC, first-seen order
  for (const a of addresses) {
    if (!a.up) {
      out.set(a.address, { nic: null, bound: false });
      continue;
    }
    let nic: string | null = null;
    const currentActive = a.current !== null && active.has(a.current);
    if (active.has(a.home) && (failback || !currentActive)) nic = a.home;
    else if (currentActive) nic = a.current;
    if (nic !== null) {
      out.set(a.address, { nic, bound: true });
      counts.set(nic, (counts.get(nic) ?? 0) + 1);
      continue;
    }
    const source = a.current ?? a.home;
    const list = displaced.get(source) ?? [];
    list.push(a);
    displaced.set(source, list);
  }

  for (const [source, list] of displaced) {
    const dest = pickDestination(members, counts, !standby.has(source));
    for (const a of list) out.set(a.address, { nic: dest, bound: true });
    counts.set(dest, (counts.get(dest) ?? 0) + list.length);
  }
  return out;
}

/** Active standby first (unless failing over from a standby), then fewest addresses, config order. */
function pickDestination(members: AssignMember[], counts: Map<string, number>, preferStandby: boolean): string {
  const fewest = (cands: AssignMember[]): string | undefined => {
    let best: AssignMember | undefined;
    for (const m of cands) {
      if (!best || (counts.get(m.name) ?? 0) < (counts.get(best.name) ?? 0)) best = m;
    }
    return best?.name;
  };
  const active = members.filter((m) => m.active);
  const standbyPick = preferStandby ? fewest(active.filter((m) => m.standby)) : undefined;
  const pick = standbyPick ?? fewest(active);
  if (pick === undefined) throw new Error('pickDestination called without an active member');
  return pick;
}
