// Addresses another host has claimed (src/dad/ reports them). Each claim is logged as an
// error naming the address, the NIC that heard it and the claimer's MAC; the address shows
// as 'duplicate' in ipmpstat -a for a while; and each claimer is answered once (RFC 5227
// defend-once) — ipmpd never fights an address war.
import type { Conflict } from '../dad/conflict-watch.js';
import type { Logger } from '../log.js';

/** An address stays 'duplicate' this long after the last claim by another host. */
const DUPLICATE_HOLD_MS = 60_000;

interface Mark { at: number; defended: Set<string> }

export class DuplicateMarks {
  private readonly marks = new Map<string, Mark>();

  constructor(private readonly log: Logger, private readonly now: () => number) {}

  /** `defend` sends the one frame and names the NIC it went out on (undefined: not placed here). */
  claimed(c: Conflict, role: 'data' | 'test', defend: () => string | undefined): void {
    const mark = this.marks.get(c.address) ?? { at: c.at, defended: new Set<string>() };
    mark.at = c.at;
    this.marks.set(c.address, mark);
    let defence = 'already defended once; not fighting';
    if (!mark.defended.has(c.mac)) {
      mark.defended.add(c.mac);
      const from = defend();
      defence = from ? `defending once from ${from}` : 'not placed here; not defending';
    }
    this.log.error({ address: c.address, ifname: c.ifname, mac: c.mac, kind: c.kind, role },
      `duplicate ${role} address ${c.address} detected on ${c.ifname}: claimed by ${c.mac}; ${defence}`);
  }

  /** Addresses claimed by another host within the hold time. */
  current(): Set<string> {
    const t = this.now();
    for (const [a, m] of this.marks) if (t - m.at > DUPLICATE_HOLD_MS) this.marks.delete(a);
    return new Set(this.marks.keys());
  }
}
