import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ARP_FRAME_LEN, ARP_REPLY, ARP_REQUEST, buildArpProbe, buildArpRequest, buildGratuitousArp, isArpProbeReply, isGratuitousArp, parseArp, type ArpPacket,
} from '../../../src/packet/arp.js';
import { formatMac } from '../../../src/packet/ethernet.js';
import {
  ARPING_PU_REPLY, ARPING_U_REQUEST, KERNEL_ARP_REPLY, KERNEL_ARP_REQUEST, KERNEL_GARP, KERNEL_GARP_VLAN10,
  KERNEL_UNSOL_NA, MAC_A, hex,
} from './fixtures.js';

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const mac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => formatMac(b));

describe('RFC 5227 ARP probe (transitive probing)', () => {
  it('is a broadcast request from 0.0.0.0 with the NIC\'s MAC as sender, byte for byte', () => {
    const expected = hex(`
      ffffffffffff 0200000000aa 0806
      0001 0800 06 04 0001 0200000000aa 00000000 000000000000 c00002fe`);
    const f = buildArpProbe(MAC_A, '192.0.2.254');
    expect(f.length).toBe(ARP_FRAME_LEN);
    expect(f.toString('hex')).toBe(expected.toString('hex'));
    const p = parseArp(f);
    expect(p).toMatchObject({ op: ARP_REQUEST, senderIp: '0.0.0.0', senderMac: '02:00:00:00:00:aa', targetIp: '192.0.2.254' });
    expect(isGratuitousArp(p as ArpPacket)).toBe(false);
  });

  it('the answer Linux sends (arp_process: REPLY to our MAC, target IP 0.0.0.0) is recognised; others are not', () => {
    // Router 02:00:00:00:00:fe at 192.0.2.254 answering the probe above.
    const reply = hex(`
      0200000000aa 0200000000fe 0806
      0001 0800 06 04 0002 0200000000fe c00002fe 0200000000aa 00000000`);
    const p = parseArp(reply) as ArpPacket;
    expect(isArpProbeReply(p, '02:00:00:00:00:aa')).toBe(true);
    expect(p.senderIp).toBe('192.0.2.254');
    // Sent to another member's MAC: not this NIC's answer.
    expect(isArpProbeReply(p, '02:00:00:00:00:bb')).toBe(false);
    // An ordinary reply to an address (not to a probe) does not count.
    expect(isArpProbeReply({ ...p, targetIp: '192.0.2.10' }, '02:00:00:00:00:aa')).toBe(false);
    expect(isArpProbeReply({ ...p, op: ARP_REQUEST }, '02:00:00:00:00:aa')).toBe(false);
  });
});

describe('gratuitous ARP', () => {
  it('request form is byte-identical to the kernel arp_notify GARP', () => {
    const f = buildGratuitousArp(MAC_A, '192.0.2.1');
    expect(f.length).toBe(ARP_FRAME_LEN);
    expect(f.toString('hex')).toBe(KERNEL_GARP.toString('hex'));
  });

  it('accepts the MAC as bytes too', () => {
    expect(buildGratuitousArp(hex('0200000000aa'), '192.0.2.1').equals(KERNEL_GARP)).toBe(true);
  });

  it('reply form is arping -A style: oper 2, THA = own MAC', () => {
    const expected = hex(`
      ffffffffffff 0200000000aa 0806
      0001 0800 06 04 0002 0200000000aa c0000201 0200000000aa c0000201`);
    expect(buildGratuitousArp(MAC_A, '192.0.2.1', { reply: true }).toString('hex')).toBe(expected.toString('hex'));
  });

  it('rejects bad input instead of sending garbage', () => {
    expect(() => buildGratuitousArp('02:00:00:00:00', '192.0.2.1')).toThrow();
    expect(() => buildGratuitousArp(MAC_A, '192.0.2.256')).toThrow();
  });
});

describe('ARP request', () => {
  it('is byte-identical to the kernel resolution request', () => {
    expect(buildArpRequest(MAC_A, '192.0.2.1', '192.0.2.2').equals(KERNEL_ARP_REQUEST)).toBe(true);
  });

  it('RFC 5227 probe (sender 0.0.0.0) is not gratuitous', () => {
    const p = parseArp(buildArpRequest(MAC_A, '0.0.0.0', '192.0.2.1'));
    expect(p?.senderIp).toBe('0.0.0.0');
    expect(p && isGratuitousArp(p)).toBe(false);
  });
});

describe('parseArp', () => {
  const table: Array<[string, Buffer, Partial<ArpPacket>, boolean]> = [
    ['kernel GARP', KERNEL_GARP, { op: ARP_REQUEST, senderMac: MAC_A, senderIp: '192.0.2.1', targetMac: '00:00:00:00:00:00', targetIp: '192.0.2.1', ethDst: 'ff:ff:ff:ff:ff:ff' }, true],
    ['kernel request', KERNEL_ARP_REQUEST, { op: ARP_REQUEST, senderIp: '192.0.2.1', targetIp: '192.0.2.2' }, false],
    ['unicast reply', KERNEL_ARP_REPLY, { op: ARP_REPLY, senderMac: '02:00:00:00:00:0b', senderIp: '192.0.2.2', targetMac: MAC_A, targetIp: '192.0.2.1', ethDst: MAC_A }, false],
    ['arping -U (THA broadcast, padded)', ARPING_U_REQUEST, { op: ARP_REQUEST, targetMac: 'ff:ff:ff:ff:ff:ff' }, true],
    // Linux arp_is_garp wants THA == SHA in a gratuitous reply; Habets arping -P -U sends THA = ff..ff.
    ['arping -P -U reply', ARPING_PU_REPLY, { op: ARP_REPLY, targetMac: 'ff:ff:ff:ff:ff:ff' }, false],
    ['VLAN-tagged GARP', KERNEL_GARP_VLAN10, { op: ARP_REQUEST, senderIp: '192.0.2.1', vlan: { tpid: 0x8100, id: 10, pcp: 0, dei: false } }, true],
  ];
  it.each(table)('%s', (_name, frame, fields, garp) => {
    const p = parseArp(frame);
    expect(p).toMatchObject(fields);
    expect(p && isGratuitousArp(p)).toBe(garp);
  });

  it('untagged frames carry no vlan', () => {
    expect(parseArp(KERNEL_GARP)?.vlan).toBeUndefined();
  });

  it('returns undefined for non-ARP and non-IPv4-Ethernet ARP', () => {
    expect(parseArp(KERNEL_UNSOL_NA)).toBeUndefined();
    expect(parseArp(KERNEL_GARP.subarray(0, 41))).toBeUndefined();
    const wrongHtype = Buffer.from(KERNEL_GARP); wrongHtype[15] = 6;
    const wrongPtype = Buffer.from(KERNEL_GARP); wrongPtype[16] = 0x86;
    const wrongHlen = Buffer.from(KERNEL_GARP); wrongHlen[18] = 8;
    for (const f of [wrongHtype, wrongPtype, wrongHlen]) expect(parseArp(f)).toBeUndefined();
  });

  it('isGratuitousArp: multicast / broadcast senders and other opcodes are not', () => {
    const base = parseArp(KERNEL_GARP) as ArpPacket;
    expect(isGratuitousArp({ ...base, senderIp: '224.0.0.1', targetIp: '224.0.0.1' })).toBe(false);
    expect(isGratuitousArp({ ...base, senderIp: '255.255.255.255', targetIp: '255.255.255.255' })).toBe(false);
    expect(isGratuitousArp({ ...base, op: 3 })).toBe(false);
  });

  it('property: GARP round trip in both forms', () => {
    fc.assert(fc.property(mac, ipv4, fc.boolean(), (m, ip, reply) => {
      const p = parseArp(buildGratuitousArp(m, ip, { reply }));
      expect(p).toMatchObject({ op: reply ? ARP_REPLY : ARP_REQUEST, senderMac: m, senderIp: ip, targetIp: ip, ethSrc: m, ethDst: 'ff:ff:ff:ff:ff:ff' });
      expect(p?.targetMac).toBe(reply ? m : '00:00:00:00:00:00');
      const first = Number(ip.split('.')[0]);
      const unicast = ip !== '0.0.0.0' && ip !== '255.255.255.255' && !(first >= 224 && first <= 239);
      expect(isGratuitousArp(p as ArpPacket)).toBe(unicast);
    }));
  });

  it('property: request round trip', () => {
    fc.assert(fc.property(mac, ipv4, ipv4, (m, s, t) => {
      expect(parseArp(buildArpRequest(m, s, t))).toMatchObject({ op: ARP_REQUEST, senderMac: m, senderIp: s, targetIp: t, targetMac: '00:00:00:00:00:00' });
    }));
  });
});
