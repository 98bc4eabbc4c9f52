// When the next probe leaves: in.mpathd sends probe k at base_k + random[0.5, 1.0] × interval
// with base_{k+1} = base_k + interval, so probes average one per interval and two can be as
// close as half an interval. Pure: the clock and the random source come in.
import { MAX_RANDOM_FACTOR, MIN_RANDOM_FACTOR } from './constants.js';

export class JitterSchedule {
  private base: number;

  constructor(now: number, private readonly random: () => number = Math.random) {
    this.base = now;
  }

  /** Send time of the next probe for the current interval (call once per probe). */
  next(intervalMs: number): number {
    const f = MIN_RANDOM_FACTOR + (MAX_RANDOM_FACTOR - MIN_RANDOM_FACTOR) * this.random();
    return this.base + f * intervalMs;
  }

  /**
   * The probe planned by next() went out at `now`: advance the base. After a stall (event loop
   * blocked, link down) the base restarts at `now` rather than firing a burst to catch up.
   */
  advance(intervalMs: number, now: number): void {
    this.base += intervalMs;
    if (this.base + intervalMs < now) this.base = now;
  }

  restart(now: number): void {
    this.base = now;
  }
}
