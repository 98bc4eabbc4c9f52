// ipmpd on Debian 13 guests under QEMU: installed from its .deb the way an admin does, run by
// systemd, failing over on real virtio and e1000 NICs, over 802.1Q VLANs, with IPv6.
// One boot of the two guests for the whole file; the scenarios run in order and each leaves
// the lab as it found it (cables in, taps up). Topology: test/helpers/vm-topology.ts.
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureImage, labUnavailable, repoRoot, VmLab, type Guest } from '../helpers/vm.js';
import {
  configureGuests, HOST, HOST_NIC, LAN, PEER, startPing, stopPing, VLAN, waitPlaced, waitReach, whereIs,
} from '../helpers/vm-topology.js';

const why = labUnavailable();
if (why && process.env.CI === 'true') throw new Error(`vm lab cannot run under CI=true: ${why}`);
if (why) console.warn(`vm lab skipped: ${why}`);

const D = { a: '198.51.100.100', b: '198.51.100.102', c: '198.51.100.101', v4: '203.0.113.100', v6: '2001:db8:100::100' };

// Link-based (no test addresses), one address homed on each driver: virtio net0, e1000 net2.
const LINK_BASED = `mpathd: { failureDetectionTime: 2000, failback: true }
groups:
  - name: lan
    announce: { arpCount: 3, arpIntervalMs: 300 }
    interfaces:
      - { name: net0 }
      - { name: net2 }
    dataAddresses:
      - { address: ${D.a}/24, interface: net0 }
      - { address: ${D.b}/24, interface: net2 }
`;

// Probe-based, both members active (outbound spread), and a group over the VLAN interfaces
// with an IPv4 and an IPv6 data address. One default router: the VLAN group finds its probe
// target (203.0.113.254) by multicast. (With a second default router on the VLAN subnet the two
// groups' default routes replace each other on every event: a finding for the route code.)
const PROBE_AND_VLAN = `mpathd: { failureDetectionTime: 2000, failback: true }
defaultRouters: [${LAN.router}]
groups:
  - name: lan
    announce: { arpCount: 3, arpIntervalMs: 300 }
    interfaces:
      - { name: net0, testAddresses: [198.51.100.10/24] }
      - { name: net1, testAddresses: [198.51.100.11/24] }
    dataAddresses:
      - { address: ${D.a}/24, interface: net0 }
      - { address: ${D.c}/24, interface: net1 }
  - name: vlan${VLAN.id}
    announce: { arpCount: 3, arpIntervalMs: 300, naCount: 3, naIntervalMs: 300 }
    interfaces:
      - { name: net0.${VLAN.id}, testAddresses: [203.0.113.10/24] }
      - { name: net1.${VLAN.id}, testAddresses: [203.0.113.11/24] }
    dataAddresses:
      - { address: ${D.v4}/24, interface: net1.${VLAN.id} }
      - { address: ${D.v6}/64, interface: net1.${VLAN.id} }
`;

describe.runIf(!why)('ipmpd in Debian guests (QEMU)', () => {
  let lab: VmLab;
  let host: Guest;
  let peer: Guest;
  let failed = false;

  beforeAll(async () => {
    const image = await ensureImage((s) => console.log(s));
    lab = await VmLab.start(image, { guests: [HOST, PEER], log: (s) => console.log(s) });
    host = lab.guest('host');
    peer = lab.guest('peer');
    await configureGuests(lab);
    // The package of this tree, built the way a release is (dist/ must be built: npm test does).
    execFileSync('bash', [join(repoRoot(), 'scripts', 'package-deb.sh'), lab.share], { stdio: ['ignore', 'ignore', 'inherit'] });
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    if (failed && lab) console.error(await lab.diagnostics());
    lab?.stop();
  });

  /** Writes /etc/ipmpd/ipmpd.yaml in the host guest. */
  async function writeConfig(yaml: string): Promise<void> {
    writeFileSync(join(lab.share, 'ipmpd.yaml'), yaml);
    await host.run('install -m 0644 /lab/ipmpd.yaml /etc/ipmpd/ipmpd.yaml && ipmpctl check /etc/ipmpd/ipmpd.yaml > /dev/null');
  }

  async function mainPid(): Promise<number> {
    return Number((await host.run('systemctl show -p MainPID --value ipmpd')).trim());
  }

  it('installs from the .deb with apt, and the installed files check out', async () => {
    const deb = readdirSync(lab.share).find((f) => f.endsWith('.deb'));
    expect(deb).toBeDefined();
    // Debian's own nodejs is in the image; apt installs the local file offline.
    await host.run(`apt-get install -y -q --no-install-recommends /lab/${deb} 2>&1 | tail -5`, 180_000);
    expect(await host.run('dpkg-query -W -f "\\${Status}" ipmpd')).toBe('install ok installed');
    expect((await host.run('ipmpctl --version')).trim()).toMatch(/\d+\.\d+\.\d+/);
    expect((await host.run('node --version')).trim()).toMatch(/^v2\d\./);
    // The installed unit as systemd itself reads it, on a root it was not written on.
    const verify = await host.exec('systemd-analyze verify /lib/systemd/system/ipmpd.service 2>&1');
    expect(verify.out.trim()).toBe('');
    expect(verify.rc).toBe(0);
    // Issue 12: the man page renders on a clean Debian root without a warning.
    const man = await host.exec('MANWIDTH=80 man --warnings -P cat ipmpstat 2>&1 >/tmp/man.out; rc=$?; cat /tmp/man.out | head -40; exit $rc');
    expect(man.rc).toBe(0);
    expect(man.out).toMatch(/ipmpstat/);
    expect(man.out).not.toMatch(/warning/i);
  });

  it('starts under systemd: READY=1 reached, status text set, addresses placed', async () => {
    await writeConfig(LINK_BASED);
    if (lab.accel === 'tcg') {
      // Emulated, Node.js needs 30-90 s to load the daemon's modules (V8's compiler runs under
      // TCG) before ipmpd's own start (2-4 s) begins; the unit's 90 s would kill it half-way.
      // An admin's drop-in, as on a very slow machine; the unit file itself is untouched.
      await host.run('mkdir -p /etc/systemd/system/ipmpd.service.d && printf "[Service]\\nTimeoutStartSec=600\\n" > /etc/systemd/system/ipmpd.service.d/lab-emulation.conf && systemctl daemon-reload');
    }
    await host.run('systemctl enable --now ipmpd', 600_000);
    expect((await host.exec('systemctl is-active ipmpd')).out.trim()).toBe('active');
    expect((await host.run('systemctl show -p StatusText --value ipmpd')).trim()).not.toBe('');
    expect((await host.run('systemctl show -p WatchdogUSec --value ipmpd')).trim()).toBe('20s');
    expect(await whereIs(host, D.a)).toEqual(['net0']);
    expect(await whereIs(host, D.b)).toEqual(['net2']);
    await waitReach(peer, D.a);
    await waitReach(peer, D.b);
  });

  it.each([
    ['virtio', 'net0', D.a, 'net2'],
    ['e1000', 'net2', D.b, 'net0'],
  ])('link-based: a cable pull on %s (%s) moves its address, the client keeps reaching it, and it fails back', async (_d, nic, addr, other) => {
    const n = HOST_NIC[nic]!;
    await startPing(peer, `pull-${nic}`, addr);
    await waitReach(peer, addr);
    await host.setLink(n.netdev, false);
    try {
      await waitPlaced(host, addr, other);
      await waitReach(peer, addr);
    } finally {
      await host.setLink(n.netdev, true);
    }
    await waitPlaced(host, addr, nic);
    await waitReach(peer, addr);
    const s = await stopPing(peer, `pull-${nic}`);
    console.log(`link-based pull on ${nic}: client outage (largest gap between replies) ${s.maxGapMs} ms`);
    expect(s.lastReplyAgoMs).toBeLessThan(2000);
  });

  it('systemctl kill -s KILL: systemd restarts ipmpd and it adopts the placement with no address change', async () => {
    const before = await mainPid();
    await host.run('rm -f /tmp/addrmon; setsid ip monitor address > /tmp/addrmon 2>&1 < /dev/null & echo $! > /tmp/addrmon.pid; sleep 0.5');
    await host.run('systemctl kill -s KILL ipmpd');
    await host.waitFor(`[ "$(systemctl show -p MainPID --value ipmpd)" != ${before} ] && [ "$(systemctl show -p MainPID --value ipmpd)" != 0 ] && systemctl is-active -q ipmpd`, 'ipmpd restarted', 600_000, 1000);
    expect(Number((await host.run('systemctl show -p NRestarts --value ipmpd')).trim())).toBeGreaterThanOrEqual(1);
    await host.run('sleep 2; kill $(cat /tmp/addrmon.pid)');
    const changes = (await host.run('cat /tmp/addrmon')).split('\n').filter((l) => l.includes(D.a) || l.includes(D.b));
    expect(changes).toEqual([]);
    expect(await whereIs(host, D.a)).toEqual(['net0']);
    expect(await whereIs(host, D.b)).toEqual(['net2']);
  });

  it('systemctl reload applies a changed configuration (probe-based spread + VLAN group) in the same process', async () => {
    const pid = await mainPid();
    await writeConfig(PROBE_AND_VLAN);
    await host.run('systemctl reload ipmpd');
    // The reload reads the file in a worker thread (another V8 isolate: slow when emulated).
    await waitPlaced(host, D.c, 'net1', 300_000);
    await waitPlaced(host, D.a, 'net0');
    await waitPlaced(host, D.v4, `net1.${VLAN.id}`);
    await waitPlaced(host, D.v6, `net1.${VLAN.id}`);
    await waitPlaced(host, D.b, '', 30_000); // dropped from the configuration: removed
    expect(await mainPid()).toBe(pid);
    for (const a of [D.a, D.c, D.v4, D.v6]) await waitReach(peer, a);
  });

  it('probe-based spread: a cable pull moves the address to the other active NIC and it fails back after repair', async () => {
    await startPing(peer, 'spread', D.a);
    await host.setLink('n0', false);
    try {
      await waitPlaced(host, D.a, 'net1');
      await waitPlaced(host, D.c, 'net1');
      await waitReach(peer, D.a);
    } finally {
      await host.setLink('n0', true);
    }
    await waitPlaced(host, D.a, 'net0', 90_000);
    await waitReach(peer, D.a);
    const s = await stopPing(peer, 'spread');
    console.log(`probe-based spread pull: client outage ${s.maxGapMs} ms`);
    expect(s.lastReplyAgoMs).toBeLessThan(2000);
  });

  it('probe-based detection: a black hole with carrier up (tap down) fails the NIC; its addresses move', async () => {
    expect((await host.run('cat /sys/class/net/net1/carrier')).trim()).toBe('1');
    lab.tap(HOST_NIC.net1!.tap, false);
    try {
      // Carrier never drops: only the probes can see this.
      await waitPlaced(host, D.c, 'net0');
      await waitPlaced(host, D.v4, `net0.${VLAN.id}`);
      expect((await host.run('cat /sys/class/net/net1/carrier')).trim()).toBe('1');
      expect(await host.run('ipmpstat -P -o INTERFACE,STATE -i')).toMatch(/^net1:failed$/m);
      await waitReach(peer, D.c);
    } finally {
      lab.tap(HOST_NIC.net1!.tap, true);
    }
    await waitPlaced(host, D.c, 'net1', 90_000);
    await waitPlaced(host, D.v4, `net1.${VLAN.id}`, 90_000);
  });

  it('VLAN group: a cable pull moves both addresses to net0.100, the peer sees tagged GARP, the TCP session and IPv6 survive', async () => {
    await host.run('setsid node /lab/tcp-session.cjs server 7007 > /dev/null 2>&1 < /dev/null &');
    await peer.run(
      `rm -f /tmp/session.log /tmp/vlan.cap
       setsid tcpdump -l -n -e -i net0 'vlan ${VLAN.id} and (arp or icmp6)' > /tmp/vlan.cap 2>/dev/null < /dev/null & echo $! > /tmp/tcpdump.pid
       sleep 1
       setsid ip netns exec client node /lab/tcp-session.cjs client ${D.v4} 7007 /tmp/session.log > /dev/null 2>&1 < /dev/null & echo $! > /tmp/session.pid`,
    );
    await peer.waitFor('grep -q "^echo 5 " /tmp/session.log', 'TCP session established and echoing', 60_000, 500);
    await startPing(peer, 'vlan6', D.v6, 0.1);
    await host.setLink('n1', false);
    try {
      await waitPlaced(host, D.v4, `net0.${VLAN.id}`);
      await waitPlaced(host, D.v6, `net0.${VLAN.id}`);
      // Tagged gratuitous ARP for the moved address, with net0's MAC, on the peer's wire.
      await peer.waitFor(`grep -E 'vlan ${VLAN.id}.*(Request who-has|Reply) ${D.v4.replace(/\./g, '\\.')}' /tmp/vlan.cap | grep -q '52:54:00:a0:00:00'`, 'tagged GARP seen by the peer', 20_000, 500);
      await waitReach(peer, D.v4);
      await waitReach(peer, D.v6);
      const echoed = Number((await peer.run("grep -c '^echo ' /tmp/session.log")).trim());
      await peer.waitFor(`[ $(grep -c '^echo ' /tmp/session.log) -gt ${echoed + 10} ]`, 'TCP session echoing after the move', 30_000, 500);
    } finally {
      await host.setLink('n1', true);
    }
    await waitPlaced(host, D.v4, `net1.${VLAN.id}`, 90_000);
    const session = await peer.run('cat /tmp/session.log; kill $(cat /tmp/tcpdump.pid) $(cat /tmp/session.pid) 2>/dev/null || true');
    expect(session).not.toMatch(/^closed/m);
    const s = await stopPing(peer, 'vlan6');
    console.log(`VLAN pull: IPv6 client outage ${s.maxGapMs} ms`);
    expect(s.replies).toBeGreaterThan(0);
    expect(s.lastReplyAgoMs).toBeLessThan(3000);
  });
});
