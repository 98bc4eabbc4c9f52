// The warning aggregator with a fake clock and timer: first occurrence through, the rest
// counted and summarised once per window, keys independent, nothing left armed at close.
import fc from 'fast-check';
import { describe, expect, it, test } from 'vitest';
import { groupThousands, LogAggregator, type Summary } from '../../../src/log-aggregate.js';

function harness(windowMs = 10_000) {
  let now = 0;
  const timers: { fn: () => void; at: number }[] = [];
  const out: Summary[] = [];
  const agg = new LogAggregator({
    windowMs,
    onSummary: (s) => out.push(s),
    now: () => now,
    setTimer: (fn, ms) => { const t = { fn, at: now + ms }; timers.push(t); return t; },
    clearTimer: (t) => { timers.splice(timers.indexOf(t as (typeof timers)[number]), 1); },
  });
  const advance = (ms: number): void => {
    now += ms;
    for (const t of [...timers]) if (t.at <= now) { timers.splice(timers.indexOf(t), 1); t.fn(); }
  };
  return { agg, out, advance, timers };
}

describe('LogAggregator', () => {
  test('a flap storm over 15 s: one line through per window, one summary per window', () => {
    const { agg, out, advance } = harness();
    let admitted = 0;
    for (let i = 0; i < 3000; i++) { if (agg.admit('eth0', 'carrier changes')) admitted++; advance(5); }
    advance(10_000);
    expect(admitted).toBe(2);
    expect(out.map((s) => s.text)).toEqual([
      'eth0: 1,999 more carrier changes in the last 10 s',
      'eth0: 999 more carrier changes in the last 10 s',
    ]);
  });

  test('the documented format, with thousands separators', () => {
    const { agg, out, advance } = harness();
    for (let i = 0; i < 1235; i++) agg.admit('eth0', 'carrier changes');
    advance(10_000);
    expect(out.map((s) => s.text)).toEqual(['eth0: 1,234 more carrier changes in the last 10 s']);
  });

  test('keys are independent; a single occurrence produces no summary', () => {
    const { agg, out, advance } = harness();
    expect(agg.admit('eth0', 'carrier changes')).toBe(true);
    expect(agg.admit('eth1', 'carrier changes')).toBe(true);
    expect(agg.admit('eth1', 'carrier changes')).toBe(false);
    advance(10_000);
    expect(out.map((s) => s.text)).toEqual(['eth1: 1 more carrier changes in the last 10 s']);
    expect(agg.admit('eth0', 'carrier changes')).toBe(true);
  });

  test('no timer is armed while nothing happens, and close flushes and disarms', () => {
    const { agg, out, timers } = harness();
    expect(timers).toHaveLength(0);
    agg.admit('control', 'refused connections');
    agg.admit('control', 'refused connections');
    expect(timers).toHaveLength(1);
    agg.close();
    expect(timers).toHaveLength(0);
    expect(out).toHaveLength(1);
  });

  test('with the real clock the timer does not hold the process open', () => {
    const agg = new LogAggregator({ onSummary: () => undefined });
    agg.admit('k', 'x');
    const t = (agg as unknown as { timer: NodeJS.Timeout }).timer;
    expect(t.hasRef()).toBe(false);
    agg.close();
  });
});

describe('groupThousands', () => {
  it.each([[0, '0'], [7, '7'], [999, '999'], [1000, '1,000'], [12345, '12,345'], [1234567, '1,234,567'], [-1234, '-1,234']])('%d → %s', (n, s) => {
    expect(groupThousands(n)).toBe(s);
  });
  it('matches en-US grouping for any integer', () => {
    fc.assert(fc.property(fc.integer(), (n) => { expect(groupThousands(n)).toBe(n.toLocaleString('en-US')); }));
  });
});
