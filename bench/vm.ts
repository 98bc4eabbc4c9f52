// `npm run bench vm`: ipmpd against the bonding driver and teamd in the same Debian guest,
// with the same client and the same faults (QEMU lab, test/helpers/vm.ts).
//   pull:  set_link off on the active NIC (cable pull), measured: the client's outage (largest
//          gap between replies of a ping every BENCH_VM_PING_MS) and carrier loss -> first
//          gratuitous ARP for the data address on the bridge (tcpdump in the lab namespace).
//   hole:  the active NIC's tap down, carrier stays up (black hole): detection -> first
//          gratuitous ARP, for bonding's ARP monitor at 100 ms and ipmpd's probes at FDT 100 ms.
// BENCH_VM_PULLS (20) faults per series; BENCH_VM_ONLY=name,... measures only the series whose
// names start with one of those, keeping the other series of an earlier bench/results/vm.json. Under emulation absolute times stretch; the ratios
// ipmpd / bonding are the result. JSON: bench/results/vm.json.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureImage, repoRoot, VmLab, type Guest } from '../test/helpers/vm.js';
import { configureGuests, HOST, HOST_NIC, LAN, PEER, startPing, stopPing, waitReach } from '../test/helpers/vm-topology.js';
import { resultsDir, stats, writeResult, type Stats } from './lib.js';

const D = '198.51.100.100';
const PULLS = Number(process.env.BENCH_VM_PULLS ?? 20);
const PING_MS = Number(process.env.BENCH_VM_PING_MS ?? 20);

interface Mode {
  name: string;
  fault: 'pull' | 'hole';
  setup: string;
  /** Prints the member that carries the traffic now (net0 or net1). */
  active: string;
  /** Exits 0 once both members are usable again after a repair. */
  ready: string;
  teardown: string;
}

const FREE_NICS = 'ip link del net0.100 2>/dev/null || true; ip link del net1.100 2>/dev/null || true; ip link set net0 down; ip link set net1 down';
const RESTORE_NICS = 'ip link set net0 up; ip link set net1 up';

function bond(name: string, opts: string, fault: Mode['fault']): Mode {
  return {
    name,
    fault,
    setup: `set -e; ${FREE_NICS}
      ip link add bond0 type bond mode active-backup ${opts}
      ip link set net0 master bond0; ip link set net1 master bond0
      ip link set bond0 up; ip addr add ${D}/24 dev bond0`,
    active: 'cat /sys/class/net/bond0/bonding/active_slave',
    ready: `[ "$(grep -c 'MII Status: up' /proc/net/bonding/bond0)" = 3 ]`,
    teardown: `ip link del bond0; ${RESTORE_NICS}`,
  };
}

const TEAMD = JSON.stringify({
  device: 'team0',
  runner: { name: 'activebackup' },
  link_watch: { name: 'ethtool' },
  notify_peers: { count: 1 },
  ports: { net0: {}, net1: {} },
});

function ipmpd(name: string, fault: Mode['fault'], yaml: string): Mode {
  return {
    name,
    fault,
    setup: `set -e; ip link set net0 up; ip link set net1 up
      cat > /etc/ipmpd/ipmpd.yaml <<'EOF'
${yaml}
EOF
      systemctl restart ipmpd`,
    active: `ip -o addr show to ${D}/32 | awk '{ print $2 }'`,
    ready: `[ "$(ipmpstat -P -o INTERFACE,STATE -i | grep -c ':ok$')" = 2 ]`,
    teardown: 'systemctl stop ipmpd',
  };
}

// failback off, like bonding without a primary: a repaired NIC does not take the address back.
const IPMPD_COMMON = `daemon: { removeAddressesOnExit: true, cleanupOnExit: true }
groups:
  - name: lan
    announce: { arpCount: 1 }`;

const MODES: Mode[] = [
  bond('bonding miimon 100', 'miimon 100', 'pull'),
  bond('bonding miimon 10', 'miimon 10', 'pull'),
  bond('bonding arp_interval 100', `arp_interval 100 arp_ip_target ${LAN.router} arp_validate all`, 'pull'),
  {
    name: 'teamd activebackup (ethtool)',
    fault: 'pull',
    setup: `set -e; ${FREE_NICS}
      teamd -d -t team0 -c '${TEAMD}'
      for _ in $(seq 50); do ip link show team0 > /dev/null 2>&1 && break; sleep 0.1; done
      ip link set team0 up; ip addr add ${D}/24 dev team0`,
    active: 'teamdctl team0 state item get runner.active_port',
    ready: '[ "$(teamdctl team0 state item get ports.net0.link.up)" = true ] && [ "$(teamdctl team0 state item get ports.net1.link.up)" = true ]',
    teardown: `teamd -t team0 -k; sleep 0.5; ${RESTORE_NICS}`,
  },
  ipmpd('ipmpd link-based', 'pull', `mpathd: { failureDetectionTime: 100, failback: false }
${IPMPD_COMMON}
    interfaces: [{ name: net0 }, { name: net1 }]
    dataAddresses: [{ address: ${D}/24, interface: net0 }]`),
  bond('bonding arp_interval 100 (black hole)', `arp_interval 100 arp_ip_target ${LAN.router} arp_validate all`, 'hole'),
  ipmpd('ipmpd probes FDT 100 ms (black hole)', 'hole', `mpathd: { failureDetectionTime: 100, failback: false }
defaultRouters: [${LAN.router}]
${IPMPD_COMMON}
    interfaces:
      - { name: net0, testAddresses: [198.51.100.10/24] }
      - { name: net1, testAddresses: [198.51.100.11/24] }
    dataAddresses: [{ address: ${D}/24, interface: net0 }]`),
];

/** Gratuitous ARPs for D seen on the lab bridge, by host time (s). */
class Announcements {
  readonly times: number[] = [];
  private readonly re = new RegExp(`who-has ${D.replace(/\./g, '\\.')} tell ${D.replace(/\./g, '\\.')}|Reply ${D.replace(/\./g, '\\.')} is-at`);
  constructor(lab: VmLab) {
    const p = lab.spawnInNs('tcpdump', ['-l', '-tt', '-n', '-i', 'br0', 'arp']);
    createInterface({ input: p.stdout! }).on('line', (l) => {
      if (this.re.test(l)) this.times.push(Number(l.split(' ')[0]));
    });
  }
  async firstAfter(t0: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const t = this.times.find((x) => x > t0);
      if (t !== undefined) return t;
      if (Date.now() > deadline) throw new Error(`no gratuitous ARP for ${D} within ${timeoutMs} ms`);
      await sleep(20);
    }
  }
}

interface Series { measuredAt: string; fault: Mode['fault']; outageMs: Stats; announceMs: Stats; samples: { outageMs: number; announceMs: number }[]; errors: string[] }

async function series(lab: VmLab, host: Guest, peer: Guest, wire: Announcements, m: Mode): Promise<Series> {
  await host.run(m.setup, 600_000);
  await host.waitFor(m.ready, `${m.name}: both members up`, 300_000, 200);
  await waitReach(peer, D, 60_000);
  const samples: Series['samples'] = [];
  const errors: string[] = [];
  for (let i = 0; i < PULLS && errors.length < 5; i++) {
    const nic = (await host.run(m.active)).trim();
    const n = HOST_NIC[nic];
    if (!n) throw new Error(`${m.name}: active member is ${JSON.stringify(nic)}`);
    await startPing(peer, 'bench', D, PING_MS / 1000);
    await sleep(1000);
    const t0 = Date.now() / 1000;
    if (m.fault === 'pull') await host.setLink(n.netdev, false);
    else lab.tap(n.tap, false);
    try {
      const ta = await wire.firstAfter(t0, 20_000);
      await waitReach(peer, D, 20_000);
      await sleep(1000);
      const s = await stopPing(peer, 'bench');
      samples.push({ outageMs: s.maxGapMs, announceMs: Math.round((ta - t0) * 1000) });
    } catch (e) {
      errors.push((e as Error).message);
      await stopPing(peer, 'bench').catch(() => undefined);
    } finally {
      if (m.fault === 'pull') await host.setLink(n.netdev, true);
      else lab.tap(n.tap, true);
    }
    await host.waitFor(m.ready, `${m.name}: repaired`, 120_000, 200);
    await sleep(500);
  }
  await host.run(m.teardown, 300_000);
  const r = {
    measuredAt: new Date().toISOString(),
    fault: m.fault,
    outageMs: stats(samples.map((s) => s.outageMs)),
    announceMs: stats(samples.map((s) => s.announceMs)),
    samples,
    errors,
  };
  console.log(`${m.name}: outage p50 ${r.outageMs.p50} / p99 ${r.outageMs.p99} ms; announce p50 ${r.announceMs.p50} / p99 ${r.announceMs.p99} ms (n=${samples.length}, errors ${errors.length})`);
  return r;
}

/** Series of an earlier run, kept when BENCH_VM_ONLY re-measures only some. */
function earlierSeries(): Record<string, Series> {
  try {
    const doc = JSON.parse(readFileSync(join(resultsDir(), 'vm.json'), 'utf8')) as { series?: Record<string, Series> };
    return doc.series ?? {};
  } catch {
    return {};
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const only = (process.env.BENCH_VM_ONLY ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const modes = only.length ? MODES.filter((m) => only.some((o) => m.name.startsWith(o))) : MODES;
  if (!modes.length) throw new Error(`BENCH_VM_ONLY matches no series; series: ${MODES.map((m) => m.name).join(', ')}`);
  const image = await ensureImage((s) => console.log(s));
  const lab = await VmLab.start(image, { guests: [HOST, PEER], log: (s) => console.log(s) });
  const results: Record<string, Series> = only.length ? earlierSeries() : {};
  try {
    const host = lab.guest('host');
    const peer = lab.guest('peer');
    await configureGuests(lab);
    execFileSync('bash', [join(repoRoot(), 'scripts', 'package-deb.sh'), lab.share], { stdio: ['ignore', 'ignore', 'inherit'] });
    const deb = readdirSync(lab.share).find((f) => f.endsWith('.deb'));
    await host.run(`apt-get install -y -q --no-install-recommends /lab/${deb} > /dev/null && modprobe bonding && modprobe team_mode_activebackup`, 300_000);
    // Emulated, Node.js takes 30-90 s to load the daemon before its own start (see test/vm/lab.test.ts).
    if (lab.accel === 'tcg') await host.run('mkdir -p /etc/systemd/system/ipmpd.service.d && printf "[Service]\\nTimeoutStartSec=600\\n" > /etc/systemd/system/ipmpd.service.d/lab-emulation.conf && systemctl daemon-reload');
    const wire = new Announcements(lab);
    await sleep(500);
    for (const m of modes) {
      try {
        results[m.name] = await series(lab, host, peer, wire, m);
      } catch (e) {
        console.error(`${m.name} failed: ${(e as Error).message}\n${await host.journalTail(30)}`);
        await host.exec(m.teardown);
      }
    }
  } finally {
    lab.stop();
  }
  const p50 = (k: string, f: 'outageMs' | 'announceMs'): number => results[k]?.[f].p50 ?? NaN;
  const ratio = (a: number, b: number): number => a / b;
  const summary = {
    accel: lab.accel,
    pulls: PULLS,
    pingIntervalMs: PING_MS,
    ratios: {
      'outage ipmpd link / bonding miimon 100': ratio(p50('ipmpd link-based', 'outageMs'), p50('bonding miimon 100', 'outageMs')),
      'outage ipmpd link / bonding miimon 10': ratio(p50('ipmpd link-based', 'outageMs'), p50('bonding miimon 10', 'outageMs')),
      'outage ipmpd link / teamd': ratio(p50('ipmpd link-based', 'outageMs'), p50('teamd activebackup (ethtool)', 'outageMs')),
      'announce ipmpd link / bonding miimon 100': ratio(p50('ipmpd link-based', 'announceMs'), p50('bonding miimon 100', 'announceMs')),
      'black-hole detection ipmpd FDT 100 / bonding arp_interval 100': ratio(
        p50('ipmpd probes FDT 100 ms (black hole)', 'announceMs'),
        p50('bonding arp_interval 100 (black hole)', 'announceMs'),
      ),
    },
    table: Object.fromEntries(
      Object.entries(results).map(([k, r]) => [k, `${r.fault}: outage p50 ${r.outageMs.p50} p99 ${r.outageMs.p99} ms; announce p50 ${r.announceMs.p50} p99 ${r.announceMs.p99} ms; n=${r.outageMs.n}${r.errors.length ? `; errors ${r.errors.length}` : ''}`]),
    ),
    series: results,
  };
  writeResult('vm', summary);
  return summary;
}
