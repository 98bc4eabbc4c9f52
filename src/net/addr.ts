// Address arithmetic shared by the engine (route intent), the apply layer and probing: parse
// "addr/prefix", compute the network, test containment. IPv4 and IPv6 as bigints, one code path.

import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../sys/ip.js';

import type { Family } from '../sys/ip.js';

export type { Family };

export interface ParsedAddress {
  family: Family;
  /** Address text without prefix, as configured (normalised for IPv6). */
  address: string;
  prefixLen: number;
  value: bigint;
}

const toBig = (b: Uint8Array): bigint => b.reduce((v, x) => (v << 8n) | BigInt(x), 0n);

function fromBig(v: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = bytes - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

function parseV4(text: string): bigint | undefined {
  const b = parseIpv4(text);
  return b ? toBig(b) : undefined;
}

function parseV6(text: string): bigint | undefined {
  const b = parseIpv6(text.split('%')[0] ?? '');
  return b ? toBig(b) : undefined;
}

export const formatV4 = (v: bigint): string => formatIpv4(fromBig(v, 4));

/** RFC 5952 text: lower case, longest run (≥2) of zero groups compressed. */
export const formatV6 = (v: bigint): string => formatIpv6(fromBig(v, 16));

// Route intent re-reads the same configured addresses on every event; parsing them once keeps
// the failover path short. Bounded so odd input cannot grow it without limit.
const parsed = new Map<string, Readonly<ParsedAddress> | undefined>();
const PARSE_CACHE_MAX = 4096;

/** Parses "address[/prefix]"; a missing prefix means a host address (/32 or /128). Results are shared: do not mutate. */
export function parseAddress(text: string): ParsedAddress | undefined {
  if (parsed.has(text)) return parsed.get(text);
  const result = parseAddressUncached(text);
  if (parsed.size >= PARSE_CACHE_MAX) parsed.clear();
  parsed.set(text, result === undefined ? undefined : Object.freeze(result));
  return result;
}

function parseAddressUncached(text: string): ParsedAddress | undefined {
  const [addr = '', prefix, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const family: Family = addr.includes(':') ? 6 : 4;
  const value = family === 4 ? parseV4(addr) : parseV6(addr);
  if (value === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  let prefixLen = max;
  if (prefix !== undefined) {
    if (!/^\d{1,3}$/.test(prefix)) return undefined;
    prefixLen = Number(prefix);
    if (prefixLen > max) return undefined;
  }
  return { family, address: family === 4 ? formatV4(value) : formatV6(value), prefixLen, value };
}

function mask(family: Family, prefixLen: number): bigint {
  const bits = family === 4 ? 32 : 128;
  const all = (1n << BigInt(bits)) - 1n;
  return prefixLen === 0 ? 0n : (all >> BigInt(bits - prefixLen)) << BigInt(bits - prefixLen);
}

/** "network/prefix" of an address, e.g. 192.0.2.10/24 → 192.0.2.0/24. */
export function networkOf(a: ParsedAddress): string {
  const net = a.value & mask(a.family, a.prefixLen);
  return `${a.family === 4 ? formatV4(net) : formatV6(net)}/${a.prefixLen}`;
}

/** Whether `host` lies inside the subnet of `net` (same family, same masked bits). */
export function contains(net: ParsedAddress, host: ParsedAddress): boolean {
  if (net.family !== host.family) return false;
  const m = mask(net.family, net.prefixLen);
  return (net.value & m) === (host.value & m);
}

export function isLinkLocalV6(a: ParsedAddress): boolean {
  return a.family === 6 && a.value >> 118n === 0x3fan; // fe80::/10
}

/** Parse or throw: the config loader validated addresses, so a failure here is a bug upstream. */
export function mustParse(text: string): ParsedAddress {
  const a = parseAddress(text);
  if (!a) throw new Error(`invalid address: ${text}`);
  return a;
}
