// FDT adaptation against a slow target: a userspace echo responder in the client namespace
// answers after 150 ms (the kernel's own echo replies are off there), while the requested
// FDT of 700 ms means a 100 ms probe interval. in.mpathd raises the group's FDT with its
// complaint instead of failing the NIC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ANNOUNCE, DEFAULT_MPATHD, type IpmpConfig } from '../../src/config/model.js';
import type { ProbeState } from '../../src/control/status.js';
import { createLogger } from '../../src/log.js';
import { RtnlClient } from '../../src/netlink/client.js';
import { internetChecksum } from '../../src/packet/checksum.js';
import { icmpFilter } from '../../src/packet/bpf.js';
import { ProbeManager } from '../../src/probe/index.js';
import { AF_INET, ICMP_FILTER, IPPROTO_ICMP, SOCK_RAW, SOL_RAW } from '../../src/sys/constants.js';
import { bytesToIpv4 } from '../../src/sys/sockaddr.js';
import { Socket } from '../../src/sys/socket.js';
import { ip, nsExec, requireNetnsSupport } from '../helpers/netns.js';
import { buildTopology, CLIENT4, type Topology } from '../helpers/topology.js';

const enabled = requireNetnsSupport();
const DELAY_MS = 150;
const FDT = 700;

/** Echo replies from userspace after `delayMs`: a target slower than the probe interval. */
function slowResponder(netns: string, delayMs: number): Socket {
  const s = new Socket(AF_INET, SOCK_RAW, IPPROTO_ICMP, { netns });
  s.setOption(SOL_RAW, ICMP_FILTER, icmpFilter([8]));
  s.on('message', (d) => {
    const ihl = ((d.data[0] ?? 0) & 0x0f) * 4;
    const icmp = Buffer.from(d.data.subarray(ihl));
    if (icmp[0] !== 8) return;
    icmp[0] = 0;
    icmp.writeUInt16BE(0, 2);
    icmp.writeUInt16BE(internetChecksum(icmp), 2);
    const to = bytesToIpv4(d.data, 12);
    setTimeout(() => { if (!s.isClosed) s.send(icmp, { family: 'inet', address: to, port: 0 }); }, delayMs);
  });
  s.start();
  return s;
}

describe.runIf(enabled)('FDT adaptation', () => {
  let t: Topology;
  let responder: Socket | undefined;
  let mgr: ProbeManager | undefined;

  beforeAll(() => {
    t = buildTopology(2);
    for (const nic of t.nics) {
      nsExec(t.host, 'sysctl', ['-q', '-w', `net.ipv4.conf.${nic}.arp_ignore=1`]);
      nsExec(t.host, 'sysctl', ['-q', '-w', `net.ipv4.conf.${nic}.arp_announce=2`]);
      ip(t.host, 'link', 'set', nic, 'up');
    }
    ip(t.host, 'addr', 'add', '192.0.2.100/24', 'dev', 'eth0');
    ip(t.host, 'addr', 'add', '192.0.2.101/24', 'dev', 'eth1');
    // The client is the router here, and only the slow responder answers its pings.
    ip(t.host, 'route', 'add', 'default', 'via', CLIENT4, 'dev', 'eth0');
    nsExec(t.client, 'sysctl', ['-q', '-w', 'net.ipv4.icmp_echo_ignore_all=1']);
  });

  afterAll(() => {
    try {
      mgr?.close();
      responder?.close();
    } finally {
      t?.destroy();
    }
  });

  it('a target slower than the probe interval raises the FDT (logged); the NIC does not fail', async () => {
    responder = slowResponder(t.lab.path(t.client), DELAY_MS);
    const lines: string[] = [];
    const states: [string, ProbeState][] = [];
    const config: IpmpConfig = {
      mpathd: { ...DEFAULT_MPATHD, failureDetectionTime: FDT },
      defaultRouters: [],
      groups: [{
        name: 'slow', mode: 'outbound-spread', probe: 'icmp', announce: DEFAULT_ANNOUNCE, dataAddresses: [],
        interfaces: [
          { name: 'eth0', standby: false, testAddresses: ['192.0.2.100/24'] },
          { name: 'eth1', standby: false, testAddresses: ['192.0.2.101/24'] },
        ],
      }],
      daemon: { quietPeriodMs: 0 },
    };
    const rtnl = RtnlClient.open({ netns: t.lab.path(t.host) });
    try {
      mgr = new ProbeManager({
        log: createLogger({ level: 'info', destination: { write: (l: string) => { lines.push(l); } } }),
        netns: t.lab.path(t.host),
        onVerdict: (ifname, v) => { states.push([ifname, v.state]); },
      });
      mgr.configure(config, new Map((await rtnl.listLinks()).map((l) => [l.index, l])));
      mgr.updateAddresses(await rtnl.listAddresses());
      mgr.updateRoutes(await rtnl.listRoutes());
    } finally {
      rtnl.close();
    }
    const end = performance.now() + 4000;
    while (performance.now() < end && (mgr.fdtMs('slow') ?? 0) <= FDT) await new Promise((r) => setTimeout(r, 10));
    const fdt = mgr.fdtMs('slow')!;
    // CRTT ≥ 150 ms ⇒ interval ≥ 300 ms ⇒ FDT ≥ 2100 ms.
    expect(fdt).toBeGreaterThanOrEqual(2100);
    const msg = lines.map((l) => JSON.parse(l) as { msg: string }).map((l) => l.msg)
      .find((m) => m.startsWith('Cannot meet requested failure detection time'));
    expect(msg).toMatch(new RegExp(`^Cannot meet requested failure detection time of ${FDT} ms on \\(inet eth[01]\\) new failure detection time for group "slow" is \\d+ ms$`));
    // Several raised intervals later the members are still healthy.
    await new Promise((r) => setTimeout(r, 2000));
    expect(states.filter(([, s]) => s === 'failed')).toEqual([]);
    expect(states.filter(([, s]) => s === 'ok').map(([n]) => n).sort()).toEqual(['eth0', 'eth1']);
    const acked = mgr.recentProbes().filter((r) => r.outcome === 'acked');
    expect(acked.length).toBeGreaterThan(4);
    // Timer granularity on the responder side: allow a few ms below the nominal delay.
    expect(Math.min(...acked.map((r) => r.netRttMs!))).toBeGreaterThanOrEqual(DELAY_MS - 5);
  });
});
