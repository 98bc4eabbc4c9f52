// sockaddr encoders/decoders. The addon passes addresses as raw bytes so that every
// address family is handled here, in one place, with native-endian family fields.
import { AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX } from './constants.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './ip.js';

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
  const b = parseIpv4(address);
  if (!b) throw new Error(`not an IPv4 address: ${address}`);
  return Buffer.from(b);
}

export function ipv6ToBytes(address: string): Buffer {
  const b = parseIpv6(address);
  if (!b) throw new Error(`not an IPv6 address: ${address}`);
  return Buffer.from(b);
}

export function bytesToIpv4(b: Uint8Array, off = 0): string {
  return formatIpv4(b.subarray(off, off + 4));
}

/** RFC 5952 text form: lower case, longest zero run (length ≥ 2) compressed. */
export function bytesToIpv6(b: Uint8Array, off = 0): string {
  return formatIpv6(b.subarray(off, off + 16));
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
