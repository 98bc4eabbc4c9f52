import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ACCEPT_ALL, BPF_JEQ, BPF_JMP, BPF_K, BPF_RET, assemble, arpOnly, decodeProgram, dropAll, encodeProgram, icmp6EchoReplyOnly,
  icmp6Filter, icmp6FilterEchoReplyOnly, icmpEchoReplyOnly, icmpFilter, icmpFilterEchoReplyOnly, jump, ndiscAdvertOnly, ndiscClaimsOnly, stmt,
} from '../../../src/packet/bpf.js';
import { addVlanTag } from '../../../src/packet/ethernet.js';
import { buildEchoRequest } from '../../../src/packet/icmp.js';
import { runBpf } from './bpf-vm.js';
import {
  ARPING_U_REQUEST, ARP_PROBE_FROM_B, DAD_NS_FROM_B, ICMP4_ECHO_REPLY_FRAME, ICMP4_ECHO_REQUEST_FRAME, ICMP6_ECHO_REPLY_FRAME, ICMP6_ECHO_REQUEST_FRAME,
  KERNEL_ARP_REPLY, KERNEL_GARP, KERNEL_GARP_VLAN10, KERNEL_NS, KERNEL_SOLICITED_NA, KERNEL_UNSOL_NA, KERNEL_UNSOL_NA_VLAN100,
  ROUTER_SOLICIT, hex,
} from './fixtures.js';

const run = (prog: Buffer, pkt: Uint8Array): number => runBpf(decodeProgram(prog), pkt);

describe('encoding', () => {
  it('lays out struct sock_filter little-endian: u16 code, u8 jt, u8 jf, u32 k', () => {
    expect(encodeProgram([jump(BPF_JMP | BPF_JEQ | BPF_K, 0x0806, 1, 2), stmt(BPF_RET | BPF_K, 0xffffffff)]).toString('hex'))
      .toBe('1500' + '01' + '02' + '06080000' + '0600' + '00' + '00' + 'ffffffff');
  });

  it('dropAll is the single instruction ret #0', () => {
    expect(dropAll().toString('hex')).toBe('0600000000000000');
  });

  it('round-trips through decodeProgram', () => {
    const ins = fc.record({ code: fc.nat(0xffff), jt: fc.nat(255), jf: fc.nat(255), k: fc.nat(0xffffffff) });
    fc.assert(fc.property(fc.array(ins, { minLength: 1, maxLength: 20 }), (p) => {
      expect(decodeProgram(encodeProgram(p))).toEqual(p);
    }));
  });

  it('rejects empty and oversized programs and ragged buffers', () => {
    expect(() => encodeProgram([])).toThrow(RangeError);
    expect(() => encodeProgram(new Array(4097).fill(stmt(BPF_RET | BPF_K, 0)))).toThrow(RangeError);
    expect(() => decodeProgram(Buffer.alloc(12))).toThrow(RangeError);
  });
});

describe('assembler labels', () => {
  it('resolves forward labels to relative offsets', () => {
    const p = assemble([
      { code: BPF_JMP | BPF_JEQ | BPF_K, k: 1, jt: 'yes', jf: 'no' },
      { code: BPF_RET | BPF_K, k: 7 },
      { label: 'yes' },
      { code: BPF_RET | BPF_K, k: 1 },
      { label: 'no' },
      { code: BPF_RET | BPF_K, k: 0 },
    ]);
    expect(p[0]).toEqual({ code: BPF_JMP | BPF_JEQ | BPF_K, k: 1, jt: 1, jf: 2 });
  });

  it('rejects unknown, duplicate and backward labels', () => {
    expect(() => assemble([{ code: BPF_JMP | BPF_JEQ, k: 0, jt: 'x' }, { code: BPF_RET, k: 0 }])).toThrow(/unknown/);
    expect(() => assemble([{ label: 'a' }, { label: 'a' }, { code: BPF_RET, k: 0 }])).toThrow(/duplicate/);
    expect(() => assemble([{ label: 'a' }, { code: BPF_JMP | BPF_JEQ, k: 0, jt: 'a' }, { code: BPF_RET, k: 0 }])).toThrow(RangeError);
  });
});

describe('arpOnly', () => {
  it.each([
    ['kernel GARP', KERNEL_GARP, ACCEPT_ALL],
    ['unicast reply', KERNEL_ARP_REPLY, ACCEPT_ALL],
    ['padded arping frame', ARPING_U_REQUEST, ACCEPT_ALL],
    ['802.1Q-tagged GARP', KERNEL_GARP_VLAN10, ACCEPT_ALL],
    ['802.1ad-tagged GARP', addVlanTag(KERNEL_GARP, 7, 0, 0x88a8), ACCEPT_ALL],
    ['IPv6 NA', KERNEL_UNSOL_NA, 0],
    ['tagged IPv6 NA', KERNEL_UNSOL_NA_VLAN100, 0],
    ['IPv4 ICMP', ICMP4_ECHO_REQUEST_FRAME, 0],
    ['runt', hex('ffffffffffff'), 0],
  ])('%s -> %d', (_n, frame, verdict) => {
    expect(run(arpOnly(), frame)).toBe(verdict);
  });

  it('dropAll drops everything', () => {
    for (const f of [KERNEL_GARP, KERNEL_UNSOL_NA, ICMP4_ECHO_REPLY_FRAME]) expect(run(dropAll(), f)).toBe(0);
  });
});

describe('ndiscAdvertOnly', () => {
  it.each([
    ['unsolicited NA', KERNEL_UNSOL_NA, ACCEPT_ALL],
    ['solicited NA', KERNEL_SOLICITED_NA, ACCEPT_ALL],
    ['tagged NA', KERNEL_UNSOL_NA_VLAN100, ACCEPT_ALL],
    ['NS', KERNEL_NS, 0],
    ['router solicitation', ROUTER_SOLICIT, 0],
    ['ICMPv6 echo', ICMP6_ECHO_REPLY_FRAME, 0],
    ['ARP', KERNEL_GARP, 0],
  ])('%s -> %d', (_n, frame, verdict) => {
    expect(run(ndiscAdvertOnly(), frame)).toBe(verdict);
  });
});

describe('ndiscClaimsOnly', () => {
  const nsFrom = (src: string): Buffer => { const f = Buffer.from(DAD_NS_FROM_B); hex(src).copy(f, 22); return f; };
  it.each([
    ['unsolicited NA', KERNEL_UNSOL_NA, ACCEPT_ALL],
    ['solicited NA', KERNEL_SOLICITED_NA, ACCEPT_ALL],
    ['tagged NA', KERNEL_UNSOL_NA_VLAN100, ACCEPT_ALL],
    ['DAD NS (source ::)', DAD_NS_FROM_B, ACCEPT_ALL],
    ['tagged DAD NS', addVlanTag(DAD_NS_FROM_B, 100), ACCEPT_ALL],
    ['NS with a source address', KERNEL_NS, 0],
    // Each 32-bit word of the source is checked, not only the first.
    ...[0, 1, 2, 3].map((w): [string, Buffer, number] => [`NS with source word ${w} nonzero`, nsFrom('00'.repeat(w * 4) + '00000001' + '00'.repeat(12 - w * 4)), 0]),
    ['router solicitation', ROUTER_SOLICIT, 0],
    ['ICMPv6 echo', ICMP6_ECHO_REPLY_FRAME, 0],
    ['ARP', KERNEL_GARP, 0],
    ['ARP probe', ARP_PROBE_FROM_B, 0],
  ] as [string, Buffer, number][])('%s -> %d', (_n, frame, verdict) => {
    expect(run(ndiscClaimsOnly(), frame)).toBe(verdict);
  });

  it('arpOnly passes the ARP probe', () => {
    expect(run(arpOnly(), ARP_PROBE_FROM_B)).toBe(ACCEPT_ALL);
  });
});

describe('icmpEchoReplyOnly (raw AF_INET view: starts at the IPv4 header)', () => {
  const reply = ICMP4_ECHO_REPLY_FRAME.subarray(14);
  it('accepts the captured reply, with or without a matching id', () => {
    expect(run(icmpEchoReplyOnly(), reply)).toBe(ACCEPT_ALL);
    expect(run(icmpEchoReplyOnly(0x1234), reply)).toBe(ACCEPT_ALL);
    expect(run(icmpEchoReplyOnly(0x1235), reply)).toBe(0);
  });

  it('drops requests', () => {
    expect(run(icmpEchoReplyOnly(), ICMP4_ECHO_REQUEST_FRAME.subarray(14))).toBe(0);
  });

  it('follows IHL to find the ICMP header behind IPv4 options', () => {
    const ip = Buffer.from(reply.subarray(0, 20));
    ip[0] = 0x46;
    const withOptions = Buffer.concat([ip, Buffer.alloc(4), reply.subarray(20)]);
    expect(run(icmpEchoReplyOnly(0x1234), withOptions)).toBe(ACCEPT_ALL);
    const req = Buffer.from(withOptions); req[24] = 8;
    expect(run(icmpEchoReplyOnly(), req)).toBe(0);
  });
});

describe('icmp6EchoReplyOnly (raw AF_INET6 view: starts at ICMPv6)', () => {
  it('accepts replies, drops requests and other ids', () => {
    expect(run(icmp6EchoReplyOnly(), ICMP6_ECHO_REPLY_FRAME.subarray(54))).toBe(ACCEPT_ALL);
    expect(run(icmp6EchoReplyOnly(0x1234), ICMP6_ECHO_REPLY_FRAME.subarray(54))).toBe(ACCEPT_ALL);
    expect(run(icmp6EchoReplyOnly(1), ICMP6_ECHO_REPLY_FRAME.subarray(54))).toBe(0);
    expect(run(icmp6EchoReplyOnly(), ICMP6_ECHO_REQUEST_FRAME.subarray(54))).toBe(0);
    expect(run(icmp6EchoReplyOnly(), buildEchoRequest(6, 1, 1))).toBe(0);
  });
});

describe('property: programs never crash the VM and only answer 0 or accept', () => {
  it('on random bytes', () => {
    const progs = [arpOnly(), ndiscAdvertOnly(), ndiscClaimsOnly(), icmpEchoReplyOnly(7), icmp6EchoReplyOnly(7), dropAll()].map(decodeProgram);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 128 }), (pkt) => {
      for (const p of progs) expect([0, ACCEPT_ALL]).toContain(runBpf(p, pkt));
    }));
  });
});

describe('ICMP_FILTER / ICMP6_FILTER bitmaps (bit set = block)', () => {
  it('v4: everything but echo reply blocked', () => {
    expect(icmpFilterEchoReplyOnly().toString('hex')).toBe('feffffff');
    expect(icmpFilter([0, 3]).readUInt32LE(0)).toBe(0xfffffff6);
    expect(() => icmpFilter([32])).toThrow(RangeError);
  });

  it('v6: only type 129 passes (word 4, bit 1)', () => {
    const b = icmp6FilterEchoReplyOnly();
    expect(b.length).toBe(32);
    for (let w = 0; w < 8; w++) expect(b.readUInt32LE(w * 4)).toBe(w === 4 ? 0xfffffffd : 0xffffffff);
    const nd = icmp6Filter([129, 135, 136]);
    expect(nd.readUInt32LE(16)).toBe((0xffffffff & ~(1 << 1) & ~(1 << 7) & ~(1 << 8)) >>> 0);
    expect(() => icmp6Filter([256])).toThrow(RangeError);
  });

  it('property: a type passes iff it was listed (kernel ICMP6_FILTER_WILLBLOCK rule)', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.nat(255), { maxLength: 10 }), fc.nat(255), (pass, t) => {
      const b = icmp6Filter(pass);
      const blocked = (b.readUInt32LE((t >> 5) * 4) & (1 << (t & 31))) !== 0;
      expect(blocked).toBe(!pass.includes(t));
    }));
  });
});
