// Independent witnesses of what the kernel holds, read with iproute2 (`ip -j`).
import { ipJson, nsExec } from './netns.js';

interface IpAddrInfo { family: string; local: string; prefixlen: number; preferred_life_time?: number; noprefixroute?: boolean; nodad?: boolean }
interface IpLink { ifname: string; address: string; addr_info?: IpAddrInfo[] }

/** Map of address → NIC names holding it (normally exactly one). */
export function addressesByNic(ns: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of ipJson<IpLink[]>(ns, 'addr', 'show')) {
    for (const a of l.addr_info ?? []) out.set(a.local, [...(out.get(a.local) ?? []), l.ifname]);
  }
  return out;
}

export function holder(ns: string, address: string): string[] {
  return addressesByNic(ns).get(address) ?? [];
}

export function macOf(ns: string, ifname: string): string {
  const [l] = ipJson<IpLink[]>(ns, 'link', 'show', ifname);
  if (!l) throw new Error(`no ${ifname} in ${ns}`);
  return l.address;
}

export function neighbourMac(ns: string, address: string): string | undefined {
  const n = ipJson<{ dst: string; lladdr?: string }[]>(ns, 'neigh', 'show', 'to', address);
  return n.find((e) => e.dst === address)?.lladdr;
}

export function ping(ns: string, address: string, count = 1, timeoutS = 1): boolean {
  try {
    nsExec(ns, 'ping', ['-n', '-q', '-c', String(count), '-W', String(timeoutS), '-i', '0.2', address]);
    return true;
  } catch {
    return false;
  }
}

interface IpRoute { dst: string; dev?: string; gateway?: string; protocol?: string; prefsrc?: string; nexthops?: { dev: string; gateway?: string }[] }

/** Devices a route (dst as `ip -j route` prints it, e.g. "default" or "192.0.2.0/24") leaves through. */
export function routeDevices(ns: string, dst: string, family: 4 | 6 = 4): string[] {
  const routes = ipJson<IpRoute[]>(ns, family === 6 ? '-6' : '-4', 'route', 'show');
  const r = routes.find((x) => x.dst === dst);
  if (!r) return [];
  return (r.nexthops?.map((h) => h.dev) ?? (r.dev ? [r.dev] : [])).sort();
}
