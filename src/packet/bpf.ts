// Classic BPF for SO_ATTACH_FILTER: a tiny label-resolving assembler and the few programs
// ipmpd needs, so a socket only wakes the event loop for packets we would act on. Also
// the ICMP_FILTER / ICMP6_FILTER bitmaps, which raw ICMP sockets apply before BPF.
import { ETHERTYPE_ARP, ETHERTYPE_IPV6, ETHERTYPE_QINQ, ETHERTYPE_VLAN } from './ethernet.js';

// Opcode parts (include/uapi/linux/bpf_common.h, filter.h).
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_MISC = 0x07;
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_LEN = 0x80;
export const BPF_MSH = 0xa0;
export const BPF_AND = 0x50;
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_K = 0x00;
export const BPF_X = 0x08;
export const BPF_A = 0x10;
export const BPF_TAX = 0x00;
export const BPF_TXA = 0x80;
/** Kernel limit on program length (BPF_MAXINSNS). */
export const BPF_MAXINSNS = 4096;
/** Returned to keep the whole packet. */
export const ACCEPT_ALL = 0xffffffff;
export const SOCK_FILTER_SIZE = 8;

export interface SockFilter {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export function stmt(code: number, k: number): SockFilter {
  return { code, jt: 0, jf: 0, k: k >>> 0 };
}

export function jump(code: number, k: number, jt: number, jf: number): SockFilter {
  return { code, jt, jf, k: k >>> 0 };
}

/** struct sock_filter array, host (little-endian on our targets) byte order. */
export function encodeProgram(insns: readonly SockFilter[]): Buffer {
  if (insns.length === 0 || insns.length > BPF_MAXINSNS) throw new RangeError(`BPF program length ${insns.length} out of range`);
  const b = Buffer.alloc(insns.length * SOCK_FILTER_SIZE);
  insns.forEach((ins, i) => {
    const o = i * SOCK_FILTER_SIZE;
    b.writeUInt16LE(ins.code, o);
    b.writeUInt8(ins.jt, o + 2);
    b.writeUInt8(ins.jf, o + 3);
    b.writeUInt32LE(ins.k >>> 0, o + 4);
  });
  return b;
}

export function decodeProgram(b: Uint8Array): SockFilter[] {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length % SOCK_FILTER_SIZE !== 0) throw new RangeError('BPF program length is not a multiple of 8');
  const out: SockFilter[] = [];
  for (let o = 0; o < buf.length; o += SOCK_FILTER_SIZE) {
    out.push({ code: buf.readUInt16LE(o), jt: buf.readUInt8(o + 2), jf: buf.readUInt8(o + 3), k: buf.readUInt32LE(o + 4) });
  }
  return out;
}

/** A jump target: a label name, or a relative offset as the kernel encodes it. */
export type JumpTarget = string | number;
export type AsmLine = { label: string } | { code: number; k: number; jt?: JumpTarget; jf?: JumpTarget };

/** Resolves labels to the forward-only, 8-bit relative offsets classic BPF requires. */
export function assemble(lines: readonly AsmLine[]): SockFilter[] {
  const labels = new Map<string, number>();
  let pc = 0;
  for (const l of lines) {
    if ('label' in l) {
      if (labels.has(l.label)) throw new Error(`duplicate BPF label ${l.label}`);
      labels.set(l.label, pc);
    } else {
      pc++;
    }
  }
  const out: SockFilter[] = [];
  const resolve = (t: JumpTarget | undefined, at: number): number => {
    if (t === undefined) return 0;
    if (typeof t === 'number') return t;
    const dest = labels.get(t);
    if (dest === undefined) throw new Error(`unknown BPF label ${t}`);
    const off = dest - at - 1;
    if (off < 0 || off > 255) throw new RangeError(`BPF jump to ${t} out of range (${off})`);
    return off;
  };
  for (const l of lines) {
    if ('label' in l) continue;
    const at = out.length;
    out.push({ code: l.code, k: l.k >>> 0, jt: resolve(l.jt, at), jf: resolve(l.jf, at) });
  }
  return out;
}

const ldh = (k: number): AsmLine => ({ code: BPF_LD | BPF_H | BPF_ABS, k });
const ldb = (k: number): AsmLine => ({ code: BPF_LD | BPF_B | BPF_ABS, k });
const ldhInd = (k: number): AsmLine => ({ code: BPF_LD | BPF_H | BPF_IND, k });
const ldbInd = (k: number): AsmLine => ({ code: BPF_LD | BPF_B | BPF_IND, k });
const ldwInd = (k: number): AsmLine => ({ code: BPF_LD | BPF_W | BPF_IND, k });
const ldxImm = (k: number): AsmLine => ({ code: BPF_LDX | BPF_W | BPF_IMM, k });
const jeq = (k: number, jt: JumpTarget, jf: JumpTarget): AsmLine => ({ code: BPF_JMP | BPF_JEQ | BPF_K, k, jt, jf });
const ret = (k: number): AsmLine => ({ code: BPF_RET | BPF_K, k });
const label = (name: string): AsmLine => ({ label: name });
const tail: AsmLine[] = [label('accept'), ret(ACCEPT_ALL), label('drop'), ret(0)];

/**
 * Leaves X = 0 (untagged) or 4 (one in-band 802.1Q/802.1ad tag) and jumps to `drop`
 * unless the payload ethertype is `ethertype`. With VLAN offload the kernel has already
 * moved the tag out of the data, so the untagged path covers that case too.
 */
function matchEthertype(ethertype: number): AsmLine[] {
  return [
    ldxImm(0),
    ldh(12),
    jeq(ETHERTYPE_VLAN, 'tagged', 0),
    jeq(ETHERTYPE_QINQ, 'tagged', 'check-type'),
    label('tagged'),
    ldxImm(4),
    ldhInd(12),
    label('check-type'),
    jeq(ethertype, 0, 'drop'),
  ];
}

/** `ret #0`: a send-only packet socket never queues what it receives. */
export function dropAll(): Buffer {
  return encodeProgram(assemble([ret(0)]));
}

/** Packet socket: ARP frames only, untagged or with one in-band VLAN tag. */
export function arpOnly(): Buffer {
  return encodeProgram(assemble([...matchEthertype(ETHERTYPE_ARP), ...tail]));
}

/**
 * Packet socket: Neighbor Advertisements directly after the IPv6 header (ND never uses
 * extension headers in practice), untagged or with one in-band VLAN tag.
 */
export function ndiscAdvertOnly(): Buffer {
  return encodeProgram(assemble([
    ...matchEthertype(ETHERTYPE_IPV6),
    ldbInd(14 + 6), // IPv6 next header
    jeq(58, 0, 'drop'),
    ldbInd(14 + 40), // ICMPv6 type
    jeq(136, 'accept', 'drop'),
    ...tail,
  ]));
}

/**
 * Packet socket, duplicate address detection: Neighbor Advertisements, and Neighbor
 * Solicitations from the unspecified address (DAD probes), directly after the IPv6 header.
 * Ordinary NS (every neighbour resolution) stay in the kernel.
 */
export function ndiscClaimsOnly(): Buffer {
  return encodeProgram(assemble([
    ...matchEthertype(ETHERTYPE_IPV6),
    ldbInd(14 + 6), // IPv6 next header
    jeq(58, 0, 'drop'),
    ldbInd(14 + 40), // ICMPv6 type
    jeq(136, 'accept', 0),
    jeq(135, 0, 'drop'),
    // IPv6 source (offset 8, 16 bytes) must be :: for a DAD NS.
    ldwInd(14 + 8),
    jeq(0, 0, 'drop'),
    ldwInd(14 + 12),
    jeq(0, 0, 'drop'),
    ldwInd(14 + 16),
    jeq(0, 0, 'drop'),
    ldwInd(14 + 20),
    jeq(0, 'accept', 'drop'),
    ...tail,
  ]));
}

/**
 * Raw AF_INET/IPPROTO_ICMP socket (data starts at the IPv4 header): echo replies only,
 * and only ours when `id` is given. X = IHL*4 via the ldx msh idiom.
 */
export function icmpEchoReplyOnly(id?: number): Buffer {
  const idCheck: AsmLine[] = id === undefined ? [] : [ldhInd(4), jeq(id & 0xffff, 0, 'drop')];
  return encodeProgram(assemble([
    ldb(9), // protocol
    jeq(1, 0, 'drop'),
    { code: BPF_LDX | BPF_B | BPF_MSH, k: 0 },
    ldbInd(0), // ICMP type
    jeq(0, 0, 'drop'),
    ...idCheck,
    ...tail,
  ]));
}

/** Raw AF_INET6/IPPROTO_ICMPV6 socket (data starts at the ICMPv6 type): echo replies (129). */
export function icmp6EchoReplyOnly(id?: number): Buffer {
  const idCheck: AsmLine[] = id === undefined ? [] : [ldh(4), jeq(id & 0xffff, 0, 'drop')];
  return encodeProgram(assemble([
    ldb(0),
    jeq(129, 0, 'drop'),
    ...idCheck,
    ...tail,
  ]));
}

/** ICMP_FILTER (SOL_RAW) value: u32 bitmask of types 0..31 to *block*. */
export function icmpFilter(passTypes: readonly number[]): Buffer {
  let block = 0xffffffff;
  for (const t of passTypes) {
    if (!Number.isInteger(t) || t < 0 || t > 31) throw new RangeError(`ICMP_FILTER covers types 0..31, got ${t}`);
    block &= ~(1 << t);
  }
  const b = Buffer.alloc(4);
  b.writeUInt32LE(block >>> 0, 0);
  return b;
}

/** ICMP6_FILTER (SOL_ICMPV6) value: struct icmp6_filter, 8 x u32, bit set = block. */
export function icmp6Filter(passTypes: readonly number[]): Buffer {
  const words = new Array<number>(8).fill(0xffffffff);
  for (const t of passTypes) {
    if (!Number.isInteger(t) || t < 0 || t > 255) throw new RangeError(`ICMPv6 type must be 0..255, got ${t}`);
    words[t >> 5] = ((words[t >> 5] ?? 0) & ~(1 << (t & 31))) >>> 0;
  }
  const b = Buffer.alloc(32);
  words.forEach((w, i) => b.writeUInt32LE(w >>> 0, i * 4));
  return b;
}

export function icmpFilterEchoReplyOnly(): Buffer {
  return icmpFilter([0]);
}

export function icmp6FilterEchoReplyOnly(): Buffer {
  return icmp6Filter([129]);
}
