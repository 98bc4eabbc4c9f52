// Address arithmetic for the importer: strict literals (as getipnodebyname accepts them),
// BSD inet_addr (as the netmasks database parses its keys), canonical text and subnets.

import type { Family } from '../sys/ip.js';

export type { Family };

export interface IpAddr {
  family: Family;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../sys/ip.js';

export { formatIpv4, formatIpv6, parseIpv4, parseIpv6 };

export interface Cidr extends IpAddr {
  prefix: number;
}

export function parseIp(text: string): IpAddr | null {
  const v4 = parseIpv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIpv6(text);
  if (v6) return { family: 6, bytes: v6 };
  return null;
}

export function formatIp(a: IpAddr): string {
  return a.family === 4 ? formatIpv4(a.bytes) : formatIpv6(a.bytes);
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c)}/${c.prefix}`;
}

/** "address/prefix" with the prefix mandatory. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  if (slash === -1) return null;
  const a = parseIp(text.slice(0, slash));
  const p = text.slice(slash + 1);
  if (!a || !/^\d{1,3}$/.test(p)) return null;
  const prefix = Number(p);
  if (prefix > (a.family === 4 ? 32 : 128)) return null;
  return { ...a, prefix };
}

export function ipv4ToInt(b: Uint8Array): number {
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

export function intToIpv4(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

export function prefixToMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Prefix length of a contiguous mask, or null for a non-contiguous one. */
export function maskToPrefix(mask: number): number | null {
  const m = mask >>> 0;
  const inv = (~m) >>> 0;
  if ((inv & (inv + 1)) !== 0) return null;
  let p = 0;
  for (let v = m; v & 0x80000000; v = (v << 1) >>> 0) p++;
  return p;
}

/** Class A/B/C natural mask (class D/E: /32 like Solaris IN_CLASSE_NET 0xffffffff). */
export function classfulPrefix(addr: number): number {
  if ((addr & 0x80000000) === 0) return 8;
  if ((addr & 0xc0000000) >>> 0 === 0x80000000) return 16;
  if ((addr & 0xe0000000) >>> 0 === 0xc0000000) return 24;
  return 32;
}

/**
 * BSD inet_addr: 1–4 parts, each decimal, 0-octal or 0x-hex; the last part fills the
 * remaining bytes ("10" = 0.0.0.10, "192.9.200" = 192.9.0.200). Returns null on error
 * (inet_addr's INADDR_NONE, which also swallows 255.255.255.255 as netmasks does).
 */
export function inetAddr(text: string): number | null {
  if (!/^[0-9a-fA-FxX.]+$/.test(text)) return null;
  const parts = text.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return null;
  const vals: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) v = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) v = parseInt(p, 8);
    else if (/^[1-9]\d*$/.test(p)) v = parseInt(p, 10);
    else return null;
    if (!Number.isFinite(v) || v > 0xffffffff) return null;
    vals.push(v);
  }
  const n = vals.length;
  const last = vals[n - 1]!;
  const maxLast = [0xffffffff, 0xffffff, 0xffff, 0xff][n - 1]!;
  if (last > maxLast || vals.slice(0, n - 1).some((v) => v > 0xff)) return null;
  let r = last;
  for (let i = 0; i < n - 1; i++) r += vals[i]! * 2 ** (24 - 8 * i);
  r = r >>> 0;
  return r === 0xffffffff ? null : r;
}

/** True when `a` lies in the subnet `net/prefix` (same family). */
export function inSubnet(a: IpAddr, net: IpAddr, prefix: number): boolean {
  if (a.family !== net.family) return false;
  for (let bit = 0; bit < prefix; bit++) {
    const byte = bit >> 3;
    const m = 0x80 >> (bit & 7);
    if ((a.bytes[byte]! & m) !== (net.bytes[byte]! & m)) return false;
  }
  return true;
}

/** Network part of a CIDR as "net/prefix" text, for grouping by subnet. */
export function subnetKey(c: Cidr): string {
  const b = new Uint8Array(c.bytes);
  for (let bit = c.prefix; bit < b.length * 8; bit++) b[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return `${formatIp({ family: c.family, bytes: b })}/${c.prefix}`;
}

export function sameIp(a: IpAddr, b: IpAddr): boolean {
  return a.family === b.family && a.bytes.every((x, i) => x === b.bytes[i]);
}

export function isLinkLocal6(a: IpAddr): boolean {
  return a.family === 6 && a.bytes[0] === 0xfe && (a.bytes[1]! & 0xc0) === 0x80;
}

export function isUnspecified(a: IpAddr): boolean {
  return a.bytes.every((x) => x === 0);
}

/** Canonical "address/prefix" text, or null if `text` is not one. */
export function normalizeCidr(text: string): string | null {
  const c = parseCidr(text);
  return c ? formatCidr(c) : null;
}

export function normalizeIp(text: string): string | null {
  const a = parseIp(text);
  return a ? formatIp(a) : null;
}

/**
 * Why an address cannot be a data or test address, or null. These are never a host's own
 * unicast address: configuring one would hijack loopback, multicast or every route.
 */
export function specialAddressProblem(c: Cidr, asData: boolean): string | null {
  const b = c.bytes;
  if (c.family === 4) {
    if (isUnspecified(c) || b[0] === 0) return 'is in 0.0.0.0/8 ("this network")';
    if (b[0] === 127) return 'is a loopback address (127.0.0.0/8)';
    if (b[0]! >= 224 && b[0]! <= 239) return 'is a multicast address (224.0.0.0/4)';
    if (b.every((x) => x === 255)) return 'is the limited broadcast address';
    if (b[0]! >= 240) return 'is in the reserved range 240.0.0.0/4';
    if (c.prefix <= 30) {
      const all = ~prefixToMask(c.prefix) >>> 0;
      const host = (ipv4ToInt(b) & all) >>> 0;
      if (host === all) return `is the broadcast address of its /${c.prefix} subnet`;
      if (host === 0) return `is the network address of its /${c.prefix} subnet`;
    }
    if (asData && b[0] === 169 && b[1] === 254) return 'is IPv4 link-local (169.254.0.0/16), which the kernel never moves as a data address';
    return null;
  }
  if (isUnspecified(c)) return 'is the unspecified address ::';
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return 'is the loopback address ::1';
  if (b[0] === 0xff) return 'is a multicast address (ff00::/8)';
  return null;
}
