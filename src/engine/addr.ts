// Address arithmetic the engine needs for route intent: parse "addr/prefix", compute the
// network, test containment. IPv4 and IPv6 as bigints so one code path serves both.

export type Family = 4 | 6;

export interface ParsedAddress {
  family: Family;
  /** Address text without prefix, as configured (normalised for IPv6). */
  address: string;
  prefixLen: number;
  value: bigint;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(text: string): bigint | undefined {
  const zoneless = text.split('%')[0] ?? '';
  const halves = zoneless.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const items = s.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i] ?? '';
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseV4(item);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return undefined;
      out.push(parseInt(item, 16));
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  let v = 0n;
  for (const g of all) v = (v << 16n) | BigInt(g);
  return v;
}

export function formatV4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
}

/** RFC 5952 text: lower case, longest run (≥2) of zero groups compressed. */
export function formatV6(v: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
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

/** Parses "address[/prefix]"; a missing prefix means a host address (/32 or /128). */
export function parseAddress(text: string): ParsedAddress | undefined {
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
