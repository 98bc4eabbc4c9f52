// A discrete-event model of one prober on a fake clock: the pure schedule, instance and
// verdict rules against a network that answers after `rtt` while it is up.
import { probeIntervalFor } from '../../../src/probe/constants.js';
import { ProbeInstance } from '../../../src/probe/instance.js';
import { JitterSchedule } from '../../../src/probe/schedule.js';
import { INITIAL_VERDICT, nextVerdict, type MemberVerdict } from '../../../src/probe/verdict.js';

export interface SimOptions {
  fdtMs: number;
  seed: number;
  rttMs: (n: number) => number;
  /** Whether the path works at time t (both ways). */
  up: (t: number) => boolean;
  endMs: number;
  targets?: string[];
  quietPeriodMs?: number;
}

export interface Transition {
  at: number;
  state: MemberVerdict['state'];
  /** Consecutive acked probes (newest first) when the verdict changed. */
  ackRun: number;
}

/** Mulberry32: small seeded PRNG so runs are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function simulate(o: SimOptions): Transition[] {
  const interval = probeIntervalFor(o.fdtMs);
  const inst = new ProbeInstance({ now: 0, quietPeriodMs: o.quietPeriodMs ?? 0 });
  inst.targets.setRouters(o.targets ?? ['192.0.2.254']);
  const sched = new JitterSchedule(0, prng(o.seed));
  let verdict = INITIAL_VERDICT;
  const out: Transition[] = [];
  const replies: { at: number; n: number; target: string; rtt: number }[] = [];
  let nextSend = sched.next(interval);
  let n = 1;
  const settle = (now: number): void => {
    const runs = inst.runs();
    const next = nextVerdict(verdict, [{ ...runs, hasTargets: inst.targets.active().length > 0 }]);
    if (next.state !== verdict.state) out.push({ at: now, state: next.state, ackRun: runs.ackRun });
    verdict = next;
  };
  for (let guard = 0; guard < 1_000_000; guard++) {
    const deadline = inst.nextDeadline();
    replies.sort((a, b) => a.at - b.at);
    const reply = replies[0];
    // Replies first at equal times: the I/O layer reads sockets before expiring (setImmediate).
    const t = Math.min(nextSend, deadline ?? Infinity, reply?.at ?? Infinity);
    if (t > o.endMs) break;
    if (reply && reply.at === t) {
      replies.shift();
      inst.onReply(reply.n, reply.target, reply.rtt, t, interval);
    } else if (deadline !== undefined && deadline === t) {
      inst.expire(t);
    } else {
      const target = inst.targets.next();
      if (target) {
        inst.record(n, target.address, t, interval);
        const rtt = o.rttMs(n);
        if (o.up(t) && o.up(t + rtt)) replies.push({ at: t + rtt, n, target: target.address, rtt });
        n++;
      }
      sched.advance(interval, t);
      nextSend = sched.next(interval);
    }
    settle(t);
  }
  return out;
}
