// Per-group runtime state of the engine, and how a (re)loaded group config inherits it.

import type { GroupConfig } from '../config/model.js';
import type { GroupState } from './states.js';
import type { Family } from '../net/addr.js';
import { activateAnother, isActive, isFunctioning, type MemberRecord } from './roles.js';
import type { RoutePlan } from './types.js';

export interface GroupRuntime {
  config: GroupConfig;
  /** in.mpathd's anonymous group (TRACK_INTERFACES_ONLY_WITH_GROUPS=no): detection only, always ok. */
  anonymous: boolean;
  members: MemberRecord[];
  /** Waits until every member's link state is known, so start-up does not shuffle addresses. */
  initialised: boolean;
  state: GroupState;
  nominee: Map<Family, string | undefined>;
  /** Current NIC of each data address. */
  nic: Map<string, string | null>;
  routes: RoutePlan[];
}

export function newGroup(config: GroupConfig, old: GroupRuntime | undefined): GroupRuntime {
  const members = config.interfaces.map((i): MemberRecord => {
    const prev = old?.members.find((m) => m.name === i.name);
    return {
      name: i.name,
      standby: i.standby,
      testAddresses: [...i.testAddresses],
      canProbe: i.testAddresses.length > 0 || i.ipv6LinkLocalTest === true || (config.probe === 'transitive' && config.dataAddresses.length > 0),
      phase: prev?.phase ?? 'init',
      inactive: prev?.inactive ?? false,
      awaitingProbe: prev?.awaitingProbe ?? false,
      flapLogged: prev?.flapLogged ?? false,
      hwaddrdup: prev?.hwaddrdup ?? false,
      adminOffline: prev?.adminOffline ?? false,
      ...(prev?.mac !== undefined ? { mac: prev.mac } : {}),
    };
  });
  // Rule 4 for members removed by a reload while active.
  for (const gone of old?.members ?? []) {
    if (isActive(gone) && !members.some((m) => m.name === gone.name)) activateAnother(members, undefined);
  }
  const nic = new Map<string, string | null>();
  for (const a of config.dataAddresses) nic.set(a.address, old?.nic.get(a.address) ?? null);
  return {
    config,
    anonymous: config.anonymous === true,
    members,
    initialised: old?.initialised ?? false,
    state: old?.state ?? (config.anonymous ? 'ok' : 'failed'),
    nominee: new Map(old?.nominee ?? []),
    nic,
    routes: old?.routes ?? [],
  };
}

export function groupState(members: MemberRecord[]): GroupState {
  const n = members.filter(isFunctioning).length;
  if (n === 0) return 'failed';
  return n === members.length ? 'ok' : 'degraded';
}
