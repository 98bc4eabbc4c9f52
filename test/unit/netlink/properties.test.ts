// fast-check properties of the codec: random attribute trees and object messages round
// trip; truncated or garbage input yields a NetlinkDecodeError (or a clean value), never
// another exception and never a hang.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AddrMsg, decodeAddrMsg, encodeAddrMsg, toAddress } from '../../../src/netlink/address.js';
import { type Attr, encodeAttrs, isNested, parseAttrs } from '../../../src/netlink/attrs.js';
import { NLA_F_NESTED } from '../../../src/netlink/constants.js';
import { NetlinkDecodeError } from '../../../src/netlink/errors.js';
import { decodeLinkMsg, encodeLinkMsg, type LinkMsg, toLink } from '../../../src/netlink/link.js';
import { decodeNeighMsg, toNeighbour } from '../../../src/netlink/neighbour.js';
import { decodeDoneMsg, decodeErrorMsg, encodeNlMsg, parseNlMsgs } from '../../../src/netlink/nlmsg.js';
import { decodeRouteMsg, encodeRouteMsg, type RouteMsg, toRoute } from '../../../src/netlink/route.js';

/** A tree of attributes; nested nodes carry NLA_F_NESTED and children instead of bytes. */
type Tree = { type: number; data: Buffer } | { type: number; children: Tree[] };

const leaf = fc.record({ type: fc.integer({ min: 1, max: 0x3fff }), data: fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u)) });
const tree: fc.Arbitrary<Tree[]> = fc.letrec<{ node: Tree; list: Tree[] }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ type: fc.integer({ min: 1, max: 0x3fff }), children: tie('list') })),
  list: fc.array(tie('node'), { maxLength: 5 }),
})).list;

const encodeTree = (t: Tree[]): Buffer => encodeAttrs(t.map((n) => 'children' in n
  ? { type: n.type | NLA_F_NESTED, data: encodeTree(n.children) }
  : n));

const decodeTree = (b: Buffer): Tree[] => parseAttrs(b).map((a: Attr) => isNested(a)
  ? { type: a.type & ~NLA_F_NESTED, children: decodeTree(a.data) }
  : { type: a.type, data: Buffer.from(a.data) });

const bytes = (min: number, max: number): fc.Arbitrary<Buffer> => fc.uint8Array({ minLength: min, maxLength: max }).map((u) => Buffer.from(u));
const u8 = fc.integer({ min: 0, max: 255 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const unknown = (lo: number, hi: number): fc.Arbitrary<Attr[]> =>
  fc.array(fc.record({ type: fc.integer({ min: lo, max: hi }), data: bytes(0, 24) }), { maxLength: 3 });
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });
const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const linkMsg: fc.Arbitrary<LinkMsg> = fc.record({
  family: u8, ifType: fc.integer({ min: 0, max: 0xffff }), index: fc.integer({ min: 0, max: 0x7fffffff }), flags: u32, change: u32,
  ifname: opt(fc.stringMatching(/^[a-z0-9.]{1,15}$/)), mtu: opt(u32), address: opt(bytes(0, 20)), master: opt(u32),
  operstate: opt(fc.integer({ min: 0, max: 6 })), carrier: opt(fc.integer({ min: 0, max: 1 })), link: opt(u32),
  linkinfo: opt(fc.array(fc.record({ type: fc.integer({ min: 1, max: 6 }), data: bytes(0, 16) }), { maxLength: 3 })),
  unknown: unknown(40, 60),
}).map(strip);

const addrMsg: fc.Arbitrary<AddrMsg> = fc.record({
  family: fc.constantFrom(2, 10), prefixLen: fc.integer({ min: 0, max: 128 }), flags: u8, scope: u8, index: u32,
  address: opt(bytes(4, 4)), local: opt(bytes(4, 4)), label: opt(fc.stringMatching(/^[a-z0-9:]{1,15}$/)), flags32: opt(u32),
  cacheinfo: opt(fc.record({ preferred: u32, valid: u32, cstamp: u32, tstamp: u32 })), unknown: unknown(10, 20),
}).map(strip);

const nexthop = fc.record({ flags: u8, hops: u8, ifindex: fc.integer({ min: 1, max: 0x7fffffff }), gateway: opt(bytes(16, 16)), unknown: unknown(11, 14) }).map(strip);
const routeMsg: fc.Arbitrary<RouteMsg> = fc.record({
  family: fc.constant(10), dstLen: fc.integer({ min: 0, max: 128 }), srcLen: u8, tos: u8, table: u8, protocol: u8, scope: u8, type: u8,
  flags: u32, dst: opt(bytes(16, 16)), gateway: opt(bytes(16, 16)), oif: opt(u32), priority: opt(u32), prefsrc: opt(bytes(16, 16)),
  table32: opt(u32), multipath: opt(fc.array(nexthop, { minLength: 1, maxLength: 4 })), unknown: unknown(30, 40),
}).map(strip);

/** Runs a decoder; anything but success or NetlinkDecodeError fails the property. */
function onlyDecodeErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof NetlinkDecodeError)) throw e;
  }
}

const decoders: [string, (b: Buffer) => unknown][] = [
  ['messages', (b) => parseNlMsgs(b)],
  ['attributes', (b) => parseAttrs(b)],
  ['link', (b) => toLink(decodeLinkMsg(b))],
  ['address', (b) => toAddress(decodeAddrMsg(b))],
  ['route', (b) => toRoute(decodeRouteMsg(b))],
  ['neighbour', (b) => toNeighbour(decodeNeighMsg(b))],
  ['error', (b) => decodeErrorMsg({ type: 2, flags: (b[0] ?? 0) << 8, seq: 0, pid: 0, payload: b })],
  ['done', (b) => decodeDoneMsg({ type: 3, flags: 0x200, seq: 0, pid: 0, payload: b })],
];

describe('codec properties', () => {
  it('random attribute trees round trip through encode and parse', () => {
    fc.assert(fc.property(tree, (t) => {
      const wire = encodeTree(t);
      expect(wire.length % 4).toBe(0);
      expect(decodeTree(wire)).toEqual(t);
    }), { numRuns: 300 });
  });

  it('link, address and route messages round trip', () => {
    fc.assert(fc.property(linkMsg, (m) => { expect(strip(decodeLinkMsg(encodeLinkMsg(m)))).toEqual(m); }), { numRuns: 200 });
    fc.assert(fc.property(addrMsg, (m) => { expect(strip(decodeAddrMsg(encodeAddrMsg(m)))).toEqual(m); }), { numRuns: 200 });
    fc.assert(fc.property(routeMsg, (m) => {
      const back = strip(decodeRouteMsg(encodeRouteMsg(m)));
      if (back.multipath) back.multipath = back.multipath.map(strip);
      expect(back).toEqual(m);
    }), { numRuns: 200 });
  });

  it('every truncation of a valid message is decoded or rejected with NetlinkDecodeError', () => {
    fc.assert(fc.property(linkMsg, addrMsg, routeMsg, (l, a, r) => {
      for (const [payload, decode] of [
        [encodeLinkMsg(l), (b: Buffer) => toLink(decodeLinkMsg(b))],
        [encodeAddrMsg(a), (b: Buffer) => toAddress(decodeAddrMsg(b))],
        [encodeRouteMsg(r), (b: Buffer) => toRoute(decodeRouteMsg(b))],
      ] as const) {
        const framed = encodeNlMsg(16, 0, 1, payload);
        for (let cut = 0; cut < framed.length; cut += 3) {
          onlyDecodeErrors(() => parseNlMsgs(framed.subarray(0, cut)).forEach((m) => decode(m.payload)));
          onlyDecodeErrors(() => decode(payload.subarray(0, cut)));
        }
      }
    }), { numRuns: 100 });
  });

  it.each(decoders)('garbage input to the %s decoder never throws anything else and terminates', (_name, decode) => {
    fc.assert(fc.property(bytes(0, 300), (b) => {
      const t0 = performance.now();
      onlyDecodeErrors(() => decode(b));
      expect(performance.now() - t0).toBeLessThan(200);
    }), { numRuns: 1000 });
  });

  it('a zero-length attribute or message header is an error, not an endless loop', () => {
    expect(() => parseAttrs(Buffer.from([0, 0, 1, 0]))).toThrow(NetlinkDecodeError);
    expect(() => parseNlMsgs(Buffer.alloc(16))).toThrow(NetlinkDecodeError);
    expect(() => parseAttrs(Buffer.from([8, 0, 1, 0, 1]))).toThrow(/overruns/);
  });
});
