// Consistency under stress: dumps interrupted by concurrent changes are retried, and a
// monitor that overflows its receive buffer (ENOBUFS) resyncs to exactly the kernel's state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchOp, RtnlClient } from '../../src/netlink/client.js';
import { IFA_F_NODAD, IFA_F_NOPREFIXROUTE } from '../../src/netlink/constants.js';
import { type ResyncInfo, RtnlMonitor } from '../../src/netlink/monitor.js';
import { EventLog, converged } from '../fixtures/netlink/harness.js';
import { Lab, requireNetnsSupport } from '../helpers/netns.js';

const enabled = requireNetnsSupport();

const v6 = (i: number, block: number): string => `2001:db8:${block.toString(16)}::${(i + 1).toString(16)}`;

describe.runIf(enabled)('rtnetlink consistency', () => {
  const lab = new Lab();
  let ns = '';
  let client: RtnlClient;
  let churner: RtnlClient;
  let index = 0;

  beforeAll(async () => {
    ns = lab.ns('nlc');
    client = RtnlClient.open({ netns: lab.path(ns) });
    churner = RtnlClient.open({ netns: lab.path(ns) });
    await client.createVeth('cv0', 'cv1');
    index = (await client.getLinkByName('cv0'))?.index ?? 0;
    await client.setLink(index, { up: true });
  });
  afterAll(() => {
    client?.close();
    churner?.close();
    lab.destroy();
  });

  const ops = (op: 'addAddress' | 'deleteAddress', n: number, block: number): BatchOp[] => Array.from({ length: n }, (_, i) => ({
    op,
    spec: { family: 6 as const, index, address: v6(i, block), prefixLen: 64, flags: IFA_F_NODAD | IFA_F_NOPREFIXROUTE },
  }));
  const addOps = (n: number, block: number): BatchOp[] => ops('addAddress', n, block);
  const delOps = (n: number, block: number): BatchOp[] => ops('deleteAddress', n, block);

  it('retries a dump interrupted by concurrent changes and returns a consistent result', async () => {
    const stable = addOps(3000, 1);
    expect((await client.batch(stable)).filter(Boolean)).toEqual([]);
    const before = client.stats.interruptedDumps;
    for (let round = 0; round < 5; round++) {
      // The first dump part is built inside sendmsg; the churn lands before the next part.
      const dump = client.listAddresses(6);
      const churn = churner.batch(round % 2 === 0 ? addOps(200, 2) : delOps(200, 2));
      const [list, results] = await Promise.all([dump, churn]);
      expect(results.filter(Boolean)).toEqual([]);
      const mine = list.filter((a) => a.index === index && a.local.startsWith('2001:db8:1::'));
      expect(mine).toHaveLength(3000);
      expect(new Set(mine.map((a) => a.local)).size).toBe(3000);
      const churned = list.filter((a) => a.local.startsWith('2001:db8:2::')).length;
      // All or nothing of the churn batch: a retried dump never shows half of it.
      expect([0, 200]).toContain(churned);
    }
    expect(client.stats.interruptedDumps - before).toBeGreaterThan(0);
    await client.batch(delOps(3000, 1));
  });

  it('resyncs after ENOBUFS from a burst of 2000+ address changes and matches a fresh dump', async () => {
    const mon = await RtnlMonitor.open({ netns: lab.path(ns), rcvbuf: 4096, routes: true });
    try {
      const errors: Error[] = [];
      mon.on('error', (e) => errors.push(e));
      const log = new EventLog(mon);
      const resyncs: ResyncInfo[] = [];
      mon.on('resync', (r) => resyncs.push(r));
      const burst = [...addOps(1500, 3), ...delOps(700, 3)];
      expect((await churner.batch(burst)).filter(Boolean)).toEqual([]);
      const end = Date.now() + 10_000;
      while (resyncs.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(resyncs.length).toBeGreaterThan(0);
      expect(resyncs[0]?.reason).toBe('ENOBUFS');
      const { view, dump } = await converged(mon, client, 10_000);
      expect(view).toEqual(dump);
      const left = [...mon.addresses.values()].filter((a) => a.local.startsWith('2001:db8:3::'));
      expect(left).toHaveLength(800);
      // The differences were also delivered as events, so an event-only consumer converges too.
      expect(log.events.length).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      mon.close();
    }
  });
});
