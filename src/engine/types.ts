// The engine's public shapes: events in, placement intent and advisory changes out.
// Everything here is plain data so results can be logged, diffed and compared in tests.

import type { PlacementMode } from '../config/model.js';
import type { GroupState, InterfaceState, LinkState, ProbeState } from './states.js';
import type { Family } from '../net/addr.js';

export type EngineEvent =
  /** up = IFF_RUNNING && IFF_LOWER_UP as the daemon sees it. The first one per NIC only initialises. */
  | { type: 'link'; ifname: string; up: boolean }
  /** The NIC does not exist (not present at start, or removed): unusable. */
  | { type: 'link-missing'; ifname: string }
  /**
   * Verdict of the probe detector for a member. lastOkAt = time of the last acked probe,
   * failingSince = time of the first lost probe of the current failure run; both optional and
   * used only for in.mpathd's group-failure test (another member counts as working only if it
   * had a successful probe after this member started failing).
   */
  | { type: 'probe'; ifname: string; state: ProbeState; lastOkAt?: number; failingSince?: number }
  | { type: 'offline'; ifname: string }
  | { type: 'undo-offline'; ifname: string }
  /**
   * Members' hardware addresses (IFLA_ADDRESS, lower-case; null when the NIC has none or is
   * gone), the changed ones or all. Order matters: of two members taking the same address in
   * one event, the later one is offlined (the daemon lists them by ifindex).
   */
  | { type: 'hwaddr'; links: { ifname: string; mac: string | null }[] };

export interface EngineReply {
  ok: boolean;
  /** EUNKIF, EMINRED, EALREADY, ENOTOFFLINE, EHWADDRDUP (if_mpadm failures). */
  code?: string;
  message?: string;
}

export interface LogEvent {
  level: 'info' | 'warn' | 'error';
  ifname?: string;
  group: string;
  /** in.mpathd-style text. */
  msg: string;
  fields: Record<string, string | number | boolean | null>;
}

export interface TestAddressPlacement {
  /** address/prefix, always on its own NIC, never a source for ordinary traffic. */
  address: string;
  family: Family;
}

export interface MemberPlacement {
  ifname: string;
  /** Functioning and not INACTIVE: may carry data addresses and outbound traffic. */
  active: boolean;
  inactive: boolean;
  failed: boolean;
  offline: boolean;
  /** Offline because another member has its hardware address (ipmpstat FLAGS h). */
  hwaddrdup: boolean;
  /** Offlined by if_mpadm -d: its test addresses are down (Solaris if_mpadm takes them down). */
  adminOffline: boolean;
  standby: boolean;
  link: LinkState;
  probe: ProbeState;
  /** ipmpstat -i STATE. */
  state: InterfaceState;
  /** IPv4 multicast / broadcast nominee (ipmpstat m, b) and IPv6 multicast nominee (M). */
  nominee4: boolean;
  nominee6: boolean;
  /** The NIC exists (false after link-missing). */
  present: boolean;
  testAddresses: TestAddressPlacement[];
}

export interface AddressPlacement {
  /** address/prefix as configured. */
  address: string;
  family: Family;
  home: string;
  /**
   * NIC the address must be configured on now. On group failure this is where it last was
   * (nothing moves, nothing is deleted). null only for down addresses or when no NIC ever held it
   * and its home is not a member.
   */
  nic: string | null;
  /** false while the group has failed (ipmpstat INBOUND empty) or the address is down. */
  bound: boolean;
  up: boolean;
  deprecated: boolean;
}

export interface RouteNexthop {
  ifname: string;
  gateway?: string;
}

export interface RoutePlan {
  family: Family;
  /** Network "a.b.c.d/n" / "x::/n", or 'default'. */
  dst: string;
  /** Several nexthops = one multipath route (L4 hash is the apply layer's sysctl). */
  nexthops: RouteNexthop[];
  /** Preferred source: always a data address, never a test address (see routes.ts). */
  prefsrc?: string;
  purpose: 'prefix' | 'default' | 'test-subnet';
}

export interface GroupPlacement {
  /** '' for the anonymous group. */
  group: string;
  /** in.mpathd's anonymous group: tracked NICs in no group (not listed by ipmpstat -g). */
  anonymous?: true;
  mode: PlacementMode;
  state: GroupState;
  members: MemberPlacement[];
  addresses: AddressPlacement[];
  routes: RoutePlan[];
}

export interface Placement {
  groups: GroupPlacement[];
}

export type PlacementChange =
  | { kind: 'address-moved'; group: string; address: string; from: string; to: string }
  | { kind: 'address-placed'; group: string; address: string; to: string }
  | { kind: 'address-unplaced'; group: string; address: string; from: string }
  | { kind: 'routes-changed'; group: string }
  | { kind: 'member-changed'; group: string; ifname: string }
  | { kind: 'group-state'; group: string; from: GroupState; to: GroupState };

export interface EngineResult {
  placement: Placement;
  changes: PlacementChange[];
  log: LogEvent[];
  reply?: EngineReply;
  /**
   * Members whose probe history the probe detector must clear (link went down, or the member was
   * swept into a group failure); they must re-earn 'ok' before the engine repairs them.
   */
  probeResets: string[];
}
