// Loss accounting for one probe instance (member × family × method), in.mpathd style:
// a circular history of PROBE_STATS_COUNT probes, each lost once unacknowledged past its
// target's CRTT (or the probe interval before any RTT is known); consecutive runs of
// acked / lost probes are read back from that history. Pure: no I/O, time passed in.
import {
  EXCEPTION_FACTOR, LOSS_TIMEOUT_FLOOR_MS, NUM_PROBE_FAILS, PROBE_STATS_COUNT,
} from './constants.js';
import type { RttOutcome } from './rtt.js';
import { TargetTable, type Target } from './targets.js';

/**
 * unacked: in flight. acked / lost: counted. quiet: lost during the start-up quiet period
 * (not counted; a late reply still acks it). void: invalidated by a reset or link down.
 */
export type SlotStatus = 'unacked' | 'acked' | 'lost' | 'quiet' | 'void';

export interface ProbeSlot {
  /** Probe number (monotonic; the wire sequence number is its low 16 bits). */
  n: number;
  target: string;
  sentAt: number;
  deadline: number;
  status: SlotStatus;
  rttMs?: number;
  ackAt?: number;
}

export interface InstanceRuns {
  /** Leading run of lost probes (newest first) and the send time of its oldest probe. */
  lossRun: number;
  lossRunSince?: number;
  ackRun: number;
  lastAckAt?: number;
}

export type ReplyResult =
  | {
    kind: 'acked';
    slot: ProbeSlot;
    /** The probe had already been counted lost (or quiet). */
    late: boolean;
    rtt: RttOutcome;
    crtt: number | undefined;
    /** The target was set aside as slow (it no longer counts for FDT decisions). */
    slow: boolean;
  }
  | { kind: 'ignored'; reason: 'out-of-window' | 'wrong-source' | 'duplicate' | 'void' };

export interface ExpireResult {
  lost: ProbeSlot[];
  /** Targets found dead by this expiry (missed NUM_PROBE_FAILS while others answered). */
  dead: string[];
}

export interface InstanceOptions {
  now: number;
  /** Lost probes are ignored until the first reply or until now + quietPeriodMs. */
  quietPeriodMs: number;
}

/** How long a probe to `t` may stay unanswered before it counts as lost. */
export function lossTimeout(t: Target | undefined, probeIntervalMs: number): number {
  const crtt = t?.rtt.crtt;
  if (crtt === undefined) return probeIntervalMs;
  return Math.max(crtt, Math.min(LOSS_TIMEOUT_FLOOR_MS, probeIntervalMs));
}

export class ProbeInstance {
  readonly targets = new TargetTable();
  private readonly ring: (ProbeSlot | undefined)[] = new Array<ProbeSlot | undefined>(PROBE_STATS_COUNT);
  private lastN: number | undefined;
  private quietUntil: number | undefined;
  private lastAckAt: number | undefined;
  /** Probes in flight (usually zero or one): deadlines without scanning the ring. */
  private inFlight: ProbeSlot[] = [];

  constructor(opts: InstanceOptions) {
    this.quietUntil = opts.quietPeriodMs > 0 ? opts.now + opts.quietPeriodMs : undefined;
  }

  /** True while lost probes are still being ignored. */
  isQuiet(now: number): boolean {
    return this.quietUntil !== undefined && now < this.quietUntil;
  }

  /** Records unicast probe `n` to `target`, sent at `now`. */
  record(n: number, target: string, now: number, probeIntervalMs: number): ProbeSlot {
    if (this.lastN !== undefined && n <= this.lastN) throw new RangeError(`probe number ${n} not after ${this.lastN}`);
    const slot: ProbeSlot = {
      n, target, sentAt: now, deadline: now + lossTimeout(this.targets.get(target), probeIntervalMs), status: 'unacked',
    };
    const old = this.ring[n % PROBE_STATS_COUNT];
    if (old?.status === 'unacked') old.status = 'void'; // pushed out of the window unanswered
    this.ring[n % PROBE_STATS_COUNT] = slot;
    this.lastN = n;
    this.inFlight = this.inFlight.filter((s) => s.status === 'unacked');
    this.inFlight.push(slot);
    return slot;
  }

  private slot(n: number): ProbeSlot | undefined {
    if (this.lastN === undefined || n > this.lastN || this.lastN - n >= PROBE_STATS_COUNT) return undefined;
    const s = this.ring[n % PROBE_STATS_COUNT];
    return s?.n === n ? s : undefined;
  }

  /** Newest probe to `target` still waiting or counted lost: what a seq-less reply (ARP, NA) acks. */
  pendingFor(target: string): number | undefined {
    if (this.lastN === undefined) return undefined;
    for (let k = 0; k < PROBE_STATS_COUNT && this.lastN - k >= 0; k++) {
      const s = this.slot(this.lastN - k);
      if (s?.target === target && (s.status === 'unacked' || s.status === 'lost' || s.status === 'quiet')) return s.n;
    }
    return undefined;
  }

  /** A reply to probe `n` from `source` after `rttMs`, processed at `now`. */
  onReply(n: number, source: string, rttMs: number, now: number, probeIntervalMs: number): ReplyResult {
    const slot = this.slot(n);
    if (!slot) return { kind: 'ignored', reason: 'out-of-window' };
    if (slot.target !== source) return { kind: 'ignored', reason: 'wrong-source' };
    if (slot.status === 'acked') return { kind: 'ignored', reason: 'duplicate' };
    if (slot.status === 'void') return { kind: 'ignored', reason: 'void' };
    const late = slot.status !== 'unacked';
    slot.status = 'acked';
    slot.rttMs = rttMs;
    slot.ackAt = slot.sentAt + rttMs;
    this.lastAckAt = Math.max(this.lastAckAt ?? slot.ackAt, slot.ackAt);
    this.quietUntil = undefined; // the network answers: the quiet period is over
    const t = this.targets.get(source);
    if (!t) return { kind: 'acked', slot, late, rtt: 'integrated', crtt: undefined, slow: false };
    t.lossRun = 0;
    delete t.lossRunSince;
    t.lastAckAt = Math.max(t.lastAckAt ?? slot.ackAt, slot.ackAt);
    const rtt = t.rtt.add(rttMs, probeIntervalMs, true);
    const crtt = t.rtt.crtt;
    const slow = crtt !== undefined && crtt > probeIntervalMs && this.isException(t, probeIntervalMs);
    if (slow) this.targets.retire(t.address, 'slow', now);
    return { kind: 'acked', slot, late, rtt, crtt, slow };
  }

  /** Slow target: ≥4 active targets and every other one answers within interval/2. */
  private isException(t: Target, probeIntervalMs: number): boolean {
    const act = this.targets.active();
    if (act.length < 4) return false;
    return act.every((o) => o === t || (o.rtt.crtt !== undefined && o.rtt.crtt <= probeIntervalMs / EXCEPTION_FACTOR));
  }

  /** Marks probes past their deadline lost (or quiet); returns them and any dead targets. */
  expire(now: number): ExpireResult {
    const out: ExpireResult = { lost: [], dead: [] };
    if (this.lastN === undefined) return out;
    const quiet = this.isQuiet(now);
    const due = this.inFlight.filter((s) => s.status === 'unacked' && s.deadline <= now).sort((a, b) => a.n - b.n);
    this.inFlight = this.inFlight.filter((s) => s.status === 'unacked' && s.deadline > now);
    for (const s of due) {
      s.status = quiet ? 'quiet' : 'lost';
      if (quiet) continue;
      out.lost.push(s);
      const t = this.targets.get(s.target);
      if (!t) continue;
      t.lossRun++;
      t.lossRunSince ??= s.sentAt;
      // Dead: this target keeps missing while *another* target answered after its misses began.
      // (Its own late answer to a probe sent before the run does not count: with one target
      // and an RTT above the probe interval that would retire the only target, and a black
      // hole would leave the member 'unknown' instead of failed.)
      const since = t.lossRunSince;
      if (t.lossRun >= NUM_PROBE_FAILS && this.targets.active().some((o) => o !== t && o.lastAckAt !== undefined && o.lastAckAt > since)) {
        this.targets.retire(t.address, 'dead', now);
        out.dead.push(t.address);
      }
    }
    return out;
  }

  /** Earliest deadline of a probe in flight. */
  nextDeadline(): number | undefined {
    let best: number | undefined;
    for (const s of this.inFlight) if (s.status === 'unacked' && (best === undefined || s.deadline < best)) best = s.deadline;
    return best;
  }

  /** Consecutive runs over completed probes, newest first (in-flight and quiet ones skipped). */
  runs(): InstanceRuns {
    const out: InstanceRuns = { lossRun: 0, ackRun: 0 };
    if (this.lastAckAt !== undefined) out.lastAckAt = this.lastAckAt;
    if (this.lastN === undefined) return out;
    let kind: 'acked' | 'lost' | undefined;
    for (let k = 0; k < PROBE_STATS_COUNT && this.lastN - k >= 0; k++) {
      const s = this.slot(this.lastN - k);
      if (!s || (s.status !== 'acked' && s.status !== 'lost')) continue;
      kind ??= s.status;
      if (s.status !== kind) break;
      if (kind === 'acked') out.ackRun++;
      else {
        out.lossRun++;
        out.lossRunSince = s.sentAt;
      }
    }
    return out;
  }

  /** Forgets the probe history (link down, group failure): counts start again. */
  reset(): void {
    for (const s of this.ring) if (s) s.status = 'void';
    this.inFlight = [];
    for (const t of this.targets.all()) {
      t.lossRun = 0;
      delete t.lossRunSince;
    }
  }

  /** Probes in flight will not count (link went down: replies are ignored). */
  voidPending(): void {
    for (const s of this.inFlight) if (s.status === 'unacked') s.status = 'void';
    this.inFlight = [];
  }
}
