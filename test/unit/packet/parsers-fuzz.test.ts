// Parsers face whatever arrives on a socket: they must answer undefined, never throw.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseArp } from '../../../src/packet/arp.js';
import { parseClaim } from '../../../src/packet/claim.js';
import { parseEthernet } from '../../../src/packet/ethernet.js';
import { parseEchoMessage, parseEchoReply } from '../../../src/packet/icmp.js';
import { parseNdisc } from '../../../src/packet/ndisc.js';
import {
  ARPING_U_REQUEST, ARP_PROBE_FROM_B, DAD_NS_FROM_B, ICMP4_ECHO_REPLY_FRAME, ICMP6_ECHO_REPLY_FRAME, KERNEL_GARP, KERNEL_GARP_VLAN10, KERNEL_NS,
  KERNEL_SOLICITED_NA, KERNEL_UNSOL_NA, KERNEL_UNSOL_NA_VLAN100,
} from './fixtures.js';

const parsers: Array<[string, (b: Uint8Array) => unknown]> = [
  ['parseEthernet', parseEthernet],
  ['parseArp', parseArp],
  ['parseNdisc', parseNdisc],
  ['parseClaim', parseClaim],
  ['parseEchoReply v4', (b) => parseEchoReply(4, b)],
  ['parseEchoReply v6', (b) => parseEchoReply(6, b)],
  ['parseEchoMessage v4', (b) => parseEchoMessage(4, b)],
];
const seeds = [KERNEL_GARP, KERNEL_GARP_VLAN10, ARPING_U_REQUEST, KERNEL_UNSOL_NA, KERNEL_UNSOL_NA_VLAN100, KERNEL_NS,
  KERNEL_SOLICITED_NA, ARP_PROBE_FROM_B, DAD_NS_FROM_B, ICMP4_ECHO_REPLY_FRAME, ICMP4_ECHO_REPLY_FRAME.subarray(14), ICMP6_ECHO_REPLY_FRAME.subarray(54)];

describe.each(parsers)('%s', (_name, parse) => {
  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => { parse(b); }), { numRuns: 500 });
  });

  it('never throws on truncated or bit-flipped real frames', () => {
    const mutated = fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }))
      .map(([seed, cut, flips]) => {
        const b = Buffer.from(seed.subarray(0, cut % (seed.length + 1)));
        for (const [pos, v] of flips) if (b.length > 0) b[pos % b.length] = v;
        return b;
      });
    fc.assert(fc.property(mutated, (b) => { parse(b); }), { numRuns: 500 });
  });

  it('works on a Uint8Array view at a nonzero offset', () => {
    const backing = new Uint8Array(KERNEL_GARP.length + 3);
    backing.set(KERNEL_GARP, 3);
    expect(() => parse(backing.subarray(3))).not.toThrow();
  });
});

describe('truncation of each seed ends in undefined for the frame parsers', () => {
  it.each([
    ['parseArp', parseArp, KERNEL_GARP],
    ['parseNdisc', parseNdisc, KERNEL_UNSOL_NA],
    ['parseClaim', parseClaim, KERNEL_UNSOL_NA],
    ['parseClaim', parseClaim, ARP_PROBE_FROM_B],
    ['parseEchoReply v4', (b: Uint8Array) => parseEchoReply(4, b), ICMP4_ECHO_REPLY_FRAME.subarray(14)],
  ] as const)('%s', (_n, parse, seed) => {
    expect(parse(seed)).toBeDefined();
    for (let n = 0; n < seed.length - 8; n++) expect(parse(seed.subarray(0, n))).toBeUndefined();
  });
});
