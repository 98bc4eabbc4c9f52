// From the replayed Solaris host to the ipmpd model: group members with their test
// addresses, data addresses with their home NIC, and the findings that only make sense on
// the Solaris side (flags without a group, unplumbed families, never-up addresses, …).
// Every model element's Solaris origin is kept so model-level findings can point at it.

import type { FindingSink } from './findings.js';
import type { HostState, LogicalState, Origin, PhysState } from './host-state.js';
import { type Cidr, formatCidr, formatIp, isLinkLocal6, isUnspecified } from './ip-address.js';
import {
  DEFAULT_ANNOUNCE, type DataAddress, type GroupConfig, type InterfaceConfig, type IpmpConfig,
  type MpathdSettings,
} from './model.js';
import type { NameMapper } from './name-map.js';

export type OriginMap = Map<string, Origin>;

export interface HostToModelInput {
  host: HostState;
  mapper: NameMapper;
  sink: FindingSink;
  mpathd: MpathdSettings;
  defaultRouters: { address: string; origin: Origin }[];
  origins: OriginMap;
}

function describe(l: LogicalState): string {
  return l.address ? `${formatCidr(l.address)} (${l.name})` : l.name;
}

function usable(l: LogicalState): l is LogicalState & { address: Cidr } {
  return !l.removed && !l.dynamic && !l.pointToPoint && l.address !== undefined && !isUnspecified(l.address);
}

export function hostToModel(inp: HostToModelInput): IpmpConfig {
  const { host, mapper, sink, origins } = inp;
  const groups: GroupConfig[] = [];
  const groupIndex = new Map<string, number>();
  const members = new Map<string, PhysState[]>();
  const ipmpIfs = new Map<string, PhysState[]>();

  const order: { name: string; origin: Origin }[] = [];
  const anonymous: InterfaceConfig[] = [];
  const trackAll = !inp.mpathd.trackInterfacesOnlyWithGroups;
  for (const p of host.phys.values()) {
    const gname = p.group?.name ?? (p.ipmp ? p.name : undefined);
    if (gname === undefined) {
      if (trackAll) {
        origins.set(`anonymous.${anonymous.length}`, p.origin);
        anonymous.push(anonymousMember(p, mapper));
      }
      reportUngrouped(p, sink, trackAll);
      continue;
    }
    if (!order.some((o) => o.name === gname)) order.push({ name: gname, origin: p.group?.origin ?? p.origin });
    const bucket = p.ipmp ? ipmpIfs : members;
    bucket.set(gname, [...(bucket.get(gname) ?? []), p]);
  }
  for (const { name, origin } of order) {
    if (!members.has(name)) {
      // An IPMP interface alone: nothing ipmpd could manage.
      for (const ip of ipmpIfs.get(name) ?? []) {
        sink.add('EMPTY_GROUP', ip.origin.file, ip.origin.line, `IPMP interface ${ip.name} (group "${name}") has no underlying interfaces in the input; left out`);
      }
      continue;
    }
    groupIndex.set(name, groups.length);
    origins.set(`groups.${groups.length}`, origin);
    groups.push({ name, mode: 'outbound-spread', interfaces: [], dataAddresses: [], announce: { ...DEFAULT_ANNOUNCE }, probe: host.transitiveProbing ? 'transitive' : 'icmp' });
  }

  const seenData = new Map<string, Origin & { where: string; element: string }>();
  groups.forEach((g, gi) => {
    const mem = members.get(g.name) ?? [];
    const homed: { l: LogicalState & { address: Cidr }; home: string | null; via: PhysState }[] = [];
    const tests: { l: LogicalState & { address: Cidr }; element: string }[] = [];
    for (const p of mem) {
      const ii = g.interfaces.length;
      const iface: InterfaceConfig = { name: mapper.linuxName(p.name, p.group?.origin ?? p.origin), standby: p.standby, testAddresses: [], solarisName: p.name };
      origins.set(`groups.${gi}.interfaces.${ii}`, p.group?.origin ?? p.origin);
      if (p.standbyOrigin) origins.set(`groups.${gi}.interfaces.${ii}.standby`, p.standbyOrigin);
      for (const x of p.incompatible) {
        sink.add('NOT_IPMP_COMPATIBLE', x.origin.file, x.origin.line, `${x.what} on ${p.name}: an IPMP group member must use ARP/ND, have no point-to-point addresses and no usesrc`, undefined, `groups.${gi}.interfaces.${ii}`);
      }
      for (const l of byName(p.logicals)) {
        if (l.removed) continue;
        if (l.family === 'inet6' && l.autoLinkLocal) {
          if (l.nofailover) iface.ipv6LinkLocalTest = true;
          continue;
        }
        if (!usable(l)) continue;
        if (l.nofailover) {
          const element = `groups.${gi}.interfaces.${ii}.testAddresses.${iface.testAddresses.length}`;
          origins.set(element, l.origin);
          iface.testAddresses.push(formatCidr(l.address));
          tests.push({ l, element });
        } else if (isLinkLocal6(l.address)) {
          continue; // link-locals never fail over; without -failover they are not test addresses either
        } else {
          homed.push({ l, home: iface.name, via: p });
        }
      }
      g.interfaces.push(iface);
    }
    for (const ip of ipmpIfs.get(g.name) ?? []) {
      for (const l of byName(ip.logicals)) if (usable(l) && !isLinkLocal6(l.address)) homed.push({ l, home: null, via: ip });
    }
    // One NIC and no data address: the Solaris idiom "ifconfig hme0 group g -failover" makes
    // the test address the host's address too, so it must stay usable as a source.
    const soleAddress = mem.length === 1 && homed.length === 0;
    for (const { l, element } of tests) checkTestLogical(l, host.clearview || soleAddress, sink, element);
    for (const { l, home, via } of homed) {
      const key = formatIp(l.address);
      const prev = seenData.get(key);
      if (prev) {
        sink.add('DUPLICATE_DATA_ADDRESS', l.origin.file, l.origin.line,
          `data address ${describe(l)} is also configured on ${prev.where} (${prev.file}:${prev.line}); Solaris would bring the same address up twice (duplicate address). Kept once, on ${prev.where}`, undefined, prev.element);
        continue;
      }
      const element = `groups.${gi}.dataAddresses.${g.dataAddresses.length}`;
      if (!l.up) {
        sink.add('ADDRESS_NOT_UP', l.origin.file, l.origin.line, `data address ${describe(l)} is never marked up${host.multiLineFiles.has(l.origin.file) ? ' (multi-line hostname files get no implicit "up")' : ''}; kept with up: false`, undefined, element);
      }
      let homeName = home;
      if (homeName === null) {
        homeName = leastLoaded(g);
        if (homeName === null) continue;
        sink.add('DATA_HOME_ASSIGNED', l.origin.file, l.origin.line, `${formatCidr(l.address)} lives on IPMP interface ${via.name}, where the kernel binds it to an active member; ipmpd homes it on ${homeName}`, undefined, element);
      }
      seenData.set(key, { ...l.origin, where: via.ipmp ? via.name : l.name, element });
      origins.set(element, l.origin);
      const d: DataAddress = { address: formatCidr(l.address), interface: homeName, deprecated: l.deprecated, up: l.up };
      g.dataAddresses.push(d);
    }
    checkFamilies(mem, sink, gi);
    g.mode = g.interfaces.some((i) => i.standby) ? 'active-standby' : 'outbound-spread';
  });

  inp.defaultRouters.forEach((r, i) => origins.set(`defaultRouters.${i}`, r.origin));
  const config: IpmpConfig = { mpathd: { ...inp.mpathd }, defaultRouters: inp.defaultRouters.map((r) => r.address), groups };
  if (anonymous.length > 0) config.anonymous = anonymous;
  return config;
}

/** Solaris order: IPv4 before IPv6, then by logical unit number. */
function byName(ls: LogicalState[]): LogicalState[] {
  return [...ls].sort((a, b) => (a.family === b.family ? a.index - b.index : a.family === 'inet' ? -1 : 1));
}

/** Clearview binds each data address to the active member with the fewest addresses. */
function leastLoaded(g: GroupConfig): string | null {
  const candidates = g.interfaces.filter((i) => !i.standby);
  const pool = candidates.length > 0 ? candidates : g.interfaces;
  let best: string | null = null;
  let bestN = Infinity;
  for (const i of pool) {
    const n = g.dataAddresses.filter((d) => d.interface === i.name).length;
    if (n < bestN) { best = i.name; bestN = n; }
  }
  return best;
}

function checkTestLogical(l: LogicalState & { address: Cidr }, clearview: boolean, sink: FindingSink, element: string): void {
  if (l.family === 'inet' && !l.deprecated && !clearview) {
    sink.add('TEST_ADDRESS_NOT_DEPRECATED', l.origin.file, l.origin.line,
      `IPv4 test address ${describe(l)} is not marked deprecated: applications may use it as a source address, and it never fails over`, undefined, element);
  }
  if (!l.up) {
    sink.add('ADDRESS_NOT_UP', l.origin.file, l.origin.line, `test address ${describe(l)} is never marked up, so in.mpathd cannot probe from it`, undefined, element);
  }
  if (l.noxmit || l.nolocal) {
    sink.add('TEST_ADDRESS_UNUSABLE', l.origin.file, l.origin.line, `test address ${describe(l)} is ${l.noxmit ? '-xmit' : '-local'}; in.mpathd skips such addresses`, undefined, element);
  }
}

/**
 * A NIC in no group under TRACK_INTERFACES_ONLY_WITH_GROUPS=no: in.mpathd's anonymous group
 * probes from its -failover addresses (IPv6: link-local ones only).
 */
function anonymousMember(p: PhysState, mapper: NameMapper): InterfaceConfig {
  const tests = p.logicals.filter(usable).filter((l) => l.nofailover && l.up && (l.family === 'inet' || isLinkLocal6(l.address)));
  return { name: mapper.linuxName(p.name, p.origin), standby: false, testAddresses: tests.map((l) => formatCidr(l.address)), solarisName: p.name };
}

function reportUngrouped(p: PhysState, sink: FindingSink, tracked: boolean): void {
  const addrs = p.logicals.filter(usable);
  if (addrs.length > 0) {
    const how = tracked
      ? 'is tracked for failure in the anonymous group (TRACK_INTERFACES_ONLY_WITH_GROUPS=no), but its data addresses'
      : 'is in no IPMP group; its addresses';
    sink.add('NOT_IN_GROUP', p.origin.file, p.origin.line, `${p.name} ${how} (${addrs.filter((l) => !(tracked && l.nofailover)).map((l) => formatCidr(l.address)).join(', ') || 'none'}) are not managed by ipmpd and are left out`);
  }
  const nofail = p.logicals.find((l) => !l.removed && l.nofailover);
  if (nofail && !tracked) {
    const o = nofail.nofailoverOrigin ?? nofail.origin;
    sink.add('GROUP_MISMATCH', o.file, o.line, `${nofail.name} is marked -failover (a test address) but ${p.name} is in no IPMP group`);
  }
  if (p.standby) {
    const o = p.standbyOrigin ?? p.origin;
    sink.add('GROUP_MISMATCH', o.file, o.line, `${p.name} is marked standby but is in no IPMP group`);
  }
}

/** `mem` is in member order, so a member's index is its index in the group's interfaces. */
function checkFamilies(mem: PhysState[], sink: FindingSink, gi: number): void {
  for (const fam of ['inet', 'inet6'] as const) {
    const have = mem.filter((p) => p.families.has(fam));
    if (have.length === 0 || have.length === mem.length) continue;
    mem.forEach((p, ii) => {
      if (p.families.has(fam)) return;
      sink.add('FAMILY_NOT_PLUMBED_ON_ALL_MEMBERS', p.origin.file, p.origin.line,
        `${p.name} is not plumbed for ${fam === 'inet' ? 'IPv4' : 'IPv6'} but ${have.map((x) => x.name).join(', ')} ${have.length > 1 ? 'are' : 'is'}; in.mpathd warns this "may affect failover capability"`, undefined, `groups.${gi}.interfaces.${ii}`);
    });
  }
}
