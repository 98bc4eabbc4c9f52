// /etc/defaultrouter as Solaris 10 net-physical reads it: `while read router rubbish`,
// lines whose first word starts with `#` and empty lines skipped, each first word passed to
// `route -n add default -gateway WORD` (IPv4; names through the hosts file).

import { FindingSink } from './findings.js';
import type { HostsDb } from './hosts-db.js';
import { parseIpv4, parseIpv6, formatIpv4 } from './ip-address.js';
import { shellReadLines } from './shell-read.js';

export interface RouterEntry {
  address: string;
  line: number;
}

export function parseDefaultRouter(text: string, file: string, hosts: HostsDb, sink: FindingSink): RouterEntry[] {
  const out: RouterEntry[] = [];
  for (const rec of shellReadLines(text)) {
    const [first, ...rest] = rec.words;
    if (first === undefined || first.startsWith('#')) continue;
    if (rest.length > 0 && !rest[0]!.startsWith('#')) {
      sink.add('DEFAULTROUTER_IGNORED', file, rec.line, `only the first word of a line is used; "${rest.join(' ')}" is ignored`);
    }
    const lit = parseIpv4(first);
    let addr: string | null = lit ? formatIpv4(lit) : null;
    if (!addr) {
      if (parseIpv6(first)) {
        sink.add('DEFAULTROUTER_IGNORED', file, rec.line, `${first} is IPv6; Solaris adds defaultrouter entries as IPv4 routes, so it was never installed`);
        continue;
      }
      const hit = hosts.lookup(first, 4)[0];
      if (!hit) {
        sink.add('UNRESOLVED_NAME', file, rec.line, `router "${first}" is neither an IPv4 address nor a name in ${hosts.files.join(', ') || 'a hosts file (none in the input)'}`);
        continue;
      }
      addr = formatIpv4(hit.addr.bytes);
    }
    if (out.some((r) => r.address === addr)) continue;
    out.push({ address: addr, line: rec.line });
  }
  return out;
}
