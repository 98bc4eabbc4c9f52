// Which frames claim which address, on real captured frames and the RFC probe shapes.
import { describe, expect, it } from 'vitest';
import { icmpv6Checksum } from '../../../src/packet/checksum.js';
import { parseClaim } from '../../../src/packet/claim.js';
import { addVlanTag } from '../../../src/packet/ethernet.js';
import { parseNdisc } from '../../../src/packet/ndisc.js';
import {
  ARPING_PU_REPLY, ARPING_U_REQUEST, ARP_PROBE_FROM_B, DAD_NS_FROM_B, ICMP4_ECHO_REPLY_FRAME, ICMP6_ECHO_REPLY_FRAME,
  KERNEL_ARP_REPLY, KERNEL_ARP_REQUEST, KERNEL_GARP, KERNEL_GARP_VLAN10, KERNEL_NS, KERNEL_SOLICITED_NA, KERNEL_UNSOL_NA,
  KERNEL_UNSOL_NA_LL, KERNEL_UNSOL_NA_VLAN100, MAC_A, MAC_B, ROUTER_SOLICIT, hex,
} from './fixtures.js';

/** Recomputes the ICMPv6 checksum of an untagged ND frame after an edit. */
function fixChecksum(frame: Buffer): Buffer {
  frame.writeUInt16BE(0, 56);
  frame.writeUInt16BE(icmpv6Checksum(frame.subarray(22, 38), frame.subarray(38, 54), frame.subarray(54)), 56);
  return frame;
}

describe('parseClaim: frames that claim an address', () => {
  it.each([
    ['kernel GARP', KERNEL_GARP, { family: 4, address: '192.0.2.1', mac: MAC_A, ethSrc: MAC_A, kind: 'arp-request' }],
    ['tagged GARP', KERNEL_GARP_VLAN10, { family: 4, address: '192.0.2.1', mac: MAC_A, kind: 'arp-request' }],
    ['arping -U (THA broadcast)', ARPING_U_REQUEST, { family: 4, address: '192.0.2.1', mac: MAC_A, kind: 'arp-request' }],
    ['ordinary who-has: the sender claims its own IP', KERNEL_ARP_REQUEST, { address: '192.0.2.1', mac: MAC_A, kind: 'arp-request' }],
    ['ARP reply', KERNEL_ARP_REPLY, { family: 4, address: '192.0.2.2', mac: MAC_B, ethSrc: MAC_B, kind: 'arp-reply' }],
    ['arping -P -U reply', ARPING_PU_REPLY, { address: '192.0.2.1', mac: MAC_A, kind: 'arp-reply' }],
    ['ARP probe: a claim attempt on the target', ARP_PROBE_FROM_B, { family: 4, address: '192.0.2.1', mac: MAC_B, kind: 'arp-probe' }],
    ['unsolicited NA', KERNEL_UNSOL_NA, { family: 6, address: '2001:db8::1', mac: MAC_A, ethSrc: MAC_A, kind: 'na' }],
    ['tagged NA', KERNEL_UNSOL_NA_VLAN100, { family: 6, address: '2001:db8::1', mac: MAC_A, kind: 'na' }],
    ['link-local NA', KERNEL_UNSOL_NA_LL, { family: 6, address: 'fe80::ff:fe00:a', kind: 'na' }],
    ['solicited NA', KERNEL_SOLICITED_NA, { family: 6, address: '2001:db8::2', mac: MAC_B, kind: 'na' }],
    ['DAD NS: a claim attempt on the target', DAD_NS_FROM_B, { family: 6, address: '2001:db8::1', mac: MAC_B, kind: 'ns-dad' }],
  ] as const)('%s', (_n, frame, want) => {
    expect(parseClaim(frame)).toMatchObject(want);
  });

  it('the DAD NS fixture is valid ND (checksum, hop limit, no option)', () => {
    expect(parseNdisc(DAD_NS_FROM_B)).toMatchObject({ source: '::', checksumOk: true, hopLimit: 255 });
    expect(parseNdisc(DAD_NS_FROM_B)?.lladdr).toBeUndefined();
  });

  it('NA mac is the target link-layer option, not the Ethernet source', () => {
    const na = Buffer.from(KERNEL_UNSOL_NA);
    Buffer.from('02000000cccc', 'hex').copy(na, 6); // Ethernet source only; checksum unaffected
    expect(parseClaim(na)).toMatchObject({ mac: MAC_A, ethSrc: '02:00:00:00:cc:cc' });
  });

  it('NA without a target link-layer option: the Ethernet source is the claimer', () => {
    // Drop the 8-byte TLLA option and fix payload length and checksum.
    const na = Buffer.from(KERNEL_UNSOL_NA.subarray(0, KERNEL_UNSOL_NA.length - 8));
    na.writeUInt16BE(24, 18);
    fixChecksum(na);
    expect(parseNdisc(na)?.checksumOk).toBe(true);
    expect(parseClaim(na)).toMatchObject({ kind: 'na', mac: MAC_A, address: '2001:db8::1' });
  });
});

describe('parseClaim: frames that claim nothing', () => {
  const withByte = (b: Buffer, off: number, v: number): Buffer => { const c = Buffer.from(b); c[off] = v; return c; };
  it.each([
    ['NS with a source address (ordinary resolution)', KERNEL_NS],
    ['router solicitation', ROUTER_SOLICIT],
    ['ICMP echo', ICMP4_ECHO_REPLY_FRAME],
    ['ICMPv6 echo', ICMP6_ECHO_REPLY_FRAME],
    ['NA with hop limit 64 (not valid ND)', withByte(KERNEL_UNSOL_NA, 21, 64)],
    ['NA with a bad checksum', withByte(KERNEL_UNSOL_NA, 57, 0)],
    ['DAD NS with hop limit 1', withByte(DAD_NS_FROM_B, 21, 1)],
    ['ARP reply from 0.0.0.0', hex(`ffffffffffff 02000000000b 0806 0001 0800 06 04 0002 02000000000b 00000000 000000000000 c0000201`)],
    ['ARP probe for 0.0.0.0', hex(`ffffffffffff 02000000000b 0806 0001 0800 06 04 0001 02000000000b 00000000 000000000000 00000000`)],
    ['RARP-like opcode 3', withByte(KERNEL_GARP, 21, 3)],
    ['runt', hex('ffffffffffff 0200')],
  ])('%s', (_n, frame) => {
    expect(parseClaim(frame)).toBeUndefined();
  });

  it('an NA for a multicast target is no claim', () => {
    const na = Buffer.from(KERNEL_UNSOL_NA);
    hex('ff020000000000000000000000000001').copy(na, 62);
    fixChecksum(na);
    expect(parseNdisc(na)?.checksumOk).toBe(true);
    expect(parseClaim(na)).toBeUndefined();
  });

  it('a VLAN tag in front changes nothing', () => {
    expect(parseClaim(addVlanTag(ARP_PROBE_FROM_B, 5))).toEqual(parseClaim(ARP_PROBE_FROM_B));
  });
});
