// The timing promises on a fake clock: a black hole is detected within the FDT (in.mpathd's
// promise, thanks to interval = FDT/7), repair takes exactly 10 good probes, the quiet period
// holds failures back at start-up.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from './sim.js';

describe('timing on a fake clock', () => {
  it('property: detection after a black hole ≤ FDT, repair after 10 acks and ≤ 2 × FDT', () => {
    fc.assert(fc.property(
      fc.constantFrom(100, 1000, 10_000),
      fc.integer({ min: 1, max: 2 ** 31 }),
      fc.double({ min: 0.02, max: 5, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (fdt, seed, rtt, phase) => {
        const failAt = 3 * fdt + phase * fdt; // after a warm-up
        const backAt = failAt + 3 * fdt;
        const trans = simulate({
          fdtMs: fdt, seed, rttMs: () => rtt, endMs: backAt + 4 * fdt, up: (t) => t < failAt || t >= backAt,
        });
        expect(trans.map((x) => x.state)).toEqual(['ok', 'failed', 'ok']);
        const [, failed, repaired] = trans;
        expect(failed!.at).toBeGreaterThan(failAt);
        expect(failed!.at - failAt).toBeLessThanOrEqual(fdt);
        expect(repaired!.ackRun).toBe(10);
        expect(repaired!.at - backAt).toBeLessThanOrEqual(2 * fdt);
      },
    ), { numRuns: 200 });
  });

  it('no false failure when every reply arrives just inside its deadline-free interval (jittery but answered)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      // RTT alternates 0.1 ms and 8 ms at FDT 100 (interval 14.3 ms): loss timeout follows the CRTT.
      const trans = simulate({ fdtMs: 100, seed, rttMs: (n) => (n % 2 ? 0.1 : 8), endMs: 20_000, up: () => true });
      expect(trans.map((x) => x.state)).toEqual(['ok']);
    }
  });

  it('four lost probes in a row are tolerated, five are not', () => {
    const lossy = (k: number) => simulate({
      fdtMs: 1000, seed: 7, rttMs: (n) => (n >= 20 && n < 20 + k ? 10_000 : 1), endMs: 10_000, up: () => true,
    }).map((x) => x.state);
    expect(lossy(4)).toEqual(['ok']);
    expect(lossy(5)).toEqual(['ok', 'failed', 'ok']);
  });

  it('quiet period: a dead network at start-up is not a failure until it ends', () => {
    const trans = simulate({ fdtMs: 1000, seed: 9, rttMs: () => 1, endMs: 60_000, up: () => false, quietPeriodMs: 40_000 });
    expect(trans.map((x) => x.state)).toEqual(['ok', 'failed']);
    expect(trans[1]!.at).toBeGreaterThanOrEqual(40_000);
    expect(trans[1]!.at).toBeLessThanOrEqual(40_000 + 1000);
  });

  it('without a quiet period the same start-up fails within the FDT', () => {
    const trans = simulate({ fdtMs: 1000, seed: 9, rttMs: () => 1, endMs: 5000, up: () => false });
    expect(trans[1]!.at).toBeLessThanOrEqual(1000);
  });
});
