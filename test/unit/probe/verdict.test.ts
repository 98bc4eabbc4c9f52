// Member verdicts from per-family (and per-method) runs: in.mpathd's failure and repair rules.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INITIAL_VERDICT, nextVerdict, resetVerdict, type InstanceView, type MemberVerdict } from '../../../src/probe/verdict.js';

const v = (p: Partial<InstanceView>): InstanceView => ({ hasTargets: true, lossRun: 0, ackRun: 0, ...p });
const ok: MemberVerdict = { state: 'ok', mustEarn: false, lastOkAt: 100 };
const failed: MemberVerdict = { state: 'failed', mustEarn: true, failingSince: 50 };

describe('nextVerdict', () => {
  it.each([
    { what: 'no usable instance', prev: INITIAL_VERDICT, views: [], want: 'disabled' },
    { what: 'no targets anywhere', prev: INITIAL_VERDICT, views: [v({ hasTargets: false }), v({ hasTargets: false })], want: 'unknown' },
    { what: 'targets, nothing lost yet (optimistic)', prev: INITIAL_VERDICT, views: [v({})], want: 'ok' },
    { what: '4 losses', prev: ok, views: [v({ lossRun: 4 })], want: 'ok' },
    { what: '5 losses', prev: ok, views: [v({ lossRun: 5, lossRunSince: 70 })], want: 'failed' },
    { what: '5 losses on v4, v6 still fine', prev: ok, views: [v({ lossRun: 5 }), v({ lossRun: 2 })], want: 'ok' },
    { what: '5 losses on v4 and v6', prev: ok, views: [v({ lossRun: 5 }), v({ lossRun: 6 })], want: 'failed' },
    { what: 'ICMP lost, ARP answered (probe: both)', prev: ok, views: [v({ lossRun: 9 }), v({ ackRun: 9 })], want: 'ok' },
    { what: '5 losses; the other family has no targets', prev: ok, views: [v({ lossRun: 5 }), v({ hasTargets: false })], want: 'failed' },
    { what: 'failed: 9 acks are not enough', prev: failed, views: [v({ ackRun: 9 })], want: 'failed' },
    { what: 'failed: 10 acks repair', prev: failed, views: [v({ ackRun: 10 })], want: 'ok' },
    { what: 'failed: 10 acks on either family repair', prev: failed, views: [v({ lossRun: 5 }), v({ ackRun: 10 })], want: 'ok' },
    { what: 'failed: targets gone, stays failed', prev: failed, views: [v({ hasTargets: false })], want: 'failed' },
    { what: 'reset, no targets: unknown until earned', prev: { state: 'unknown', mustEarn: true } as MemberVerdict, views: [v({ hasTargets: false })], want: 'unknown' },
    { what: 'reset, targets found: failed until earned', prev: { state: 'unknown', mustEarn: true } as MemberVerdict, views: [v({ ackRun: 3 })], want: 'failed' },
  ])('$what → $want', ({ prev, views, want }) => {
    expect(nextVerdict(prev, views).state).toBe(want);
  });

  it('failure carries the first loss of the run (earliest over families) and the newest ack', () => {
    const r = nextVerdict(ok, [v({ lossRun: 5, lossRunSince: 300, lastAckAt: 250 }), v({ lossRun: 7, lossRunSince: 200, lastAckAt: 150 })]);
    expect(r).toEqual({ state: 'failed', mustEarn: true, failingSince: 200, lastOkAt: 250 });
  });

  it('a failed member keeps its failingSince until repaired', () => {
    const r = nextVerdict(failed, [v({ lossRun: 12, lossRunSince: 900 })]);
    expect(r.failingSince).toBe(50);
  });

  it('lastOkAt only moves forward', () => {
    expect(nextVerdict({ ...ok, lastOkAt: 500 }, [v({ lastAckAt: 400 })]).lastOkAt).toBe(500);
    expect(nextVerdict(ok, [v({ lastAckAt: 400 })]).lastOkAt).toBe(400);
  });

  it('property: never failed without targets on a member that was not failed', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ lossRun: fc.nat(60), ackRun: fc.nat(60) }), { minLength: 1, maxLength: 4 }),
      (runs) => {
        const r = nextVerdict(ok, runs.map((x) => v({ ...x, hasTargets: false })));
        expect(r.state).toBe('unknown');
      },
    ));
  });

  it('property: failed ⇔ every instance with targets has ≥5 losses (from ok)', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ lossRun: fc.nat(10), hasTargets: fc.boolean() }), { minLength: 1, maxLength: 4 }),
      (xs) => {
        const r = nextVerdict(ok, xs.map((x) => v({ ...x, ackRun: x.lossRun === 0 ? 1 : 0 })));
        const probing = xs.filter((x) => x.hasTargets);
        const shouldFail = probing.length > 0 && probing.every((x) => x.lossRun >= 5);
        expect(r.state === 'failed').toBe(shouldFail);
      },
    ));
  });
});

describe('resetVerdict', () => {
  it.each([
    { prev: ok, hasTargets: true, want: { state: 'failed', mustEarn: true, lastOkAt: 100, failingSince: 1000 } },
    { prev: ok, hasTargets: false, want: { state: 'unknown', mustEarn: true, lastOkAt: 100 } },
    { prev: failed, hasTargets: false, want: { state: 'failed', mustEarn: true, failingSince: 50 } },
    { prev: { state: 'disabled', mustEarn: false } as MemberVerdict, hasTargets: false, want: { state: 'disabled', mustEarn: false } },
  ])('$prev.state with targets=$hasTargets', ({ prev, hasTargets, want }) => {
    expect(resetVerdict(prev, hasTargets, 1000)).toEqual(want);
  });
});
