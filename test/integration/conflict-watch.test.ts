// ConflictWatch against the real kernel: a host with two NICs on a switch, an intruder on
// the same switch claiming the host's data addresses (arping -U, an ARP probe, an NA, a DAD
// NS). Non-events are proved against a later positive event on the same socket: every
// claim the watch examines is recorded with its verdict.
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Announcer } from '../../src/apply/announcer.js';
import { ConflictWatch, type ClaimSeen, type Conflict } from '../../src/dad/conflict-watch.js';
import { silentLogger } from '../../src/log.js';
import { buildGratuitousArp } from '../../src/packet/arp.js';
import { buildUnsolicitedNa } from '../../src/packet/ndisc.js';
import { AF_PACKET, ETH_P_ARP, ETH_P_IPV6, SOCK_RAW } from '../../src/sys/constants.js';
import { Socket } from '../../src/sys/socket.js';
import { ip, ipJson, requireNetnsSupport } from '../helpers/netns.js';
import { buildTopology, type Topology } from '../helpers/topology.js';
import { until } from '../helpers/wire.js';

const enabled = requireNetnsSupport();

const V4 = '192.0.2.100';
const V6 = '2001:db8::100';
const INTRUDER_MAC = '02:00:00:00:0e:01';
const SPOOFED_MAC = '02:00:00:00:0e:77';
const GUARDED = [{ family: 4 as const, address: V4 }, { family: 6 as const, address: V6 }];

interface Link { ifindex: number; address: string }
const link = (ns: string, dev: string): Link => {
  const [l] = ipJson<Link[]>(ns, 'link', 'show', dev);
  if (!l) throw new Error(`no ${dev} in ${ns}`);
  return l;
};

describe.runIf(enabled)('ConflictWatch on the wire', () => {
  let t: Topology | undefined;
  let intruder = '';
  let nics: { ifname: string; ifindex: number; mac: string }[] = [];
  let tx: Socket | undefined;
  let intruderIfindex = 0;
  let watch: ConflictWatch | undefined;

  beforeAll(() => {
    t = buildTopology(2);
    const host = t.host;
    for (const n of t.nics) ip(host, 'link', 'set', n, 'up');
    ip(host, 'addr', 'add', `${V4}/24`, 'dev', 'eth0', 'noprefixroute');
    ip(host, 'addr', 'add', `${V6}/64`, 'dev', 'eth0', 'nodad', 'noprefixroute');
    nics = t.nics.map((ifname) => { const l = link(host, ifname); return { ifname, ifindex: l.ifindex, mac: l.address }; });
    intruder = t.lab.ns('intr');
    t.lab.veth(intruder, 'eth0', t.sw, 'sw-i');
    ip(t.sw, 'link', 'set', 'sw-i', 'master', 'br0', 'up');
    ip(intruder, 'link', 'set', 'eth0', 'address', INTRUDER_MAC, 'up');
    intruderIfindex = link(intruder, 'eth0').ifindex;
    tx = new Socket(AF_PACKET, SOCK_RAW, 0, { netns: t.lab.path(intruder) });
  });

  afterEach(() => {
    watch?.close();
    watch = undefined;
  });

  afterAll(() => {
    try {
      watch?.close();
      tx?.close();
    } finally {
      t?.destroy();
    }
  });

  /** A fresh watch on both host NICs, so each test starts with an empty rate limiter. */
  function start(): { w: ConflictWatch; conflicts: Conflict[]; seen: ClaimSeen[] } {
    const conflicts: Conflict[] = [];
    const seen: ClaimSeen[] = [];
    const w = new ConflictWatch({
      log: silentLogger,
      netns: (t as Topology).lab.path((t as Topology).host),
      onConflict: (c) => conflicts.push(c),
      onClaim: (s) => seen.push(s),
    });
    watch = w;
    w.configure(nics, GUARDED);
    return { w, conflicts, seen };
  }

  const inIntruder = (cmd: string, args: string[]): void => {
    try {
      execFileSync('ip', ['netns', 'exec', intruder, cmd, ...args], { stdio: 'pipe' });
    } catch {
      // arping exits 1 when nobody answers; whether anyone did is not what we test.
    }
  };
  const sendFromIntruder = (frame: Buffer, v6: boolean): void => {
    (tx as Socket).send(frame, { family: 'packet', protocol: v6 ? ETH_P_IPV6 : ETH_P_ARP, ifindex: intruderIfindex });
  };

  it('watches exactly the NICs and families it was given', () => {
    const { w } = start();
    expect(w.watching().map((x) => `${x.ifname}/${x.family}`).sort()).toEqual(['eth0/4', 'eth0/6', 'eth1/4', 'eth1/6']);
  });

  it('arping -U from an intruder holding the address: conflict with its MAC, on the NIC that heard it', async () => {
    const { conflicts } = start();
    const topo = t as Topology;
    ip(intruder, 'addr', 'add', `${V4}/24`, 'dev', 'eth0');
    topo.detach(0); // only eth1 hears the intruder, so the NIC is known
    try {
      inIntruder('arping', ['-U', '-c', '1', '-i', 'eth0', V4]);
      await until(() => conflicts.length > 0, 10_000, 'conflict from arping -U');
    } finally {
      topo.attach(0);
      ip(intruder, 'addr', 'del', `${V4}/24`, 'dev', 'eth0');
    }
    expect(conflicts[0]).toMatchObject({ address: V4, family: 4, ifname: 'eth1', ifindex: nics[1]?.ifindex, mac: INTRUDER_MAC, kind: 'arp-request' });
    expect(typeof conflicts[0]?.at).toBe('number');
  });

  it('an ARP probe (arping -0, sender 0.0.0.0) is a claim attempt', async () => {
    const { conflicts } = start();
    inIntruder('arping', ['-0', '-c', '1', '-w', '1', '-i', 'eth0', V4]);
    await until(() => conflicts.length > 0, 10_000, 'conflict from an ARP probe');
    expect(conflicts[0]).toMatchObject({ address: V4, mac: INTRUDER_MAC, kind: 'arp-probe' });
    expect(['eth0', 'eth1']).toContain(conflicts[0]?.ifname);
    expect(nics.find((n) => n.ifname === conflicts[0]?.ifname)?.ifindex).toBe(conflicts[0]?.ifindex);
  });

  it('an unsolicited NA for our IPv6 address is a conflict', async () => {
    const { conflicts } = start();
    sendFromIntruder(buildUnsolicitedNa(INTRUDER_MAC, V6), true);
    await until(() => conflicts.length > 0, 10_000, 'conflict from an NA');
    expect(conflicts[0]).toMatchObject({ address: V6, family: 6, mac: INTRUDER_MAC, kind: 'na' });
  });

  it('the intruder kernel doing DAD for our IPv6 address is a claim attempt', async () => {
    const { conflicts } = start();
    ip(intruder, 'addr', 'add', `${V6}/64`, 'dev', 'eth0'); // with DAD: the kernel sends NS from ::
    try {
      await until(() => conflicts.some((c) => c.kind === 'ns-dad'), 10_000, 'conflict from a DAD NS');
    } finally {
      ip(intruder, 'addr', 'del', `${V6}/64`, 'dev', 'eth0');
    }
    expect(conflicts.find((c) => c.kind === 'ns-dad')).toMatchObject({ address: V6, family: 6, mac: INTRUDER_MAC });
  });

  it('our own GARP / NA (Announcer on a host NIC) never fire, though the sibling NIC hears them', async () => {
    const { w, conflicts, seen } = start();
    const announcer = new Announcer({ netns: (t as Topology).lab.path((t as Topology).host), log: silentLogger });
    const eth0 = nics[0] as (typeof nics)[0];
    try {
      for (const family of [4, 6] as const) {
        announcer.announce({ ...eth0, family, address: family === 4 ? V4 : V6, count: 1, intervalMs: 1000 });
      }
      const ownOnEth1 = (addr: string) => seen.some((s) => s.ifname === 'eth1' && s.claim.address === addr && s.claim.mac === eth0.mac);
      await until(() => ownOnEth1(V4) && ownOnEth1(V6), 10_000, 'eth1 hearing eth0\'s announcements through the switch');
      // A later frame on eth0's own sockets proves they were read past the moment we sent:
      // the kernel hands per-protocol packet sockets none of the NIC's own transmissions.
      sendFromIntruder(buildGratuitousArp(INTRUDER_MAC, '192.0.2.77'), false);
      sendFromIntruder(buildUnsolicitedNa(INTRUDER_MAC, '2001:db8::77'), true);
      const laterOnEth0 = (addr: string) => seen.some((s) => s.ifname === 'eth0' && s.claim.address === addr);
      await until(() => laterOnEth0('192.0.2.77') && laterOnEth0('2001:db8::77'), 10_000, 'the intruder frames on eth0');
    } finally {
      announcer.close();
    }
    expect(conflicts).toEqual([]);
    const ours = seen.filter((s) => s.claim.mac === eth0.mac && (s.claim.address === V4 || s.claim.address === V6));
    expect(ours.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ours.map((s) => `${s.ifname} ${s.verdict}`))).toEqual(new Set(['eth1 own']));
    expect(seen.filter((s) => s.ifname === 'eth0' && s.claim.mac === eth0.mac)).toEqual([]);
    expect(seen.some((s) => s.verdict === 'outgoing')).toBe(false);
    expect(w.counters.conflicts).toBe(0);
  });

  it('a flood of claims from one MAC is reported once', async () => {
    const { w, conflicts, seen } = start();
    const frames = 5;
    for (let i = 0; i < frames; i++) sendFromIntruder(buildGratuitousArp(SPOOFED_MAC, V4), false);
    // Both host NICs hear every frame: 2 x frames claims, one report, the rest suppressed.
    const fromSpoofer = () => seen.filter((s) => s.claim.mac === SPOOFED_MAC);
    await until(() => fromSpoofer().length === 2 * frames, 10_000, 'every flooded frame examined on both NICs');
    expect(conflicts.filter((c) => c.mac === SPOOFED_MAC)).toHaveLength(1);
    expect(fromSpoofer().filter((s) => s.verdict === 'suppressed')).toHaveLength(2 * frames - 1);
    expect(w.counters.suppressed).toBeGreaterThanOrEqual(2 * frames - 1);
  });
});
