import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import os from 'node:os';
import {
  ETHERTYPE_ARP, ETHERTYPE_IPV6, ETHERTYPE_QINQ, addVlanTag, buildEthernetFrame, buildEthernetHeader,
  formatMac, isMulticastMac, macBytes, packetSocketProtocol, parseEthernet, parseMac,
} from '../../../src/packet/ethernet.js';
import { KERNEL_GARP, KERNEL_GARP_VLAN10, KERNEL_UNSOL_NA, KERNEL_UNSOL_NA_VLAN100, hex } from './fixtures.js';

describe('MAC text', () => {
  it.each([
    ['02:00:00:00:00:aa', '0200000000aa'],
    ['FF:ff:FF:ff:FF:ff', 'ffffffffffff'],
    ['0:1:2:3:4:5', '000102030405'],
    ['02-00-5e-10-00-01', '02005e100001'],
  ])('parses %s', (text, bytes) => {
    expect(parseMac(text).toString('hex')).toBe(bytes);
  });

  it.each(['', '02:00:00:00:00', '02:00:00:00:00:aa:bb', '02:00:00:00:00:gg', '020:00:00:00:00:aa', '02::00:00:00:aa'])(
    'rejects %j', (text) => {
      expect(() => parseMac(text)).toThrow(/not a MAC/);
    });

  it('formats lower-case, zero-padded, at an offset', () => {
    expect(formatMac(hex('ff0a0b0c0d0e0f'), 1)).toBe('0a:0b:0c:0d:0e:0f');
    expect(() => formatMac(hex('0102'))).toThrow(RangeError);
  });

  it('round-trips any 6 bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (b) => {
      expect(parseMac(formatMac(b)).equals(Buffer.from(b))).toBe(true);
    }));
  });

  it('macBytes copies and checks length', () => {
    const src = hex('020000000001');
    const out = macBytes(src);
    out[0] = 0xff;
    expect(src[0]).toBe(0x02);
    expect(() => macBytes(hex('0102'))).toThrow(/6 bytes/);
  });

  it('multicast bit', () => {
    expect(isMulticastMac(parseMac('33:33:00:00:00:01'))).toBe(true);
    expect(isMulticastMac(parseMac('ff:ff:ff:ff:ff:ff'))).toBe(true);
    expect(isMulticastMac(parseMac('02:00:00:00:00:01'))).toBe(false);
  });
});

describe('Ethernet header', () => {
  it('builds the 14 bytes of the captured GARP', () => {
    expect(buildEthernetHeader('ff:ff:ff:ff:ff:ff', '02:00:00:00:00:aa', ETHERTYPE_ARP).equals(KERNEL_GARP.subarray(0, 14))).toBe(true);
  });

  it('parses an untagged frame', () => {
    const e = parseEthernet(KERNEL_UNSOL_NA);
    expect(e).toMatchObject({ dst: '33:33:00:00:00:01', src: '02:00:00:00:00:aa', ethertype: ETHERTYPE_IPV6, payloadOffset: 14, vlanTags: [] });
    expect(e?.vlan).toBeUndefined();
    expect(e?.payload.length).toBe(72);
  });

  it('parses an 802.1Q-tagged frame (hand-made fixture)', () => {
    const e = parseEthernet(KERNEL_GARP_VLAN10);
    expect(e).toMatchObject({ ethertype: ETHERTYPE_ARP, payloadOffset: 18, vlan: { tpid: 0x8100, id: 10, pcp: 0, dei: false } });
    expect(e?.payload.equals(KERNEL_GARP.subarray(14))).toBe(true);
  });

  it('decodes PCP/DEI/VID from the TCI', () => {
    expect(parseEthernet(KERNEL_UNSOL_NA_VLAN100)?.vlan).toEqual({ tpid: 0x8100, id: 100, pcp: 5, dei: false });
    const f = hex('ffffffffffff 020000000001 8100 f123 0806');
    expect(parseEthernet(f)?.vlan).toEqual({ tpid: 0x8100, id: 0x123, pcp: 7, dei: true });
  });

  it('walks QinQ (802.1ad outer, 802.1Q inner)', () => {
    const f = hex('ffffffffffff 020000000001 88a8 0064 8100 000a 0806 0001');
    const e = parseEthernet(f);
    expect(e?.vlanTags.map((t) => [t.tpid, t.id])).toEqual([[ETHERTYPE_QINQ, 100], [0x8100, 10]]);
    expect(e?.vlan?.id).toBe(100);
    expect(e?.ethertype).toBe(ETHERTYPE_ARP);
    expect(e?.payloadOffset).toBe(22);
  });

  it('rejects more than two tags and truncated tags', () => {
    expect(parseEthernet(hex('ffffffffffff 020000000001 8100 0001 8100 0002 8100 0003 0806'))).toBeUndefined();
    expect(parseEthernet(hex('ffffffffffff 020000000001 8100 00'))).toBeUndefined();
    expect(parseEthernet(hex('ffffffffffff 020000000001 08'))).toBeUndefined();
  });

  it('addVlanTag produces the hand-made tagged fixtures', () => {
    expect(addVlanTag(KERNEL_GARP, 10).equals(KERNEL_GARP_VLAN10)).toBe(true);
    expect(addVlanTag(KERNEL_UNSOL_NA, 100, 5).equals(KERNEL_UNSOL_NA_VLAN100)).toBe(true);
    expect(() => addVlanTag(KERNEL_GARP, 4096)).toThrow(RangeError);
  });

  it('build/parse round trip with optional tag', () => {
    const mac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => Buffer.from(b));
    fc.assert(fc.property(mac, mac, fc.integer({ min: 0x0600, max: 0xffff }).filter((t) => t !== 0x8100 && t !== 0x88a8),
      fc.uint8Array({ maxLength: 64 }), fc.option(fc.integer({ min: 0, max: 4095 })), (dst, src, type, payload, vid) => {
        let frame = buildEthernetFrame(dst, src, type, payload);
        if (vid !== null) frame = addVlanTag(frame, vid);
        const e = parseEthernet(frame);
        expect(e?.dst).toBe(formatMac(dst));
        expect(e?.src).toBe(formatMac(src));
        expect(e?.ethertype).toBe(type);
        expect(e?.vlan?.id).toBe(vid ?? undefined);
        expect(e?.payload.equals(Buffer.from(payload))).toBe(true);
      }));
  });
});

describe('packetSocketProtocol', () => {
  it('is htons(): the ethertype bytes in network order read as a host integer', () => {
    const asHost = (t: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(t); return os.endianness() === 'LE' ? b.readUInt16LE() : b.readUInt16BE(); };
    expect(packetSocketProtocol(0x0806)).toBe(asHost(0x0806));
    expect(packetSocketProtocol(0x0003)).toBe(asHost(0x0003));
    if (os.endianness() === 'LE') expect(packetSocketProtocol(0x0806)).toBe(0x0608);
    expect(() => packetSocketProtocol(0x10000)).toThrow(RangeError);
  });
});
