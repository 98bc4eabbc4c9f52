// Keeps a conflict flood from flooding the daemon: one report per (address, MAC) per
// hold-down, and at most a few distinct MACs per address per hold-down (a spoofer can mint
// MACs faster than we should log or defend). Memory is bounded too.

export interface RateLimitOptions {
  /** One report per (address, mac) in this many ms. */
  holdDownMs?: number;
  /** At most this many reports per address (any MACs) in one hold-down. */
  perAddress?: number;
  /** At most this many (address, mac) pairs remembered; beyond it, new pairs are refused. */
  maxEntries?: number;
}

export class ConflictRateLimiter {
  readonly holdDownMs: number;
  private readonly perAddress: number;
  private readonly maxEntries: number;
  /** `${address} ${mac}` → time of the last report. */
  private readonly pairs = new Map<string, number>();
  /** address → times of its reports within the hold-down, oldest first. */
  private readonly recent = new Map<string, number[]>();

  constructor(o: RateLimitOptions = {}) {
    this.holdDownMs = o.holdDownMs ?? 10_000;
    this.perAddress = o.perAddress ?? 4;
    this.maxEntries = o.maxEntries ?? 1024;
  }

  /** True when a conflict on `address` by `mac` at `now` (ms) should be reported. */
  allow(address: string, mac: string, now: number): boolean {
    const key = `${address} ${mac}`;
    const last = this.pairs.get(key);
    if (last !== undefined && now - last < this.holdDownMs) return false;
    const times = (this.recent.get(address) ?? []).filter((t) => now - t < this.holdDownMs);
    if (times.length >= this.perAddress) {
      this.recent.set(address, times);
      return false;
    }
    if (last === undefined && this.pairs.size >= this.maxEntries) {
      this.prune(now);
      if (this.pairs.size >= this.maxEntries) return false;
    }
    this.pairs.set(key, now);
    times.push(now);
    this.recent.set(address, times);
    return true;
  }

  /** Pairs remembered (for tests: proves the bound). */
  get size(): number {
    return this.pairs.size;
  }

  /** Forgets everything about addresses no longer guarded. */
  retain(addresses: ReadonlySet<string>): void {
    for (const key of this.pairs.keys()) if (!addresses.has(key.slice(0, key.indexOf(' ')))) this.pairs.delete(key);
    for (const a of this.recent.keys()) if (!addresses.has(a)) this.recent.delete(a);
  }

  private prune(now: number): void {
    for (const [key, t] of this.pairs) if (now - t >= this.holdDownMs) this.pairs.delete(key);
    for (const [a, times] of this.recent) {
      const live = times.filter((t) => now - t < this.holdDownMs);
      if (live.length === 0) this.recent.delete(a);
      else this.recent.set(a, live);
    }
  }
}
