// Codec against bytes captured from the real kernel (test/fixtures/netlink/capture.py):
// decoding gives the topology the capture built, and re-encoding reproduces every attribute.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeAddrMsg, encodeAddrMsg, toAddress } from '../../../src/netlink/address.js';
import { type Attr, parseAttrs } from '../../../src/netlink/attrs.js';
import {
  IFA_F_NODAD, IFA_F_NOPREFIXROUTE, IFA_F_DEPRECATED, NLMSG_DONE, NLMSG_ERROR, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWNEIGH,
  RTM_NEWROUTE, NUD_PERMANENT,
} from '../../../src/netlink/constants.js';
import { decodeLinkMsg, encodeLinkMsg, IFINFOMSG_LEN, toLink } from '../../../src/netlink/link.js';
import { decodeNeighMsg, encodeNeighMsg, NDMSG_LEN, toNeighbour } from '../../../src/netlink/neighbour.js';
import { decodeDoneMsg, decodeErrorMsg, type NlMsg, parseNlMsgs } from '../../../src/netlink/nlmsg.js';
import { decodeRouteMsg, encodeRouteMsg, RTMSG_LEN, toRoute } from '../../../src/netlink/route.js';
import { IFADDRMSG_LEN } from '../../../src/netlink/address.js';
import type { Address, Link, Neighbour, Route } from '../../../src/netlink/types.js';

interface Capture { what: string; datagrams: string[] }
const doc = JSON.parse(readFileSync(new URL('../../fixtures/netlink/rtnl-capture.json', import.meta.url), 'utf8')) as {
  captures: Capture[];
};
const msgsOf = (what: string): NlMsg[] => {
  const c = doc.captures.find((x) => x.what === what);
  if (!c) throw new Error(`fixture ${what} missing`);
  return c.datagrams.flatMap((h) => parseNlMsgs(Buffer.from(h, 'hex')));
};

/** Top-level attributes as sorted "type:hex" strings: order-free, byte-exact. */
const attrSet = (payload: Buffer, headLen: number): string[] =>
  parseAttrs(payload, headLen).map((a: Attr) => `${a.type}:${a.data.toString('hex')}`).sort();

const codecs = {
  [RTM_NEWLINK]: { head: IFINFOMSG_LEN, round: (p: Buffer) => encodeLinkMsg(decodeLinkMsg(p)) },
  [RTM_NEWADDR]: { head: IFADDRMSG_LEN, round: (p: Buffer) => encodeAddrMsg(decodeAddrMsg(p)) },
  [RTM_NEWROUTE]: { head: RTMSG_LEN, round: (p: Buffer) => encodeRouteMsg(decodeRouteMsg(p)) },
  [RTM_NEWNEIGH]: { head: NDMSG_LEN, round: (p: Buffer) => encodeNeighMsg(decodeNeighMsg(p)) },
} as Record<number, { head: number; round: (p: Buffer) => Buffer }>;

describe('captured kernel messages', () => {
  it('frame into messages that end in NLMSG_DONE for every dump', () => {
    for (const c of doc.captures.filter((x) => x.what.includes('dump'))) {
      const msgs = msgsOf(c.what);
      expect(msgs.length).toBeGreaterThan(1);
      expect(msgs.at(-1)?.type).toBe(NLMSG_DONE);
      expect(decodeDoneMsg(msgs.at(-1) as NlMsg).errno).toBe(0);
    }
  });

  it('re-encode every object message to the same header and the same attributes, byte for byte', () => {
    let checked = 0;
    for (const c of doc.captures) {
      for (const m of msgsOf(c.what)) {
        const codec = codecs[m.type];
        if (!codec) continue;
        const again = codec.round(m.payload);
        expect(again.subarray(0, codec.head)).toEqual(m.payload.subarray(0, codec.head));
        expect(attrSet(again, codec.head)).toEqual(attrSet(m.payload, codec.head));
        expect(again.length).toBe(m.payload.length);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('decode the links the capture created', () => {
    const links = msgsOf('link dump').filter((m) => m.type === RTM_NEWLINK).map((m) => toLink(decodeLinkMsg(m.payload)));
    const by = (n: string): Link => links.find((l) => l.name === n) as Link;
    expect(links.map((l) => l.name).sort()).toEqual(['fx0', 'fx1', 'fxbr0', 'lo']);
    expect(by('fx0')).toMatchObject({ kind: 'veth', master: by('fxbr0').index, up: true, parentIndex: by('fx1').index });
    expect(by('fx1')).toMatchObject({ kind: 'veth', mtu: 1400, up: true, running: true, lowerUp: true, operstate: 'up', carrier: true });
    expect(by('fx1').mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(by('fxbr0').kind).toBe('bridge');
    expect(by('lo')).toMatchObject({ kind: undefined, mac: '00:00:00:00:00:00', mtu: 65536 });
  });

  it('decode addresses with 32-bit flags, lifetimes and labels', () => {
    const addrs = msgsOf('address dump').filter((m) => m.type === RTM_NEWADDR).map((m) => toAddress(decodeAddrMsg(m.payload)) as Address);
    const by = (ip: string): Address => addrs.find((a) => a.local === ip) as Address;
    expect(by('192.0.2.1')).toMatchObject({ family: 4, prefixLen: 24, label: 'fx1', address: '192.0.2.1', validLft: 0xffffffff });
    expect(by('198.51.100.7').label).toBe('fx1:data');
    expect(by('198.51.100.7').flags & IFA_F_NOPREFIXROUTE).toBe(IFA_F_NOPREFIXROUTE);
    expect(by('2001:db8:1::1')).toMatchObject({ family: 6, prefixLen: 64, scope: 0 });
    expect(by('2001:db8:1::1').flags & IFA_F_NODAD).toBe(IFA_F_NODAD);
    const dep = by('2001:db8:2::1');
    expect(dep.flags & (IFA_F_NOPREFIXROUTE | IFA_F_DEPRECATED | IFA_F_NODAD)).toBe(IFA_F_NOPREFIXROUTE | IFA_F_DEPRECATED | IFA_F_NODAD);
    expect(dep.preferredLft).toBe(0);
    expect(by('127.0.0.1').scope).toBe(254);
  });

  it('decode routes including IPv4 and IPv6 multipath, tables and metrics', () => {
    const routes = [...msgsOf('route dump af 2'), ...msgsOf('route dump af 10')]
      .filter((m) => m.type === RTM_NEWROUTE).map((m) => toRoute(decodeRouteMsg(m.payload)) as Route);
    const mp4 = routes.find((r) => r.dst === '203.0.113.0') as Route;
    expect(mp4).toMatchObject({ family: 4, dstLen: 24, table: 254, protocol: 3, type: 1 });
    expect(mp4.nexthops?.map((n) => [n.gateway, n.weight])).toEqual([['192.0.2.2', 1], ['192.0.2.3', 3]]);
    expect(routes.find((r) => r.dst === '10.99.0.0')).toMatchObject({ table: 100, priority: 50, gateway: '192.0.2.254', dstLen: 16 });
    const mp6 = routes.find((r) => r.dst === '2001:db8:99::') as Route;
    expect(mp6.nexthops?.map((n) => [n.gateway, n.weight])).toEqual([['2001:db8:1::2', 1], ['2001:db8:1::3', 2]]);
    expect(mp6.priority).toBe(1024);
    expect(routes.some((r) => r.table === 255 && r.type === 2 && r.dst === '192.0.2.1')).toBe(true);
  });

  it('decode the permanent neighbour', () => {
    const n = msgsOf('neighbour dump').filter((m) => m.type === RTM_NEWNEIGH).map((m) => toNeighbour(decodeNeighMsg(m.payload)) as Neighbour);
    expect(n.find((x) => x.address === '192.0.2.2')).toMatchObject({ family: 4, mac: '02:00:00:00:00:02', state: NUD_PERMANENT });
  });

  it('decode errors with ext-ack text, and capped ACKs', () => {
    const [eexist] = msgsOf('error EEXIST addAddress');
    expect(eexist?.type).toBe(NLMSG_ERROR);
    expect(decodeErrorMsg(eexist as NlMsg)).toEqual({ errno: 17, extAck: 'ipv4: Address already assigned', offset: undefined });
    const [enodev] = msgsOf('error ENODEV addAddress');
    expect(decodeErrorMsg(enodev as NlMsg).errno).toBe(19);
    const [ack] = msgsOf('ack setLink');
    expect(ack?.seq).toBe(8);
    expect(decodeErrorMsg(ack as NlMsg)).toEqual({ errno: 0, extAck: undefined, offset: undefined });
  });
});
