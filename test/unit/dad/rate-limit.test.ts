import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictRateLimiter } from '../../../src/dad/rate-limit.js';

const A = '192.0.2.100';
const M1 = '02:00:00:00:00:01';
const M2 = '02:00:00:00:00:02';

describe('ConflictRateLimiter', () => {
  it('reports a (address, mac) once per hold-down, again after it', () => {
    const r = new ConflictRateLimiter({ holdDownMs: 10_000 });
    expect(r.allow(A, M1, 0)).toBe(true);
    expect(r.allow(A, M1, 1)).toBe(false);
    expect(r.allow(A, M1, 9_999)).toBe(false);
    expect(r.allow(A, M1, 10_000)).toBe(true);
  });

  it('keeps pairs apart: another MAC or another address is reported', () => {
    const r = new ConflictRateLimiter();
    expect(r.allow(A, M1, 0)).toBe(true);
    expect(r.allow(A, M2, 0)).toBe(true);
    expect(r.allow('2001:db8::100', M1, 0)).toBe(true);
  });

  it('caps distinct MACs per address per hold-down (spoofed-MAC flood)', () => {
    const r = new ConflictRateLimiter({ holdDownMs: 1000, perAddress: 3 });
    const macs = [1, 2, 3, 4, 5].map((i) => `02:00:00:00:01:0${i}`);
    expect(macs.map((m) => r.allow(A, m, 0))).toEqual([true, true, true, false, false]);
    expect(r.allow('192.0.2.101', macs[4] as string, 0)).toBe(true);
    expect(r.allow(A, macs[4] as string, 1000)).toBe(true);
  });

  it('retain() forgets addresses no longer guarded', () => {
    const r = new ConflictRateLimiter();
    r.allow(A, M1, 0);
    r.allow('192.0.2.101', M1, 0);
    r.retain(new Set([A]));
    expect(r.size).toBe(1);
    expect(r.allow('192.0.2.101', M1, 1)).toBe(true);
  });

  it('property: memory stays bounded and a pair is never reported twice within the hold-down', () => {
    const event = fc.record({ a: fc.nat(20), m: fc.nat(2000), dt: fc.nat(50) });
    fc.assert(fc.property(fc.array(event, { maxLength: 400 }), (events) => {
      const r = new ConflictRateLimiter({ holdDownMs: 1000, perAddress: 4, maxEntries: 64 });
      const last = new Map<string, number>();
      let now = 0;
      for (const e of events) {
        now += e.dt;
        const addr = `192.0.2.${e.a}`;
        const mac = `02:00:00:00:${(e.m >> 8).toString(16).padStart(2, '0')}:${(e.m & 255).toString(16).padStart(2, '0')}`;
        if (r.allow(addr, mac, now)) {
          const prev = last.get(`${addr} ${mac}`);
          expect(prev === undefined || now - prev >= 1000).toBe(true);
          last.set(`${addr} ${mac}`, now);
        }
        expect(r.size).toBeLessThanOrEqual(64);
      }
    }));
  });
});
