// Per-NIC sysctls that make several NICs on one subnet behave (linux-anchors §5), read
// before they are changed so a clean exit can put them back.
import { readFileSync, writeFileSync } from 'node:fs';

export interface SysctlSetting { path: string; value: string }

/** The settings ipmpd wants for a group member. */
export function memberSysctls(ifname: string): SysctlSetting[] {
  const v4 = `/proc/sys/net/ipv4/conf/${ifname}`;
  const v6 = `/proc/sys/net/ipv6/conf/${ifname}`;
  return [
    { path: `${v4}/arp_ignore`, value: '1' },          // answer ARP only on the NIC holding the address
    { path: `${v4}/arp_announce`, value: '2' },        // ARP with the best local address of that NIC
    { path: `${v4}/rp_filter`, value: '2' },           // loose: replies may come back on another member
    { path: `${v4}/promote_secondaries`, value: '1' }, // removing a primary must not drop secondaries
    { path: `${v4}/ignore_routes_with_linkdown`, value: '1' },
    { path: `${v6}/ignore_routes_with_linkdown`, value: '1' },
  ];
}

/** Namespace-wide: L4 hash for multipath routes so flows spread over members. */
export function globalSysctls(): SysctlSetting[] {
  return [
    { path: '/proc/sys/net/ipv4/fib_multipath_hash_policy', value: '1' },
    { path: '/proc/sys/net/ipv6/fib_multipath_hash_policy', value: '1' },
  ];
}

export function readSysctl(path: string): string {
  return readFileSync(path, 'utf8').trim();
}

/** Applies settings, remembering the first-seen original of each path. */
export class SysctlKeeper {
  private readonly originals = new Map<string, string>();

  /** Returns the settings that were changed. Missing paths (e.g. IPv6 disabled) are reported, not fatal. */
  apply(settings: SysctlSetting[], onError: (s: SysctlSetting, err: Error) => void): SysctlSetting[] {
    const changed: SysctlSetting[] = [];
    for (const s of settings) {
      try {
        const current = readSysctl(s.path);
        if (!this.originals.has(s.path)) this.originals.set(s.path, current);
        if (current !== s.value) {
          writeFileSync(s.path, s.value);
          changed.push(s);
        }
      } catch (err) {
        onError(s, err as Error);
      }
    }
    return changed;
  }

  restore(onError: (s: SysctlSetting, err: Error) => void): void {
    for (const [path, value] of this.originals) {
      try {
        writeFileSync(path, value);
      } catch (err) {
        onError({ path, value }, err as Error);
      }
    }
    this.originals.clear();
  }
}
