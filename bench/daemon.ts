// Daemon benchmarks (issue 5): carrier loss → first GARP on the wire, client-visible outage,
// a 256-address failover, and footprint (start to READY, RSS, idle CPU with 4 NICs).
// Everything runs in throw-away namespaces; the daemon is the real binary.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { RtnlClient } from '../src/netlink/client.js';
import { IFF_LOWER_UP } from '../src/netlink/constants.js';
import { RtnlMonitor } from '../src/netlink/monitor.js';
import { LinkTrigger } from '../src/netlink/link-trigger.js';
import { AF_UNIX, SOCK_DGRAM } from '../src/sys/constants.js';
import { Socket, realtimeNs } from '../src/sys/socket.js';
import { DaemonProcess } from '../test/helpers/daemon.js';
import { holder } from '../test/helpers/host-state.js';
import { buildTopology, type Topology } from '../test/helpers/topology.js';
import { AnnouncementWatcher } from '../test/helpers/wire.js';
import { stats, writeResult } from './lib.js';

const DATA = '192.0.2.100';
const FAILOVERS = Number(process.env.BENCH_FAILOVERS ?? 100);

/**
 * Conditions of issue 14: idle; both cores loaded by busy loops; a GC storm inside the daemon
 * (IPMPD_DEBUG_GC_STORM, see src/daemon/gc-storm.ts); and, for reference, idle with native
 * arming off (the JavaScript fast path). BENCH_ARMED_MODES=idle,loaded,... picks some.
 */
type Mode = 'idle' | 'loaded' | 'gc-storm' | 'js-idle';
const MODES: Mode[] = (process.env.BENCH_ARMED_MODES?.split(',') ?? ['idle', 'loaded', 'gc-storm', 'js-idle']) as Mode[];

/** Sets the daemon's environment and the machine's load for one mode; returns the undo. */
function enterMode(mode: Mode): () => void {
  const busy: ChildProcess[] = [];
  if (mode === 'loaded') {
    // One busy loop per core of this machine's two, at normal priority.
    for (let i = 0; i < 2; i++) busy.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  }
  if (mode === 'gc-storm') process.env.IPMPD_DEBUG_GC_STORM = '1';
  if (mode === 'js-idle') process.env.IPMPD_NATIVE_ARMING = '0';
  return () => {
    for (const b of busy) b.kill('SIGKILL');
    delete process.env.IPMPD_DEBUG_GC_STORM;
    delete process.env.IPMPD_NATIVE_ARMING;
  };
}

function groupYaml(nics: number, data: string[], arpCount = 1, fdtMs = 1000, probes = true): string {
  const members = Array.from({ length: nics }, (_, i) => (probes ? `      - { name: eth${i}, testAddresses: [192.0.2.${10 + i}/24] }` : `      - { name: eth${i} }`)).join('\n');
  const addrs = data.map((a) => `      - { address: ${a}, interface: eth0 }`).join('\n');
  // FDT 1000 ms: members have test addresses, so every repair waits for 10 answered probes.
  return `mpathd: { failureDetectionTime: ${fdtMs} }
defaultRouters: [192.0.2.254]
groups:
  - name: bench
    announce: { arpCount: ${arpCount}, arpIntervalMs: 1000 }
    interfaces:
${members}
    dataAddresses:
${addrs}
`;
}

async function waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(1);
  }
}

/** Port index → its ifindex in the switch namespace. */
async function portIndexes(sw: RtnlClient, t: Topology): Promise<number[]> {
  const links = await sw.listLinks();
  return t.nics.map((_, i) => {
    const l = links.find((x) => x.name === t.port(i));
    if (!l) throw new Error(`no ${t.port(i)}`);
    return l.index;
  });
}

/**
 * Repeated failovers without tripping in.mpathd's flap damping (>2 link-ups a minute defer
 * repair 60 s): the daemon is restarted after every second flap. A restart adopts the
 * kernel state and moves nothing, so each measured failover is a real, undamped one.
 */
async function failoverLoop(
  t: Topology, config: string, count: number,
  measure: (i: number, cut: () => Promise<bigint>, d: DaemonProcess) => Promise<void>,
): Promise<void> {
  const sw = RtnlClient.open({ netns: t.lab.path(t.sw) });
  const ports = await portIndexes(sw, t);
  let d: DaemonProcess | undefined;
  try {
    for (let i = 0; i < count; i++) {
      if (i % 2 === 0) {
        if (d) { await d.stop(); d.cleanup(); }
        d = new DaemonProcess(t.host);
        d.writeConfig(config);
        // Start-up takes longer with both cores held by busy loops.
        await d.start([], 60_000);
      }
      await waitUntil(() => holder(t.host, DATA).join() === 'eth0', 20_000, 'address home on eth0');
      // The failback run goes on after the add (deletes, routes); plans are armed after it.
      await sleep(150);
      await measure(i, async () => {
        const t0 = realtimeNs();
        await sw.setLink(ports[0]!, { up: false });
        return t0;
      }, d!);
      await sw.setLink(ports[0]!, { up: true });
      try {
        await waitUntil(() => holder(t.host, DATA).join() === 'eth0', 20_000, `failback (iteration ${i})`);
      } catch (err) {
        const tail = d?.logs.filter((l) => l.level >= 30).slice(-12).map((l) => l.msg).join(' | ');
        throw new Error(`${(err as Error).message}; daemon said: ${tail}`);
      }
    }
  } finally {
    if (d) { await d.stop().catch(() => undefined); d.cleanup(); }
    sw.close();
  }
}

/**
 * Three clocks for carrier loss → first GARP on the wire (the switch port's kernel receive stamp):
 * - notification: an independent native observer in the host namespace — a trigger socket on
 *   eth0 with the same filter, armed with a dummy send, whose poll callback stamps its wake-up.
 *   That is the earliest a user-space process hears of the carrier loss (netlink datagrams
 *   carry no kernel stamp); when the daemon's own wake-up (from its log) is earlier, that counts;
 * - daemon wake: from the daemon's own trigger wake-up (native arming only);
 * - request: from the `ip link set down` request on the switch side (includes the kernel's own
 *   work before the carrier drops).
 */
async function garpLatency(mode: Mode): Promise<Record<string, unknown>> {
  const t = buildTopology(2);
  const wire = new AnnouncementWatcher(t.sw, [t.port(1)]);
  const undo = enterMode(mode);
  const links = await RtnlClient.open({ netns: t.lab.path(t.host) });
  const eth0 = (await links.listLinks()).find((l) => l.name === 'eth0')!.index;
  links.close();
  const observer = new LinkTrigger(eth0, { netns: t.lab.path(t.host) });
  const sink = new Socket(AF_UNIX, SOCK_DGRAM, 0);
  let observedNs = 0n;
  const armObserver = (): void => {
    observedNs = 0n;
    observer.arm([{ socket: sink, data: Buffer.from('x'), to: { family: 'unix', path: '\0ipmpd-bench-sink' } }], (r) => { observedNs = r.wokeNs; });
  };
  const fromNotification: number[] = [];
  const fromDaemonWake: number[] = [];
  const wakeToSent: number[] = [];
  const netlinkSend: number[] = [];
  const fromRequest: number[] = [];
  const misses: string[] = [];
  let notArmed = 0;
  let byPollCallback = 0;
  try {
    // Link-based only: with both cores busy, probes would fail and move the address by themselves.
    await failoverLoop(t, groupYaml(2, [`${DATA}/24`], 1, 1000, false), FAILOVERS, async (i, cut, d) => {
      wire.clear();
      armObserver();
      const logAt = d.logs.length;
      const t0 = await cut();
      try {
        await waitUntil(() => wire.for(DATA).length > 0 && observedNs !== 0n, 3000, 'GARP on eth1');
      } catch {
        misses.push(`iteration ${i}: GARP seen ${wire.for(DATA).length}, observer woke ${observedNs !== 0n}, address on ${holder(t.host, DATA).join()}`);
        return;
      }
      const at = wire.for(DATA)[0]!.atNs;
      // The daemon's log line comes after the sends; give it a moment.
      await waitUntil(() => mode === 'js-idle' || d.logs.slice(logAt).some((l) => typeof l.wokeNs === 'string'), 1000, 'fire logged').catch(() => undefined);
      const fire = d.logs.slice(logAt).find((l) => typeof l.wokeNs === 'string');
      const daemonWoke = fire ? BigInt(fire.wokeNs as string) : undefined;
      if (!fire && mode !== 'js-idle') {
        notArmed++;
        if (process.env.BENCH_DEBUG) console.error(`iteration ${i}: no native fire\n${d.logs.slice(Math.max(0, logAt - 15)).map((l) => `${l.msg} ${JSON.stringify(l.changes ?? l.reason ?? '')}`).join('\n')}`);
      }
      const notified = daemonWoke !== undefined && daemonWoke < observedNs ? daemonWoke : observedNs;
      fromNotification.push(Number(at - notified) / 1e6);
      if (daemonWoke !== undefined) fromDaemonWake.push(Number(at - daemonWoke) / 1e6);
      if (typeof fire?.sentUs === 'number') wakeToSent.push(fire.sentUs / 1000);
      if (typeof fire?.netlinkUs === 'number') netlinkSend.push(fire.netlinkUs / 1000);
      if (fire?.byThread === false) byPollCallback++;
      fromRequest.push(Number(at - t0) / 1e6);
    });
  } finally {
    undo();
    observer.close();
    sink.close();
    wire.close();
    t.destroy();
  }
  return {
    mode,
    carrierEventToFirstGarpMs: stats(fromNotification),
    daemonWakeToFirstGarpMs: stats(fromDaemonWake),
    /** The daemon's own cost: its trigger's wake-up to the last armed send returning (from its log). */
    daemonWakeToLastSendMs: stats(wakeToSent),
    /** Of that, the netlink batch's sendmsg (the kernel applies it under the global rtnl lock). */
    netlinkBatchSendMs: stats(netlinkSend),
    linkDownRequestToFirstGarpMs: stats(fromRequest),
    misses,
    /** Failovers the daemon's trigger did not send (its JavaScript fast path did). */
    notSentByTrigger: notArmed,
    /** Fires sent from the event loop's poll callback rather than the sender thread. */
    sentByPollCallback: byPollCallback,
    targetMs: mode === 'gc-storm' ? { p99: 1 } : { p50: 0.1, p99: 0.5 },
  };
}

/**
 * The client pings the data address every 2 ms with iputils `ping -D -i 0.002` (a C process:
 * a JavaScript timer in this bench process, on a busy machine, gapped by itself). Per failover:
 * the largest gap between consecutive replies (ping's own receive time stamps) from 20 ms before
 * to 250 ms after the cut, and the sequence numbers in that window that got no reply.
 */
async function clientOutage(mode: Mode): Promise<Record<string, unknown>> {
  const t = buildTopology(2);
  const undo = enterMode(mode);
  const replies: { ms: number; seq: number }[] = [];
  const ping = spawn('ip', ['netns', 'exec', t.client, 'stdbuf', '-oL', 'ping', '-n', '-D', '-i', '0.002', '-W', '1', DATA], { stdio: ['ignore', 'pipe', 'ignore'] });
  let buf = '';
  ping.stdout.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) {
      const m = /^\[(\d+\.\d+)\] .* icmp_seq=(\d+) /.exec(l);
      if (m) replies.push({ ms: Number(m[1]) * 1000, seq: Number(m[2]) });
    }
  });
  const outages: number[] = [];
  const baseline: number[] = [];
  const lost: number[] = [];
  const n = Math.max(20, Math.floor(FAILOVERS / 2));
  try {
    await failoverLoop(t, groupYaml(2, [`${DATA}/24`], 3, 1000, false), n, async (_i, cut) => {
      await sleep(300);
      const before = Number(realtimeNs()) / 1e6;
      await cut();
      await sleep(300);
      const win = replies.filter((r) => r.ms >= before - 20 && r.ms <= before + 250);
      const largestGap = (xs: { ms: number }[]): number => { let g = 0; for (let k = 1; k < xs.length; k++) g = Math.max(g, xs[k]!.ms - xs[k - 1]!.ms); return g; };
      // The same length of quiet time just before: the client's own jitter on this machine.
      baseline.push(largestGap(replies.filter((r) => r.ms >= before - 290 && r.ms <= before - 20)));
      replies.length = 0;
      outages.push(largestGap(win));
      // Sequence numbers wrap at 2^16; a window is far shorter than a wrap.
      const seqs = new Set(win.map((r) => r.seq));
      const first = win[0]?.seq ?? 0;
      const span = win.length ? ((win.at(-1)!.seq - first + 65536) % 65536) + 1 : 0;
      lost.push(span - seqs.size);
    });
  } finally {
    ping.kill('SIGINT');
    undo();
    t.destroy();
  }
  return {
    mode, clientOutageMs: stats(outages), clientBaselineGapMs: stats(baseline), lostRepliesPerFailover: stats(lost), pingIntervalMs: 2,
    targetMs: { p99: 4 }, targetLost: 1,
    note: 'iputils ping -D -i 0.002 in the client namespace; largest gap between consecutive replies from 20 ms before to 250 ms after the cut; lost = sequence numbers in that window without a reply',
  };
}

async function bulkFailover(): Promise<Record<string, unknown>> {
  const t = buildTopology(2);
  const data = [
    ...Array.from({ length: 128 }, (_, i) => `192.0.2.${120 + i}/24`),
    ...Array.from({ length: 128 }, (_, i) => `198.51.100.${10 + i}/24`),
  ];
  const wire = new AnnouncementWatcher(t.sw, [t.port(1)]);
  const sw = RtnlClient.open({ netns: t.lab.path(t.sw) });
  const samples: number[] = [];
  const d = new DaemonProcess(t.host);
  try {
    d.writeConfig(groupYaml(2, data));
    await d.start();
    const ports = await portIndexes(sw, t);
    const want = new Set(data.map((a) => a.split('/')[0]!));
    for (let round = 0; round < 2; round++) {
      // A large failback is still deleting from eth1 for a while; measure from a quiet daemon.
      await waitUntil(() => holder(t.host, '198.51.100.137').join() === 'eth0' && holder(t.host, '192.0.2.120').join() === 'eth0', 20_000, 'all home');
      await sleep(500);
      wire.clear();
      const t0 = realtimeNs();
      await sw.setLink(ports[0]!, { up: false });
      await waitUntil(() => new Set(wire.seen.map((s) => s.address)).size >= want.size, 5000, `all 256 announced (seen ${new Set(wire.seen.map((s) => s.address)).size}, errors ${wire.errors.join(',')})`);
      const firstPer = new Map<string, bigint>();
      for (const s of wire.seen) if (!firstPer.has(s.address)) firstPer.set(s.address, s.atNs);
      samples.push(Number([...firstPer.values()].reduce((a, b) => (a > b ? a : b)) - t0) / 1e6);
      await sw.setLink(ports[0]!, { up: true });
    }
  } finally {
    await d.stop().catch(() => undefined);
    d.cleanup();
    sw.close();
    wire.close();
    t.destroy();
  }
  return { addresses: 256, lastAnnouncedMs: stats(samples), targetMs: 50 };
}

function procStat(pid: number): { cpuTicks: number; rssKb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuTicks, rssKb: Number(rss?.[1] ?? 0) };
}

async function footprint(): Promise<Record<string, unknown>> {
  const t = buildTopology(4);
  const ready: number[] = [];
  let rssMb = 0;
  let idleCpuPct = 0;
  const idleSeconds = Number(process.env.BENCH_IDLE_S ?? 30);
  try {
    for (let i = 0; i < 20; i++) {
      const d = new DaemonProcess(t.host);
      // Solaris' default FDT (10 s): idle means probing at its normal rate.
      d.writeConfig(groupYaml(4, [`${DATA}/24`], 1, 10_000));
      try {
        await d.start();
        ready.push((d.readyAtMs ?? Number.NaN) - d.spawnedAtMs);
        if (i === 19) {
          const pid = d.child!.pid!;
          // Idle means after start-up's garbage has been collected and plans armed.
          await sleep(5000);
          const a = procStat(pid);
          await sleep(idleSeconds * 1000);
          const b = procStat(pid);
          rssMb = b.rssKb / 1024;
          idleCpuPct = ((b.cpuTicks - a.cpuTicks) / 100 / idleSeconds) * 100; // USER_HZ = 100
        }
      } finally {
        await d.stop();
        d.cleanup();
      }
    }
  } finally {
    t.destroy();
  }
  return {
    startToReadyMs: stats(ready), rssMb, idleCpuPercentOfCore: idleCpuPct, idleWindowS: idleSeconds, nics: 4,
    targets: { rssMb: 60, idleCpuPct: 0.2, startToReadyMs: 500 },
    note: 'start to READY counts from spawning `ip netns exec … node ipmpd` to READY=1 on the notify socket; idle CPU and RSS are read from 5 s after READY over the idle window (it includes one 20 s invariant check)',
  };
}

export { bulkFailover, footprint, garpLatency, clientOutage, failoverLoop, groupYaml, waitUntil };
/** Carrier loss → first GARP and the client's outage, under each mode (issue 14). */
async function armedFailover(parts: string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  // A mode that fails is reported as such; the others still run, and each finished mode is
  // written at once (bench/results/daemon-armed.json) so a late failure loses nothing.
  const measure = async (key: string, f: () => Promise<Record<string, unknown>>): Promise<void> => {
    try {
      out[key] = await f();
    } catch (err) {
      out[key] = { failed: (err as Error).message };
    }
    writeResult('daemon-armed', out);
  };
  if (parts.includes('armed') || parts.includes('failover')) for (const mode of MODES) await measure(`failover-${mode}`, () => garpLatency(mode));
  if (parts.includes('armed') || parts.includes('outage')) for (const mode of MODES) await measure(`outage-${mode}`, () => clientOutage(mode));
  return out;
}

export async function run(): Promise<Record<string, unknown>> {
  const parts = (process.env.BENCH_DAEMON_PARTS ?? 'armed,bulk,footprint').split(',');
  const result = {
    ...(await armedFailover(parts)),
    ...(parts.includes('bulk') ? { bulk: await bulkFailover() } : {}),
    ...(parts.includes('footprint') ? { footprint: await footprint() } : {}),
  };
  writeResult('daemon', result);
  return result;
}
