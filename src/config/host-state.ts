// What a Solaris host would look like after boot: physical interfaces with their logical
// interfaces, flags and group. Both hostname.* files and ipadm scripts are replayed into
// this state; the model is then derived from it (host-to-model.ts).

import type { Cidr } from './ip-address.js';

export type AddrFamily = 'inet' | 'inet6';

export interface Origin {
  file: string;
  line: number;
}

export interface LogicalState {
  /** Solaris name: ce0, ce0:2 or an ipadm address object such as net0/v4. */
  name: string;
  family: AddrFamily;
  index: number;
  address?: Cidr;
  /** Where the address was set (or the logical created). */
  origin: Origin;
  /** How the prefix was obtained, for messages. */
  prefixSource?: string;
  up: boolean;
  upOrigin?: Origin;
  deprecated: boolean;
  nofailover: boolean;
  nofailoverOrigin?: Origin;
  noxmit: boolean;
  nolocal: boolean;
  /** IPv6 :0 whose address is the automatic link-local. */
  autoLinkLocal: boolean;
  pointToPoint: boolean;
  removed: boolean;
  /** Address managed by DHCP (ipadm -T dhcp, dhcp.<if>). */
  dynamic: boolean;
}

export interface GroupSetting {
  name: string;
  origin: Origin;
}

export interface PhysState {
  name: string;
  families: Map<AddrFamily, Origin>;
  logicals: LogicalState[];
  group?: GroupSetting;
  standby: boolean;
  standbyOrigin?: Origin;
  /** Clearview IPMP interface (hostname.ipmpN, `ipmp` token, ipadm create-ipmp). */
  ipmp: boolean;
  /** Where this interface first appears. */
  origin: Origin;
  /** Tokens that make the interface unfit for an IPMP group (-arp, usesrc, …). */
  incompatible: { what: string; origin: Origin }[];
}

export class HostState {
  readonly phys = new Map<string, PhysState>();
  /** Clearview semantics (ipadm or hostname.ipmpN): test addresses are auto-deprecated. */
  clearview = false;
  /** svccfg … config/transitive-probing=true (Solaris 11.2+): groups get probe: transitive. */
  transitiveProbing = false;
  /** hostname files run without the one-line epilogue (several commands). */
  readonly multiLineFiles = new Set<string>();

  getPhys(name: string, origin: Origin): PhysState {
    let p = this.phys.get(name);
    if (!p) {
      p = { name, families: new Map(), logicals: [], standby: false, ipmp: false, origin, incompatible: [] };
      this.phys.set(name, p);
    }
    return p;
  }

  /** Plumb a family (idempotent); IPv6 brings its automatic link-local on :0. */
  plumb(p: PhysState, family: AddrFamily, origin: Origin): void {
    if (!p.families.has(family)) p.families.set(family, origin);
    if (!findLogical(p, family, 0)) {
      p.logicals.push(newLogical(p.name, family, 0, origin, family === 'inet6'));
    }
  }
}

export function newLogical(phys: string, family: AddrFamily, index: number, origin: Origin, autoLinkLocal = false): LogicalState {
  return {
    name: index === 0 ? phys : `${phys}:${index}`,
    family, index, origin, up: false, deprecated: false, nofailover: false, noxmit: false,
    nolocal: false, autoLinkLocal, pointToPoint: false, removed: false, dynamic: false,
  };
}

export function findLogical(p: PhysState, family: AddrFamily, index: number): LogicalState | undefined {
  return p.logicals.find((l) => l.family === family && l.index === index && !l.removed);
}

/** Lowest free logical index ≥ 1 (Solaris addif picks the next unused one). */
export function nextFreeIndex(p: PhysState, family: AddrFamily): number {
  const used = new Set(p.logicals.filter((l) => l.family === family && !l.removed).map((l) => l.index));
  let i = 1;
  while (used.has(i)) i++;
  return i;
}

export function physicalName(ifname: string): { phys: string; index: number } {
  const m = /^(.*):(\d+)$/.exec(ifname);
  return m ? { phys: m[1]!, index: Number(m[2]) } : { phys: ifname, index: 0 };
}
