// The daemon's counters as plain numbers. They tick from the start whether or not the endpoint
// is configured; the prom-client registry (registry.ts) is loaded only when Prometheus is to be
// served and mirrors these at scrape time, so a daemon without metrics never carries it.
import type { RepairCause, Transition } from './derive.js';

export interface LabelledCount<L extends string> {
  labels: Record<L, string>;
  value: number;
}

/** Counts by label set, keyed by the labels' values in a fixed order. */
class Tally<L extends string> {
  private readonly counts = new Map<string, LabelledCount<L>>();
  add(labels: Record<L, string>, by = 1): void {
    const key = JSON.stringify(Object.values(labels));
    const c = this.counts.get(key);
    if (c) c.value += by;
    else this.counts.set(key, { labels, value: by });
  }
  entries(): Iterable<LabelledCount<L>> {
    return this.counts.values();
  }
}

export class MetricTallies {
  readonly failovers = new Tally<'group' | 'reason'>();
  readonly failbacks = new Tally<'group' | 'reason'>();
  /** Seconds the writer run of each group's latest failover took. */
  readonly lastFailoverS = new Map<string, number>();
  announcements = 0;
  readonly repairs = new Tally<'cause'>();
  resyncs = 0;
  readonly reloads = new Tally<'result'>();

  constructor() {
    // Zero-valued series from the start, so rate() sees the first increment.
    this.reloads.add({ result: 'ok' }, 0);
    this.reloads.add({ result: 'refused' }, 0);
  }

  transitioned(ts: readonly Transition[], durationMs: number | undefined): void {
    for (const t of ts) {
      (t.kind === 'failover' ? this.failovers : this.failbacks).add({ group: t.group, reason: t.reason });
      if (t.kind === 'failover' && durationMs !== undefined) this.lastFailoverS.set(t.group, durationMs / 1000);
    }
  }

  announced(count: number): void {
    if (count > 0) this.announcements += count;
  }

  repaired(cause: RepairCause): void {
    this.repairs.add({ cause });
  }

  resynced(): void {
    this.resyncs++;
  }

  reloaded(ok: boolean): void {
    this.reloads.add({ result: ok ? 'ok' : 'refused' });
  }
}
