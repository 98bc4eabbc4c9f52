// sockaddr encoders/decoders. The addon passes addresses as raw bytes so that every
// address family is handled here, in one place, with native-endian family fields.
import { AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX } from './constants.js';

export interface NetlinkAddr { family: 'netlink'; pid: number; groups: number }
export interface PacketAddr {
  family: 'packet';
  protocol: number; // ethertype, host order
  ifindex: number;
  hatype?: number;
  pkttype?: number;
  addr?: Buffer; // link-layer address, up to 8 bytes
}
export interface Inet4Addr { family: 'inet'; address: string; port: number }
export interface Inet6Addr { family: 'inet6'; address: string; port: number; scopeId: number; flowinfo?: number }
export interface UnixAddr { family: 'unix'; path: string }
export type SockAddr = NetlinkAddr | PacketAddr | Inet4Addr | Inet6Addr | UnixAddr;

export function ipv4ToBytes(address: string): Buffer {
  const parts = address.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${address}`);
  const out = Buffer.alloc(4);
  parts.forEach((p, i) => {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`not an IPv4 address: ${address}`);
    out[i] = Number(p);
  });
  return out;
}

export function ipv6ToBytes(address: string): Buffer {
  let text = address;
  const out = Buffer.alloc(16);
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: Buffer | undefined;
  if (v4tail?.[1]) {
    tail = ipv4ToBytes(v4tail[1]);
    text = text.slice(0, -v4tail[1].length) + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${address}`);
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups = halves.length === 2 ? [...head, ...Array(8 - head.length - rest.length).fill('0'), ...rest] : head;
  if (groups.length !== 8) throw new Error(`not an IPv6 address: ${address}`);
  groups.forEach((g, i) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`not an IPv6 address: ${address}`);
    out.writeUInt16BE(parseInt(g, 16), i * 2);
  });
  if (tail) tail.copy(out, 12);
  return out;
}

export function bytesToIpv4(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** RFC 5952 text form: lower case, longest zero run (length ≥ 2) compressed. */
export function bytesToIpv6(b: Uint8Array, off = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((b[off + 2 * i] ?? 0) << 8) | (b[off + 2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function encodeSockAddr(a: SockAddr): Buffer {
  switch (a.family) {
    case 'netlink': {
      const b = Buffer.alloc(12);
      b.writeUInt16LE(AF_NETLINK, 0);
      b.writeUInt32LE(a.pid >>> 0, 4);
      b.writeUInt32LE(a.groups >>> 0, 8);
      return b;
    }
    case 'packet': {
      const b = Buffer.alloc(20);
      b.writeUInt16LE(AF_PACKET, 0);
      b.writeUInt16BE(a.protocol, 2);
      b.writeInt32LE(a.ifindex, 4);
      b.writeUInt16LE(a.hatype ?? 0, 8);
      b.writeUInt8(a.pkttype ?? 0, 10);
      const hw = a.addr ?? Buffer.alloc(0);
      b.writeUInt8(Math.min(hw.length, 8), 11);
      hw.copy(b, 12, 0, 8);
      return b;
    }
    case 'inet': {
      const b = Buffer.alloc(16);
      b.writeUInt16LE(AF_INET, 0);
      b.writeUInt16BE(a.port, 2);
      ipv4ToBytes(a.address).copy(b, 4);
      return b;
    }
    case 'inet6': {
      const b = Buffer.alloc(28);
      b.writeUInt16LE(AF_INET6, 0);
      b.writeUInt16BE(a.port, 2);
      b.writeUInt32BE(a.flowinfo ?? 0, 4);
      ipv6ToBytes(a.address).copy(b, 8);
      b.writeUInt32LE(a.scopeId >>> 0, 24);
      return b;
    }
    case 'unix': {
      const path = Buffer.from(a.path, 'utf8');
      if (path.length > 107) throw new Error(`unix socket path too long: ${a.path}`);
      const b = Buffer.alloc(2 + path.length + 1);
      b.writeUInt16LE(AF_UNIX, 0);
      path.copy(b, 2);
      return b;
    }
  }
}

export function decodeSockAddr(b: Buffer): SockAddr | undefined {
  if (b.length < 2) return undefined;
  const family = b.readUInt16LE(0);
  switch (family) {
    case AF_NETLINK:
      return b.length >= 12 ? { family: 'netlink', pid: b.readUInt32LE(4), groups: b.readUInt32LE(8) } : undefined;
    case AF_PACKET: {
      if (b.length < 12) return undefined;
      const halen = Math.min(b.readUInt8(11), 8);
      return {
        family: 'packet',
        protocol: b.readUInt16BE(2),
        ifindex: b.readInt32LE(4),
        hatype: b.readUInt16LE(8),
        pkttype: b.readUInt8(10),
        addr: Buffer.from(b.subarray(12, 12 + halen)),
      };
    }
    case AF_INET:
      return b.length >= 8 ? { family: 'inet', port: b.readUInt16BE(2), address: bytesToIpv4(b, 4) } : undefined;
    case AF_INET6:
      return b.length >= 28
        ? { family: 'inet6', port: b.readUInt16BE(2), flowinfo: b.readUInt32BE(4), address: bytesToIpv6(b, 8), scopeId: b.readUInt32LE(24) }
        : undefined;
    case AF_UNIX: {
      const end = b.indexOf(0, 2);
      return { family: 'unix', path: b.subarray(2, end < 0 ? b.length : end).toString('utf8') };
    }
    default:
      return undefined;
  }
}
