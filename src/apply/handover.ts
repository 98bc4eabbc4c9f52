// Make-before-break for data addresses leaving a healthy member (failback on repair,
// if_mpadm -r, FAILBACK moves of outbound-spread addresses). The writer adds the address at
// its new home and sends the first announcement; the old copy keeps answering — replies
// already on their way to the old NIC, peers that have not heard the announcement yet — and
// is deleted only when the group's grace (announce.failbackGraceMs) has passed since that
// first frame. Leaving a NIC that failed, went offline or lost its link, nothing waits.
// Bookkeeping and one timer only; the deletions themselves are the writer's next run.
import { linkUsable } from '../engine/link-usable.js';
import type { Logger } from '../log.js';
import type { Link } from '../netlink/types.js';
import type { Intent } from './intent.js';
import type { Change } from './kernel-diff.js';

interface Handover { address: string; group: string; toIndex: number; due: number }

export interface HoldContext {
  intent: Intent;
  links: ReadonlyMap<number, Link>;
  /** Data addresses this run placed at a new home: address → that NIC's index. */
  placed: ReadonlyMap<string, number>;
  /** When this run's first announcement left (performance.now()). */
  announcedAt: number;
  graceFor: (group: string) => number;
}

export class Handovers {
  /** By address: where it is going and when its old copies may go. */
  private pending = new Map<string, Handover>();
  private timer: NodeJS.Timeout | undefined;

  /** `wake` asks for a writer run once a grace is over (the daemon routes it through its event path). */
  constructor(private readonly wake: (reason: string) => void, private readonly log: Logger, private readonly now = (): number => performance.now()) {}

  /**
   * Start of a run: handovers whose address the intent now wants somewhere else (its new home
   * failed again, a reload moved it) or nowhere are cancelled. Returns the cancelled addresses
   * the intent still places: peers may have heard the abandoned home, so they are announced
   * again from where the address stays.
   */
  settle(intent: Intent, indexOf: (ifname: string) => number | undefined): string[] {
    const again: string[] = [];
    for (const [address, h] of this.pending) {
      const want = intent.addresses.find((a) => a.role === 'data' && a.address === address);
      if (want && indexOf(want.ifname) === h.toIndex) continue;
      this.pending.delete(address);
      if (want) again.push(address);
    }
    return again;
  }

  /** The deletions to make now; the rest (old copies on healthy members inside their grace) wait. */
  hold(deletes: Change[], ctx: HoldContext): Change[] {
    const now = this.now();
    const healthy = new Set(ctx.intent.healthy ?? []);
    const kept = new Map<string, Handover>();
    const heldOn = new Map<string, { grace: number; addresses: string[] }>(); // "from → to", for the log
    const out = deletes.filter((c) => {
      if (c.kind !== 'delete-address') return true;
      const want = ctx.intent.addresses.find((a) => a.role === 'data' && a.address === c.spec.address);
      if (!want || want.ifname === c.ifname) return true;
      const from = ctx.links.get(c.spec.index);
      // An old copy on a NIC that cannot answer any more is no help: it goes now.
      if (!from || !linkUsable(from) || !healthy.has(c.ifname)) return true;
      const grace = ctx.graceFor(want.group);
      if (grace <= 0) return true;
      let h = this.pending.get(want.address);
      const toIndex = ctx.placed.get(want.address);
      if (!h && toIndex !== undefined) {
        h = { address: want.address, group: want.group, toIndex, due: ctx.announcedAt + grace };
        const pair = `${c.ifname} → ${want.ifname}`;
        const held = heldOn.get(pair) ?? { grace, addresses: [] };
        held.addresses.push(want.address);
        heldOn.set(pair, held);
      }
      // No handover under way (a stray copy found by a check): nothing to wait for. The
      // timer's clock is whole milliseconds: it may wake a fraction early.
      if (!h || now >= h.due - 1) return true;
      kept.set(want.address, h);
      return false;
    });
    this.pending = kept;
    for (const [pair, { grace, addresses }] of heldOn) {
      const [from, to] = pair.split(' → ');
      this.log.info({ ifname: from, to, addresses: addresses.length > 16 ? [...addresses.slice(0, 16), `… ${addresses.length - 16} more`] : addresses, graceMs: grace },
        `keeping ${addresses.length === 1 ? addresses[0] : `${addresses.length} addresses`} on ${from} for ${grace} ms after ${to} announced ${addresses.length === 1 ? 'it' : 'them'} (make-before-break)`);
    }
    this.arm();
    return out;
  }

  /** Addresses whose old copies are waiting, for status and tests. */
  waiting(): string[] {
    return [...this.pending.keys()];
  }

  /** Every waiting old copy may go at the next run. */
  expireAll(): void {
    for (const h of this.pending.values()) h.due = Number.NEGATIVE_INFINITY;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const due = Math.min(...[...this.pending.values()].map((h) => h.due));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wake('failback grace over');
    }, Math.max(0, due - this.now()));
    this.timer.unref();
  }
}
