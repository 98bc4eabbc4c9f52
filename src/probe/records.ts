// The live probe log behind `ipmpstat -p`: a bounded ring of completed probes (acked or lost),
// each stamped with the wall-clock time its outcome became known so pollers can ask for
// "everything since my last poll" without missing probes that were declared lost late.
import type { ProbeRecord } from '../control/status.js';

export const PROBE_LOG_CAPACITY = 4096;

interface Entry {
  doneAtMs: number;
  record: ProbeRecord;
}

export class ProbeLog {
  private readonly entries: (Entry | undefined)[];
  private next = 0;
  private count = 0;

  constructor(private readonly capacity = PROBE_LOG_CAPACITY) {
    this.entries = new Array<Entry | undefined>(capacity);
  }

  push(record: ProbeRecord, doneAtMs: number): void {
    this.entries[this.next] = { doneAtMs, record };
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Records whose outcome became known after `sinceMs` (epoch ms), oldest first. */
  since(sinceMs = Number.NEGATIVE_INFINITY): ProbeRecord[] {
    const out: ProbeRecord[] = [];
    for (let i = 0; i < this.count; i++) {
      const e = this.entries[(this.next - this.count + i + this.capacity) % this.capacity];
      if (e && e.doneAtMs > sinceMs) out.push({ ...e.record });
    }
    return out;
  }

  get size(): number {
    return this.count;
  }
}
