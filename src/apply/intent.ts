// What the kernel should look like for the configured groups, in kernel terms (interface
// names, addresses, routes). The engine's placement is translated into this; the reconciler
// compares it with the kernel's view.

export interface AddressIntent {
  group: string;
  ifname: string;
  family: 4 | 6;
  /** Address without prefix. */
  address: string;
  prefixLen: number;
  role: 'data' | 'test';
  /** Never a preferred source: IPv6 preferred_lft 0 (IPv4 relies on route prefsrc instead). */
  deprecated: boolean;
}

export interface NexthopIntent { ifname: string; gateway?: string }

export interface RouteIntent {
  group: string;
  family: 4 | 6;
  /** Network address, or the unspecified address for a default route. */
  dst: string;
  dstLen: number;
  nexthops: NexthopIntent[];
  /** Source for traffic following the route: a data address, never a test address. */
  prefsrc?: string;
}

export interface Intent {
  /** Every interface named in the configuration; nothing else is ever touched. */
  members: string[];
  addresses: AddressIntent[];
  routes: RouteIntent[];
  /** Every address ipmpd manages (without prefix), placed or not: found anywhere else on a
   *  member, it is removed. Addresses not listed here are never touched. */
  managed: string[];
  /**
   * Members that work now (present, not failed, not offline). A data address leaving one of
   * them is removed only after its new home announced it and the group's failback grace passed
   * (make-before-break); leaving any other NIC, it goes at once. Absent: no grace anywhere.
   */
  healthy?: string[];
}

/** Routes ipmpd installs carry this protocol number, so they can be told from others. */
export const RTPROT_IPMPD = 73;
