// Clearview's rules for the INACTIVE flag (in.mpathd phyint_transition_to_running,
// phyint_activate_another, phyint_standby_refresh_inactive), on the engine's member records.
// They decide which functioning members are active; placement.ts then decides where addresses go.

export type Phase = 'init' | 'running' | 'failed' | 'offline';

export interface MemberRecord {
  name: string;
  standby: boolean;
  testAddresses: string[];
  /** Has a test address (configured, or its IPv6 link-local): probing possible. */
  canProbe: boolean;
  phase: Phase;
  inactive: boolean;
  /** Swept into a group failure while its own detectors said OK: needs a fresh probe 'ok'. */
  awaitingProbe: boolean;
  /** The flap message was logged for the current deferral (in.mpathd pi_lfmsg_printed). */
  flapLogged: boolean;
  /** Hardware address as last observed (lower-case); undefined until observed, null when none. */
  mac?: string | null;
  /** Offline because another member has the same hardware address (ipmpstat FLAGS h). */
  hwaddrdup: boolean;
  /** Offlined by if_mpadm -d (its test addresses are down until an undo succeeds). */
  adminOffline: boolean;
}

export function isFunctioning(m: MemberRecord): boolean {
  return m.phase === 'running';
}

export function isActive(m: MemberRecord): boolean {
  return m.phase === 'running' && !m.inactive;
}

/**
 * Member `m` becomes running. Rules (spec §3.6):
 * 1. standby: INACTIVE iff nactive >= nnonstandby;
 * 2. non-standby being onlined or repaired with FAILBACK=yes: active, and if the group is now
 *    over capacity an active standby goes INACTIVE;
 * 3. non-standby repaired with FAILBACK=no: INACTIVE unless the group was failed or this is the
 *    member's first transition.
 */
export function transitionToRunning(
  members: MemberRecord[],
  m: MemberRecord,
  opts: { initial: boolean; onlining: boolean; failback: boolean },
): void {
  let nactive = 0;
  let nnonstandby = 0;
  let activeStandby: MemberRecord | undefined;
  for (const o of members) {
    if (!o.standby) nnonstandby++;
    if (o !== m && isActive(o)) {
      nactive++;
      if (o.standby) activeStandby = o;
    }
  }
  const groupFailed = !members.some((o) => o !== m && isFunctioning(o));
  if (m.standby) {
    m.inactive = nactive >= nnonstandby;
  } else if (opts.onlining || opts.failback) {
    m.inactive = false;
    if (nactive >= nnonstandby && activeStandby) activeStandby.inactive = true;
  } else {
    m.inactive = !opts.initial && !groupFailed;
  }
  m.phase = 'running';
  m.awaitingProbe = false;
}

/**
 * Rule 4: an active member failed, was offlined or removed: activate another functioning INACTIVE
 * member, preferring a standby. Like in.mpathd, without a standby the last candidate wins.
 */
export function activateAnother(members: MemberRecord[], gone: MemberRecord | undefined): MemberRecord | undefined {
  let pick: MemberRecord | undefined;
  for (const o of members) {
    if (o === gone || !isFunctioning(o) || !o.inactive) continue;
    pick = o;
    if (o.standby) break;
  }
  if (pick) pick.inactive = false;
  return pick;
}

/**
 * Rule 5, applied to every functioning standby after each change: trend towards at least one
 * active member and as many active members as non-standby members.
 */
export function refreshStandbys(members: MemberRecord[]): void {
  for (const m of members) {
    if (!m.standby || !isFunctioning(m)) continue;
    let nactive = 0;
    let nnonstandby = 0;
    for (const o of members) {
      if (!o.standby) nnonstandby++;
      if (isActive(o)) nactive++;
    }
    if (m.inactive) {
      if (nactive === 0 || nactive < nnonstandby) m.inactive = false;
    } else if (nactive > Math.max(nnonstandby, 1)) {
      // max(…, 1): unlike in.mpathd, never deactivate the last active member (all-standby group).
      m.inactive = true;
    }
  }
  // Safety net: a functioning group always has an active member (e.g. all inactive non-standbys
  // after a reload removed the only active one).
  if (!members.some(isActive)) activateAnother(members, undefined);
}
