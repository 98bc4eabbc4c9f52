// Transitive probing benchmarks (probe: transitive, no test addresses), in namespaces created
// and deleted here: host eth0/eth1 (no addresses) → bridge → router 192.0.2.254, the
// ProbeManager in this process sending RFC 5227 ARP probes through each NIC.
//  1. detection time after a black hole (switch port detached, carrier stays up), and repair,
//     at FDT = 100 and 1000 ms (BENCH_TRANSITIVE_RUNS="100:20,1000:10", FDT:runs), judged
//     against the configured FDT and the FDT in force (in.mpathd raises it for slow targets);
//  2. false failovers during a soak at FDT = 100 ms with every core loaded by busy loops
//     (BENCH_SOAK_S seconds, default 60; the target run is 600).
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { DEFAULT_ANNOUNCE, DEFAULT_MPATHD, type IpmpConfig } from '../src/config/model.js';
import type { ProbeRecord } from '../src/control/status.js';
import { startManager as startRunner, until as waitFor, type Running } from './probe-runner.js';
import { sh, stats, withNamespaces, writeResult } from './lib.js';

const ROUTER = '192.0.2.254';

interface Lab { host: string; sw: string; rtr: string }

const ip = (ns: string, ...args: string[]): void => { sh('ip', ['-n', ns, ...args]); };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function buildLab(ns: Record<string, string>): Lab {
  const lab = { host: ns.host as string, sw: ns.sw as string, rtr: ns.rtr as string };
  ip(lab.sw, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0');
  ip(lab.sw, 'link', 'set', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
  ip(lab.sw, 'link', 'set', 'br0', 'up');
  for (const i of [0, 1]) {
    ip(lab.host, 'link', 'add', `eth${i}`, 'type', 'veth', 'peer', 'name', `sw-h${i}`, 'netns', lab.sw);
    ip(lab.sw, 'link', 'set', `sw-h${i}`, 'master', 'br0', 'up');
    ip(lab.host, 'link', 'set', `eth${i}`, 'up');
  }
  ip(lab.rtr, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'sw-r', 'netns', lab.sw);
  ip(lab.sw, 'link', 'set', 'sw-r', 'master', 'br0', 'up');
  ip(lab.rtr, 'addr', 'add', `${ROUTER}/24`, 'dev', 'eth0');
  ip(lab.rtr, 'link', 'set', 'eth0', 'up');
  // No address on the host NICs at all: the router is known from the routing table only.
  ip(lab.host, 'route', 'add', 'default', 'via', ROUTER, 'dev', 'eth0', 'onlink');
  return lab;
}

function config(fdtMs: number): IpmpConfig {
  return {
    mpathd: { ...DEFAULT_MPATHD, failureDetectionTime: fdtMs },
    defaultRouters: [],
    groups: [{
      name: 'bench', mode: 'outbound-spread', probe: 'transitive', announce: DEFAULT_ANNOUNCE,
      dataAddresses: [{ address: '192.0.2.100/24', interface: 'eth0', deprecated: false, up: true }],
      interfaces: [0, 1].map((i) => ({ name: `eth${i}`, standby: false, testAddresses: [] })),
    }],
    daemon: { quietPeriodMs: 0 },
  };
}

const startManager = (lab: Lab, fdtMs: number): Promise<Running> => startRunner(lab.host, config(fdtMs));
const until = (cond: () => boolean, timeoutMs: number, what: string): Promise<void> => waitFor('transitive', cond, timeoutMs, what);

const bothOk = (r: Running): boolean => r.state.get('eth0') === 'ok' && r.state.get('eth1') === 'ok';

function runCounts(): [number, number][] {
  return (process.env.BENCH_TRANSITIVE_RUNS ?? '100:20,1000:10').split(',').map((p) => {
    const [f, n] = p.split(':').map(Number);
    if (!f || !n) throw new Error(`bad BENCH_TRANSITIVE_RUNS entry ${p}`);
    return [f, n];
  });
}

async function detection(lab: Lab, fdtMs: number, runs: number): Promise<Record<string, unknown>> {
  const detect: number[] = [];
  const repair: number[] = [];
  const effective: number[] = [];
  for (let r = 0; r < runs; r++) {
    const run = await startManager(lab, fdtMs);
    try {
      await until(() => bothOk(run), 3 * fdtMs + 2000, 'members ok');
      await sleep(Math.max(300, fdtMs / 2)); // RTT samples, and a random phase against the schedule
      // in.mpathd raises the FDT when a target's RTT cannot meet it (FDT 100 ms under load):
      // detection is judged against the FDT in force when the black hole starts.
      const fdtNow = run.mgr.fdtMs('bench') ?? fdtMs;
      effective.push(fdtNow);
      const t0 = performance.now();
      ip(lab.sw, 'link', 'set', 'sw-h0', 'nomaster');
      await until(() => run.state.get('eth0') === 'failed', 3 * fdtNow + 500, 'failed').catch((err: unknown) => {
        const tail = run.mgr.recentProbes().slice(-12).map((p) => `${p.interface}#${p.probe}:${p.outcome}`).join(' ');
        throw new Error(`${(err as Error).message}; fdt ${fdtNow} -> ${run.mgr.fdtMs('bench')}, states ${JSON.stringify([...run.state])}, targets ${JSON.stringify(run.mgr.snapshotTargets())}, last probes ${tail}`);
      });
      detect.push((run.events.find((e) => e.ifname === 'eth0' && e.state === 'failed')?.at ?? Number.NaN) - t0);
      const t1 = performance.now();
      ip(lab.sw, 'link', 'set', 'sw-h0', 'master', 'br0');
      await until(() => run.state.get('eth0') === 'ok', 4 * fdtMs + 1000, 'repaired');
      repair.push(performance.now() - t1);
      if (run.events.some((e) => e.ifname === 'eth1' && e.state === 'failed')) throw new Error('eth1 failed during a detection run');
    } finally {
      run.mgr.close();
      try { ip(lab.sw, 'link', 'set', 'sw-h0', 'master', 'br0'); } catch { /* already attached */ }
    }
  }
  const d = stats(detect);
  return {
    fdtMs, runs, effectiveFdtMs: stats(effective), detectionMs: d, detectionOverFdt: { p50: d.p50 / fdtMs, max: d.max / fdtMs },
    withinFdt: detect.filter((x) => x <= fdtMs).length,
    withinEffectiveFdt: detect.filter((x, i) => x <= (effective[i] ?? fdtMs)).length,
    repairMs: stats(repair),
  };
}

function busyLoops(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

async function soak(lab: Lab, seconds: number): Promise<Record<string, unknown>> {
  const fdtMs = 100;
  const run = await startManager(lab, fdtMs);
  const loaders = busyLoops(os.cpus().length);
  try {
    await until(() => bothOk(run), 3000, 'members ok');
    const started = run.events.length;
    const probes: ProbeRecord[] = [];
    const wallNow = (): number => performance.timeOrigin + performance.now();
    let since = wallNow();
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      await sleep(Math.min(1000, Math.max(0, end - performance.now())));
      probes.push(...run.mgr.recentProbes(since));
      since = wallNow();
    }
    const during = run.events.slice(started);
    return {
      fdtMs, seconds, loadProcesses: loaders.length,
      falseFailovers: during.filter((e) => e.state === 'failed').length,
      verdictChanges: during.map((e) => `${e.ifname}:${e.state}`),
      probes: probes.length,
      lostProbes: probes.filter((p) => p.outcome === 'lost').length,
      netRttMs: stats(probes.filter((p) => p.netRttMs !== null).map((p) => p.netRttMs as number)),
    };
  } finally {
    for (const c of loaders) c.kill('SIGKILL');
    run.mgr.close();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const soakSeconds = Number(process.env.BENCH_SOAK_S ?? 60);
  const result = await withNamespaces(['host', 'sw', 'rtr'], async (ns) => {
    const lab = buildLab(ns);
    await sleep(200);
    const det: Record<string, unknown>[] = [];
    for (const [fdt, runs] of runCounts()) det.push(await detection(lab, fdt, runs));
    return { detection: det, soak: await soak(lab, soakSeconds) };
  });
  const det = result.detection as { runs: number; withinFdt: number; withinEffectiveFdt: number }[];
  const targets = {
    everyDetectionWithinFdt: det.every((d) => d.withinFdt === d.runs),
    everyDetectionWithinEffectiveFdt: det.every((d) => d.withinEffectiveFdt === d.runs),
    zeroFalseFailoversInSoak: (result.soak as { falseFailovers: number }).falseFailovers === 0,
    soakWasTenMinutes: soakSeconds >= 600,
  };
  const out = { ...result, targets };
  writeResult('transitive', out);
  return out;
}
