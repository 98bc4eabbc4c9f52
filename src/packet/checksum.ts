// RFC 1071 Internet checksum and the ICMPv6 variant over the IPv6 pseudo-header (RFC 8200 §8.1).

/** 16-bit one's-complement sum of `data` (big-endian words, odd byte padded with 0), folded. */
export function onesComplementSum(data: Uint8Array, initial = 0): number {
  let sum = initial;
  const n = data.length;
  let i = 0;
  for (; i + 1 < n; i += 2) sum += ((data[i] as number) << 8) | (data[i + 1] as number);
  if (i < n) sum += (data[i] as number) << 8;
  // Fold carries; two rounds suffice for inputs far beyond any packet size, loop to be exact.
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The checksum field value: complement of the one's-complement sum. */
export function internetChecksum(data: Uint8Array): number {
  return ~onesComplementSum(data) & 0xffff;
}

/** True when data containing its checksum sums to 0xffff (i.e. the checksum is right). */
export function verifyInternetChecksum(data: Uint8Array): boolean {
  return onesComplementSum(data) === 0xffff;
}

export const NEXT_HEADER_ICMPV6 = 58;

function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, length: number, nextHeader: number): number {
  if (src.length !== 16 || dst.length !== 16) throw new RangeError('IPv6 addresses must be 16 bytes');
  const ph = Buffer.alloc(40);
  Buffer.from(src).copy(ph, 0);
  Buffer.from(dst).copy(ph, 16);
  ph.writeUInt32BE(length >>> 0, 32);
  ph.writeUInt8(nextHeader, 39);
  return onesComplementSum(ph);
}

/**
 * ICMPv6 checksum of `message` (its checksum field must hold 0 when computing) from
 * `src` to `dst`: the pseudo-header carries both addresses, the length and next header 58.
 */
export function icmpv6Checksum(src: Uint8Array, dst: Uint8Array, message: Uint8Array): number {
  const sum = onesComplementSum(message, pseudoHeaderSum(src, dst, message.length, NEXT_HEADER_ICMPV6));
  return ~sum & 0xffff;
}

/** True when an ICMPv6 message (checksum in place) verifies against its addresses. */
export function verifyIcmpv6Checksum(src: Uint8Array, dst: Uint8Array, message: Uint8Array): boolean {
  return onesComplementSum(message, pseudoHeaderSum(src, dst, message.length, NEXT_HEADER_ICMPV6)) === 0xffff;
}
