// Members' hardware addresses (IFLA_ADDRESS) for the engine's duplicate check (Solaris 11
// in.mpathd offlines a member whose MAC another member of its group has). Only changes are
// passed on, in ifindex order: of two NICs found with the same MAC at once, the one created
// later (higher ifindex) counts as having joined later and is the one offlined.
import type { Link } from '../netlink/types.js';

export interface HwaddrChange {
  ifname: string;
  mac: string | null;
}

export class MemberHwaddrs {
  private readonly fed = new Map<string, string | null>();

  /** Forget what was fed (new member set: the engine's records were rebuilt by name). */
  reset(): void {
    this.fed.clear();
  }

  /** The members whose hardware address differs from what the engine was last told. */
  changes(members: readonly string[], links: ReadonlyMap<number, Link>): HwaddrChange[] {
    const byName = new Map<string, Link>();
    for (const l of links.values()) byName.set(l.name, l);
    const rows = members.map((ifname) => {
      const l = byName.get(ifname);
      const mac = l?.mac !== undefined && !/^(00:)*00$/.test(l.mac) ? l.mac.toLowerCase() : null;
      return { ifname, mac, index: l?.index ?? Number.MAX_SAFE_INTEGER };
    });
    rows.sort((a, b) => a.index - b.index);
    const out: HwaddrChange[] = [];
    for (const r of rows) {
      if (this.fed.has(r.ifname) && this.fed.get(r.ifname) === r.mac) continue;
      this.fed.set(r.ifname, r.mac);
      out.push({ ifname: r.ifname, mac: r.mac });
    }
    for (const n of [...this.fed.keys()]) if (!members.includes(n)) this.fed.delete(n);
    return out;
  }
}
