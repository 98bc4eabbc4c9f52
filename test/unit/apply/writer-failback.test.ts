// Make-before-break against the fake kernel: an address leaving a healthy member is added at
// its new home and announced, and the old copy goes only when the failback grace is over;
// a new failure, a reload or a group failure inside the grace settles it at once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Intent } from '../../../src/apply/intent.js';
import { PlacedRecord } from '../../../src/apply/placed-record.js';
import { KernelWriter } from '../../../src/apply/writer.js';
import { DEFAULT_ANNOUNCE } from '../../../src/config/model.js';
import { IFA_F_NOPREFIXROUTE } from '../../../src/netlink/constants.js';
import { silentLogger } from '../../../src/log.js';
import { FakeKernel, fakeLink } from '../../helpers/fake-kernel.js';

const A = '192.0.2.100';
const GRACE = 50;
const data = (ifname: string, address = A) => ({ group: 'g', ifname, family: 4 as const, address, prefixLen: 24, role: 'data' as const, deprecated: false });
const intent = (addresses: Intent['addresses'], healthy: string[], managed = [A]): Intent => ({
  members: ['eth0', 'eth1'],
  addresses,
  routes: [{ group: 'g', family: 4, dst: '192.0.2.0', dstLen: 24, nexthops: healthy.map((ifname) => ({ ifname })), prefsrc: A }],
  managed,
  healthy,
});

/** eth0 is the home, eth1 the survivor holding A after a failover; both usable again. */
function setup(grace = GRACE): { k: FakeKernel; w: KernelWriter } {
  const k = new FakeKernel([fakeLink(2, 'eth0'), fakeLink(3, 'eth1')]);
  k.addAddress(3, A, 24, IFA_F_NOPREFIXROUTE);
  const record = new PlacedRecord(undefined);
  record.add(3, A); // the failover put it there
  const announcer = { announce: (a: { address: string; ifname: string }) => { k.log.push(`announce ${a.address} on ${a.ifname}`); } };
  const w = new KernelWriter(k, k, announcer, () => ({ ...DEFAULT_ANNOUNCE, failbackGraceMs: grace }), record, silentLogger);
  return { k, w };
}

const linkDown = (k: FakeKernel, index: number, name: string): void => { k.links.set(index, fakeLink(index, name, false)); };
/** Lets the writer's own follow-up run (its default wake) finish. */
const settle = async (): Promise<void> => { for (let i = 0; i < 20; i++) await Promise.resolve(); };

describe('KernelWriter: failback without loss (make-before-break)', () => {
  beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }); });
  afterEach(() => { vi.useRealTimers(); });

  it('adds at home, announces, waits the grace, then deletes the survivor copy', async () => {
    const { k, w } = setup();
    const r = await w.apply(intent([data('eth0')], ['eth0', 'eth1']), 'eth0 repaired');
    expect(r.held).toEqual([A]);
    expect(k.holders(A)).toEqual(['eth0', 'eth1']);
    expect(k.log.filter((l) => !l.startsWith('route'))).toEqual([`add ${A} dev eth0`, `announce ${A} on eth0`]);
    await vi.advanceTimersByTimeAsync(GRACE - 5);
    expect(k.holders(A)).toEqual(['eth0', 'eth1']);
    await vi.advanceTimersByTimeAsync(10);
    await settle();
    expect(k.holders(A)).toEqual(['eth0']);
    expect(k.log.filter((l) => !l.startsWith('route'))).toEqual([`add ${A} dev eth0`, `announce ${A} on eth0`, `del ${A} dev eth1`]);
    expect(w.handingOver()).toEqual([]);
  });

  it('a run inside the grace (a check, a reload with the same placement) keeps waiting', async () => {
    const { k, w } = setup();
    const want = intent([data('eth0')], ['eth0', 'eth1']);
    await w.apply(want, 'eth0 repaired');
    await vi.advanceTimersByTimeAsync(20);
    const r = await w.apply(want, 'reload');
    expect(r.held).toEqual([A]);
    expect(k.holders(A)).toEqual(['eth0', 'eth1']);
    await vi.advanceTimersByTimeAsync(GRACE);
    await settle();
    expect(k.holders(A)).toEqual(['eth0']);
  });

  it('grace 0: the survivor copy goes right after the first announcement, in the same run', async () => {
    const { k, w } = setup(0);
    const r = await w.apply(intent([data('eth0')], ['eth0', 'eth1']), 'eth0 repaired');
    expect(r.held).toBeUndefined();
    expect(k.log.filter((l) => !l.startsWith('route'))).toEqual([`add ${A} dev eth0`, `announce ${A} on eth0`, `del ${A} dev eth1`]);
  });

  it('a failover off a NIC without link, or one the engine failed (probes), does not wait', async () => {
    for (const mode of ['link', 'probe'] as const) {
      const { k, w } = setup();
      if (mode === 'link') linkDown(k, 3, 'eth1');
      const r = await w.apply(intent([data('eth0')], ['eth0']), `eth1 ${mode} failed`);
      expect(r.held).toBeUndefined();
      expect(k.holders(A)).toEqual(['eth0']);
    }
  });

  it('a stray copy found by a check (no move under way) goes at once', async () => {
    const { k, w } = setup();
    k.addAddress(2, A, 24, IFA_F_NOPREFIXROUTE);
    const r = await w.apply(intent([data('eth0')], ['eth0', 'eth1']), 'check');
    expect(r.held).toBeUndefined();
    expect(k.holders(A)).toEqual(['eth0']);
  });

  it('the home failing again inside the grace: its copy goes, the survivor keeps the address and announces it again', async () => {
    const { k, w } = setup();
    await w.apply(intent([data('eth0')], ['eth0', 'eth1']), 'eth0 repaired');
    await vi.advanceTimersByTimeAsync(10);
    linkDown(k, 2, 'eth0');
    k.log.length = 0;
    const r = await w.apply(intent([data('eth1')], ['eth1']), 'eth0 link down');
    expect(r.held).toBeUndefined();
    expect(k.holders(A)).toEqual(['eth1']);
    expect(k.log.filter((l) => !l.startsWith('route'))).toEqual([`announce ${A} on eth1`, `del ${A} dev eth0`]);
    await vi.advanceTimersByTimeAsync(GRACE * 2);
    await settle();
    expect(k.holders(A)).toEqual(['eth1']);
    expect(w.handingOver()).toEqual([]);
  });

  it('the survivor failing inside the grace: its copy goes at once, the home keeps the address', async () => {
    const { k, w } = setup();
    await w.apply(intent([data('eth0')], ['eth0', 'eth1']), 'eth0 repaired');
    await vi.advanceTimersByTimeAsync(10);
    linkDown(k, 3, 'eth1');
    const r = await w.apply(intent([data('eth0')], ['eth0']), 'eth1 link down');
    expect(r.held).toBeUndefined();
    expect(k.holders(A)).toEqual(['eth0']);
  });

  it('a group failure inside the grace: nothing moves, the copy on the NIC without link goes', async () => {
    const { k, w } = setup();
    await w.apply(intent([data('eth0')], ['eth0', 'eth1']), 'eth0 repaired');
    linkDown(k, 2, 'eth0');
    linkDown(k, 3, 'eth1');
    await w.apply(intent([data('eth0')], []), 'group failed');
    expect(k.holders(A)).toEqual(['eth0']);
    expect(w.handingOver()).toEqual([]);
  });

  it('a reload dropping the address inside the grace removes both copies and cancels the wait', async () => {
    const { k, w } = setup();
    await w.apply(intent([data('eth0')], ['eth0', 'eth1']), 'eth0 repaired');
    await w.apply({ ...intent([], ['eth0', 'eth1'], []), routes: [] }, 'reload');
    expect(k.holders(A)).toEqual([]);
    expect(w.handingOver()).toEqual([]);
  });

  it('exit inside the grace: the waiting copy goes now, never left on two NICs', async () => {
    const { k, w } = setup();
    await w.apply(intent([data('eth0')], ['eth0', 'eth1']), 'eth0 repaired');
    await w.endHandovers();
    expect(k.holders(A)).toEqual(['eth0']);
  });

  it('asks its wake hook for the follow-up run when one is given', async () => {
    const k = new FakeKernel([fakeLink(2, 'eth0'), fakeLink(3, 'eth1')]);
    k.addAddress(3, A, 24, IFA_F_NOPREFIXROUTE);
    const wakes: string[] = [];
    const w = new KernelWriter(k, k, { announce: () => undefined }, () => ({ ...DEFAULT_ANNOUNCE, failbackGraceMs: GRACE }), new PlacedRecord(undefined), silentLogger, (r) => wakes.push(r));
    await w.apply(intent([data('eth0')], ['eth0', 'eth1']), 'eth0 repaired');
    await vi.advanceTimersByTimeAsync(GRACE + 1);
    expect(wakes).toEqual(['failback grace over']);
    expect(k.holders(A)).toEqual(['eth0', 'eth1']);
  });
});
