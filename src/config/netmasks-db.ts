// The netmasks database and `netmask +`: Solaris getnetmaskbyaddr() semantics. Keys and
// masks are parsed with inet_addr (so "192.9.200" style keys work); the lookup tries the
// address masked to /32, /31, … and accepts an entry only when its mask equals the mask
// used for that key (VLSM longest match); then the classful network number, with and
// without trailing zeros. No match: the caller falls back to the classful mask.

import { FindingSink } from './findings.js';
import { inetAddr, maskToPrefix, classfulPrefix } from './ip-address.js';

export interface NetmaskEntry {
  net: number;
  mask: number;
  file: string;
  line: number;
}

export interface NetmaskMatch {
  prefix: number;
  entry: NetmaskEntry;
}

export class NetmasksDb {
  readonly entries: NetmaskEntry[] = [];
  file: string | null = null;

  /** Keys travel as text (inet_nettoa drops leading zero bytes) and are re-parsed by inet_addr. */
  private byKey(key: number): NetmaskEntry | undefined {
    const b = [key >>> 24, (key >>> 16) & 0xff, (key >>> 8) & 0xff, key & 0xff];
    while (b.length > 1 && b[0] === 0) b.shift();
    const k = inetAddr(b.join('.'));
    return k === null ? undefined : this.entries.find((e) => e.net === k);
  }

  /** Solaris getnetmaskbyaddr(); null when nothing matches. */
  lookup(addr: number): NetmaskMatch | null {
    let prevnet = 0;
    let found: NetmaskEntry | undefined;
    for (let bits = 32; bits >= 1; bits--) {
      const maskoff = (0xffffffff << (32 - bits)) >>> 0;
      const net = (addr & maskoff) >>> 0;
      if (net !== prevnet) found = this.byKey(net);
      if (found && found.mask === maskoff) return this.result(found);
      prevnet = net;
    }
    // Non-VLSM fallback: classful network number, as address and right-shifted.
    const cp = classfulPrefix(addr);
    const shift = 32 - Math.min(cp, 24);
    const net1 = (addr & ((0xffffffff << shift) >>> 0)) >>> 0;
    const net2 = addr >>> shift;
    const e = this.byKey(net1) ?? this.byKey(net2);
    return e ? this.result(e) : null;
  }

  private result(entry: NetmaskEntry): NetmaskMatch | null {
    const prefix = maskToPrefix(entry.mask);
    return prefix === null ? null : { prefix, entry };
  }
}

export function parseNetmasksFile(text: string, file: string, sink: FindingSink): NetmasksDb {
  const db = new NetmasksDb();
  db.file = file;
  text.split('\n').forEach((raw, idx) => {
    const body = raw.split('#')[0]!.trim();
    if (body === '') return;
    const [k, m] = body.split(/\s+/);
    const net = inetAddr(k!);
    const mask = m === undefined ? null : inetAddr(m);
    if (net === null || mask === null) {
      sink.add('NETMASKS_BAD_LINE', file, idx + 1, `cannot parse "${body}" as "network netmask"; Solaris skips this entry`);
      return;
    }
    if (maskToPrefix(mask) === null) {
      sink.add('NETMASKS_BAD_LINE', file, idx + 1, `netmask ${m} is not contiguous; ipmpd cannot express it as a prefix and skips this entry`);
      return;
    }
    db.entries.push({ net, mask, file, line: idx + 1 });
  });
  return db;
}
