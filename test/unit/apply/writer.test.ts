// The kernel writer against a fake kernel: the rules hold whatever the kernel refuses.
import { describe, expect, it } from 'vitest';
import type { Announcement } from '../../../src/apply/announcer.js';
import type { Intent } from '../../../src/apply/intent.js';
import { PlacedRecord } from '../../../src/apply/placed-record.js';
import { KernelWriter } from '../../../src/apply/writer.js';
import { DEFAULT_ANNOUNCE } from '../../../src/config/model.js';
import { IFA_F_NOPREFIXROUTE } from '../../../src/netlink/constants.js';
import { silentLogger } from '../../../src/log.js';
import { FakeKernel, fakeLink } from '../../helpers/fake-kernel.js';

const data = (ifname: string, address: string) => ({ group: 'g', ifname, family: 4 as const, address, prefixLen: 24, role: 'data' as const, deprecated: false });
const intent = (addresses: Intent['addresses'], prefsrc = '192.0.2.100'): Intent => ({
  members: ['eth0', 'eth1'],
  addresses,
  routes: [{ group: 'g', family: 4, dst: '192.0.2.0', dstLen: 24, nexthops: [{ ifname: 'eth0' }, { ifname: 'eth1' }], prefsrc }],
  managed: addresses.map((a) => a.address),
});

function setup(): { k: FakeKernel; w: KernelWriter; sent: Announcement[]; record: PlacedRecord } {
  const k = new FakeKernel([fakeLink(2, 'eth0'), fakeLink(3, 'eth1'), fakeLink(4, 'foo')]);
  const sent: Announcement[] = [];
  const record = new PlacedRecord(undefined);
  const w = new KernelWriter(k, k, { announce: (a) => { sent.push(a); } }, () => DEFAULT_ANNOUNCE, record, silentLogger);
  return { k, w, sent, record };
}

describe('KernelWriter', () => {
  it('a move adds, announces, then deletes; the record follows the kernel', async () => {
    const { k, w, sent, record } = setup();
    k.addAddress(2, '192.0.2.100', 24, IFA_F_NOPREFIXROUTE);
    await w.apply(intent([data('eth1', '192.0.2.100')]), 'test');
    expect(k.log.slice(0, 2)).toEqual(['add 192.0.2.100 dev eth1', 'del 192.0.2.100 dev eth0']);
    expect(sent.map((a) => `${a.address}@${a.ifname}`)).toEqual(['192.0.2.100@eth1']);
    expect([...record.owned]).toEqual(['3|192.0.2.100']);
  });

  it('never deletes the last copy when the new home refuses the add', async () => {
    const { k, w } = setup();
    k.addAddress(2, '192.0.2.100', 24, IFA_F_NOPREFIXROUTE);
    k.refuse = (op) => (op.op === 'replaceAddress' ? 'EPERM' : undefined);
    const r = await w.apply(intent([data('eth1', '192.0.2.100')]), 'test');
    expect(k.holders('192.0.2.100')).toEqual(['eth0']);
    expect(r.failures.join()).toMatch(/EPERM/);
  });

  it('a route source that vanished is replaced by one that exists, so the route is not refused', async () => {
    const { k, w } = setup();
    await w.apply(intent([data('eth1', '192.0.2.101')], '192.0.2.100'), 'test');
    expect(k.routes.map((r) => r.prefsrc)).toEqual(['192.0.2.101']);
  });

  it('removes its own copy from a NIC renamed away, after the add on a member', async () => {
    const { k, w } = setup();
    k.addAddress(3, '192.0.2.101', 24, IFA_F_NOPREFIXROUTE);
    await w.apply(intent([data('eth1', '192.0.2.101')]), 'placed');
    k.rename(3, 'foo1');
    k.rename(4, 'eth1');
    k.log.length = 0;
    await w.apply(intent([data('eth1', '192.0.2.101')]), 'after rename');
    expect(k.holders('192.0.2.101')).toEqual(['eth1']);
    expect(k.log.slice(0, 2)).toEqual(['add 192.0.2.101 dev eth1', 'del 192.0.2.101 dev foo1']);
  });

  it('an armed plan fires once and only while its generation is current', async () => {
    const { k, w, sent } = setup();
    const plan = { ifname: 'eth0', generation: w.generation, ops: [{ op: 'replaceAddress' as const, spec: { family: 4 as const, index: 3, address: '192.0.2.100', prefixLen: 24 } }], announcements: [] };
    const stale = { ...plan, generation: w.generation - 1 };
    expect(w.fire(stale)).toBe(false);
    expect(w.fire(plan)).toBe(true);
    expect(w.fire(plan)).toBe(false);
    await Promise.resolve();
    expect(k.holders('192.0.2.100')).toEqual(['eth1']);
    expect(sent).toEqual([]);
  });

  it('what an armed plan announced is not announced again by the run that completes the move', async () => {
    const { k, w, sent } = setup();
    k.addAddress(2, '192.0.2.100', 24, IFA_F_NOPREFIXROUTE);
    const series: Announcement = { ifname: 'eth1', ifindex: 3, mac: '02:00:00:00:00:03', family: 4, address: '192.0.2.100', count: 5, intervalMs: 2000 };
    w.fire({ ifname: 'eth0', generation: w.generation, ops: [{ op: 'replaceAddress', spec: { family: 4, index: 3, address: '192.0.2.100', prefixLen: 24, flags: IFA_F_NOPREFIXROUTE } }], announcements: [series] });
    await w.apply(intent([data('eth1', '192.0.2.100')]), 'eth0 down');
    expect(sent).toEqual([series]);
    expect(k.holders('192.0.2.100')).toEqual(['eth1']);
  });
});
