// Failback gap (issue 14): a client pings a data address every 2 ms while its home NIC's
// carrier comes back and the address returns home. Make-before-break means the client loses
// nothing beyond what the same train loses with nothing happening (the baseline).
// `npm run bench failback`; BENCH_FAILBACKS (default 40) repairs, BENCH_FAILBACK_GRACE_MS
// sets announce.failbackGraceMs (default: the daemon's own default).
import { setTimeout as sleep } from 'node:timers/promises';
import { RtnlClient } from '../src/netlink/client.js';
import { DaemonProcess } from '../test/helpers/daemon.js';
import { holder } from '../test/helpers/host-state.js';
import { pingTrain, type PingTrain } from '../test/helpers/ping-train.js';
import { buildTopology } from '../test/helpers/topology.js';
import { stats, writeResult } from './lib.js';

const DATA = '192.0.2.100';
const RUNS = Number(process.env.BENCH_FAILBACKS ?? 40);
const GRACE = process.env.BENCH_FAILBACK_GRACE_MS;
const PING_MS = 2;
const TRAIN = 400; // 0.8 s of pings: the repair happens 150 ms in

/** Link-based detection only: a repair is the carrier coming back, nothing to wait for. */
export function failbackYaml(graceMs?: string): string {
  return `groups:
  - name: bench
    announce: { arpCount: 3, arpIntervalMs: 1000${graceMs === undefined ? '' : `, failbackGraceMs: ${graceMs}`} }
    interfaces:
      - { name: eth0 }
      - { name: eth1 }
    dataAddresses:
      - { address: ${DATA}/24, interface: eth0 }
`;
}

async function waitHolder(ns: string, want: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (holder(ns, DATA).join() !== want) {
    if (Date.now() > end) throw new Error(`bench failback: ${DATA} not on ${want} alone (on ${holder(ns, DATA).join() || 'nothing'})`);
    await sleep(5);
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const t = buildTopology(2);
  const sw = RtnlClient.open({ netns: t.lab.path(t.sw) });
  const port0 = (await sw.listLinks()).find((l) => l.name === t.port(0))?.index;
  if (port0 === undefined) throw new Error('bench failback: no switch port for eth0');
  const failback: PingTrain[] = [];
  const baseline: PingTrain[] = [];
  let d: DaemonProcess | undefined;
  try {
    for (let i = 0; i < RUNS; i++) {
      // in.mpathd's flap damping defers a third repair within a minute: restart every second
      // flap (a restart adopts the kernel's state and moves nothing).
      if (i % 2 === 0) {
        if (d) { await d.stop(); d.cleanup(); }
        d = new DaemonProcess(t.host);
        d.writeConfig(failbackYaml(GRACE));
        await d.start();
      }
      await waitHolder(t.host, 'eth0', 20_000);
      if (i % 2 === 0) {
        const b = pingTrain(t.client, DATA, { intervalMs: PING_MS, count: TRAIN });
        baseline.push(await b.done);
      }
      await sw.setLink(port0, { up: false });
      await waitHolder(t.host, 'eth1', 5000);
      await sleep(200);
      const train = pingTrain(t.client, DATA, { intervalMs: PING_MS, count: TRAIN });
      await train.started;
      await sleep(150);
      await sw.setLink(port0, { up: true });
      failback.push(await train.done);
      await waitHolder(t.host, 'eth0', 5000);
    }
  } finally {
    if (d) { await d.stop().catch(() => undefined); d.cleanup(); }
    sw.close();
    t.destroy();
  }
  const result = {
    graceMs: GRACE ?? 'default',
    pingIntervalMs: PING_MS,
    failbackMaxGapMs: stats(failback.map((r) => r.maxGapMs)),
    failbackLost: stats(failback.map((r) => r.lost)),
    failbackRunsWithLoss: failback.filter((r) => r.lost > 0).length,
    baselineMaxGapMs: stats(baseline.map((r) => r.maxGapMs)),
    baselineLost: stats(baseline.map((r) => r.lost)),
    baselineRunsWithLoss: baseline.filter((r) => r.lost > 0).length,
    note: `largest gap between consecutive replies of a ${TRAIN}-echo train (ping -i ${PING_MS / 1000}) across the carrier of the home NIC coming back; baseline: the same train with nothing happening`,
  };
  writeResult(`failback${GRACE === undefined ? '' : `-grace${GRACE}`}`, result);
  return result;
}
