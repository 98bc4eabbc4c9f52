import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ICMP6_ECHO_REPLY, ICMP6_ECHO_REQUEST, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, buildEchoRequest, parseEchoMessage, parseEchoReply,
} from '../../../src/packet/icmp.js';
import { internetChecksum } from '../../../src/packet/checksum.js';
import { ICMP4_ECHO_REPLY_FRAME, ICMP4_ECHO_REQUEST_FRAME, ICMP6_ECHO_REPLY_FRAME, ICMP6_ECHO_REQUEST_FRAME, hex } from './fixtures.js';

const PAYLOAD = hex('4142434400000000');

/** Wraps an ICMP message in a minimal IPv4 header with `ihl` words (options zero-filled). */
function ipv4Wrap(icmp: Buffer, ihlWords = 5, src = [192, 0, 2, 2]): Buffer {
  const h = Buffer.alloc(ihlWords * 4);
  h[0] = 0x40 | ihlWords;
  h.writeUInt16BE(h.length + icmp.length, 2);
  h[8] = 64;
  h[9] = 1;
  Buffer.from(src).copy(h, 12);
  Buffer.from([192, 0, 2, 1]).copy(h, 16);
  h.writeUInt16BE(internetChecksum(h), 10);
  return Buffer.concat([h, icmp]);
}

describe('buildEchoRequest', () => {
  it('v4 equals the ICMP part of the captured ping request, checksum included', () => {
    expect(buildEchoRequest(4, 0x1234, 1, PAYLOAD).equals(ICMP4_ECHO_REQUEST_FRAME.subarray(34))).toBe(true);
  });

  it('v6 equals the captured request except the checksum, which the kernel fills', () => {
    const ours = buildEchoRequest(6, 0x1234, 1, PAYLOAD);
    const wire = Buffer.from(ICMP6_ECHO_REQUEST_FRAME.subarray(54));
    expect(ours.readUInt16BE(2)).toBe(0);
    wire.writeUInt16BE(0, 2);
    expect(ours.equals(wire)).toBe(true);
  });

  it('rejects out-of-range id/seq', () => {
    expect(() => buildEchoRequest(4, 65536, 0)).toThrow(RangeError);
    expect(() => buildEchoRequest(6, 1, -1)).toThrow(RangeError);
  });
});

describe('parseEchoReply', () => {
  it('v4: raw socket view of the captured reply (IPv4 header first)', () => {
    expect(parseEchoReply(4, ICMP4_ECHO_REPLY_FRAME.subarray(14))).toEqual({
      type: ICMP_ECHO_REPLY, code: 0, id: 0x1234, seq: 1, payload: PAYLOAD, source: '192.0.2.2', checksumOk: true,
    });
  });

  it('v6: raw socket view of the captured reply (ICMPv6 first)', () => {
    expect(parseEchoReply(6, ICMP6_ECHO_REPLY_FRAME.subarray(54))).toEqual({
      type: ICMP6_ECHO_REPLY, code: 0, id: 0x1234, seq: 1, payload: PAYLOAD,
    });
  });

  it('honours IHL (IPv4 options)', () => {
    const reply = Buffer.from(ICMP4_ECHO_REPLY_FRAME.subarray(34));
    const p = parseEchoReply(4, ipv4Wrap(reply, 8));
    expect(p).toMatchObject({ id: 0x1234, seq: 1, source: '192.0.2.2', checksumOk: true });
    expect(p?.payload.equals(PAYLOAD)).toBe(true);
  });

  it('ignores bytes beyond the IPv4 total length', () => {
    const withTrailer = Buffer.concat([ICMP4_ECHO_REPLY_FRAME.subarray(14), hex('deadbeef')]);
    expect(parseEchoReply(4, withTrailer)?.payload.equals(PAYLOAD)).toBe(true);
  });

  it('reports a bad ICMP checksum instead of hiding it', () => {
    const b = Buffer.from(ICMP4_ECHO_REPLY_FRAME.subarray(14));
    b[b.length - 1] = 1;
    expect(parseEchoReply(4, b)?.checksumOk).toBe(false);
  });

  it.each([
    ['requests are not replies (v4)', 4, ICMP4_ECHO_REQUEST_FRAME.subarray(14)],
    ['requests are not replies (v6)', 6, ICMP6_ECHO_REQUEST_FRAME.subarray(54)],
    ['truncated IPv4 datagram', 4, ICMP4_ECHO_REPLY_FRAME.subarray(14, 40)],
    ['IHL below 5', 4, (() => { const b = Buffer.from(ICMP4_ECHO_REPLY_FRAME.subarray(14)); b[0] = 0x44; return b; })()],
    ['not ICMP', 4, (() => { const b = Buffer.from(ICMP4_ECHO_REPLY_FRAME.subarray(14)); b[9] = 17; return b; })()],
    ['non-first fragment', 4, (() => { const b = Buffer.from(ICMP4_ECHO_REPLY_FRAME.subarray(14)); b[7] = 1; return b; })()],
    ['IPv6 header given to v4', 4, ICMP6_ECHO_REPLY_FRAME.subarray(14)],
    ['v4 type 0 given to v6 parser', 6, ICMP4_ECHO_REPLY_FRAME.subarray(34)],
    ['short v6', 6, ICMP6_ECHO_REPLY_FRAME.subarray(54, 60)],
  ] as const)('undefined: %s', (_n, fam, buf) => {
    expect(parseEchoReply(fam, buf)).toBeUndefined();
  });

  it('property: request -> reply round trip (type rewritten as a peer would)', () => {
    fc.assert(fc.property(fc.constantFrom(4 as const, 6 as const), fc.nat(0xffff), fc.nat(0xffff), fc.uint8Array({ maxLength: 64 }),
      (fam, id, seq, payload) => {
        const req = buildEchoRequest(fam, id, seq, payload);
        expect(parseEchoMessage(fam, req)).toMatchObject({ type: fam === 4 ? ICMP_ECHO_REQUEST : ICMP6_ECHO_REQUEST, id, seq });
        const reply = Buffer.from(req);
        reply[0] = fam === 4 ? ICMP_ECHO_REPLY : ICMP6_ECHO_REPLY;
        if (fam === 4) { reply.writeUInt16BE(0, 2); reply.writeUInt16BE(internetChecksum(reply), 2); }
        const p = parseEchoReply(fam, fam === 4 ? ipv4Wrap(reply) : reply);
        expect(p).toMatchObject({ id, seq, code: 0 });
        expect(p?.payload.equals(Buffer.from(payload))).toBe(true);
        if (fam === 4) expect(p?.checksumOk).toBe(true);
      }));
  });
});
