// Loss accounting with a fake clock: loss deadlines (CRTT or interval), the 52-probe window,
// source matching, late replies, the start-up quiet period, dead and slow targets.
import { describe, expect, it } from 'vitest';
import { LOSS_TIMEOUT_FLOOR_MS, MIN_RECOVERY_TIME_MS, PROBE_STATS_COUNT } from '../../../src/probe/constants.js';
import { ProbeInstance, lossTimeout } from '../../../src/probe/instance.js';

const I = 100; // probe interval (ms)
const R = '192.0.2.254';

function inst(targets: string[] = [R], quietPeriodMs = 0, now = 0): ProbeInstance {
  const p = new ProbeInstance({ now, quietPeriodMs });
  p.targets.setRouters(targets);
  return p;
}

/** Sends probe n to the next target at `now`; `reply` = RTT or undefined (lost); then expires at now + I. */
function step(p: ProbeInstance, n: number, now: number, reply: number | undefined): void {
  const t = p.targets.next()!;
  p.record(n, t.address, now, I);
  if (reply !== undefined) p.onReply(n, t.address, reply, now + reply, I);
  p.expire(now + I);
}

describe('ProbeInstance', () => {
  it('loss timeout: the interval before any RTT, then CRTT with a floor', () => {
    const p = inst();
    const t = p.targets.get(R)!;
    expect(lossTimeout(t, I)).toBe(I);
    t.rtt.add(0.1, I);
    expect(lossTimeout(t, I)).toBe(LOSS_TIMEOUT_FLOOR_MS);
    t.rtt.add(30, I); // crtt now well above the floor
    expect(lossTimeout(t, I)).toBe(t.rtt.crtt);
    expect(lossTimeout(t, 5)).toBe(t.rtt.crtt); // a slow target's own CRTT, never cut to the interval
    const fast = inst().targets.get(R)!;
    fast.rtt.add(0.1, 4);
    expect(lossTimeout(fast, 4)).toBe(4); // floor capped by a tiny interval
  });

  it.each([
    { outcomes: [1, 1, 1, undefined, undefined], want: { ackRun: 0, lossRun: 2 } },
    { outcomes: [undefined, undefined, undefined, undefined, undefined], want: { ackRun: 0, lossRun: 5 } },
    { outcomes: [undefined, 1, 1, 1], want: { ackRun: 3, lossRun: 0 } },
    { outcomes: Array(12).fill(1), want: { ackRun: 12, lossRun: 0 } },
    { outcomes: [], want: { ackRun: 0, lossRun: 0 } },
  ])('consecutive runs from the newest probe: $outcomes', ({ outcomes, want }) => {
    const p = inst();
    outcomes.forEach((o, i) => step(p, i + 1, i * I, o));
    expect(p.runs()).toMatchObject(want);
  });

  it('a lost probe is declared only at its deadline; lossRunSince is the first lost send time', () => {
    const p = inst();
    p.record(1, R, 0, I);
    expect(p.nextDeadline()).toBe(I);
    expect(p.expire(I - 1).lost).toEqual([]);
    expect(p.expire(I).lost.map((s) => s.n)).toEqual([1]);
    p.record(2, R, 150, I);
    p.expire(300);
    expect(p.runs()).toMatchObject({ lossRun: 2, lossRunSince: 0 });
    expect(p.nextDeadline()).toBeUndefined();
  });

  it('replies are matched by number, window and source; duplicates ignored', () => {
    const p = inst([R, '192.0.2.253']);
    p.record(1, R, 0, I);
    expect(p.onReply(1, '192.0.2.253', 1, 1, I)).toEqual({ kind: 'ignored', reason: 'wrong-source' });
    expect(p.onReply(7, R, 1, 1, I)).toEqual({ kind: 'ignored', reason: 'out-of-window' });
    expect(p.onReply(1, R, 1, 1, I).kind).toBe('acked');
    expect(p.onReply(1, R, 1, 2, I)).toEqual({ kind: 'ignored', reason: 'duplicate' });
    for (let n = 2; n <= PROBE_STATS_COUNT + 1; n++) p.record(n, R, n * I, I);
    expect(p.onReply(1, R, 1, 1, I)).toEqual({ kind: 'ignored', reason: 'out-of-window' });
    expect(p.onReply(2, R, 1, 1, I).kind).toBe('acked'); // oldest probe still in the window
  });

  it('a late reply turns a lost probe into an acked one and feeds the RTT estimate', () => {
    const p = inst();
    for (let n = 1; n <= 4; n++) step(p, n, n * I, undefined);
    expect(p.runs().lossRun).toBe(4);
    const r = p.onReply(4, R, 150, 4 * I + 150, I);
    expect(r).toMatchObject({ kind: 'acked', late: true });
    expect(p.runs()).toMatchObject({ lossRun: 0, ackRun: 1 });
    expect(p.targets.get(R)!.rtt.pendingDeferred).toBe(1); // 3 × 150 > interval: deferred once
  });

  it('quiet period: losses are ignored until the first reply ...', () => {
    const p = inst([R], 40_000);
    for (let n = 1; n <= 8; n++) step(p, n, n * I, undefined);
    expect(p.runs().lossRun).toBe(0);
    expect(p.isQuiet(900)).toBe(true);
    step(p, 9, 9 * I, 1);
    expect(p.isQuiet(1000)).toBe(false);
    for (let n = 10; n <= 14; n++) step(p, n, n * I, undefined);
    expect(p.runs().lossRun).toBe(5);
  });

  it('... or until the quiet period ends', () => {
    const p = inst([R], 1000);
    for (let n = 1; n <= 15; n++) step(p, n, n * I, undefined);
    // Probes expiring at ≥ 1000 count: sent at 900 .. 1500.
    expect(p.runs().lossRun).toBe(7);
  });

  it('a quiet-period loss answered late still counts as acked', () => {
    const p = inst([R], 40_000);
    step(p, 1, 0, undefined);
    expect(p.onReply(1, R, 150, 150, I)).toMatchObject({ kind: 'acked', late: true });
    expect(p.runs().ackRun).toBe(1);
  });

  it('dead target: five misses in a row while another target answered → set aside', () => {
    const a = '192.0.2.1';
    const b = '192.0.2.2';
    const p = inst([a, b]);
    let n = 1;
    const dead: string[] = [];
    for (let round = 0; round < 5; round++) {
      for (const who of [a, b]) {
        const t = p.targets.next()!;
        expect(t.address).toBe(who);
        p.record(n, t.address, n * I, I);
        if (who === b) p.onReply(n, b, 1, n * I + 1, I);
        dead.push(...p.expire(n * I + I).dead);
        n++;
      }
    }
    expect(dead).toEqual([a]);
    expect(p.targets.active().map((t) => t.address)).toEqual([b]);
    expect(p.runs().ackRun).toBe(1); // losses and acks alternate: no failure
    expect(p.targets.revive(n * I + MIN_RECOVERY_TIME_MS)).toEqual([a]);
  });

  it('no target is declared dead when nobody answers (that is a failure, not a dead target)', () => {
    const p = inst(['192.0.2.1', '192.0.2.2']);
    const dead: string[] = [];
    for (let n = 1; n <= 12; n++) {
      const t = p.targets.next()!;
      p.record(n, t.address, n * I, I);
      dead.push(...p.expire(n * I + I).dead);
    }
    expect(dead).toEqual([]);
    expect(p.runs().lossRun).toBe(12);
  });

  it('a sole target whose last answer arrives after the black hole began is not dead: the losses count as a failure', () => {
    // RTT above the probe interval (fast FDT, loaded host): probe 1's answer comes after probe 2
    // was sent, then the path breaks. Before the fix the target was retired as "dead" (its own
    // late answer counted as "another target answered") and the member stayed 'unknown'.
    const p = inst([R]);
    p.record(1, R, 0, I);
    p.record(2, R, 50, I);
    p.onReply(1, R, 80, 80, I);
    const dead: string[] = [];
    for (let n = 3; n <= 8; n++) {
      p.record(n, R, n * 50, I);
      dead.push(...p.expire(n * 50 + 1).dead);
    }
    dead.push(...p.expire(2000).dead);
    expect(dead).toEqual([]);
    expect(p.targets.active().map((t) => t.address)).toEqual([R]);
    expect(p.runs().lossRun).toBeGreaterThanOrEqual(5);
  });

  it('slow target: CRTT above the interval with ≥4 targets and the others fast → set aside', () => {
    const ts = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'];
    const p = inst(ts);
    let n = 1;
    for (let round = 0; round < 3; round++) {
      for (const who of ts) {
        p.targets.next();
        p.record(n, who, n * I, I);
        const rtt = who === '192.0.2.4' ? 200 : 1;
        const r = p.onReply(n, who, rtt, n * I + rtt, I);
        if (who === '192.0.2.4' && r.kind === 'acked' && r.slow) {
          expect(p.targets.active().map((t) => t.address)).toEqual(ts.slice(0, 3));
          return;
        }
        n++;
      }
    }
    throw new Error('the slow target was never set aside');
  });

  it('with fewer than four targets a slow one stays (the FDT is raised instead)', () => {
    const p = inst(['192.0.2.1', '192.0.2.2']);
    for (let n = 1; n <= 6; n++) {
      const t = p.targets.next()!;
      p.record(n, t.address, n * I, I);
      const r = p.onReply(n, t.address, 300, n * I + 300, I);
      if (r.kind === 'acked') expect(r.slow).toBe(false);
    }
    expect(p.targets.active()).toHaveLength(2);
    expect(p.targets.get('192.0.2.1')!.rtt.crtt).toBeGreaterThan(I);
  });

  it('reset forgets the history; link down voids probes in flight', () => {
    const p = inst();
    for (let n = 1; n <= 5; n++) step(p, n, n * I, undefined);
    p.reset();
    expect(p.runs()).toMatchObject({ lossRun: 0, ackRun: 0 });
    expect(p.onReply(5, R, 1, 600, I)).toEqual({ kind: 'ignored', reason: 'void' });
    p.record(6, R, 600, I);
    p.voidPending();
    expect(p.expire(10_000).lost).toEqual([]);
    expect(p.onReply(6, R, 1, 601, I)).toEqual({ kind: 'ignored', reason: 'void' });
  });

  it('probe numbers must increase', () => {
    const p = inst();
    p.record(5, R, 0, I);
    expect(() => p.record(5, R, 1, I)).toThrow(RangeError);
  });
});
