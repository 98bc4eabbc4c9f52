// The probe path's allocation-free echo helpers must say exactly what the general ones say.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildEchoRequest, buildProbeEcho, parseEchoReply, readEchoReply, ICMP_ECHO_REPLY } from '../../../src/packet/icmp.js';
import { internetChecksum } from '../../../src/packet/checksum.js';
import { ICMP4_ECHO_REPLY_FRAME, ICMP6_ECHO_REPLY_FRAME } from './fixtures.js';

const summary = (family: 4 | 6, b: Uint8Array) => {
  const p = parseEchoReply(family, b);
  return p && { id: p.id, seq: p.seq, code: p.code, source: p.source, checksumOk: p.checksumOk ?? true };
};

/** An IPv4 datagram carrying an echo reply, with random fields and IHL; the checksum may be spoilt. */
const v4Reply = fc.record({
  id: fc.integer({ min: 0, max: 0xffff }), seq: fc.integer({ min: 0, max: 0xffff }), code: fc.integer({ min: 0, max: 3 }),
  ihl: fc.integer({ min: 5, max: 15 }), src: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
  payload: fc.uint8Array({ maxLength: 24 }), spoil: fc.boolean(), trailer: fc.uint8Array({ maxLength: 4 }),
}).map((r) => {
  const icmp = Buffer.alloc(8 + r.payload.length);
  icmp[0] = ICMP_ECHO_REPLY;
  icmp[1] = r.code;
  icmp.writeUInt16BE(r.id, 4);
  icmp.writeUInt16BE(r.seq, 6);
  Buffer.from(r.payload).copy(icmp, 8);
  icmp.writeUInt16BE(internetChecksum(icmp) ^ (r.spoil ? 1 : 0), 2);
  const h = Buffer.alloc(r.ihl * 4);
  h[0] = 0x40 | r.ihl;
  h.writeUInt16BE(h.length + icmp.length, 2);
  h[9] = 1;
  Buffer.from(r.src).copy(h, 12);
  return Buffer.concat([h, icmp, Buffer.from(r.trailer)]);
});

describe('readEchoReply agrees with parseEchoReply', () => {
  it('on the captured replies', () => {
    expect(readEchoReply(4, ICMP4_ECHO_REPLY_FRAME.subarray(14))).toEqual(summary(4, ICMP4_ECHO_REPLY_FRAME.subarray(14)));
    expect(readEchoReply(6, ICMP6_ECHO_REPLY_FRAME.subarray(54))).toEqual(summary(6, ICMP6_ECHO_REPLY_FRAME.subarray(54)));
  });

  it('on well-formed IPv4 replies with any fields, options, trailers and spoilt checksums', () => {
    fc.assert(fc.property(v4Reply, (b) => { expect(readEchoReply(4, b)).toEqual(summary(4, b)); }));
  });

  it('on arbitrary bytes, both families (including what parseEchoReply refuses)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(4 as const, 6 as const), (b, family) => {
      expect(readEchoReply(family, b)).toEqual(summary(family, b));
    }));
  });
});

describe('buildProbeEcho', () => {
  it('is buildEchoRequest with in.mpathd\'s payload (send time, probe type)', () => {
    fc.assert(fc.property(
      fc.constantFrom(4 as const, 6 as const), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 0, max: 0xffffffff }),
      (family, id, seq, sentNs, mtype) => {
        const payload = Buffer.alloc(12);
        payload.writeBigUInt64BE(sentNs, 0);
        payload.writeUInt32BE(mtype, 8);
        expect(buildProbeEcho(family, id, seq, sentNs, mtype)).toEqual(buildEchoRequest(family, id, seq, payload));
      },
    ));
  });
});
