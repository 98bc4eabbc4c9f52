// Address claims in received frames, for duplicate address detection: who on the link says
// "this IP is at my MAC" (RFC 5227 for IPv4, RFC 4861/4862 for IPv6). Pure: one frame in,
// at most one claim out; the watcher decides whether a claim conflicts with us.
import { ipv6ToBytes } from '../sys/sockaddr.js';
import { ARP_REPLY, ARP_REQUEST, parseArp } from './arp.js';
import { ND_HOP_LIMIT, ND_NEIGHBOR_ADVERT, ND_NEIGHBOR_SOLICIT, parseNdisc } from './ndisc.js';

export type ClaimKind = 'arp-request' | 'arp-reply' | 'arp-probe' | 'na' | 'ns-dad';

export interface Claim {
  family: 4 | 6;
  address: string;
  /**
   * The claimer's hardware address: ARP sender hardware address; for an NA its target
   * link-layer option, else the Ethernet source; for a DAD NS the Ethernet source.
   */
  mac: string;
  /** Ethernet source of the frame (differs from `mac` only for odd or proxied frames). */
  ethSrc: string;
  kind: ClaimKind;
}

/**
 * The claim a frame makes, if any:
 * - ARP request/reply with a sender IP: the sender claims that IP (a GARP is a request);
 * - ARP probe (request, sender IP 0.0.0.0): an attempt to take the target IP (RFC 5227 §2.1.1);
 * - Neighbor Advertisement: the advertiser claims the target;
 * - DAD Neighbor Solicitation (source ::): an attempt to take the target (RFC 4862 §5.4.3).
 * ND messages without hop limit 255 or with a bad checksum are not valid ND (RFC 4861 §7.1).
 */
export function parseClaim(frame: Uint8Array): Claim | undefined {
  const arp = parseArp(frame);
  if (arp) {
    const base = { family: 4 as const, mac: arp.senderMac, ethSrc: arp.ethSrc };
    if (arp.senderIp === '0.0.0.0') {
      return arp.op === ARP_REQUEST && arp.targetIp !== '0.0.0.0'
        ? { ...base, address: arp.targetIp, kind: 'arp-probe' }
        : undefined;
    }
    if (arp.op === ARP_REQUEST) return { ...base, address: arp.senderIp, kind: 'arp-request' };
    if (arp.op === ARP_REPLY) return { ...base, address: arp.senderIp, kind: 'arp-reply' };
    return undefined;
  }
  const nd = parseNdisc(frame);
  if (!nd || nd.hopLimit !== ND_HOP_LIMIT || !nd.checksumOk || isMulticast6(nd.target)) return undefined;
  if (nd.type === ND_NEIGHBOR_ADVERT) {
    return { family: 6, address: nd.target, mac: nd.lladdr ?? nd.ethSrc, ethSrc: nd.ethSrc, kind: 'na' };
  }
  if (nd.type === ND_NEIGHBOR_SOLICIT && nd.source === '::') {
    return { family: 6, address: nd.target, mac: nd.ethSrc, ethSrc: nd.ethSrc, kind: 'ns-dad' };
  }
  return undefined;
}

function isMulticast6(text: string): boolean {
  return ipv6ToBytes(text)[0] === 0xff;
}
