// Plain-data views of rtnetlink objects: what the rest of ipmpd sees. Wire details
// (raw attributes, header padding) live in the per-object codec modules.

import type { Family } from '../sys/ip.js';

export type { Family };

export interface Link {
  index: number;
  name: string;
  /** net_device flags (IFF_*). */
  flags: number;
  up: boolean;
  running: boolean;
  lowerUp: boolean;
  /** 'up' | 'down' | 'lowerlayerdown' | 'unknown' | 'dormant' | 'testing' | 'notpresent' */
  operstate: string;
  carrier: boolean | undefined;
  mtu: number;
  /** 'aa:bb:cc:dd:ee:ff' (any length of hardware address, lower-case hex). */
  mac: string | undefined;
  /** Index of the bridge/bond this link is enslaved to. */
  master: number | undefined;
  /** IFLA_INFO_KIND: 'veth', 'bridge', 'vlan', 'macvlan', ... */
  kind: string | undefined;
  vlanId?: number;
  /** IFLA_LINK: the parent of a vlan/macvlan, or the peer index of a veth. */
  parentIndex?: number;
}

export interface Address {
  family: Family;
  index: number;
  prefixLen: number;
  /** IFA_LOCAL, or IFA_ADDRESS when there is no IFA_LOCAL (IPv6). */
  local: string;
  /** IFA_ADDRESS (the peer on point-to-point links). */
  address: string | undefined;
  /** 32-bit IFA_F_* flags (IFA_FLAGS when present, else ifa_flags). */
  flags: number;
  scope: number;
  label?: string;
  /** Seconds; 0xffffffff = forever. */
  preferredLft?: number;
  validLft?: number;
}

export interface AddressSpec {
  family: Family;
  index: number;
  address: string;
  prefixLen: number;
  flags?: number;
  label?: string;
  preferredLft?: number;
  /** 0xffffffff = forever. */
  validLft?: number;
  /** Peer address for point-to-point (IFA_ADDRESS); defaults to `address`. */
  peer?: string;
  scope?: number;
}

export interface Nexthop {
  ifindex: number;
  gateway?: string;
  /** 1..256, encoded on the wire as rtnh_hops = weight - 1. */
  weight: number;
}

export interface Route {
  family: Family;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  /** undefined = default route (no RTA_DST). */
  dst: string | undefined;
  dstLen: number;
  gateway?: string;
  oif?: number;
  prefsrc?: string;
  priority?: number;
  nexthops?: Nexthop[];
  /** rtm_tos (IPv4 route identity includes it); omitted when 0. */
  tos?: number;
}

/** table main(254), protocol static(4), scope link without a gateway else universe, type unicast by default. */
export type RouteSpec = Partial<Route> & { family: Family; dstLen: number };

export interface Neighbour {
  family: Family;
  index: number;
  address: string;
  mac: string | undefined;
  /** NUD_* bits. */
  state: number;
}

export interface LinkChange {
  up?: boolean;
  /** 0 = no master. */
  master?: number;
  mtu?: number;
  name?: string;
}
