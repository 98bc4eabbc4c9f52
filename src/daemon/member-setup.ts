// Preparing member NICs: the sysctls placement relies on, and members brought
// administratively up at start (waiting, bounded, for their carrier).
import { globalSysctls, memberSysctls, type SysctlKeeper } from '../apply/sysctl.js';
import type { KernelWriter } from '../apply/writer.js';
import type { Link } from '../netlink/types.js';
import type { Logger } from '../log.js';

/** How long start-up waits for carrier on members it had to bring up. */
const LINK_SETTLE_MS = 1000;

export function applyMemberSysctls(keeper: SysctlKeeper, members: readonly string[], log: Logger): void {
  const settings = [...globalSysctls(), ...members.flatMap((m) => memberSysctls(m))];
  const changed = keeper.apply(settings, (s, err) => {
    // A member that does not exist yet has no /proc entry; it is retried when it appears.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err, path: s.path }, `cannot set ${s.path}`);
  });
  if (changed.length > 0) log.info({ changed: changed.map((c) => `${c.path}=${c.value}`) }, 'sysctls set for group members');
}

/**
 * Members must be administratively up before their link state means anything. Bringing a
 * NIC up is not a repair: wait (bounded) for carrier so the engine's first observation is
 * the settled state, not a down→up flap that would count towards flap damping.
 */
export async function bringMembersUp(writer: KernelWriter, links: ReadonlyMap<number, Link>, members: readonly string[], log: Logger): Promise<void> {
  const names = new Set(members);
  const down = [...links.values()].filter((l) => names.has(l.name) && !l.up);
  if (down.length === 0) return;
  const refused = await writer.bringUp(down.map((l) => l.index));
  down.forEach((l, i) => {
    const err = refused[i];
    if (err) log.error({ ifname: l.name, err: { code: err.code, message: err.message } }, `cannot bring ${l.name} up: ${err.code}`);
    else log.info({ ifname: l.name }, `brought ${l.name} up`);
  });
  const deadline = performance.now() + LINK_SETTLE_MS;
  const settled = (): boolean => down.every((l) => {
    const cur = links.get(l.index);
    return cur !== undefined && cur.running && cur.lowerUp;
  });
  while (!settled() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}
