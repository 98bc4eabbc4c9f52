// Per-group failure detection time, adapted as in.mpathd does: a target whose CRTT exceeds
// the probe interval raises it to 2×CRTT (FDT = 7 × interval) with in.mpathd's complaint;
// once every CRTT is below interval/4 and MIN_SETTLING_TIME has passed since the raise, it is
// halved again, never below what the user asked for. Pure: times come in as arguments.
import {
  LOWER_FDT_TRIGGER, MIN_FAILURE_DETECTION_TIME_MS, MIN_SETTLING_TIME_MS, NEXT_FDT_MULTIPLE, NUM_PROBE_FAILS,
  probeIntervalFor,
} from './constants.js';

export interface FdtContext {
  family: 4 | 6;
  ifname: string;
}

const afName = (f: 4 | 6): string => (f === 4 ? 'inet' : 'inet6');

export class GroupFdt {
  private userFdt: number;
  private current: number;
  private raisedAt: number | undefined;

  constructor(readonly group: string, userFdtMs: number) {
    this.userFdt = Math.max(MIN_FAILURE_DETECTION_TIME_MS, userFdtMs);
    this.current = this.userFdt;
  }

  get fdtMs(): number {
    return this.current;
  }

  get userFdtMs(): number {
    return this.userFdt;
  }

  get probeIntervalMs(): number {
    return probeIntervalFor(this.current);
  }

  /** A reload changed the requested FDT: start from it again. */
  setUserFdt(userFdtMs: number): void {
    const v = Math.max(MIN_FAILURE_DETECTION_TIME_MS, userFdtMs);
    if (v === this.userFdt) return;
    this.userFdt = v;
    this.current = v;
    this.raisedAt = undefined;
  }

  /** A non-exception target's CRTT: raises the FDT when it exceeds the probe interval. */
  observeCrtt(crttMs: number, ctx: FdtContext, now: number): string | undefined {
    if (crttMs <= this.probeIntervalMs) return undefined;
    const interval = crttMs * NEXT_FDT_MULTIPLE;
    this.current = Math.ceil(interval * (NUM_PROBE_FAILS + 2));
    this.raisedAt = now;
    return `Cannot meet requested failure detection time of ${this.userFdt} ms on (${afName(ctx.family)} ${ctx.ifname}) `
      + `new failure detection time for group "${this.group}" is ${this.current} ms`;
  }

  /** Every current CRTT of every target of every member: lowers the FDT when all are fast again. */
  maybeLower(allCrtts: readonly number[], ctx: FdtContext, now: number): string | undefined {
    if (this.current <= this.userFdt || this.raisedAt === undefined) return undefined;
    if (now - this.raisedAt < MIN_SETTLING_TIME_MS) return undefined;
    if (allCrtts.length === 0 || !allCrtts.every((c) => c < this.probeIntervalMs / LOWER_FDT_TRIGGER)) return undefined;
    this.current = Math.max(Math.floor(this.current / NEXT_FDT_MULTIPLE), this.userFdt);
    // As in.mpathd, settling counts from the last raise only: while every CRTT stays far below
    // the interval, each further check may halve again until the requested FDT is reached.
    return `Improved failure detection time ${this.current} ms on (${afName(ctx.family)} ${ctx.ifname}) for group "${this.group}"`;
  }
}
