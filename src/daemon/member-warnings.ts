// Warnings about configured members that are not the daemon's alone to run: members that do not
// exist (yet), and members NetworkManager or systemd-networkd also configures. Never refusals.
import type { IpmpConfig } from '../config/model.js';
import type { Logger } from '../log.js';
import type { Link } from '../netlink/types.js';
import { type CoexistenceSources, detectManagedMembers, warningText } from './coexistence.js';

const groupOf = (config: IpmpConfig, ifname: string): string | undefined =>
  config.groups.find((g) => g.interfaces.some((i) => i.name === ifname))?.name;

/** A configured member that does not exist is a mistake worth a warning: it may appear later. */
export function warnMissing(config: IpmpConfig, names: string[], log: Logger): void {
  for (const n of names) {
    const group = groupOf(config, n);
    log.warn({ ifname: n, group: group ?? '' }, `${n}: configured ${group === undefined ? 'in no group (anonymous)' : `in group ${group}`} but no such interface; nothing is placed on it until it appears`);
  }
}

/** One warning per member that NetworkManager or systemd-networkd also configures. */
export async function warnOtherManagers(
  config: IpmpConfig, memberNames: string[], links: Iterable<Link>, sources: CoexistenceSources, log: Logger, stopped: () => boolean,
): Promise<void> {
  const names = new Set(memberNames);
  const members = [...links].filter((l) => names.has(l.name)).map((l) => ({ ifname: l.name, ifindex: l.index }));
  const found = await detectManagedMembers(members, sources);
  if (stopped()) return;
  for (const m of found) log.warn({ ifname: m.ifname, group: groupOf(config, m.ifname), manager: m.manager }, warningText(m));
}
