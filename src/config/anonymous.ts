// in.mpathd's anonymous group (TRACK_INTERFACES_ONLY_WITH_GROUPS=no): the NICs the
// configuration names outside any group, tracked for failure and shown by ipmpstat with an
// empty GROUP, never failed over. The daemon runs it as one more group named ''.
import { DEFAULT_ANNOUNCE, type GroupConfig, type IpmpConfig } from './model.js';

/** The anonymous group, when it is tracked and has members. */
export function anonymousGroup(config: IpmpConfig): GroupConfig | undefined {
  const members = config.anonymous ?? [];
  if (config.mpathd.trackInterfacesOnlyWithGroups || members.length === 0) return undefined;
  return {
    name: '',
    anonymous: true,
    mode: 'outbound-spread',
    interfaces: members.map((m) => ({ ...m, standby: false })),
    dataAddresses: [],
    announce: DEFAULT_ANNOUNCE,
    probe: 'icmp',
  };
}

/** Every group the daemon tracks: the configured ones, then the anonymous one. */
export function trackedGroups(config: IpmpConfig): GroupConfig[] {
  const anon = anonymousGroup(config);
  return anon ? [...config.groups, anon] : config.groups;
}
