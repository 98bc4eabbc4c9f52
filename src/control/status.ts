// What the daemon reports about itself: the data behind ipmpstat and `-j`. The engine
// fills it, the control socket carries it, the CLI renders it. Field meanings follow
// Solaris ipmpstat(8); Linux has no IPMP interface, so a group's "IPMP interface" is its name.

import type { GroupState, InterfaceState, LinkState, ProbeState } from '../engine/states.js';

export type { GroupState, InterfaceState, LinkState, ProbeState };

export interface GroupStatus {
  /** ipmpstat GROUP: the IPMP interface name (= group name on Linux). */
  group: string;
  /** ipmpstat GROUPNAME. */
  groupname: string;
  state: GroupState;
  /** Failure detection time in ms; null when no member probes (ipmpstat prints --). */
  fdtMs: number | null;
  /** Active members, then inactive ones, then unusable ones (ipmpstat INTERFACES). */
  active: string[];
  inactive: string[];
  unusable: string[];
}

export interface InterfaceFlags {
  inactive: boolean;   // i
  standby: boolean;    // s
  mcast4: boolean;     // m: IPv4 multicast nominee
  bcast4: boolean;     // b: IPv4 broadcast nominee
  mcast6: boolean;     // M: IPv6 multicast nominee
  down: boolean;       // d: no UP address
  hwaddrdup: boolean;  // h: offlined for a duplicate MAC
}

export interface InterfaceStatus {
  interface: string;
  active: boolean;
  group: string;
  flags: InterfaceFlags;
  link: LinkState;
  probe: ProbeState;
  state: InterfaceState;
}

export interface AddressStatus {
  /** Address without prefix, as ipmpstat -a prints it. */
  address: string;
  prefixLen: number;
  /** 'duplicate': another host claimed it recently (ARP/NA from a MAC that is not ours). */
  state: 'up' | 'down' | 'duplicate';
  group: string;
  /** NIC the address is bound to now; null when nowhere (group failed or address down). */
  inbound: string | null;
  /** Every active member of the group. */
  outbound: string[];
}

export interface TargetStatus {
  interface: string;
  family: 4 | 6;
  /** transitive: probed without a test address (TESTADDR empty). */
  mode: 'routes' | 'multicast' | 'disabled' | 'transitive';
  testAddress: string | null;
  /** Probe targets in firing order. */
  targets: string[];
}

export interface ProbeRecord {
  /** ms since the epoch when the probe was sent. */
  sentAtMs: number;
  interface: string;
  probe: number;
  netRttMs: number | null;
  rttMs: number | null;
  rttAvgMs: number | null;
  rttDevMs: number | null;
  target: string;
  outcome: 'acked' | 'lost';
}

export interface StatusSnapshot {
  groups: GroupStatus[];
  interfaces: InterfaceStatus[];
  addresses: AddressStatus[];
  targets: TargetStatus[];
}
