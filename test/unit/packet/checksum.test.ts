import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  icmpv6Checksum, internetChecksum, onesComplementSum, verifyIcmpv6Checksum, verifyInternetChecksum,
} from '../../../src/packet/checksum.js';
import { ICMP4_ECHO_REQUEST_FRAME, KERNEL_NS, KERNEL_SOLICITED_NA, KERNEL_UNSOL_NA, hex } from './fixtures.js';

describe('Internet checksum', () => {
  it('RFC 1071 §3 worked example: sum 0xddf2', () => {
    expect(onesComplementSum(hex('0001f203f4f5f6f7'))).toBe(0xddf2);
    expect(internetChecksum(hex('0001f203f4f5f6f7'))).toBe(0x220d);
  });

  it('pads an odd trailing byte with zero', () => {
    expect(onesComplementSum(hex('01'))).toBe(0x0100);
    expect(onesComplementSum(hex('0102 03'))).toBe(0x0102 + 0x0300);
  });

  it('verifies the captured IPv4 header and ICMP message', () => {
    expect(verifyInternetChecksum(ICMP4_ECHO_REQUEST_FRAME.subarray(14, 34))).toBe(true);
    expect(verifyInternetChecksum(ICMP4_ECHO_REQUEST_FRAME.subarray(34))).toBe(true);
    const bad = Buffer.from(ICMP4_ECHO_REQUEST_FRAME.subarray(34));
    bad[9] = (bad[9] ?? 0) ^ 1;
    expect(verifyInternetChecksum(bad)).toBe(false);
  });

  it('recomputes the captured IPv4 header checksum (0x195f)', () => {
    const h = Buffer.from(ICMP4_ECHO_REQUEST_FRAME.subarray(14, 34));
    h.writeUInt16BE(0, 10);
    expect(internetChecksum(h)).toBe(0x195f);
  });

  it('property: inserting the checksum makes the data sum to 0xffff', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 600 }).map((a) => Buffer.from(a)), (b) => {
      const data = Buffer.concat([b, Buffer.alloc(b.length % 2)]); // checksum at an even offset
      data.writeUInt16BE(0, 2);
      data.writeUInt16BE(internetChecksum(data), 2);
      expect(onesComplementSum(data)).toBe(0xffff);
      expect(verifyInternetChecksum(data)).toBe(true);
    }));
  });

  it('property: the sum does not depend on 16-bit word order', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }), (words) => {
      const enc = (ws: number[]) => Buffer.concat(ws.map((w) => { const b = Buffer.alloc(2); b.writeUInt16BE(w); return b; }));
      expect(onesComplementSum(enc(words))).toBe(onesComplementSum(enc([...words].reverse())));
    }));
  });
});

describe('ICMPv6 checksum over the pseudo-header', () => {
  const cases: Array<[string, Buffer, number]> = [
    ['kernel unsolicited NA', KERNEL_UNSOL_NA, 0xf881],
    ['kernel NS', KERNEL_NS, 0x1b7e],
    ['kernel solicited NA', KERNEL_SOLICITED_NA, 0x8a68],
  ];
  it.each(cases)('%s: recomputes the captured value and verifies', (_n, frame, expected) => {
    const src = frame.subarray(22, 38);
    const dst = frame.subarray(38, 54);
    const msg = Buffer.from(frame.subarray(54));
    expect(verifyIcmpv6Checksum(src, dst, msg)).toBe(true);
    msg.writeUInt16BE(0, 2);
    expect(icmpv6Checksum(src, dst, msg)).toBe(expected);
  });

  it('depends on the addresses', () => {
    const src = Buffer.from(KERNEL_UNSOL_NA.subarray(22, 38));
    src[15] = 2;
    expect(verifyIcmpv6Checksum(src, KERNEL_UNSOL_NA.subarray(38, 54), KERNEL_UNSOL_NA.subarray(54))).toBe(false);
  });

  it('rejects non-16-byte addresses', () => {
    expect(() => icmpv6Checksum(Buffer.alloc(4), Buffer.alloc(16), Buffer.alloc(8))).toThrow(RangeError);
  });
});
