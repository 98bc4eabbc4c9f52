// CRTT (Jacobson/Karels as in in.mpathd): first sample, smoothing gains, deferral of outliers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RttEstimator } from '../../../src/probe/rtt.js';

describe('RttEstimator', () => {
  it('starts unknown; the first sample m gives CRTT 3m (avg m, mdev m/2)', () => {
    const e = new RttEstimator();
    expect(e.crtt).toBeUndefined();
    expect(e.add(10, 1000)).toBe('integrated');
    expect([e.avg, e.dev, e.crtt]).toEqual([10, 5, 30]);
  });

  it.each([
    // samples, expected [avg, dev, crtt] after them (interval 1000: no deferral)
    { samples: [10, 10], want: [10, 3.75, 25] },
    { samples: [10, 18], want: [11, 5.75, 34] },
    { samples: [10, 2], want: [9, 5.75, 32] },
    // sv = 2m = 16 decays by 3/4 per exact sample: 16 × 0.75³ = 6.75
    { samples: [8, 8, 8, 8], want: [8, 1.6875, 14.75] },
  ])('gains 1/8 for the average and 1/4 for the deviation: $samples', ({ samples, want }) => {
    const e = new RttEstimator();
    for (const s of samples) e.add(s, 1000);
    expect(e.avg).toBeCloseTo(want[0]!, 9);
    expect(e.dev).toBeCloseTo(want[1]!, 9);
    expect(e.crtt).toBeCloseTo(want[2]!, 9);
  });

  it('a sample that alone would push CRTT above the interval is deferred once, then both count', () => {
    const e = new RttEstimator();
    for (let i = 0; i < 20; i++) e.add(1, 100);
    const before = e.crtt;
    expect(e.add(500, 100)).toBe('deferred');
    expect(e.crtt).toBe(before);
    expect(e.pendingDeferred).toBe(1);
    expect(e.add(500, 100)).toBe('integrated');
    expect(e.pendingDeferred).toBe(0);
    // Both outliers were integrated: the average moved twice towards 500.
    const ref = new RttEstimator();
    for (let i = 0; i < 20; i++) ref.add(1, 1e9);
    ref.add(500, 1e9);
    ref.add(500, 1e9);
    expect(e.crtt).toBeCloseTo(ref.crtt!, 9);
  });

  it('an ordinary sample after a deferred one drops the outlier', () => {
    const e = new RttEstimator();
    for (let i = 0; i < 20; i++) e.add(1, 100);
    e.add(500, 100);
    e.add(1, 100);
    expect(e.pendingDeferred).toBe(0);
    expect(e.crtt).toBeLessThan(5);
  });

  it('multicast samples are never deferred; negative samples count as 0', () => {
    const e = new RttEstimator();
    expect(e.add(500, 100, false)).toBe('integrated');
    const z = new RttEstimator();
    z.add(-3, 100);
    expect(z.crtt).toBe(0);
  });

  it('property: CRTT ≥ average ≥ 0 and CRTT ≤ 5 × the largest sample (avg ≤ max, 4·mdev ≤ 4·max)', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 60 }), (xs) => {
      const e = new RttEstimator();
      for (const x of xs) e.add(x, 1e9);
      const max = Math.max(...xs);
      expect(e.avg!).toBeGreaterThanOrEqual(0);
      expect(e.crtt!).toBeGreaterThanOrEqual(e.avg! - 1e-9);
      expect(e.crtt!).toBeLessThanOrEqual(5 * max * (1 + 1e-9) + 1e-12);
    }));
  });
});
