// The live probe log behind `ipmpstat -p`: a bounded ring of completed probes (acked or lost),
// each stamped with the wall-clock time its outcome became known so pollers can ask for
// "everything since my last poll" without missing probes that were declared lost late.
import type { ProbeRecord } from '../control/status.js';

export const PROBE_LOG_CAPACITY = 4096;

export class ProbeLog {
  // Parallel arrays, not an entry object per probe: one push per probe, many a second.
  private readonly records: (ProbeRecord | undefined)[];
  private readonly doneAt: Float64Array;
  private next = 0;
  private count = 0;

  constructor(private readonly capacity = PROBE_LOG_CAPACITY) {
    this.records = new Array<ProbeRecord | undefined>(capacity);
    this.doneAt = new Float64Array(capacity);
  }

  push(record: ProbeRecord, doneAtMs: number): void {
    this.records[this.next] = record;
    this.doneAt[this.next] = doneAtMs;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Records whose outcome became known after `sinceMs` (epoch ms), oldest first. */
  since(sinceMs = Number.NEGATIVE_INFINITY): ProbeRecord[] {
    const out: ProbeRecord[] = [];
    for (let i = 0; i < this.count; i++) {
      const k = (this.next - this.count + i + this.capacity) % this.capacity;
      const r = this.records[k];
      if (r && (this.doneAt[k] as number) > sinceMs) out.push({ ...r });
    }
    return out;
  }

  get size(): number {
    return this.count;
  }
}
