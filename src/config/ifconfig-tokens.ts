// The Solaris 10 ifconfig keyword table (cmds[] in ifconfig.c, 2008) plus the Clearview
// `ipmp` keyword. A word not in this table is an address (or a host name to look up).

export interface TokenSpec {
  /** Takes the next word as its argument ("next"), maybe ("optional", ether), or none. */
  arg: 'none' | 'next' | 'optional';
  /** Address family the keyword applies to; elsewhere it is ignored. */
  af: 'any' | 'inet' | 'inet6';
  /** Has no counterpart in the ipmpd model (reported once as TOKEN_IGNORED). */
  ignored?: boolean;
}

const T = (arg: TokenSpec['arg'], af: TokenSpec['af'] = 'any', ignored = false): TokenSpec => ({ arg, af, ignored });

export const IFCONFIG_TOKENS: ReadonlyMap<string, TokenSpec> = new Map<string, TokenSpec>([
  ['up', T('none')], ['down', T('none')],
  ['plumb', T('none')], ['unplumb', T('none')],
  ['addif', T('next')], ['removeif', T('next')], ['set', T('next')],
  ['destination', T('next')],
  ['netmask', T('next', 'inet')], ['broadcast', T('next', 'inet')],
  ['group', T('next')],
  ['failover', T('none')], ['-failover', T('none')],
  ['standby', T('none')], ['-standby', T('none')],
  ['failed', T('none', 'any', true)], ['-failed', T('none', 'any', true)],
  ['deprecated', T('none')], ['-deprecated', T('none')],
  ['preferred', T('none', 'inet6', true)], ['-preferred', T('none', 'inet6', true)],
  ['private', T('none', 'any', true)], ['-private', T('none', 'any', true)],
  ['metric', T('next', 'any', true)], ['mtu', T('next', 'any', true)], ['index', T('next', 'any', true)],
  ['ether', T('optional', 'any', true)],
  ['token', T('next', 'inet6', true)], ['subnet', T('next', 'any', true)],
  ['arp', T('none', 'inet')], ['-arp', T('none', 'inet')],
  ['nud', T('none', 'inet6')], ['-nud', T('none', 'inet6')],
  ['xmit', T('none')], ['-xmit', T('none')],
  ['local', T('none')], ['-local', T('none')],
  ['anycast', T('none', 'any', true)], ['-anycast', T('none', 'any', true)],
  ['router', T('none', 'any', true)], ['-router', T('none', 'any', true)],
  ['trailers', T('none', 'any', true)], ['-trailers', T('none', 'any', true)],
  ['usesrc', T('next')],
  ['zone', T('next', 'any', true)], ['-zone', T('none', 'any', true)], ['all-zones', T('none', 'any', true)],
  ['auto-revarp', T('none', 'inet')],
  ['tsrc', T('next', 'any', true)], ['tdst', T('next', 'any', true)],
  ['encaplimit', T('next', 'any', true)], ['-encaplimit', T('none', 'any', true)],
  ['thoplimit', T('next', 'any', true)],
  ['auth_algs', T('next', 'any', true)], ['encr_algs', T('next', 'any', true)], ['encr_auth_algs', T('next', 'any', true)],
  ['modlist', T('none')], ['modinsert', T('next', 'any', true)], ['modremove', T('next', 'any', true)],
  ['configinfo', T('none')], ['debug', T('none')], ['verbose', T('none')],
  ['ipmp', T('none')],
]);

/** Keywords recognised only as the first argument (hand the interface to dhcpagent). */
export const DHCP_FIRST_WORDS: ReadonlySet<string> = new Set(['dhcp', 'auto-dhcp']);

/** Closest keyword within edit distance 2, for "did you mean" hints on misspellings. */
export function suggestToken(word: string): string | null {
  let best: string | null = null;
  let bestD = 3;
  const w = word.toLowerCase();
  for (const t of IFCONFIG_TOKENS.keys()) {
    if (Math.abs(t.length - w.length) >= bestD) continue;
    const d = editDistance(w, t);
    if (d < bestD) { bestD = d; best = t; }
  }
  return w.length >= 3 ? best : null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
