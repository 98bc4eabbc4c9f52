// ICMP / ICMPv6 echo for probe-based failure detection over raw sockets. What a raw
// socket hands us differs by family: AF_INET delivers the IPv4 header too, AF_INET6 starts
// at the ICMPv6 type (and the kernel computes and verifies ICMPv6 checksums itself).
import { bytesToIpv4 } from '../sys/sockaddr.js';
import { internetChecksum, verifyInternetChecksum } from './checksum.js';

export const ICMP_ECHO_REPLY = 0;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP6_ECHO_REQUEST = 128;
export const ICMP6_ECHO_REPLY = 129;
export const ICMP_ECHO_HEADER_LEN = 8;

const IPPROTO_ICMP = 1;
const IPV4_MIN_HEADER_LEN = 20;

export type IcmpFamily = 4 | 6;

export interface IcmpEcho {
  type: number;
  code: number;
  id: number;
  seq: number;
  payload: Buffer;
  /** IPv4 source taken from the IP header (v4 only; for v6 use the socket's `from`). */
  source?: string;
  /** Whether the ICMP checksum verifies (v4 only: for v6 the kernel already checked it). */
  checksumOk?: boolean;
}

function checkU16(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${name} must be 0..65535, got ${v}`);
}

/**
 * Echo request message (no IP header). v4 carries its checksum; v6 leaves 0 because the
 * kernel fills the ICMPv6 checksum on raw IPPROTO_ICMPV6 sockets (it needs the source
 * address, which only routing decides).
 */
export function buildEchoRequest(family: IcmpFamily, id: number, seq: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  checkU16('id', id);
  checkU16('seq', seq);
  const msg = Buffer.alloc(ICMP_ECHO_HEADER_LEN + payload.length);
  msg.writeUInt8(family === 4 ? ICMP_ECHO_REQUEST : ICMP6_ECHO_REQUEST, 0);
  msg.writeUInt16BE(id, 4);
  msg.writeUInt16BE(seq, 6);
  Buffer.from(payload).copy(msg, ICMP_ECHO_HEADER_LEN);
  if (family === 4) msg.writeUInt16BE(internetChecksum(msg), 2);
  return msg;
}

/** Parses an echo request or reply starting at the ICMP header; undefined for other types. */
export function parseEchoMessage(family: IcmpFamily, icmp: Uint8Array): IcmpEcho | undefined {
  const b = Buffer.from(icmp.buffer, icmp.byteOffset, icmp.byteLength);
  if (b.length < ICMP_ECHO_HEADER_LEN) return undefined;
  const type = b.readUInt8(0);
  const echoTypes = family === 4 ? [ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY] : [ICMP6_ECHO_REQUEST, ICMP6_ECHO_REPLY];
  if (!echoTypes.includes(type)) return undefined;
  const out: IcmpEcho = {
    type,
    code: b.readUInt8(1),
    id: b.readUInt16BE(4),
    seq: b.readUInt16BE(6),
    payload: Buffer.from(b.subarray(ICMP_ECHO_HEADER_LEN)),
  };
  if (family === 4) out.checksumOk = verifyInternetChecksum(b);
  return out;
}

/** The ICMP part of an IPv4 datagram as a raw AF_INET socket delivers it (IHL honoured). */
function stripIpv4Header(b: Buffer): { icmp: Buffer; source: string } | undefined {
  if (b.length < IPV4_MIN_HEADER_LEN || b.readUInt8(0) >> 4 !== 4) return undefined;
  const ihl = (b.readUInt8(0) & 0x0f) * 4;
  if (ihl < IPV4_MIN_HEADER_LEN || b.readUInt8(9) !== IPPROTO_ICMP) return undefined;
  const total = b.readUInt16BE(2);
  // A truncated read (total beyond what we got) or a bogus length cannot be trusted.
  if (total < ihl + ICMP_ECHO_HEADER_LEN || total > b.length) return undefined;
  // Non-first fragments carry no ICMP header; the kernel reassembles before raw delivery anyway.
  if ((b.readUInt16BE(6) & 0x1fff) !== 0) return undefined;
  return { icmp: b.subarray(ihl, total), source: bytesToIpv4(b, 12) };
}

/**
 * Echo reply as read from a raw socket: v4 buffers start with the IPv4 header, v6 buffers
 * at the ICMPv6 type. Undefined for anything that is not a well-formed echo reply.
 */
export function parseEchoReply(family: IcmpFamily, buf: Uint8Array): IcmpEcho | undefined {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (family === 6) {
    const m = parseEchoMessage(6, b);
    return m?.type === ICMP6_ECHO_REPLY ? m : undefined;
  }
  const ip = stripIpv4Header(b);
  if (!ip) return undefined;
  const m = parseEchoMessage(4, ip.icmp);
  if (m?.type !== ICMP_ECHO_REPLY) return undefined;
  return { ...m, source: ip.source };
}

/** What the prober needs of an echo reply, read in place (no copies): see readEchoReply. */
export interface EchoReplyFields {
  id: number;
  seq: number;
  code: number;
  /** IPv4 source from the IP header (v4 only). */
  source: string | undefined;
  checksumOk: boolean;
}

const u16 = (b: Uint8Array, o: number): number => (((b[o] as number) << 8) | (b[o + 1] as number));

/**
 * parseEchoReply without the allocations (no sub-buffers, no payload copy): the probe path
 * reads one of these per probe, many times a second per NIC at short FDTs.
 */
export function readEchoReply(family: IcmpFamily, b: Uint8Array): EchoReplyFields | undefined {
  if (family === 6) {
    if (b.length < ICMP_ECHO_HEADER_LEN || b[0] !== ICMP6_ECHO_REPLY) return undefined;
    return { id: u16(b, 4), seq: u16(b, 6), code: b[1] as number, source: undefined, checksumOk: true };
  }
  if (b.length < IPV4_MIN_HEADER_LEN || (b[0] as number) >> 4 !== 4) return undefined;
  const ihl = ((b[0] as number) & 0x0f) * 4;
  if (ihl < IPV4_MIN_HEADER_LEN || b[9] !== IPPROTO_ICMP) return undefined;
  const total = u16(b, 2);
  if (total < ihl + ICMP_ECHO_HEADER_LEN || total > b.length) return undefined;
  if ((u16(b, 6) & 0x1fff) !== 0) return undefined;
  if (b[ihl] !== ICMP_ECHO_REPLY) return undefined;
  return {
    id: u16(b, ihl + 4), seq: u16(b, ihl + 6), code: b[ihl + 1] as number,
    source: `${b[12]}.${b[13]}.${b[14]}.${b[15]}`,
    checksumOk: sumsToOnes(b, ihl, total),
  };
}

/** verifyInternetChecksum over b[start, end) without a sub-buffer. */
function sumsToOnes(b: Uint8Array, start: number, end: number): boolean {
  let sum = 0;
  let i = start;
  for (; i + 1 < end; i += 2) sum += ((b[i] as number) << 8) | (b[i + 1] as number);
  if (i < end) sum += (b[i] as number) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum === 0xffff;
}

/**
 * A probe's echo request in one buffer: header, then in.mpathd's payload (send time in ns,
 * probe type). Same bytes as buildEchoRequest(family, id, seq, payload), one allocation.
 */
export function buildProbeEcho(family: IcmpFamily, id: number, seq: number, sentNs: bigint, mtype: number): Buffer {
  const msg = Buffer.allocUnsafe(ICMP_ECHO_HEADER_LEN + 12);
  msg[0] = family === 4 ? ICMP_ECHO_REQUEST : ICMP6_ECHO_REQUEST;
  msg[1] = 0;
  msg.writeUInt16BE(0, 2);
  msg.writeUInt16BE(id, 4);
  msg.writeUInt16BE(seq, 6);
  msg.writeBigUInt64BE(sentNs, 8);
  msg.writeUInt32BE(mtype, 16);
  if (family === 4) msg.writeUInt16BE(internetChecksum(msg), 2);
  return msg;
}
