// Host names for ipmpstat through the system resolver, as Solaris ipmpstat asks the name
// service (getnameinfo: nsswitch — files, DNS, whatever the host uses), not /etc/hosts alone.
// Lookups run before rendering, all at once and bounded in time: a slow DNS server makes
// ipmpstat print numbers after the deadline, never hang. Solaris prints the host part only.
import { lookupService } from 'node:dns/promises';
import type { NameResolver } from './ipmpstat-render.js';

export type ReverseLookup = (address: string) => Promise<string | undefined>;

const systemLookup: ReverseLookup = async (address) => (await lookupService(address, 0)).hostname;

/** At most this many distinct addresses are looked up (a status snapshot has a handful). */
const MAX_LOOKUPS = 256;

/** Resolves `addresses` (deduplicated) within `timeoutMs`; unresolved ones print numerically. */
export async function resolveNames(addresses: Iterable<string>, timeoutMs = 2000, lookup: ReverseLookup = systemLookup): Promise<NameResolver> {
  const names = new Map<string, string>();
  const unique = [...new Set(addresses)].slice(0, MAX_LOOKUPS);
  const all = Promise.all(unique.map(async (a) => {
    try {
      const name = await lookup(a);
      // getnameinfo returns the address itself when nothing is known: that is no name.
      if (name && name !== a) names.set(a, name.split('.')[0] ?? name);
    } catch {
      // NXDOMAIN and the like: numeric, as getnameinfo without NI_NAMEREQD.
    }
  }));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise<void>((r) => { timer = setTimeout(r, timeoutMs); timer.unref(); })]);
  if (timer) clearTimeout(timer);
  return (a) => names.get(a);
}
