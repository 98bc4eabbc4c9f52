// Loss deadlines of a group's probes: one timer per group, not one per probe. A timer per
// probe was armed at every send and cleared at every reply, and each cleared Node timer
// still woke the process at its old time (libuv keeps the list's timer): two or three empty
// wake-ups per round. Here nothing is armed while every probe has its reply — the check runs
// after the poll phase, so replies already queued are read first — and an armed timer is
// left to fire (it then finds nothing lost) rather than cleared and re-made.
export interface Expiring {
  /** Earliest loss deadline of a probe in flight (manager clock), if any. */
  nextDeadline(): number | undefined;
  /** Declares lost what is past its deadline. */
  expire(): void;
}

export class GroupExpiry {
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(private readonly probers: () => Iterable<Expiring>, private readonly now: () => number) {}

  /** A round went out: once this loop turn's replies are read, wait for what is still open. */
  soon(): void {
    if (this.immediate || this.closed) return;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.arm();
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
  }

  private arm(): void {
    if (this.closed) return;
    let at: number | undefined;
    for (const p of this.probers()) {
      const d = p.nextDeadline();
      if (d !== undefined && (at === undefined || d < at)) at = d;
    }
    if (at === undefined) return;
    // An earlier wake-up is already due: it re-arms for the rest.
    if (this.timer && this.timerAt !== undefined && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = this.timerAt = undefined;
      // Let the poll phase read replies that are already queued before anything is declared lost.
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        if (this.closed) return;
        for (const p of this.probers()) p.expire();
        this.arm();
      });
    }, Math.max(0, at - this.now()));
    this.timer.unref();
  }
}
