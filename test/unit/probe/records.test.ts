// The ipmpstat -p ring: bounded, oldest first, filtered by when the outcome became known.
import { describe, expect, it } from 'vitest';
import type { ProbeRecord } from '../../../src/control/status.js';
import { ProbeLog } from '../../../src/probe/records.js';

const rec = (probe: number, outcome: 'acked' | 'lost' = 'acked'): ProbeRecord => ({
  sentAtMs: 1000 + probe, interface: 'eth0', probe, netRttMs: 1, rttMs: 1, rttAvgMs: 1, rttDevMs: 0, target: '192.0.2.254', outcome,
});

describe('ProbeLog', () => {
  it('returns records completed after `since`, oldest first; a late loss is not missed', () => {
    const l = new ProbeLog(10);
    l.push(rec(2), 2000);
    l.push(rec(1, 'lost'), 2005); // sent before probe 2, declared lost after it was acked
    l.push(rec(3), 2010);
    expect(l.since().map((r) => r.probe)).toEqual([2, 1, 3]);
    expect(l.since(2000).map((r) => r.probe)).toEqual([1, 3]);
    expect(l.since(2010)).toEqual([]);
  });

  it('keeps only the newest `capacity` records', () => {
    const l = new ProbeLog(4);
    for (let i = 1; i <= 10; i++) l.push(rec(i), i);
    expect(l.size).toBe(4);
    expect(l.since().map((r) => r.probe)).toEqual([7, 8, 9, 10]);
  });

  it('hands out copies', () => {
    const l = new ProbeLog(2);
    l.push(rec(1), 1);
    l.since()[0]!.probe = 99;
    expect(l.since()[0]!.probe).toBe(1);
  });
});
