// IPv6 Neighbor Discovery (RFC 4861) as full Ethernet frames for AF_PACKET sockets: the
// unsolicited NA we send when an address moves to another NIC (the kernel's
// ndisc_send_unsol_na shape) and the NS used for on-link probing.
import { bytesToIpv6, ipv6ToBytes } from '../sys/sockaddr.js';
import { NEXT_HEADER_ICMPV6, icmpv6Checksum, verifyIcmpv6Checksum } from './checksum.js';
import {
  ETHERTYPE_IPV6, buildEthernetFrame, formatMac, macBytes, parseEthernet, type MacInput, type VlanTag,
} from './ethernet.js';

export const ND_NEIGHBOR_SOLICIT = 135;
export const ND_NEIGHBOR_ADVERT = 136;
export const ND_OPT_SOURCE_LLADDR = 1;
export const ND_OPT_TARGET_LLADDR = 2;
/** RFC 4861 §7.1: ND messages are sent, and only accepted, with hop limit 255. */
export const ND_HOP_LIMIT = 255;
export const ALL_NODES = 'ff02::1';

const IPV6_HEADER_LEN = 40;
/** type, code, checksum, flags/reserved (4) and target (16). */
const ND_BODY_LEN = 24;
const NA_FLAG_ROUTER = 0x80;
const NA_FLAG_SOLICITED = 0x40;
const NA_FLAG_OVERRIDE = 0x20;

export interface NdFlags {
  router: boolean;
  solicited: boolean;
  override: boolean;
}

export interface NdiscPacket {
  type: typeof ND_NEIGHBOR_SOLICIT | typeof ND_NEIGHBOR_ADVERT;
  /** IPv6 source and destination. */
  source: string;
  dest: string;
  hopLimit: number;
  target: string;
  /** All false for a solicitation. */
  flags: NdFlags;
  /** SLLA of an NS or TLLA of an NA, when the option is present. */
  lladdr?: string;
  checksumOk: boolean;
  ethSrc: string;
  ethDst: string;
  vlan?: VlanTag;
}

/** ff02::1:ffXX:XXXX for the low 24 bits of `target` (RFC 4291 §2.7.1). */
export function solicitedNodeAddress(target: string): string {
  const t = ipv6ToBytes(target);
  const b = Buffer.from([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0, 0, 0]);
  t.copy(b, 13, 13, 16);
  return bytesToIpv6(b);
}

/** 33:33 + low 32 bits of a multicast IPv6 address (RFC 2464 §7). */
export function ipv6MulticastMac(group: string): Buffer {
  const g = ipv6ToBytes(group);
  return Buffer.from([0x33, 0x33, g[12] ?? 0, g[13] ?? 0, g[14] ?? 0, g[15] ?? 0]);
}

function lladdrOption(type: number, mac: MacInput): Buffer {
  const opt = Buffer.alloc(8);
  opt.writeUInt8(type, 0);
  opt.writeUInt8(1, 1); // length in units of 8 bytes
  macBytes(mac).copy(opt, 2);
  return opt;
}

/** IPv6 header + ICMPv6 message with the checksum filled in. */
function buildIcmpv6Frame(ethDst: MacInput, mac: MacInput, src: string, dst: string, message: Buffer): Buffer {
  const srcB = ipv6ToBytes(src);
  const dstB = ipv6ToBytes(dst);
  message.writeUInt16BE(0, 2);
  message.writeUInt16BE(icmpv6Checksum(srcB, dstB, message), 2);
  const ip6 = Buffer.alloc(IPV6_HEADER_LEN);
  ip6.writeUInt32BE(0x60000000, 0); // version 6, traffic class 0, flow label 0
  ip6.writeUInt16BE(message.length, 4);
  ip6.writeUInt8(NEXT_HEADER_ICMPV6, 6);
  ip6.writeUInt8(ND_HOP_LIMIT, 7);
  srcB.copy(ip6, 8);
  dstB.copy(ip6, 24);
  return buildEthernetFrame(ethDst, mac, ETHERTYPE_IPV6, Buffer.concat([ip6, message]));
}

/**
 * Unsolicited NA to all-nodes announcing `ipv6` at `mac`: source = target = the address,
 * O=1 so caches replace the old MAC, S=0, R as given (set it when the host forwards).
 */
export function buildUnsolicitedNa(mac: MacInput, ipv6: string, opts: { router?: boolean } = {}): Buffer {
  const msg = Buffer.alloc(ND_BODY_LEN);
  msg.writeUInt8(ND_NEIGHBOR_ADVERT, 0);
  msg.writeUInt8(NA_FLAG_OVERRIDE | (opts.router === true ? NA_FLAG_ROUTER : 0), 4);
  ipv6ToBytes(ipv6).copy(msg, 8);
  const message = Buffer.concat([msg, lladdrOption(ND_OPT_TARGET_LLADDR, mac)]);
  return buildIcmpv6Frame(ipv6MulticastMac(ALL_NODES), mac, ipv6, ALL_NODES, message);
}

/**
 * NS for `targetIpv6` to its solicited-node group. With source `::` (a DAD-style probe)
 * the SLLA option must be left out (RFC 4861 §4.3).
 */
export function buildNeighborSolicitation(mac: MacInput, srcIpv6: string, targetIpv6: string): Buffer {
  const msg = Buffer.alloc(ND_BODY_LEN);
  msg.writeUInt8(ND_NEIGHBOR_SOLICIT, 0);
  ipv6ToBytes(targetIpv6).copy(msg, 8);
  const unspecified = ipv6ToBytes(srcIpv6).every((x) => x === 0);
  const message = unspecified ? msg : Buffer.concat([msg, lladdrOption(ND_OPT_SOURCE_LLADDR, mac)]);
  const group = solicitedNodeAddress(targetIpv6);
  return buildIcmpv6Frame(ipv6MulticastMac(group), mac, srcIpv6, group, message);
}

/** Finds the link-layer address option of `type`; null when options are malformed. */
function findLladdr(options: Buffer, type: number): string | undefined | null {
  let found: string | undefined;
  for (let off = 0; off < options.length; ) {
    if (options.length - off < 2) return null;
    const optType = options.readUInt8(off);
    const units = options.readUInt8(off + 1);
    // RFC 4861 §4.6: a zero length would loop forever; such packets are discarded.
    if (units === 0 || off + units * 8 > options.length) return null;
    if (optType === type && found === undefined) found = formatMac(options, off + 2);
    off += units * 8;
  }
  return found;
}

/** Parses an Ethernet frame carrying an NS or NA directly after the IPv6 header. */
export function parseNdisc(frame: Uint8Array): NdiscPacket | undefined {
  const eth = parseEthernet(frame);
  if (!eth || eth.ethertype !== ETHERTYPE_IPV6) return undefined;
  const ip = eth.payload;
  if (ip.length < IPV6_HEADER_LEN || ip.readUInt8(0) >> 4 !== 6) return undefined;
  if (ip.readUInt8(6) !== NEXT_HEADER_ICMPV6) return undefined;
  const payloadLen = ip.readUInt16BE(4);
  if (ip.length < IPV6_HEADER_LEN + payloadLen || payloadLen < ND_BODY_LEN) return undefined;
  const msg = ip.subarray(IPV6_HEADER_LEN, IPV6_HEADER_LEN + payloadLen);
  const type = msg.readUInt8(0);
  if ((type !== ND_NEIGHBOR_SOLICIT && type !== ND_NEIGHBOR_ADVERT) || msg.readUInt8(1) !== 0) return undefined;
  const lladdr = findLladdr(
    msg.subarray(ND_BODY_LEN),
    type === ND_NEIGHBOR_SOLICIT ? ND_OPT_SOURCE_LLADDR : ND_OPT_TARGET_LLADDR,
  );
  if (lladdr === null) return undefined;
  const flagByte = type === ND_NEIGHBOR_ADVERT ? msg.readUInt8(4) : 0;
  const parsed: NdiscPacket = {
    type,
    source: bytesToIpv6(ip, 8),
    dest: bytesToIpv6(ip, 24),
    hopLimit: ip.readUInt8(7),
    target: bytesToIpv6(msg, 8),
    flags: {
      router: (flagByte & NA_FLAG_ROUTER) !== 0,
      solicited: (flagByte & NA_FLAG_SOLICITED) !== 0,
      override: (flagByte & NA_FLAG_OVERRIDE) !== 0,
    },
    checksumOk: verifyIcmpv6Checksum(ip.subarray(8, 24), ip.subarray(24, 40), msg),
    ethSrc: eth.src,
    ethDst: eth.dst,
  };
  if (lladdr !== undefined) parsed.lladdr = lladdr;
  if (eth.vlan) parsed.vlan = eth.vlan;
  return parsed;
}
