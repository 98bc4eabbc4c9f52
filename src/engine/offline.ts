// Offline and online: the one place a member is taken out of service by an operator
// (if_mpadm -d / -r) or for sharing its hardware address with another member (Solaris 11
// ipmpstat FLAGS `h`). Follows Clearview in.mpathd phyint_offline(), phyint_undo_offline(),
// phyint_lookup_hwaddr() and phyint_link_notify() (mpd_tables.c).

import type { Verdict } from './health.js';
import { activateAnother, isActive, isFunctioning, transitionToRunning, type MemberRecord } from './roles.js';
import type { GroupRuntime } from './runtime.js';
import type { EngineReply, LogEvent } from './types.js';

export interface OfflineContext {
  now: number;
  failback: boolean;
  verdict(m: MemberRecord): Verdict;
  log: LogEvent[];
}

/** libipmp ipmp_errmsg(IPMP_EHWADDRDUP). */
export const EHWADDRDUP_MESSAGE = 'interface has duplicate hardware address';

/**
 * Another member with the same hardware address. Administratively offline members never
 * count; members offlined as duplicates count unless `onlineOnly` (phyint_lookup_hwaddr).
 */
export function lookupHwaddr(g: GroupRuntime, m: MemberRecord, onlineOnly: boolean): MemberRecord | undefined {
  if (g.anonymous || m.mac === undefined || m.mac === null) return undefined;
  return g.members.find((o) => o !== m && o.mac === m.mac && !(o.phase === 'offline' && (onlineOnly || !o.hwaddrdup)));
}

/** phyint_offline(pi, minred): refused with EMINRED unless `minred` usable members remain. */
export function takeOffline(g: GroupRuntime, m: MemberRecord, minred: number, ctx: OfflineContext): EngineReply {
  const others = g.members.filter((o) => o !== m);
  const groupFailed = !g.members.some(isFunctioning);
  const usable = g.anonymous ? 0 : others.filter((o) => isFunctioning(o) || (groupFailed && o.phase !== 'offline')).length;
  if (usable < minred) return { ok: false, code: 'EMINRED', message: 'cannot offline: no other functioning interfaces are in its IPMP group' };
  const wasActive = isActive(m);
  m.phase = 'offline';
  m.inactive = false;
  m.awaitingProbe = false;
  if (minred > 0) m.adminOffline = true;
  const group = g.config.name;
  if (m.hwaddrdup) {
    ctx.log.push({
      level: 'error', ifname: m.name, group,
      msg: `IP interface ${m.name} has a hardware address which is not unique in group ${group}; offlining`,
      fields: { mac: m.mac ?? null },
    });
  } else {
    ctx.log.push({ level: 'info', ifname: m.name, group, msg: `${m.name} has been offlined`, fields: { at: ctx.now } });
    // This member was keeping a duplicate of its address offline: that one may come back now.
    const dup = lookupHwaddr(g, m, false);
    if (dup?.hwaddrdup) bringOnline(g, dup, ctx);
  }
  if (wasActive) activateAnother(g.members, m);
  return { ok: true };
}

/** phyint_undo_offline(): refused while an online member shares the hardware address. */
export function bringOnline(g: GroupRuntime, m: MemberRecord, ctx: OfflineContext): EngineReply {
  if (m.phase !== 'offline') return { ok: false, code: 'ENOTOFFLINE', message: 'Interface not offlined' };
  if (lookupHwaddr(g, m, true)) {
    m.hwaddrdup = true;
    return { ok: false, code: 'EHWADDRDUP', message: EHWADDRDUP_MESSAGE };
  }
  const group = g.config.name;
  if (m.hwaddrdup) {
    ctx.log.push({
      level: 'error', ifname: m.name, group,
      msg: `IP interface ${m.name} now has a unique hardware address in group ${group}; onlining`,
      fields: { mac: m.mac ?? null },
    });
    m.hwaddrdup = false;
  } else {
    ctx.log.push({ level: 'info', ifname: m.name, group, msg: `${m.name} has been onlined`, fields: { at: ctx.now } });
  }
  m.adminOffline = false;
  const v = ctx.verdict(m);
  // Before the group's first settle, leave the start-up transition to settle().
  if (!g.initialised) m.phase = 'init';
  else if (v === 'ok') transitionToRunning(g.members, m, { initial: false, onlining: true, failback: ctx.failback });
  else m.phase = v === 'unknown' ? 'init' : 'failed';
  return { ok: true };
}

/**
 * A member's hardware address is now `mac` (null: none, or the NIC is gone): phyint_link_notify.
 * The member that takes a duplicate address goes offline; a duplicate kept offline by this
 * member's old address comes back.
 */
export function hardwareAddressChanged(g: GroupRuntime, m: MemberRecord, mac: string | null, ctx: OfflineContext): void {
  if (m.mac === mac) return;
  const oldDup = lookupHwaddr(g, m, false);
  m.mac = mac;
  const dup = lookupHwaddr(g, m, false);
  if (m.hwaddrdup) {
    if (!dup) bringOnline(g, m, ctx);
  } else if (oldDup?.hwaddrdup) {
    bringOnline(g, oldDup, ctx);
  }
  if (dup && !m.hwaddrdup && m.phase !== 'offline') {
    m.hwaddrdup = true;
    takeOffline(g, m, 0, ctx);
  }
}
