// Repair benchmarks (issue 9): how fast hand tampering is undone (an address deleted, an
// ipmpd route deleted, a duplicate added on another member), and how long after a group
// failure ends until the client reaches every data address again. Times come from the
// kernel's own notifications (an RtnlMonitor in the host namespace), not from polling.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { RtnlMonitor, type MonitorEvent } from '../src/netlink/monitor.js';
import { DaemonProcess } from '../test/helpers/daemon.js';
import { buildTopology, type Topology } from '../test/helpers/topology.js';
import { stats, writeResult } from './lib.js';

const ROUNDS = Number(process.env.BENCH_REPAIR_ROUNDS ?? 30);
const RECOVERIES = Number(process.env.BENCH_RECOVERIES ?? 8);

const config = (withTests: boolean): string => `
defaultRouters: [192.0.2.254]
mpathd: { failureDetectionTime: 1000 }
groups:
  - name: g
    announce: { arpCount: 2, arpIntervalMs: 500 }
    interfaces:
${[0, 1, 2].map((i) => `      - { name: eth${i}${withTests ? `, testAddresses: [192.0.2.${10 + i}/24]` : ''} }`).join('\n')}
    dataAddresses:
      - { address: 192.0.2.100/24, interface: eth0 }
      - { address: 192.0.2.101/24, interface: eth1 }
`;

const ip = (ns: string, ...args: string[]): void => { execFileSync('ip', ['-n', ns, ...args], { stdio: 'pipe' }); };

/** Resolves with ms from now until the monitor reports an event matching `match`. */
function nextEvent(mon: RtnlMonitor, match: (e: MonitorEvent) => boolean, timeoutMs = 5000): { started: () => void; done: Promise<number> } {
  let t0 = 0;
  const done = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => { mon.off('event', on); reject(new Error('bench: repair not seen')); }, timeoutMs);
    const on = (e: MonitorEvent): void => {
      if (t0 === 0 || !match(e)) return;
      clearTimeout(timer);
      mon.off('event', on);
      resolve(performance.now() - t0);
    };
    mon.on('event', on);
  });
  return { started: () => { t0 = performance.now(); }, done };
}

async function tampering(t: Topology, mon: RtnlMonitor): Promise<Record<string, unknown>> {
  const index = (name: string): number => [...mon.links.values()].find((l) => l.name === name)?.index ?? -1;
  const kinds: Record<string, { act: () => void; repaired: (e: MonitorEvent) => boolean }> = {
    addressDeleted: {
      act: () => ip(t.host, 'addr', 'del', '192.0.2.100/24', 'dev', 'eth0'),
      repaired: (e) => e.kind === 'address-added' && e.address.local === '192.0.2.100' && e.address.index === index('eth0'),
    },
    routeDeleted: {
      act: () => ip(t.host, 'route', 'del', 'default'),
      repaired: (e) => e.kind === 'route-added' && e.route.dstLen === 0 && e.route.protocol === 73,
    },
    duplicateAdded: {
      act: () => ip(t.host, 'addr', 'add', '192.0.2.100/24', 'dev', 'eth2'),
      repaired: (e) => e.kind === 'address-removed' && e.address.local === '192.0.2.100' && e.address.index === index('eth2'),
    },
  };
  const out: Record<string, unknown> = {};
  for (const [name, k] of Object.entries(kinds)) {
    const samples: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const w = nextEvent(mon, k.repaired);
      w.started();
      k.act();
      samples.push(await w.done);
      await sleep(50); // let the daemon's own follow-up notifications pass
    }
    out[name] = { ...stats(samples), targetMs: 100 };
  }
  return out;
}

/** ms from the carrier of one member coming back until `address` answers a ping from the client. */
async function reachable(t: Topology, address: string, t0: number, deadlineMs = 30_000): Promise<number> {
  for (;;) {
    try {
      execFileSync('ip', ['netns', 'exec', t.client, 'ping', '-n', '-q', '-c', '1', '-W', '0.2', address], { stdio: 'pipe' });
      return performance.now() - t0;
    } catch {
      if (performance.now() - t0 > deadlineMs) throw new Error(`bench: ${address} unreachable ${deadlineMs} ms after repair`);
    }
  }
}

async function groupRecovery(t: Topology, d: DaemonProcess): Promise<Record<string, unknown>> {
  const samples: number[] = [];
  for (let i = 0; i < RECOVERIES; i++) {
    const failures = d.logsMatching(/All Interfaces in group g have failed/).length;
    t.cutCarrier(0); t.cutCarrier(1); t.cutCarrier(2);
    await d.waitFor(() => d.logsMatching(/All Interfaces in group g have failed/).length > failures, 10_000, () => 'group failure not seen');
    const back = i % 3;
    const t0 = performance.now();
    t.restoreCarrier(back);
    const each = await Promise.all(['192.0.2.100', '192.0.2.101'].map((a) => reachable(t, a, t0)));
    samples.push(Math.max(...each));
    for (const j of [0, 1, 2]) if (j !== back) t.restoreCarrier(j);
    // Flap damping counts link-ups per minute: restart between rounds so every recovery is undamped.
    await d.stop();
    await d.start();
    await sleep(300);
  }
  return { ...stats(samples), targetMs: 1000, note: 'link-based detection; with probing the repair waits for answered probes (FDT-bound) first' };
}

export async function run(): Promise<Record<string, unknown>> {
  const t = buildTopology(3);
  const d = new DaemonProcess(t.host);
  let mon: RtnlMonitor | undefined;
  try {
    d.writeConfig(config(false));
    await d.start();
    mon = await RtnlMonitor.open({ netns: t.lab.path(t.host) });
    await sleep(300);
    const result = { tamperRepairMs: await tampering(t, mon), groupFailureToClientReachMs: await groupRecovery(t, d) };
    writeResult('repair', result);
    return result;
  } finally {
    mon?.close();
    await d.stop().catch(() => undefined);
    d.cleanup();
    t.destroy();
  }
}
