// Text forms of wire addresses: IPs in network order, hardware addresses as aa:bb:..
import { bytesToIpv4, bytesToIpv6, ipv4ToBytes, ipv6ToBytes } from '../sys/sockaddr.js';
import { AF_INET, AF_INET6 } from './constants.js';
import { NetlinkDecodeError } from './errors.js';
import type { Family } from './types.js';

export const afOf = (family: Family): number => (family === 4 ? AF_INET : AF_INET6);

export function familyOf(af: number): Family | undefined {
  if (af === AF_INET) return 4;
  if (af === AF_INET6) return 6;
  return undefined;
}

export const ipToBytes = (family: Family, text: string): Buffer =>
  family === 4 ? ipv4ToBytes(text) : ipv6ToBytes(text);

/** IP address of a 4- or 16-byte payload. */
export function ipText(b: Buffer, what: string): string {
  if (b.length === 4) return bytesToIpv4(b);
  if (b.length === 16) return bytesToIpv6(b);
  throw new NetlinkDecodeError(`${what}: ${b.length}-byte address is neither IPv4 nor IPv6`);
}

export const macText = (b: Buffer): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

export function macToBytes(text: string): Buffer {
  const parts = text.split(':');
  if (parts.length < 1 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new Error(`not a hardware address: ${text}`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}
