import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatMac } from '../../../src/packet/ethernet.js';
import {
  ND_NEIGHBOR_ADVERT, ND_NEIGHBOR_SOLICIT, buildNeighborSolicitation, buildUnsolicitedNa, ipv6MulticastMac,
  parseNdisc, solicitedNodeAddress,
} from '../../../src/packet/ndisc.js';
import { bytesToIpv6 } from '../../../src/sys/sockaddr.js';
import {
  ICMP6_ECHO_REPLY_FRAME, KERNEL_GARP, KERNEL_NS, KERNEL_SOLICITED_NA, KERNEL_UNSOL_NA, KERNEL_UNSOL_NA_LL,
  KERNEL_UNSOL_NA_VLAN100, MAC_A, MAC_B, ROUTER_SOLICIT,
} from './fixtures.js';

const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => bytesToIpv6(b));
const mac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => formatMac(b));

describe('unsolicited NA', () => {
  it('is byte-identical to the kernel ndisc_notify NA (global and link-local)', () => {
    expect(buildUnsolicitedNa(MAC_A, '2001:db8::1').toString('hex')).toBe(KERNEL_UNSOL_NA.toString('hex'));
    expect(buildUnsolicitedNa(MAC_A, 'fe80::ff:fe00:a').toString('hex')).toBe(KERNEL_UNSOL_NA_LL.toString('hex'));
  });

  it('router flag sets R and keeps a valid checksum', () => {
    const f = buildUnsolicitedNa(MAC_A, '2001:db8::1', { router: true });
    expect(f[58]).toBe(0xa0);
    const p = parseNdisc(f);
    expect(p?.flags).toEqual({ router: true, solicited: false, override: true });
    expect(p?.checksumOk).toBe(true);
  });
});

describe('neighbor solicitation', () => {
  it('is byte-identical to the kernel NS', () => {
    expect(buildNeighborSolicitation(MAC_A, '2001:db8::1', '2001:db8::2').toString('hex')).toBe(KERNEL_NS.toString('hex'));
  });

  it('omits SLLA when the source is unspecified (DAD form)', () => {
    const f = buildNeighborSolicitation(MAC_A, '::', '2001:db8::2');
    expect(f.length).toBe(14 + 40 + 24);
    const p = parseNdisc(f);
    expect(p).toMatchObject({ type: ND_NEIGHBOR_SOLICIT, source: '::', dest: 'ff02::1:ff00:2', checksumOk: true });
    expect(p?.lladdr).toBeUndefined();
  });

  it.each([
    ['2001:db8::2', 'ff02::1:ff00:2', '33:33:ff:00:00:02'],
    ['2001:db8::abcd:1234:5678', 'ff02::1:ff34:5678', '33:33:ff:34:56:78'],
    ['fe80::ff:fe00:a', 'ff02::1:ff00:a', '33:33:ff:00:00:0a'],
  ])('solicited-node group of %s', (target, group, groupMac) => {
    expect(solicitedNodeAddress(target)).toBe(group);
    expect(formatMac(ipv6MulticastMac(group))).toBe(groupMac);
  });
});

describe('parseNdisc', () => {
  it.each([
    ['kernel unsolicited NA', KERNEL_UNSOL_NA, { type: ND_NEIGHBOR_ADVERT, source: '2001:db8::1', dest: 'ff02::1', hopLimit: 255, target: '2001:db8::1', flags: { router: false, solicited: false, override: true }, lladdr: MAC_A, ethDst: '33:33:00:00:00:01' }],
    ['kernel NS', KERNEL_NS, { type: ND_NEIGHBOR_SOLICIT, source: '2001:db8::1', dest: 'ff02::1:ff00:2', target: '2001:db8::2', flags: { router: false, solicited: false, override: false }, lladdr: MAC_A }],
    ['solicited NA', KERNEL_SOLICITED_NA, { type: ND_NEIGHBOR_ADVERT, source: '2001:db8::2', dest: '2001:db8::1', target: '2001:db8::2', flags: { router: false, solicited: true, override: true }, lladdr: MAC_B, ethSrc: MAC_B }],
    ['VLAN-tagged NA', KERNEL_UNSOL_NA_VLAN100, { type: ND_NEIGHBOR_ADVERT, target: '2001:db8::1', vlan: { tpid: 0x8100, id: 100, pcp: 5, dei: false } }],
  ])('%s', (_n, frame, fields) => {
    const p = parseNdisc(frame);
    expect(p).toMatchObject({ ...fields, checksumOk: true });
  });

  it('returns undefined for other ICMPv6, other protocols and truncation', () => {
    expect(parseNdisc(ROUTER_SOLICIT)).toBeUndefined();
    expect(parseNdisc(ICMP6_ECHO_REPLY_FRAME)).toBeUndefined();
    expect(parseNdisc(KERNEL_GARP)).toBeUndefined();
    expect(parseNdisc(KERNEL_UNSOL_NA.subarray(0, KERNEL_UNSOL_NA.length - 1))).toBeUndefined();
  });

  it('rejects a zero-length option and nonzero code', () => {
    const zeroOpt = Buffer.from(KERNEL_UNSOL_NA); zeroOpt[14 + 40 + 24 + 1] = 0;
    expect(parseNdisc(zeroOpt)).toBeUndefined();
    const code = Buffer.from(KERNEL_UNSOL_NA); code[14 + 40 + 1] = 1;
    expect(parseNdisc(code)).toBeUndefined();
  });

  it('flags a corrupted checksum and reports the hop limit as seen', () => {
    const f = Buffer.from(KERNEL_UNSOL_NA);
    f[21] = 64;
    f[f.length - 1] = 0xab;
    const p = parseNdisc(f);
    expect(p?.hopLimit).toBe(64);
    expect(p?.checksumOk).toBe(false);
    expect(p?.lladdr).toBe('02:00:00:00:00:ab');
  });

  it('property: NA and NS round trips', () => {
    fc.assert(fc.property(mac, ipv6, ipv6, fc.boolean(), (m, a, t, router) => {
      const na = parseNdisc(buildUnsolicitedNa(m, a, { router }));
      expect(na).toMatchObject({ type: ND_NEIGHBOR_ADVERT, source: a, dest: 'ff02::1', target: a, hopLimit: 255, lladdr: m, checksumOk: true, ethSrc: m, ethDst: '33:33:00:00:00:01' });
      expect(na?.flags).toEqual({ router, solicited: false, override: true });
      const ns = parseNdisc(buildNeighborSolicitation(m, a, t));
      expect(ns).toMatchObject({ type: ND_NEIGHBOR_SOLICIT, source: a, dest: solicitedNodeAddress(t), target: t, checksumOk: true });
      expect(ns?.lladdr).toBe(a === '::' ? undefined : m);
    }));
  });
});
