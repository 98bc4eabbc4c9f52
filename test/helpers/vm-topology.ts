// The VM lab's two guests and their addresses, shared by the vm tests and `npm run bench vm`.
//
//   br0 (in the run's namespace) ── h0 ── host net0 (virtio)   ┐ ipmpd's members,
//                                ── h1 ── host net1 (virtio)   │ net0.100 / net1.100 on VLAN 100
//                                ── h2 ── host net2 (e1000)    ┘
//                                ── p0 ── peer net0: router/probe target 198.51.100.254, net0.100 203.0.113.254
//                                ── p1 ── peer net1, in the peer's namespace "client": 198.51.100.50, net1.100 203.0.113.50
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, type Guest, type GuestSpec, type VmLab } from './vm.js';

export const LAN = { router: '198.51.100.254', client: '198.51.100.50', prefix: 24 } as const;
export const VLAN = { id: 100, router: '203.0.113.254', client: '203.0.113.50', router6: '2001:db8:100::254', client6: '2001:db8:100::50' } as const;

export const HOST: GuestSpec = {
  role: 'host',
  memMb: 512,
  cpus: 1,
  nics: [
    { netdev: 'n0', model: 'virtio-net-pci', mac: '52:54:00:a0:00:00', tap: 'h0' },
    { netdev: 'n1', model: 'virtio-net-pci', mac: '52:54:00:a0:00:01', tap: 'h1' },
    { netdev: 'n2', model: 'e1000', mac: '52:54:00:a0:00:02', tap: 'h2' },
  ],
};
export const PEER: GuestSpec = {
  role: 'peer',
  memMb: 384,
  cpus: 1,
  nics: [
    { netdev: 'n0', model: 'virtio-net-pci', mac: '52:54:00:b0:00:00', tap: 'p0' },
    { netdev: 'n1', model: 'virtio-net-pci', mac: '52:54:00:b0:00:01', tap: 'p1' },
  ],
};

/** Host NIC name in the guest → QEMU netdev id and host-side tap. */
export const HOST_NIC: Record<string, { netdev: string; tap: string }> = {
  net0: { netdev: 'n0', tap: 'h0' },
  net1: { netdev: 'n1', tap: 'h1' },
  net2: { netdev: 'n2', tap: 'h2' },
};

// Both scripts first show the NICs if the .link files did not name them (a broken image).
const NICS_NAMED = (names: string[]): string => `for n in ${names.join(' ')}; do [ -e /sys/class/net/$n ] || { echo "no $n:"; ip -br link; exit 1; }; done`;

const PEER_SETUP = `set -e
${NICS_NAMED(['net0', 'net1'])}
modprobe 8021q
sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
ip link set net0 up
ip addr add ${LAN.router}/24 dev net0
ip link add link net0 name net0.${VLAN.id} type vlan id ${VLAN.id}
ip link set net0.${VLAN.id} up
ip addr add ${VLAN.router}/24 dev net0.${VLAN.id}
ip addr add ${VLAN.router6}/64 dev net0.${VLAN.id} nodad
ip netns add client
ip link set net1 netns client
ip -n client link set lo up
ip -n client link set net1 up
ip -n client addr add ${LAN.client}/24 dev net1
ip -n client link add link net1 name net1.${VLAN.id} type vlan id ${VLAN.id}
ip -n client link set net1.${VLAN.id} up
ip -n client addr add ${VLAN.client}/24 dev net1.${VLAN.id}
ip -n client addr add ${VLAN.client6}/64 dev net1.${VLAN.id} nodad
`;

const HOST_SETUP = `set -e
${NICS_NAMED(['net0', 'net1', 'net2'])}
modprobe 8021q
for n in net0 net1 net2; do ip link set "$n" up; done
for n in net0 net1; do
  ip link add link "$n" name "$n.${VLAN.id}" type vlan id ${VLAN.id}
  ip link set "$n.${VLAN.id}" up
done
`;

/** Addresses the peer and client own, the VLAN interfaces on the host, the session script in the share. */
export async function configureGuests(lab: VmLab): Promise<void> {
  copyFileSync(join(repoRoot(), 'test', 'vm', 'share', 'tcp-session.cjs'), join(lab.share, 'tcp-session.cjs'));
  await Promise.all([lab.guest('peer').run(PEER_SETUP), lab.guest('host').run(HOST_SETUP)]);
}

/** The interface that holds `addr` in the guest (or in namespace `ns` there), or undefined. */
export async function whereIs(g: Guest, addr: string, ns?: string): Promise<string[]> {
  const out = await g.run(`ip ${ns ? `-n ${ns} ` : ''}-j addr show`);
  const links = JSON.parse(out) as { ifname: string; addr_info?: { local: string }[] }[];
  return links.filter((l) => l.addr_info?.some((a) => a.local === addr)).map((l) => l.ifname);
}

/** Waits until `addr` sits on exactly `dev` in the host guest, and nowhere else. */
export async function waitPlaced(host: Guest, addr: string, dev: string, timeoutMs = 120_000): Promise<void> {
  await host.waitFor(
    `[ "$(ip -o addr show | awk -v a=${addr} '{ split($4, p, "/"); sub(/@.*/, "", $2); if (p[1] == a) print $2 }' | paste -sd, -)" = "${dev}" ]`,
    `${addr} on ${dev} only`,
    timeoutMs,
  );
}

/** The client (peer namespace "client") reaches `addr` with one ping. */
export async function waitReach(peer: Guest, addr: string, timeoutMs = 60_000): Promise<void> {
  const ping = addr.includes(':') ? 'ping -6' : 'ping';
  await peer.waitFor(`ip netns exec client ${ping} -c1 -W1 -n ${addr} >/dev/null`, `client reaches ${addr}`, timeoutMs, 100);
}

/** Starts a background ping from the client writing `ping -D` lines to /tmp/<name>.ping. */
export async function startPing(peer: Guest, name: string, addr: string, intervalS = 0.05): Promise<void> {
  await peer.run(
    `rm -f /tmp/${name}.ping; setsid ip netns exec client ping -D -n -i ${intervalS} -W 1 ${addr} > /tmp/${name}.ping 2>&1 < /dev/null & echo $! > /tmp/${name}.pid`,
  );
}

export interface PingStats { replies: number; maxGapMs: number; lastReplyAgoMs: number }

/** Stops the client's ping and measures the largest gap between replies (guest clock). */
export async function stopPing(peer: Guest, name: string): Promise<PingStats> {
  const out = await peer.run(`now=$(date +%s.%N); kill $(cat /tmp/${name}.pid) 2>/dev/null || true; sleep 0.2; echo "now $now"; cat /tmp/${name}.ping`);
  return pingStats(out);
}

/** Parses `ping -D` output (plus a leading "now <epoch>" line). */
export function pingStats(out: string): PingStats {
  const now = Number(/^now (\S+)/m.exec(out)?.[1] ?? NaN);
  const times = [...out.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from/gm)].map((m) => Number(m[1]));
  let maxGap = 0;
  for (let i = 1; i < times.length; i++) maxGap = Math.max(maxGap, (times[i]! - times[i - 1]!) * 1000);
  const last = times.at(-1);
  return { replies: times.length, maxGapMs: Math.round(maxGap), lastReplyAgoMs: last === undefined ? Infinity : Math.round((now - last) * 1000) };
}
