// Which kernel link is each configured member, by name *and* ifindex. A member is the link
// that carries its name now: renaming a member away is the member leaving (its addresses fail
// over), and a link taking a member's name — a renamed one, or a recreated veth — joins.
// Every link notification comes through observe(), whatever its name, because a rename is a
// change to a link that no longer has a member's name.
import { linkUsable } from '../engine/link-usable.js';
import type { IpmpConfig } from '../config/model.js';
import type { Logger } from '../log.js';
import type { Link } from '../netlink/types.js';

export type LinkVerdict = boolean | 'missing';

export interface MemberChange {
  name: string;
  verdict: LinkVerdict;
  /** The verdict before (undefined: first observation). */
  was: LinkVerdict | undefined;
  /** Set when the member's old link still exists under another name. */
  renamedTo?: string;
  /** Set when a link (new, or renamed) took the member's name. */
  joinedIndex?: number;
}

export class MemberLinks {
  private readonly bound = new Map<string, number>();
  private readonly fed = new Map<string, LinkVerdict>();
  private names: string[] = [];

  setMembers(names: string[]): void {
    this.names = names;
    for (const n of [...this.bound.keys()]) if (!names.includes(n)) this.bound.delete(n);
    this.fed.clear();
  }

  get members(): readonly string[] {
    return this.names;
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }

  verdict(name: string): LinkVerdict | undefined {
    return this.fed.get(name);
  }

  /** Members whose link is usable now. */
  usable(): string[] {
    return this.names.filter((n) => this.fed.get(n) === true);
  }

  /** Re-reads every member from the links as they are; returns the members whose verdict changed. */
  observe(links: ReadonlyMap<number, Link>): MemberChange[] {
    const byName = new Map<string, Link>();
    for (const l of links.values()) byName.set(l.name, l);
    const changes: MemberChange[] = [];
    for (const name of this.names) {
      const l = byName.get(name);
      const before = this.bound.get(name);
      const change: MemberChange = { name, verdict: l ? linkUsable(l) : 'missing', was: this.fed.get(name) };
      if (l && before !== l.index) {
        this.bound.set(name, l.index);
        if (before !== undefined) change.joinedIndex = l.index;
      } else if (!l && before !== undefined) {
        this.bound.delete(name);
        const old = links.get(before);
        if (old) change.renamedTo = old.name;
      }
      if (this.fed.get(name) === change.verdict && change.renamedTo === undefined && change.joinedIndex === undefined) continue;
      this.fed.set(name, change.verdict);
      changes.push(change);
    }
    return changes;
  }
}

/** The in.mpathd-style lines for a member leaving by rename, or a link taking a member's name. */
export function logMembership(c: MemberChange, config: IpmpConfig, log: Logger): void {
  const group = config.groups.find((g) => g.interfaces.some((i) => i.name === c.name))?.name ?? '(anonymous)';
  if (c.renamedTo !== undefined) log.warn({ ifname: c.name, group, renamedTo: c.renamedTo }, `${c.name} was renamed to ${c.renamedTo}; it leaves group ${group}`);
  if (c.joinedIndex !== undefined) log.warn({ ifname: c.name, group, ifindex: c.joinedIndex }, `${c.name} is now the link with index ${c.joinedIndex}; it joins group ${group}`);
}
