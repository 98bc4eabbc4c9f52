// Memory footprint (issue 9): the daemon's RSS idle with 4 probing NICs, and again after a
// 60 s flap storm on those NICs. Targets: ≤ 60 MB idle, ≤ +10 MB after the storm.
// The daemon runs at log level info, as installed; RSS is read from /proc.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DaemonProcess } from '../test/helpers/daemon.js';
import { buildTopology } from '../test/helpers/topology.js';
import { groupYaml } from './daemon.js';
import { stats, writeResult } from './lib.js';

const STORM_S = Number(process.env.BENCH_STORM_S ?? 60);
const RUNS = Number(process.env.BENCH_FOOTPRINT_RUNS ?? 3);
const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 10);

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
/** RSS split: private anonymous memory (the daemon's own) and the node binary's shared, clean pages. */
function split(pid: number): { anonymousMb: number; sharedCleanMb: number } {
  const roll = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(roll)?.[1] ?? 0);
  return { anonymousMb: kb('Anonymous') / 1024, sharedCleanMb: kb('Shared_Clean') / 1024 };
}

async function once(): Promise<{ idle: number; afterStorm: number; flaps: number; idleSplit: ReturnType<typeof split> }> {
  const t = buildTopology(4);
  const d = new DaemonProcess(t.host);
  try {
    d.writeConfig(groupYaml(4, ['192.0.2.100/24', '192.0.2.101/24'], 1, 10_000));
    await d.start(['--log-level', 'info']);
    const pid = d.child!.pid!;
    await sleep(5000); // start-up garbage collected, plans armed
    const idle = rssMb(pid);
    const idleSplit = split(pid);
    // Storm: NICs 1..3 lose and regain carrier in turn every 100 ms; eth0 stays, so the group
    // never fails and every flap is a failover or a damped repair.
    let flaps = 0;
    const end = Date.now() + STORM_S * 1000;
    while (Date.now() < end) {
      const i = 1 + (flaps % 3);
      t.cutCarrier(i);
      await sleep(50);
      t.restoreCarrier(i);
      await sleep(50);
      flaps++;
    }
    await sleep(SETTLE_S * 1000); // the storm's last repairs and announcements settle
    return { idle, afterStorm: rssMb(pid), flaps, idleSplit };
  } finally {
    await d.stop().catch(() => undefined);
    d.cleanup();
    t.destroy();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const idle: number[] = [];
  const after: number[] = [];
  let flaps = 0;
  const anon: number[] = [];
  const shared: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await once();
    idle.push(r.idle);
    after.push(r.afterStorm);
    flaps = r.flaps;
    anon.push(r.idleSplit.anonymousMb);
    shared.push(r.idleSplit.sharedCleanMb);
  }
  const growth = after.map((a, i) => a - idle[i]!);
  const result = {
    rssIdleMb: stats(idle), idleAnonymousMb: stats(anon), idleSharedCleanMb: stats(shared), rssAfterStormMb: stats(after), growthMb: stats(growth), stormS: STORM_S, flapsPerStorm: flaps, runs: RUNS,
    targets: { rssIdleMb: 60, growthMb: 10 },
    note: 'RSS counts the node binary\'s shared clean pages (idleSharedCleanMb, ~34 MB for an empty node process here); idleAnonymousMb is the daemon\'s own memory. 4 NICs probing at FDT 10 s, 2 data addresses, log level info; storm = carrier cut/restore on NICs 1–3 in turn every 100 ms',
  };
  writeResult('footprint', result);
  console.log(`footprint: RSS idle median ${stats(idle).p50.toFixed(1)} MB (target ≤ 60; ${stats(anon).p50.toFixed(1)} MB of it private, ${stats(shared).p50.toFixed(1)} MB the node binary's shared pages), after a ${STORM_S} s flap storm +${stats(growth).p50.toFixed(1)} MB (target ≤ +10)`);
  return result;
}
