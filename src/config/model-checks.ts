// Checks on the model itself, shared by both inputs (Solaris tree and native YAML). A
// Locator turns a model path (groups.0.interfaces.1) into file:line of whichever input
// produced it, so the same finding points at a hostname file or at a YAML line.

import { FindingSink, type FindingCode } from './findings.js';
import { MAX_GROUP_NAME } from './ifconfig-exec.js';
import {
  type Cidr, formatIp, inSubnet, isLinkLocal6, parseCidr, parseIp, specialAddressProblem, subnetKey,
} from './ip-address.js';
import type { IpmpConfig } from './model.js';
import { linuxNameProblem } from './name-map.js';

export type ModelPath = (string | number)[];
export type Locator = (path: ModelPath) => { file: string; line: number; column?: number };

export interface ModelCheckOptions {
  /** The model came from YAML: also check what Solaris input cannot produce. */
  fromYaml: boolean;
}

export function checkModel(cfg: IpmpConfig, locate: Locator, sink: FindingSink, opts: ModelCheckOptions): void {
  const report = (code: FindingCode, path: ModelPath, message: string): void => {
    const at = locate(path);
    sink.add(code, at.file, at.line, message, at.column, path.join('.'));
  };

  const fmtPath = (p: ModelPath): string => {
    const at = locate(p);
    return `${at.file}:${at.line}`;
  };

  const memberOf = new Map<string, string>();
  const allAddrs = new Map<string, { what: string; path: ModelPath }>();
  const subnetGroups = new Map<string, Set<string>>();
  const seenGroups = new Set<string>();

  // A configuration that manages nothing is a mistake (an empty or wrong file), and as the
  // daemon's configuration it would remove every route ipmpd owns.
  if (cfg.groups.length === 0) report('NO_GROUPS', ['groups'], 'the configuration defines no IPMP group; there is nothing to manage');

  cfg.groups.forEach((g, gi) => {
    const gp: ModelPath = ['groups', gi];
    if (opts.fromYaml) {
      if (seenGroups.has(g.name)) report('DUPLICATE_GROUP', [...gp, 'name'], `group "${g.name}" is defined twice`);
      if (g.name.length > MAX_GROUP_NAME) report('GROUP_NAME_TOO_LONG', [...gp, 'name'], `group name "${g.name}" has ${g.name.length} characters; Solaris allows at most ${MAX_GROUP_NAME}`);
    }
    seenGroups.add(g.name);

    if (g.interfaces.length === 1) report('SINGLE_INTERFACE_GROUP', gp, `group "${g.name}" has only ${g.interfaces[0]!.name}: nothing to fail over to`);
    if (g.interfaces.length > 0 && g.interfaces.every((i) => i.standby)) report('ALL_STANDBY', gp, `every member of group "${g.name}" is standby; Solaris then activates standbys anyway`);

    const names = new Set<string>();
    const tests: { c: Cidr; ii: number; ti: number }[] = [];
    g.interfaces.forEach((iface, ii) => {
      const ip: ModelPath = [...gp, 'interfaces', ii];
      if (opts.fromYaml) {
        const problem = linuxNameProblem(iface.name);
        if (problem) report('INVALID_LINUX_NAME', [...ip, 'name'], `interface name "${iface.name}" ${problem}`);
      }
      if (names.has(iface.name)) report('DUPLICATE_INTERFACE', [...ip, 'name'], `${iface.name} is listed twice in group "${g.name}"`);
      names.add(iface.name);
      const other = memberOf.get(iface.name);
      if (other !== undefined && other !== g.name) report('INTERFACE_IN_TWO_GROUPS', [...ip, 'name'], `${iface.name} is in group "${other}" and in group "${g.name}"; an interface belongs to one group`);
      memberOf.set(iface.name, g.name);

      // probe: transitive probes such a member without a test address (for its data families).
      if (iface.testAddresses.length === 0 && !iface.ipv6LinkLocalTest && !(g.probe === 'transitive' && g.dataAddresses.length > 0)) {
        report('NO_TEST_ADDRESS', ip, `${iface.name} has no test address: failures are detected from link state only`);
      }
      iface.testAddresses.forEach((t, ti) => {
        const c = parseCidr(t);
        if (!c) return; // schema already reported it
        const tp: ModelPath = [...ip, 'testAddresses', ti];
        const special = specialAddressProblem(c, false);
        if (special) report('SPECIAL_ADDRESS', tp, `test address ${t} ${special}`);
        if (c.family === 6 && !isLinkLocal6(c)) {
          report('IPV6_TEST_NOT_LINK_LOCAL', tp, `IPv6 test address ${t} is not link-local; in.mpathd only probes from link-local (fe80::/10) test addresses`);
        }
        const key = formatIp(c);
        const prev = allAddrs.get(key);
        if (prev) {
          report(prev.what === 'test' ? 'TEST_ADDRESS_NOT_UNIQUE' : 'ADDRESS_CONFLICT', tp,
            `test address ${key} is also ${prev.what === 'test' ? 'the test address' : `a ${prev.what} address`} at ${fmtPath(prev.path)}${prev.what === 'test' ? '; Solaris disables probe-based detection on such an interface' : ''}`);
        } else allAddrs.set(key, { what: 'test', path: tp });
        tests.push({ c, ii, ti });
        noteSubnet(subnetGroups, c, g.name);
      });
      if (iface.standby && g.dataAddresses.some((d) => d.interface === iface.name)) {
        report('STANDBY_HAS_DATA', [...ip, 'standby'], `standby interface ${iface.name} is the home of data addresses (${g.dataAddresses.filter((d) => d.interface === iface.name).map((d) => d.address).join(', ')}); a standby carries only its test address, so they will sit on an active member`);
      }
    });

    // Test addresses of one family should share one subnet: probe targets must be on it.
    const v4 = tests.filter((t) => t.c.family === 4);
    const nets = new Set(v4.map((t) => subnetKey(t.c)));
    if (nets.size > 1) {
      const first = v4[0]!;
      for (const t of v4.slice(1)) {
        if (subnetKey(t.c) !== subnetKey(first.c)) {
          report('TEST_SUBNET_MISMATCH', [...gp, 'interfaces', t.ii, 'testAddresses', t.ti],
            `test address ${g.interfaces[t.ii]!.testAddresses[t.ti]} is in ${subnetKey(t.c)}, but ${g.interfaces[first.ii]!.testAddresses[first.ti]} is in ${subnetKey(first.c)}; all test addresses of group "${g.name}" should share one subnet`);
        }
      }
    }

    g.dataAddresses.forEach((d, di) => {
      const dp: ModelPath = [...gp, 'dataAddresses', di];
      const c = parseCidr(d.address);
      if (!c) return;
      const special = specialAddressProblem(c, true);
      if (special) report('SPECIAL_ADDRESS', dp, `data address ${d.address} ${special}`);
      if (!names.has(d.interface)) {
        report('DATA_HOME_NOT_MEMBER', [...dp, 'interface'], `home interface ${d.interface} of ${d.address} is not a member of group "${g.name}"`);
      }
      const key = formatIp(c);
      const prev = allAddrs.get(key);
      if (prev) {
        report(prev.what === 'data' ? 'DUPLICATE_DATA_ADDRESS' : 'ADDRESS_CONFLICT', dp, `data address ${key} is also ${prev.what === 'data' ? 'a data address' : `a ${prev.what} address`} at ${fmtPath(prev.path)}`);
      } else allAddrs.set(key, { what: 'data', path: dp });
      noteSubnet(subnetGroups, c, g.name);
      // The group's subnet-compatible set: the subnets its test addresses probe.
      const sameFamily = tests.filter((t) => t.c.family === c.family && !(c.family === 6 && isLinkLocal6(t.c)));
      const containing = sameFamily.filter((t) => inSubnet(c, t.c, Math.min(t.c.prefix, c.prefix)));
      if (containing.some((t) => t.c.prefix !== c.prefix)) {
        const t = containing.find((x) => x.c.prefix !== c.prefix)!;
        report('PREFIX_MISMATCH', dp, `data address ${d.address} overlaps test subnet ${subnetKey(t.c)} with a different prefix length (/${c.prefix} vs /${t.c.prefix}); check netmasks`);
      } else if (sameFamily.length > 0 && containing.length === 0) {
        report('DATA_OUTSIDE_TEST_SUBNETS', dp, `data address ${d.address} is in none of group "${g.name}"'s test subnets (${[...new Set(sameFamily.map((t) => subnetKey(t.c)))].join(', ')}); probes do not exercise its subnet`);
      }
    });

    // Probe targets: routers on the test subnet, else multicast echo to hosts.
    if (v4.length > 0 && !cfg.defaultRouters.some((r) => { const a = parseIp(r); return a !== null && v4.some((t) => inSubnet(a, t.c, t.c.prefix)); })) {
      report('NO_ROUTER_IN_TEST_SUBNET', gp, `no default router is on the IPv4 test subnet of group "${g.name}"; probes go to hosts answering multicast echo to 224.0.0.1, which Linux hosts ignore by default (net.ipv4.icmp_echo_ignore_broadcasts=1): on a Linux network probing then never works and PROBE/STATE stay unknown; add a default router on that subnet`);
    }
  });

  (cfg.anonymous ?? []).forEach((iface, ai) => {
    const ip: ModelPath = ['anonymous', ai];
    if (cfg.mpathd.trackInterfacesOnlyWithGroups) {
      report('ANONYMOUS_NOT_TRACKED', ip, `${iface.name} is in no group and trackInterfacesOnlyWithGroups is true (TRACK_INTERFACES_ONLY_WITH_GROUPS=yes): it is not tracked`);
    }
    if (opts.fromYaml) {
      const problem = linuxNameProblem(iface.name);
      if (problem) report('INVALID_LINUX_NAME', [...ip, 'name'], `interface name "${iface.name}" ${problem}`);
    }
    const other = memberOf.get(iface.name);
    if (other !== undefined) {
      report(other === '' ? 'DUPLICATE_INTERFACE' : 'INTERFACE_IN_TWO_GROUPS', [...ip, 'name'],
        other === '' ? `${iface.name} is listed twice in anonymous` : `${iface.name} is in group "${other}" and in anonymous; an interface belongs to one group`);
    }
    memberOf.set(iface.name, '');
    iface.testAddresses.forEach((t, ti) => {
      const c = parseCidr(t);
      if (!c) return;
      const tp: ModelPath = [...ip, 'testAddresses', ti];
      const special = specialAddressProblem(c, false);
      if (special) report('SPECIAL_ADDRESS', tp, `test address ${t} ${special}`);
      const key = formatIp(c);
      const prev = allAddrs.get(key);
      if (prev) report('ADDRESS_CONFLICT', tp, `test address ${key} is also a ${prev.what} address at ${fmtPath(prev.path)}`);
      else allAddrs.set(key, { what: 'test', path: tp });
    });
  });

  for (const [net, groups] of subnetGroups) {
    if (groups.size > 1) {
      const gi = cfg.groups.findIndex((g) => g.name === [...groups][1]);
      report('GROUP_MISMATCH', ['groups', gi], `subnet ${net} has addresses in groups ${[...groups].map((g) => `"${g}"`).join(' and ')}; Solaris allows one IPMP group per subnet`);
    }
  }

  cfg.defaultRouters.forEach((r, ri) => {
    const a = parseIp(r);
    if (!a) return;
    const prev = allAddrs.get(formatIp(a));
    if (prev) report('ADDRESS_CONFLICT', ['defaultRouters', ri], `default router ${r} is also a ${prev.what} address at ${fmtPath(prev.path)}`);
  });
}

function noteSubnet(m: Map<string, Set<string>>, c: Cidr, group: string): void {
  if (c.family === 6 && isLinkLocal6(c)) return; // every link has fe80::/64
  const k = subnetKey(c);
  m.set(k, (m.get(k) ?? new Set()).add(group));
}

