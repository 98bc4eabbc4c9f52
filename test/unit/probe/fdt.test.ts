// Per-group FDT adaptation with in.mpathd's log texts, and the jittered probe schedule.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_SETTLING_TIME_MS, probeIntervalFor } from '../../../src/probe/constants.js';
import { GroupFdt } from '../../../src/probe/fdt.js';
import { JitterSchedule } from '../../../src/probe/schedule.js';

const ctx = { family: 4 as const, ifname: 'eth0' };

describe('GroupFdt', () => {
  it('probe interval is FDT/7; the floor is 100 ms', () => {
    expect(new GroupFdt('g', 10_000).probeIntervalMs).toBeCloseTo(1428.57, 2);
    expect(new GroupFdt('g', 50).fdtMs).toBe(100);
  });

  it.each([
    { crtt: 1000, raised: undefined },
    { crtt: 1428, raised: undefined },
    { crtt: 1500, raised: 21_000 },
    { crtt: 2000.2, raised: 28_003 },
  ])('CRTT $crtt ms against FDT 10000 → $raised', ({ crtt, raised }) => {
    const f = new GroupFdt('g0', 10_000);
    const msg = f.observeCrtt(crtt, ctx, 0);
    if (raised === undefined) {
      expect(msg).toBeUndefined();
      expect(f.fdtMs).toBe(10_000);
    } else {
      expect(f.fdtMs).toBe(raised);
      expect(msg).toBe(`Cannot meet requested failure detection time of 10000 ms on (inet eth0) new failure detection time for group "g0" is ${raised} ms`);
    }
  });

  it('lowered (halved, not below the user FDT) once every CRTT is below interval/4 and settling time passed', () => {
    const f = new GroupFdt('g0', 1000);
    f.observeCrtt(1000, { family: 6, ifname: 'eth1' }, 0); // → 14000
    expect(f.fdtMs).toBe(14_000);
    const fast = [1, 2, 3];
    expect(f.maybeLower(fast, ctx, MIN_SETTLING_TIME_MS - 1)).toBeUndefined();
    expect(f.maybeLower([1, probeIntervalFor(14_000) / 4], ctx, MIN_SETTLING_TIME_MS)).toBeUndefined();
    expect(f.maybeLower(fast, ctx, MIN_SETTLING_TIME_MS)).toBe('Improved failure detection time 7000 ms on (inet eth0) for group "g0"');
    expect(f.maybeLower(fast, ctx, MIN_SETTLING_TIME_MS + 1)).toMatch(/^Improved failure detection time 3500 ms/);
    f.maybeLower(fast, ctx, MIN_SETTLING_TIME_MS + 2);
    f.maybeLower(fast, ctx, MIN_SETTLING_TIME_MS + 3);
    expect(f.fdtMs).toBe(1000);
    expect(f.maybeLower(fast, ctx, MIN_SETTLING_TIME_MS + 4)).toBeUndefined();
  });

  it('a new user FDT (reload) starts over', () => {
    const f = new GroupFdt('g', 1000);
    f.observeCrtt(500, ctx, 0);
    f.setUserFdt(2000);
    expect(f.fdtMs).toBe(2000);
    expect(f.maybeLower([0], ctx, 1e9)).toBeUndefined();
  });
});

describe('JitterSchedule', () => {
  it('sends at base + [0.5, 1.0] × interval, base advancing one interval per probe', () => {
    const rs = [0, 1, 0.5];
    const s = new JitterSchedule(1000, () => rs.shift()!);
    expect(s.next(100)).toBe(1050);
    s.advance(100, 1050);
    expect(s.next(100)).toBe(1200);
    s.advance(100, 1200);
    expect(s.next(100)).toBe(1275);
  });

  it('after a stall it restarts from now instead of bursting', () => {
    const s = new JitterSchedule(0, () => 0);
    s.advance(100, 5000);
    expect(s.next(100)).toBe(5050);
  });

  it('property: gaps between probes lie in [0.5, 1.5] × interval and average ≈ interval', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 50, maxLength: 200 }), (rs) => {
      const queue = [...rs];
      const s = new JitterSchedule(0, () => queue.shift() ?? 0.5);
      const times: number[] = [];
      for (let i = 0; i < rs.length; i++) {
        const at = s.next(100);
        times.push(at);
        s.advance(100, at);
      }
      for (let i = 1; i < times.length; i++) {
        const gap = times[i]! - times[i - 1]!;
        expect(gap).toBeGreaterThanOrEqual(50 - 1e-9);
        expect(gap).toBeLessThanOrEqual(150 + 1e-9);
      }
      const mean = (times.at(-1)! - times[0]!) / (times.length - 1);
      expect(Math.abs(mean - 100)).toBeLessThanOrEqual(50 / (times.length - 1) + 1e-9);
    }));
  });
});
