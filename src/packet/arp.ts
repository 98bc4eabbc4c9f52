// ARP over Ethernet (RFC 826) for IPv4: gratuitous announcements after a failover and,
// later, ARP probes. Layout after the Ethernet header (28 bytes):
//   htype(2)=1 ptype(2)=0x0800 hlen(1)=6 plen(1)=4 oper(2) sha(6) spa(4) tha(6) tpa(4)
import { bytesToIpv4, ipv4ToBytes } from '../sys/sockaddr.js';
import {
  BROADCAST_MAC, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETH_ALEN, buildEthernetFrame, formatMac, macBytes,
  parseEthernet, type MacInput, type VlanTag,
} from './ethernet.js';

export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;
export const ARP_HTYPE_ETHER = 1;
export const ARP_PAYLOAD_LEN = 28;
/** 14-byte Ethernet header + 28-byte ARP body; the NIC pads it to 60 on the wire. */
export const ARP_FRAME_LEN = 42;

export interface ArpPacket {
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
  /** Ethernet source/destination of the frame that carried it. */
  ethSrc: string;
  ethDst: string;
  vlan?: VlanTag;
}

interface ArpFields {
  ethDst: MacInput;
  ethSrc: MacInput;
  op: number;
  sha: MacInput;
  spa: string;
  tha: MacInput;
  tpa: string;
}

function buildArp(f: ArpFields): Buffer {
  const body = Buffer.alloc(ARP_PAYLOAD_LEN);
  body.writeUInt16BE(ARP_HTYPE_ETHER, 0);
  body.writeUInt16BE(ETHERTYPE_IPV4, 2);
  body.writeUInt8(ETH_ALEN, 4);
  body.writeUInt8(4, 5);
  body.writeUInt16BE(f.op, 6);
  macBytes(f.sha).copy(body, 8);
  ipv4ToBytes(f.spa).copy(body, 14);
  macBytes(f.tha).copy(body, 18);
  ipv4ToBytes(f.tpa).copy(body, 24);
  return buildEthernetFrame(f.ethDst, f.ethSrc, ETHERTYPE_ARP, body);
}

/**
 * Gratuitous ARP announcing that `ipv4` is at `mac`. Default is the kernel's form
 * (inetdev_send_gratuitous_arp): broadcast REQUEST, SPA = TPA = ip, THA zero. `reply: true`
 * gives `arping -A`'s form (REPLY with THA = own MAC), for peers that only learn from replies.
 */
export function buildGratuitousArp(mac: MacInput, ipv4: string, opts: { reply?: boolean } = {}): Buffer {
  const reply = opts.reply === true;
  return buildArp({
    ethDst: BROADCAST_MAC,
    ethSrc: mac,
    op: reply ? ARP_REPLY : ARP_REQUEST,
    sha: mac,
    spa: ipv4,
    tha: reply ? mac : Buffer.alloc(ETH_ALEN),
    tpa: ipv4,
  });
}

/**
 * Broadcast "who-has targetIp tell senderIp" as the kernel sends it (THA zero). A sender
 * of 0.0.0.0 makes it an RFC 5227 probe that does not touch the peers' caches.
 */
export function buildArpRequest(mac: MacInput, senderIp: string, targetIp: string): Buffer {
  return buildArp({
    ethDst: BROADCAST_MAC,
    ethSrc: mac,
    op: ARP_REQUEST,
    sha: mac,
    spa: senderIp,
    tha: Buffer.alloc(ETH_ALEN),
    tpa: targetIp,
  });
}

/**
 * RFC 5227 ARP probe for `targetIp` from a NIC with no address of its own in the subnet:
 * sender IP 0.0.0.0, sender MAC the NIC's, broadcast. Used by transitive probing.
 */
export function buildArpProbe(mac: MacInput, targetIp: string): Buffer {
  return buildArpRequest(mac, '0.0.0.0', targetIp);
}

/**
 * The answer to our ARP probe: a REPLY sent back to our MAC with target IP 0.0.0.0 (Linux
 * arp_process answers a probe for a local address so). Its sender IP is the probed target.
 */
export function isArpProbeReply(p: ArpPacket, mac: string): boolean {
  return p.op === ARP_REPLY && p.targetIp === '0.0.0.0' && p.ethDst === mac && p.targetMac === mac;
}

/** Parses an Ethernet frame carrying IPv4-over-Ethernet ARP; undefined for anything else. */
export function parseArp(frame: Uint8Array): ArpPacket | undefined {
  const eth = parseEthernet(frame);
  if (!eth || eth.ethertype !== ETHERTYPE_ARP) return undefined;
  const a = eth.payload;
  if (a.length < ARP_PAYLOAD_LEN) return undefined;
  if (a.readUInt16BE(0) !== ARP_HTYPE_ETHER || a.readUInt16BE(2) !== ETHERTYPE_IPV4) return undefined;
  if (a.readUInt8(4) !== ETH_ALEN || a.readUInt8(5) !== 4) return undefined;
  const parsed: ArpPacket = {
    op: a.readUInt16BE(6),
    senderMac: formatMac(a, 8),
    senderIp: bytesToIpv4(a, 14),
    targetMac: formatMac(a, 18),
    targetIp: bytesToIpv4(a, 24),
    ethSrc: eth.src,
    ethDst: eth.dst,
  };
  if (eth.vlan) parsed.vlan = eth.vlan;
  return parsed;
}

function isUnicastIpv4(ip: string): boolean {
  const first = Number(ip.split('.')[0]);
  return ip !== '0.0.0.0' && ip !== '255.255.255.255' && !(first >= 224 && first <= 239);
}

/**
 * The receiver's view (Linux arp_is_garp): sender and target IP equal and unicast, and a
 * reply must also carry THA = SHA. An RFC 5227 probe (sender 0.0.0.0) is not gratuitous.
 */
export function isGratuitousArp(p: ArpPacket): boolean {
  if (p.op !== ARP_REQUEST && p.op !== ARP_REPLY) return false;
  if (p.senderIp !== p.targetIp || !isUnicastIpv4(p.senderIp)) return false;
  return p.op === ARP_REQUEST || p.targetMac === p.senderMac;
}
