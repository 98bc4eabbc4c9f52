// Our GARP and unsolicited NA through a real AF_PACKET socket: the bytes arrive intact on
// the peer, and the peer's kernel acts on them by moving an existing neighbour entry to
// the announced MAC (what a failover announcement is for).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arpOnly, dropAll, ndiscAdvertOnly } from '../../src/packet/bpf.js';
import { buildGratuitousArp, parseArp } from '../../src/packet/arp.js';
import { buildUnsolicitedNa, parseNdisc } from '../../src/packet/ndisc.js';
import { packetSocketProtocol } from '../../src/packet/ethernet.js';
import { AF_PACKET, ETH_P_ALL, ETH_P_ARP, ETH_P_IPV6, SOCK_RAW, SOL_SOCKET, SO_ATTACH_FILTER } from '../../src/sys/constants.js';
import { Socket, type Datagram } from '../../src/sys/socket.js';
import { Lab, ip, ipJson, requireNetnsSupport } from '../helpers/netns.js';

const enabled = requireNetnsSupport();

const OLD_MAC = '02:00:00:00:00:01';
const NEW_MAC = '02:00:00:00:00:aa';
const NEWER_MAC = '02:00:00:00:00:bb';
const V4 = '192.0.2.1';
const V6 = '2001:db8::1';

function ifindex(ns: string, name: string): number {
  const [link] = ipJson<{ ifindex: number }[]>(ns, 'link', 'show', name);
  if (!link) throw new Error(`no ${name} in ${ns}`);
  return link.ifindex;
}

/** Resolves with the first datagram satisfying `match`, or rejects after `timeoutMs`. */
function waitFor(s: Socket, match: (d: Datagram) => boolean, timeoutMs = 2000): Promise<Datagram> {
  return new Promise((resolve, reject) => {
    const onMessage = (d: Datagram): void => {
      if (!match(d)) return;
      clearTimeout(timer);
      s.off('message', onMessage);
      resolve(d);
    };
    const timer = setTimeout(() => {
      s.off('message', onMessage);
      reject(new Error('expected frame not received in time'));
    }, timeoutMs);
    s.on('message', onMessage);
  });
}

/** Collects everything a socket delivers for `ms` milliseconds. */
function collect(s: Socket, ms: number): Promise<Datagram[]> {
  const got: Datagram[] = [];
  const onMessage = (d: Datagram): void => { got.push(d); };
  s.on('message', onMessage);
  return new Promise((resolve) => setTimeout(() => { s.off('message', onMessage); resolve(got); }, ms));
}

interface NeighJson { dst: string; lladdr?: string; state?: string[] }

/** Polls the peer's neighbour table (bounded: 40 x 50 ms) until `addr` shows `mac`. */
async function neighLladdr(ns: string, addr: string, dev: string, want: string): Promise<string | undefined> {
  let last: string | undefined;
  for (let i = 0; i < 40; i++) {
    const [entry] = ipJson<NeighJson[]>(ns, 'neigh', 'show', addr, 'dev', dev);
    last = entry?.lladdr;
    if (last === want) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  return last;
}

describe.runIf(enabled)('GARP / unsolicited NA on the wire', () => {
  const lab = new Lab();
  let a = '';
  let b = '';
  let tx: Socket | undefined;
  let rx: Socket | undefined;
  let txIndex = 0;

  beforeAll(() => {
    a = lab.ns('a');
    b = lab.ns('b');
    lab.veth(a, 'va', b, 'vb');
    ip(b, 'addr', 'add', '192.0.2.2/24', 'dev', 'vb');
    ip(b, 'addr', 'add', '2001:db8::2/64', 'dev', 'vb', 'nodad');
    ip(a, 'link', 'set', 'va', 'up');
    ip(b, 'link', 'set', 'vb', 'up');
    // The peer already knows the addresses at the old MAC, as before a failover.
    ip(b, 'neigh', 'add', V4, 'lladdr', OLD_MAC, 'dev', 'vb', 'nud', 'stale');
    ip(b, 'neigh', 'add', V6, 'lladdr', OLD_MAC, 'dev', 'vb', 'nud', 'stale');
    txIndex = ifindex(a, 'va');
    // Send-only socket, as the announcer will use it: dropAll keeps its queue empty.
    tx = new Socket(AF_PACKET, SOCK_RAW, packetSocketProtocol(ETH_P_ARP), { netns: lab.path(a) });
    tx.setOption(SOL_SOCKET, SO_ATTACH_FILTER, dropAll());
  });

  afterAll(() => {
    try {
      tx?.close();
      rx?.close();
    } finally {
      lab.destroy();
    }
  });

  it('the send socket with dropAll() queues nothing while an unfiltered twin receives ARP', async () => {
    const s = tx as Socket;
    const twin = new Socket(AF_PACKET, SOCK_RAW, packetSocketProtocol(ETH_P_ARP), { netns: lab.path(a) });
    const fromPeer = new Socket(AF_PACKET, SOCK_RAW, 0, { netns: lab.path(b) });
    try {
      s.start();
      twin.start();
      const quiet = collect(s, 300);
      const frame = buildGratuitousArp(OLD_MAC, '192.0.2.99');
      const twinGot = waitFor(twin, (d) => d.data.subarray(0, frame.length).equals(frame));
      fromPeer.send(frame, { family: 'packet', protocol: ETH_P_ARP, ifindex: ifindex(b, 'vb') });
      await twinGot;
      expect(await quiet).toEqual([]);
    } finally {
      twin.close();
      fromPeer.close();
    }
  });

  it('GARP (request form) arrives byte-exact and moves the peer entry to the new MAC', async () => {
    rx = new Socket(AF_PACKET, SOCK_RAW, packetSocketProtocol(ETH_P_ALL), { netns: lab.path(b) });
    rx.bind({ family: 'packet', protocol: ETH_P_ALL, ifindex: ifindex(b, 'vb') });
    rx.setOption(SOL_SOCKET, SO_ATTACH_FILTER, arpOnly());
    rx.start();
    const frame = buildGratuitousArp(NEW_MAC, V4);
    const arrived = waitFor(rx, (d) => parseArp(d.data)?.senderMac === NEW_MAC && parseArp(d.data)?.senderIp === V4);
    expect((tx as Socket).send(frame, { family: 'packet', protocol: ETH_P_ARP, ifindex: txIndex })).toBe(frame.length);
    const d = await arrived;
    expect(d.data.toString('hex')).toBe(frame.toString('hex'));
    expect(await neighLladdr(b, V4, 'vb', NEW_MAC)).toBe(NEW_MAC);
  });

  it('GARP reply form (THA = SHA) is taken as gratuitous: overrides within the locktime', async () => {
    // Right after the previous update only a frame the kernel classes as GARP may override
    // (arp_process: override = locktime passed || is_garp).
    const frame = buildGratuitousArp(NEWER_MAC, V4, { reply: true });
    (tx as Socket).send(frame, { family: 'packet', protocol: ETH_P_ARP, ifindex: txIndex });
    expect(await neighLladdr(b, V4, 'vb', NEWER_MAC)).toBe(NEWER_MAC);
  });

  it('the arpOnly() filter keeps IPv6 out of an ETH_P_ALL socket that would otherwise get it', async () => {
    const filtered = rx as Socket;
    const unfiltered = new Socket(AF_PACKET, SOCK_RAW, packetSocketProtocol(ETH_P_ALL), { netns: lab.path(b) });
    try {
      unfiltered.bind({ family: 'packet', protocol: ETH_P_ALL, ifindex: ifindex(b, 'vb') });
      unfiltered.start();
      const seen = collect(filtered, 400);
      const na = buildUnsolicitedNa(NEW_MAC, '2001:db8::99');
      const control = waitFor(unfiltered, (d) => d.data.equals(na));
      (tx as Socket).send(na, { family: 'packet', protocol: ETH_P_IPV6, ifindex: txIndex });
      await control;
      const frames = await seen;
      expect(frames.every((d) => parseArp(d.data) !== undefined)).toBe(true);
      expect(frames.some((d) => parseNdisc(d.data) !== undefined)).toBe(false);
    } finally {
      unfiltered.close();
    }
  });

  it('unsolicited NA arrives byte-exact and moves the peer entry to the new MAC', async () => {
    rx?.close();
    rx = new Socket(AF_PACKET, SOCK_RAW, packetSocketProtocol(ETH_P_ALL), { netns: lab.path(b) });
    rx.bind({ family: 'packet', protocol: ETH_P_ALL, ifindex: ifindex(b, 'vb') });
    rx.setOption(SOL_SOCKET, SO_ATTACH_FILTER, ndiscAdvertOnly());
    rx.start();
    const frame = buildUnsolicitedNa(NEW_MAC, V6);
    const arrived = waitFor(rx, (d) => parseNdisc(d.data)?.target === V6);
    expect((tx as Socket).send(frame, { family: 'packet', protocol: ETH_P_IPV6, ifindex: txIndex })).toBe(frame.length);
    const d = await arrived;
    expect(d.data.toString('hex')).toBe(frame.toString('hex'));
    expect(parseNdisc(d.data)).toMatchObject({ hopLimit: 255, checksumOk: true, lladdr: NEW_MAC, flags: { override: true, solicited: false } });
    expect(await neighLladdr(b, V6, 'vb', NEW_MAC)).toBe(NEW_MAC);
  });
});
