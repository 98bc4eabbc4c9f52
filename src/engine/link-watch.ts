// Link detector for one NIC: current link state plus in.mpathd's flap limiter. The limiter
// remembers the last LINK_UP_PERMIN link-ups; a link-up that is the third within a minute
// defers link-based repair until 60 s after the older of the last two link-ups.

export const LINK_UP_PERMIN = 2;
export const MSEC_PERMIN = 60_000;

export type LinkObservation = 'unknown' | 'up' | 'down' | 'missing';

export interface LinkTransition {
  /** First observation for this NIC: initialises state, is not a link-up or link-down. */
  initial: boolean;
  cameUp: boolean;
  wentDown: boolean;
  /** The NIC disappeared (it was up or down before). */
  vanished: boolean;
}

export class LinkWatch {
  private current: LinkObservation = 'unknown';
  /** Times of the last LINK_UP_PERMIN link-ups, oldest first. */
  private ups: number[] = [];
  private deferUntil: number | undefined;

  clone(): LinkWatch {
    const w = new LinkWatch();
    w.current = this.current;
    w.ups = [...this.ups];
    w.deferUntil = this.deferUntil;
    return w;
  }

  get state(): LinkObservation {
    return this.current;
  }

  observe(next: 'up' | 'down' | 'missing', now: number): LinkTransition {
    const prev = this.current;
    const none: LinkTransition = { initial: false, cameUp: false, wentDown: false, vanished: false };
    if (prev === next) return none;
    this.current = next;
    if (prev === 'unknown') return { ...none, initial: true };
    if (next === 'up') {
      // Solaris checks against the link-ups before this one, then records it.
      const oldest = this.ups.length === LINK_UP_PERMIN ? this.ups[0] : undefined;
      const flapping = oldest !== undefined && now - oldest <= MSEC_PERMIN;
      this.ups.push(now);
      if (this.ups.length > LINK_UP_PERMIN) this.ups.shift();
      this.deferUntil = flapping ? (this.ups[0] ?? now) + MSEC_PERMIN : undefined;
      return { ...none, cameUp: true };
    }
    if (next === 'down') return { ...none, wentDown: prev === 'up' };
    return { ...none, vanished: true, wentDown: prev === 'up' };
  }

  /** Link-based repair is blocked by the flap limiter at `now`. */
  repairDeferred(now: number): boolean {
    return this.current === 'up' && this.deferUntil !== undefined && now < this.deferUntil;
  }

  /** When the current deferral ends (repair allowed at exactly this time), if one is pending. */
  deferredUntil(now: number): number | undefined {
    return this.repairDeferred(now) ? this.deferUntil : undefined;
  }
}
