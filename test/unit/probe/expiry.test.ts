// One loss-deadline timer per group: nothing armed while every probe has its reply, the
// earliest open deadline wakes the group once, and everything past it is expired then.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupExpiry, type Expiring } from '../../../src/probe/expiry.js';

let t0 = 0;

class FakeProber implements Expiring {
  deadlines: number[] = [];
  expiredAt: number[] = [];
  constructor(private readonly clock: () => number) {}
  nextDeadline(): number | undefined { return this.deadlines.length ? Math.min(...this.deadlines) : undefined; }
  expire(): void {
    const now = this.clock();
    if (this.deadlines.some((d) => d <= now)) this.expiredAt.push(Math.round(now - t0));
    this.deadlines = this.deadlines.filter((d) => d > now);
  }
}

describe('GroupExpiry', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] });
    t0 = Date.now();
  });
  afterEach(() => { vi.useRealTimers(); });
  const now = (): number => Date.now();

  it('arms nothing when every probe was answered within the round', async () => {
    const a = new FakeProber(now);
    const e = new GroupExpiry(() => [a], now);
    e.soon();
    await vi.advanceTimersByTimeAsync(1000);
    expect(vi.getTimerCount()).toBe(0);
    expect(a.expiredAt).toEqual([]);
  });

  it('wakes once at the earliest open deadline of the group, then for the next one', async () => {
    const a = new FakeProber(now);
    const b = new FakeProber(now);
    a.deadlines = [now() + 30];
    b.deadlines = [now() + 10, now() + 50];
    const e = new GroupExpiry(() => [a, b], now);
    e.soon();
    e.soon(); // a second call in the same turn changes nothing
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    // (The fake clock runs an immediate made by a timer one tick later: expiry lands at +1.)
    await vi.advanceTimersByTimeAsync(12);
    expect({ a: a.expiredAt, b: b.expiredAt }).toEqual({ a: [], b: [11] });
    await vi.advanceTimersByTimeAsync(20);
    expect({ a: a.expiredAt, b: b.expiredAt }).toEqual({ a: [31], b: [11] });
    await vi.advanceTimersByTimeAsync(20);
    expect(b.expiredAt).toEqual([11, 51]);
    await vi.advanceTimersByTimeAsync(100);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps an earlier wake-up rather than re-arming; close stops everything', async () => {
    const a = new FakeProber(now);
    a.deadlines = [now() + 10];
    const e = new GroupExpiry(() => [a], now);
    e.soon();
    await vi.advanceTimersByTimeAsync(0);
    a.deadlines.push(now() + 40);
    e.soon();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    e.close();
    await vi.advanceTimersByTimeAsync(100);
    expect(a.expiredAt).toEqual([]);
  });
});
