// Failback without loss (issue 14): on repair and on if_mpadm -r the home NIC takes the
// address back while the survivor keeps its copy until the first announcement has left and
// the failback grace has passed. A client pinging every 2 ms sees no loss beyond its baseline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonProcess } from '../helpers/daemon.js';
import { holder } from '../helpers/host-state.js';
import { requireNetnsSupport } from '../helpers/netns.js';
import { pingTrain, type PingTrain } from '../helpers/ping-train.js';
import { buildTopology, type Topology } from '../helpers/topology.js';
import { sleep, until } from '../helpers/wire.js';

const enabled = requireNetnsSupport();
const A = '192.0.2.100';

/** Link-based detection only (no test addresses): a repair is the carrier coming back. */
const yaml = (grace?: number): string => `groups:
  - name: g
    announce: { arpCount: 3, arpIntervalMs: 1000${grace === undefined ? '' : `, failbackGraceMs: ${grace}`} }
    interfaces:
      - { name: eth0 }
      - { name: eth1 }
    dataAddresses:
      - { address: ${A}/24, interface: eth0 }
`;

describe.runIf(enabled)('e2e: failback without loss (default grace)', () => {
  let t: Topology;
  let d: DaemonProcess | undefined;

  const restart = async (): Promise<void> => {
    if (d) { await d.stop(); d.cleanup(); }
    d = new DaemonProcess(t.host);
    d.writeConfig(yaml());
    await d.start();
  };

  beforeAll(() => { t = buildTopology(2); });
  afterAll(async () => {
    await d?.stop().catch(() => undefined);
    d?.cleanup();
    t?.destroy();
  });

  it('a client pinging every 2 ms loses no more on three failbacks than on three quiet trains', async () => {
    await restart();
    await until(() => holder(t.host, A).join() === 'eth0', 5000, 'address home');
    const train = { intervalMs: 2, count: 400 };
    const baseline: PingTrain[] = [];
    const failback: PingTrain[] = [];
    for (let i = 0; i < 3; i++) baseline.push(await pingTrain(t.client, A, train).done);
    const kept = /^keeping 192\.0\.2\.100 on eth1 for 50 ms after eth0 announced it/;
    let handovers = 0;
    for (let i = 0; i < 3; i++) {
      // in.mpathd's flap damping defers a third repair within a minute: a restart (which
      // adopts the kernel's state and moves nothing) starts a fresh count.
      if (i === 2) {
        handovers += d!.logsMatching(kept).length;
        await restart();
      }
      t.cutCarrier(0);
      await until(() => holder(t.host, A).join() === 'eth1', 5000, 'failover to eth1');
      await sleep(200);
      const run = pingTrain(t.client, A, train);
      await run.started;
      await sleep(150);
      t.restoreCarrier(0);
      failback.push(await run.done);
      await until(() => holder(t.host, A).join() === 'eth0', 5000, 'failback to eth0 alone');
    }
    const lost = (xs: PingTrain[]): number => xs.reduce((n, x) => n + x.lost, 0);
    // With the old copy deleted right after the first announcement, most failbacks lost 1-2
    // replies (npm run bench failback); one lost reply in all is left for a loaded machine.
    expect(failback.map((x) => x.transmitted)).toEqual([400, 400, 400]);
    expect(lost(failback), `failback trains ${JSON.stringify(failback)}, baseline ${JSON.stringify(baseline)}`).toBeLessThanOrEqual(lost(baseline) + 1);
    expect(handovers + d!.logsMatching(kept).length).toBe(3);
  });
});

describe.runIf(enabled)('e2e: failback order, seen from the kernel (long grace)', () => {
  const GRACE = 2000;
  let t: Topology;
  let d: DaemonProcess;

  beforeAll(async () => {
    t = buildTopology(2);
    d = new DaemonProcess(t.host);
    d.writeConfig(yaml(GRACE));
    await d.start();
    await until(() => holder(t.host, A).join() === 'eth0', 5000, 'address home');
  });
  afterAll(async () => {
    await d?.stop().catch(() => undefined);
    d?.cleanup();
    t?.destroy();
  });

  /** After a move back home: both copies first, then the survivor's goes once the grace is over. */
  async function expectHandover(): Promise<void> {
    await until(() => holder(t.host, A).includes('eth0'), 5000, 'address added at home');
    const since = performance.now();
    expect(holder(t.host, A)).toEqual(['eth0', 'eth1']);
    await until(() => holder(t.host, A).join() === 'eth0', GRACE + 5000, 'survivor copy removed');
    // Deleted no earlier than the grace after the home's first announcement (which came first).
    expect(performance.now() - since).toBeGreaterThan(GRACE / 2);
  }

  it('on repair: home announces, the survivor keeps its copy for the grace, then drops it', async () => {
    t.cutCarrier(0);
    await until(() => holder(t.host, A).join() === 'eth1', 5000, 'failover to eth1');
    t.restoreCarrier(0);
    await expectHandover();
    expect(d.logsMatching(new RegExp(`^keeping ${A.replaceAll('.', '\\.')} on eth1 for ${GRACE} ms after eth0 announced it`))).toHaveLength(1);
  });

  it('if_mpadm -d moves at once (the offline NIC is not healthy); -r fails back make-before-break', async () => {
    const off = await d.cli('if_mpadm', ['-d', 'eth0']);
    expect(off.code).toBe(0);
    await until(() => holder(t.host, A).join() === 'eth1', 5000, 'offline moved the address');
    const on = await d.cli('if_mpadm', ['-r', 'eth0']);
    expect(on.code).toBe(0);
    await expectHandover();
  });

  it('the home failing again inside the grace: the survivor keeps the address, the home copy goes', async () => {
    const wasLogged = d.logsMatching(/^keeping /).length;
    t.cutCarrier(0);
    await until(() => holder(t.host, A).join() === 'eth1', 5000, 'failover to eth1');
    t.restoreCarrier(0);
    await until(() => d.logsMatching(/^keeping /).length > wasLogged, 5000, 'handover started');
    t.cutCarrier(0);
    await until(() => holder(t.host, A).join() === 'eth1', 5000, 'back on eth1 alone');
    // Past the old grace nothing else moves: eth1 keeps it (not deleted by a stale handover).
    await sleep(GRACE + 300);
    expect(holder(t.host, A)).toEqual(['eth1']);
    t.restoreCarrier(0);
  });
});
