// Ethernet II framing: MAC text <-> bytes and the 14-byte header, plus 802.1Q / 802.1ad
// tags on receive. We only ever *send* untagged frames (the kernel adds a tag when the
// frame goes out a VLAN device), but frames captured below a VLAN can still carry one.

import os from 'node:os';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100; // 802.1Q C-tag
export const ETHERTYPE_QINQ = 0x88a8; // 802.1ad S-tag

export const ETH_HEADER_LEN = 14;
export const ETH_ALEN = 6;
export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
export const ZERO_MAC = '00:00:00:00:00:00';

/** At most this many stacked tags are walked; more is not a frame we care about. */
const MAX_VLAN_TAGS = 2;

export interface VlanTag {
  /** Tag protocol identifier: 0x8100 or 0x88a8. */
  tpid: number;
  /** VLAN id, 0..4095. */
  id: number;
  /** Priority code point, 0..7. */
  pcp: number;
  /** Drop eligible indicator. */
  dei: boolean;
}

export interface EthernetFrame {
  dst: string;
  src: string;
  /** Ethertype of the payload (after any VLAN tags). */
  ethertype: number;
  /** Outermost tag, when the frame carries one. */
  vlan?: VlanTag;
  /** Every tag, outermost first (empty when untagged). */
  vlanTags: VlanTag[];
  /** Offset of the payload in the frame. */
  payloadOffset: number;
  payload: Buffer;
}

/** Parses 'aa:bb:cc:dd:ee:ff' (also '-' separated, any case) into 6 bytes; throws on bad text. */
export function parseMac(text: string): Buffer {
  const parts = text.split(/[:-]/);
  if (parts.length !== ETH_ALEN || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new Error(`not a MAC address: ${text}`);
  }
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

/** Lower-case colon form of 6 bytes at `off`. */
export function formatMac(bytes: Uint8Array, off = 0): string {
  if (bytes.length < off + ETH_ALEN) throw new RangeError('MAC address needs 6 bytes');
  const out: string[] = [];
  for (let i = 0; i < ETH_ALEN; i++) out.push((bytes[off + i] ?? 0).toString(16).padStart(2, '0'));
  return out.join(':');
}

export type MacInput = string | Uint8Array;

/** Accepts text or bytes; always returns a fresh 6-byte Buffer. */
export function macBytes(mac: MacInput): Buffer {
  if (typeof mac === 'string') return parseMac(mac);
  if (mac.length !== ETH_ALEN) throw new Error(`MAC address must be 6 bytes, got ${mac.length}`);
  return Buffer.from(mac);
}

/** Group bit set: multicast or broadcast destination. */
export function isMulticastMac(mac: Uint8Array): boolean {
  return ((mac[0] ?? 0) & 1) === 1;
}

export function buildEthernetHeader(dst: MacInput, src: MacInput, ethertype: number): Buffer {
  const b = Buffer.alloc(ETH_HEADER_LEN);
  macBytes(dst).copy(b, 0);
  macBytes(src).copy(b, 6);
  b.writeUInt16BE(ethertype, 12);
  return b;
}

/** Header + payload as one frame (the NIC pads runts to 60 bytes, we don't). */
export function buildEthernetFrame(dst: MacInput, src: MacInput, ethertype: number, payload: Uint8Array): Buffer {
  return Buffer.concat([buildEthernetHeader(dst, src, ethertype), payload]);
}

function isTagTpid(type: number): boolean {
  return type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ;
}

/** Parses the header and up to two VLAN tags; undefined when the frame is too short. */
export function parseEthernet(frame: Uint8Array): EthernetFrame | undefined {
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (b.length < ETH_HEADER_LEN) return undefined;
  let off = 12;
  let type = b.readUInt16BE(off);
  const tags: VlanTag[] = [];
  while (isTagTpid(type)) {
    if (tags.length === MAX_VLAN_TAGS || b.length < off + 6) return undefined;
    const tci = b.readUInt16BE(off + 2);
    tags.push({ tpid: type, id: tci & 0x0fff, pcp: tci >> 13, dei: (tci & 0x1000) !== 0 });
    off += 4;
    type = b.readUInt16BE(off);
  }
  const payloadOffset = off + 2;
  const parsed: EthernetFrame = {
    dst: formatMac(b, 0),
    src: formatMac(b, 6),
    ethertype: type,
    vlanTags: tags,
    payloadOffset,
    payload: b.subarray(payloadOffset),
  };
  if (tags[0]) parsed.vlan = tags[0];
  return parsed;
}

/** Inserts an 802.1Q tag after the MAC addresses (for fixtures and tests of tagged paths). */
export function addVlanTag(frame: Uint8Array, id: number, pcp = 0, tpid = ETHERTYPE_VLAN): Buffer {
  if (frame.length < ETH_HEADER_LEN) throw new RangeError('frame shorter than an Ethernet header');
  if (!Number.isInteger(id) || id < 0 || id > 4095) throw new RangeError(`bad VLAN id ${id}`);
  const tag = Buffer.alloc(4);
  tag.writeUInt16BE(tpid, 0);
  tag.writeUInt16BE(((pcp & 7) << 13) | id, 2);
  const src = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  return Buffer.concat([src.subarray(0, 12), tag, src.subarray(12)]);
}

/**
 * The `protocol` argument of socket(AF_PACKET, ...) is an ethertype in network byte order
 * (htons(ETH_P_ARP)), unlike the host-order ethertype sockaddr.ts takes for bind/send.
 */
export function packetSocketProtocol(ethertype: number): number {
  if (!Number.isInteger(ethertype) || ethertype < 0 || ethertype > 0xffff) throw new RangeError(`bad ethertype ${ethertype}`);
  const b = Buffer.alloc(2);
  b.writeUInt16BE(ethertype, 0);
  return os.endianness() === 'LE' ? b.readUInt16LE(0) : ethertype;
}
