// /etc/inet/hosts and /etc/inet/ipnodes as the nss "files" backend reads them: `#` starts a
// comment, first field is the address, the rest are names (matched case-insensitively),
// first entry wins. ifconfig resolves IPv4 names via hosts, IPv6 names via ipnodes (older
// Solaris 10) — we search both, in that order of preference per family.

import { FindingSink } from './findings.js';
import { type IpAddr, parseIp, formatIp, sameIp } from './ip-address.js';

export interface HostEntry {
  addr: IpAddr;
  names: string[];
  file: string;
  line: number;
}

export class HostsDb {
  private readonly byName = new Map<string, HostEntry[]>();
  readonly files: string[] = [];

  add(entry: HostEntry): void {
    for (const n of entry.names) {
      const key = n.toLowerCase();
      const list = this.byName.get(key) ?? [];
      list.push(entry);
      this.byName.set(key, list);
    }
  }

  /** All entries for `name` of the family, in file order (hosts before ipnodes for v4). */
  lookup(name: string, family: 4 | 6): HostEntry[] {
    const all = (this.byName.get(name.toLowerCase()) ?? []).filter((e) => e.addr.family === family);
    const primary = family === 4 ? 'hosts' : 'ipnodes';
    return [...all.filter((e) => e.file.endsWith(primary)), ...all.filter((e) => !e.file.endsWith(primary))];
  }

  /** Names known for an address (for messages). */
  namesOf(addr: IpAddr): string[] {
    const out = new Set<string>();
    for (const list of this.byName.values()) for (const e of list) if (sameIp(e.addr, addr)) e.names.forEach((n) => out.add(n));
    return [...out];
  }
}

export function parseHostsFile(text: string, file: string, db: HostsDb, sink: FindingSink): void {
  db.files.push(file);
  const lines = text.split('\n');
  lines.forEach((raw, idx) => {
    const body = raw.split('#')[0]!.trim();
    if (body === '') return;
    const fields = body.split(/\s+/);
    const addr = parseIp(fields[0]!);
    if (!addr) {
      sink.add('HOSTS_BAD_LINE', file, idx + 1, `"${fields[0]}" is not an address; line ignored`);
      return;
    }
    if (fields.length < 2) {
      sink.add('HOSTS_BAD_LINE', file, idx + 1, `${formatIp(addr)} has no host name; line ignored`);
      return;
    }
    db.add({ addr, names: fields.slice(1), file, line: idx + 1 });
  });
}
