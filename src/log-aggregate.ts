// Turns a storm of identical warnings into one line per key per window: the first occurrence
// is let through (the caller logs it in full), later ones are counted and summarised when the
// window ends, e.g. "eth0: 1,234 carrier changes in the last 10 s". A quiet key starts over.

export interface Summary {
  key: string;
  what: string;
  /** Occurrences suppressed in the window (the admitted first one is not counted). */
  count: number;
  windowMs: number;
  text: string;
}

export interface AggregatorOptions {
  windowMs?: number;
  onSummary: (s: Summary) => void;
  /** Injected for tests; a monotonic clock in production. */
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

interface Window { what: string; startedAt: number; suppressed: number }

export class LogAggregator {
  private readonly windows = new Map<string, Window>();
  private timer: unknown;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: AggregatorOptions) {
    this.windowMs = opts.windowMs ?? 10_000;
    this.now = opts.now ?? (() => performance.now());
  }

  /** True when the caller should log this occurrence itself; false when it was counted. */
  admit(key: string, what: string): boolean {
    const t = this.now();
    const w = this.windows.get(key);
    if (w && t - w.startedAt < this.windowMs) {
      w.suppressed++;
      return false;
    }
    if (w) this.emit(key, w);
    this.windows.set(key, { what, startedAt: t, suppressed: 0 });
    this.arm();
    return true;
  }

  /** Emits the summaries of windows that have ended (all of them with `all`). */
  flush(all = false): void {
    const t = this.now();
    for (const [key, w] of this.windows) {
      if (!all && t - w.startedAt < this.windowMs) continue;
      this.emit(key, w);
      this.windows.delete(key);
    }
  }

  close(): void {
    this.flush(true);
    if (this.timer !== undefined) (this.opts.clearTimer ?? ((x) => clearTimeout(x as NodeJS.Timeout)))(this.timer);
    this.timer = undefined;
  }

  private emit(key: string, w: Window): void {
    if (w.suppressed === 0) return;
    const secs = Math.round(this.windowMs / 100) / 10;
    this.opts.onSummary({
      key, what: w.what, count: w.suppressed, windowMs: this.windowMs,
      text: `${key}: ${groupThousands(w.suppressed)} more ${w.what} in the last ${secs} s`,
    });
  }

  /** One timer for all keys, only while some window is open; never keeps the process alive. */
  private arm(): void {
    if (this.timer !== undefined) return;
    const set = this.opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    const t = set(() => {
      this.timer = undefined;
      this.flush();
      if (this.windows.size > 0) this.arm();
    }, this.windowMs);
    (t as { unref?: () => unknown }).unref?.();
    this.timer = t;
  }
}

/**
 * 12345 → "12,345". Not toLocaleString: that loads ICU's number formatting into the daemon
 * (~10 MB of RSS that stays) the first time a storm is summarised.
 */
export function groupThousands(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+$)/g, ',');
}
