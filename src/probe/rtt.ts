// Per-target round-trip estimate (Jacobson/Karels as in in.mpathd's pi_set_crtt), in ms:
// sa = 8 × average, sv = 4 × mean deviation, CRTT = sa/8 + sv = avg + 4·mdev. The first
// sample m gives CRTT = 3m. A unicast sample that alone would push CRTT above the probe
// interval is held back once (MAXDEFERREDRTT): one outlier must not raise the group's FDT.
import { MAXDEFERREDRTT } from './constants.js';

export interface RttState {
  sa: number;
  sv: number;
  samples: number;
  deferred: number[];
}

export type RttOutcome = 'integrated' | 'deferred';

export class RttEstimator {
  private sa = 0;
  private sv = 0;
  private samples = 0;
  private deferred: number[] = [];

  /** Smoothed average (ms); undefined before the first sample. */
  get avg(): number | undefined {
    return this.samples === 0 ? undefined : this.sa / 8;
  }

  /** Mean deviation (ms). */
  get dev(): number | undefined {
    return this.samples === 0 ? undefined : this.sv / 4;
  }

  /** Conservative RTT: avg + 4·mdev; undefined before the first sample. */
  get crtt(): number | undefined {
    return this.samples === 0 ? undefined : this.sa / 8 + this.sv;
  }

  get pendingDeferred(): number {
    return this.deferred.length;
  }

  /** Adds an RTT sample; `unicast` samples are subject to deferral against `probeIntervalMs`. */
  add(rttMs: number, probeIntervalMs: number, unicast = true): RttOutcome {
    const m = Math.max(0, rttMs);
    if (unicast && this.wouldBe(m) > probeIntervalMs) {
      if (this.deferred.length < MAXDEFERREDRTT) {
        this.deferred.push(m);
        return 'deferred';
      }
      // A repeated slow sample is real: integrate the held-back ones first, then this one.
      for (const d of this.deferred.splice(0)) this.integrate(d);
      this.integrate(m);
      return 'integrated';
    }
    this.deferred = [];
    this.integrate(m);
    return 'integrated';
  }

  snapshot(): RttState {
    return { sa: this.sa, sv: this.sv, samples: this.samples, deferred: [...this.deferred] };
  }

  private wouldBe(m: number): number {
    if (this.samples === 0) return 3 * m;
    const err = m - this.sa / 8;
    const sa = this.sa + err;
    const sv = this.sv + Math.abs(err) - this.sv / 4;
    return sa / 8 + sv;
  }

  private integrate(m: number): void {
    if (this.samples === 0) {
      this.sa = 8 * m;
      this.sv = 2 * m;
    } else {
      const err = m - this.sa / 8;
      this.sa = Math.max(0, this.sa + err);
      this.sv += Math.abs(err) - this.sv / 4;
    }
    this.samples++;
  }
}
