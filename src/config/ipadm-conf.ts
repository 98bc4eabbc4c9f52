// Solaris 11 / illumos persistent ipadm store (/etc/ipadm/ipadm.conf) replayed into the
// HostState, like the ipadm scripts. Format (libipadm ipadm_persist.c): one record per line,
// "name=value;" pairs; blank lines, lines starting with blanks-then-#, are skipped; a name
// twice in one line makes the line corrupt and ipadm drops it; lines are read in 1024-byte
// pieces. Two dialects write the IPMP facts differently:
//   illumos libipadm: _families=2,26; _ifclass=1 (IPMP); _mifnames=a,b on the IPMP
//     interface; _gifname=<ipmp> on a member.
//   Oracle ipmgmtd:   _family=2 per line; _class=; one "_ifname=ipmp0;_underif=net0;" line
//     per member; an address's prefixlen on its own line under the same _aobjname;
//     interface properties (standby) on "_protocol=ip;" lines.
// Both are accepted in any mix; group membership, not the class number, makes an IPMP
// interface (Oracle's class numbers are not published).

import type { FindingSink } from './findings.js';
import type { LogicalState, Origin, PhysState } from './host-state.js';
import { newLogical, nextFreeIndex } from './host-state.js';
import { type IfconfigEnv, MAX_GROUP_NAME, resolveAddressWord } from './ifconfig-exec.js';
import { classfulPrefix, formatIp, ipv4ToInt } from './ip-address.js';

/** libipadm reads lines with fgets into 1024 bytes: longer lines split into two records. */
const MAX_LINE = 1023;
const AF_INET = '2';
const AF_INET6 = '26';
/** illumos ipadm_if_class_t: REGULAR, IPMP, … */
const ILLUMOS_CLASS_IPMP = '1';

interface ConfRecord {
  line: number;
  f: Map<string, string>;
}

/** Split into records the way libipadm would accept them; report the lines it drops. */
export function parseIpadmConf(text: string, file: string, sink: FindingSink): ConfRecord[] {
  const out: ConfRecord[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const s = raw.replace(/\r$/, '');
    const body = s.trimStart();
    if (body === '' || body.startsWith('#')) return;
    if (s.length > MAX_LINE) {
      sink.add('IPADM_CONF_BAD_LINE', file, line, `line is ${s.length} characters; ipadm reads at most ${MAX_LINE} and would split it; line ignored`);
      return;
    }
    const f = new Map<string, string>();
    for (const pair of body.split(';')) {
      if (pair.trim() === '') continue;
      const eq = pair.indexOf('=');
      const name = (eq === -1 ? pair : pair.slice(0, eq)).trim();
      if (f.has(name)) {
        sink.add('IPADM_CONF_BAD_LINE', file, line, `field "${name}" appears twice; ipadm treats the line as corrupt and drops it`);
        return;
      }
      f.set(name, eq === -1 ? '' : pair.slice(eq + 1).trim());
    }
    if (!f.has('_ifname') && !f.has('_protocol')) {
      sink.add('IPADM_CONF_BAD_LINE', file, line, 'no _ifname (interface or address) and no _protocol (property) field; line ignored');
      return;
    }
    out.push({ line, f });
  });
  return out;
}

interface AddrObj {
  phys: PhysState;
  rec: Map<string, string>;
  origin: Origin;
}

export function processIpadmConf(env: IfconfigEnv, file: string, text: string, links?: ReadonlySet<string>): void {
  const { host, sink } = env;
  host.clearview = true;
  const records = parseIpadmConf(text, file, sink);
  const at = (r: ConfRecord): Origin => ({ file, line: r.line });
  const groupOf = new Map<string, { ipmp: string; origin: Origin }>();
  const ipmpNames = new Set<string>();

  const iface = (name: string, r: ConfRecord): PhysState | null => {
    if (!/^[A-Za-z][\w.]*\d$/.test(name)) {
      sink.add('IPADM_CONF_BAD_LINE', file, r.line, `_ifname "${name}" is not an interface name (letters, digits, ending in a digit); line ignored`);
      return null;
    }
    return host.getPhys(name, at(r));
  };

  // Pass 1: interfaces and group membership, so addresses know where they live.
  for (const r of records) {
    const name = r.f.get('_ifname');
    if (name === undefined || r.f.has('_aobjname') || r.f.has('_protocol')) continue;
    const fams = (r.f.get('_families') ?? r.f.get('_family') ?? '').split(',').filter((x) => x !== '');
    const members = [
      ...(r.f.get('_mifnames') ?? '').split(','),
      r.f.get('_underif') ?? '',
    ].filter((x) => x !== '');
    const cls = r.f.get('_ifclass');
    if (members.length > 0 || cls === ILLUMOS_CLASS_IPMP) ipmpNames.add(name);
    const p = iface(name, r); if (!p) continue;
    for (const fam of fams) {
      if (fam === AF_INET) host.plumb(p, 'inet', at(r));
      else if (fam === AF_INET6) host.plumb(p, 'inet6', at(r));
      else sink.add('IPADM_CONF_BAD_LINE', file, r.line, `_family ${fam} of ${name} is neither 2 (IPv4) nor 26 (IPv6); ignored`);
    }
    if (ipmpNames.has(name)) {
      if (name.length > MAX_GROUP_NAME) { sink.add('GROUP_NAME_TOO_LONG', file, r.line, `IPMP interface/group name "${name}" is longer than ${MAX_GROUP_NAME} characters`); continue; }
      p.ipmp = true;
      p.group ??= { name, origin: at(r) };
      for (const m of members) if (!groupOf.has(m)) groupOf.set(m, { ipmp: name, origin: at(r) });
    }
    const g = r.f.get('_gifname');
    if (g) {
      ipmpNames.add(g);
      groupOf.set(name, { ipmp: g, origin: at(r) });
    }
  }
  for (const [m, { ipmp, origin }] of groupOf) {
    const g = host.phys.get(ipmp);
    if (!g) {
      sink.add('IPADM_UNKNOWN_OBJECT', origin.file, origin.line, `${m} names IPMP interface ${ipmp}, which the store does not define; membership ignored`);
      continue;
    }
    g.ipmp = true;
    g.group ??= { name: ipmp, origin };
    const p = host.getPhys(m, origin);
    if (p.families.size === 0) { host.plumb(p, 'inet', origin); host.plumb(p, 'inet6', origin); }
    p.group = { name: g.group.name, origin };
  }

  // IPMP interfaces are IP-only; every other interface sits on a datalink.
  if (links) {
    for (const p of host.phys.values()) {
      if (!p.ipmp && !links.has(p.name)) sink.add('DATALINK_UNKNOWN', p.origin.file, p.origin.line, `${p.name} is not a link in etc/dladm/datalink.conf; Solaris cannot plumb it at boot`);
    }
  }

  // Pass 2: interface properties and address objects (Oracle spreads one object over lines).
  const objs = new Map<string, AddrObj>();
  for (const r of records) {
    const name = r.f.get('_ifname');
    if (r.f.has('_protocol') && !r.f.has('_aobjname')) {
      for (const [k, v] of r.f) {
        if (k.startsWith('_')) continue;
        const p = name !== undefined ? host.phys.get(name) : undefined;
        if (k === 'standby' && p) {
          if (v !== 'on' && v !== 'off') { sink.add('IPADM_CONF_BAD_LINE', file, r.line, `standby=${v}: expected on or off`); continue; }
          p.standby = v === 'on';
          if (p.standby) p.standbyOrigin = at(r);
        } else if (k === 'standby') {
          sink.add('IPADM_UNKNOWN_OBJECT', file, r.line, `standby set on ${name ?? '(no interface)'}, which the store does not define`);
        } else sink.add('IPADM_UNSUPPORTED', file, r.line, `${name ? 'interface' : 'protocol'} property ${k}=${v} has no counterpart in ipmpd; ignored`);
      }
      continue;
    }
    const aobj = r.f.get('_aobjname');
    if (aobj === undefined || name === undefined) continue;
    let o = objs.get(aobj);
    if (!o) {
      const p = host.phys.get(name) ?? iface(name, r);
      if (!p) continue;
      o = { phys: p, rec: new Map(), origin: at(r) };
      objs.set(aobj, o);
    }
    for (const [k, v] of r.f) {
      o.rec.set(k, v);
      if (k === '_ipv4addr' || k === '_ipv6addr' || k === '_intfid' || k === '_dhcp') o.origin = at(r);
    }
  }

  const underlying: { phys: PhysState; l: LogicalState }[] = [];
  for (const [aobj, o] of objs) {
    const l = addAddress(env, aobj, o);
    if (l && !o.phys.ipmp) underlying.push({ phys: o.phys, l });
  }
  // Clearview: addresses on members are test addresses (NOFAILOVER, auto-deprecated).
  for (const { phys, l } of underlying) {
    if (phys.group) { l.nofailover = true; l.deprecated = true; l.nofailoverOrigin = l.origin; }
  }
}

function addAddress(env: IfconfigEnv, aobj: string, o: AddrObj): LogicalState | null {
  const { host, sink } = env;
  const { phys: p, rec, origin } = o;
  const { file, line } = origin;
  if (rec.has('_dhcp')) {
    sink.add('DYNAMIC_ADDRESS', file, line, `${aobj} is a DHCP address; ipmpd does not migrate dynamic addresses`);
    return null;
  }
  if (rec.has('_intfid')) {
    // addrconf: the IPv6 link-local (plus autoconf, which ipmpd does not manage).
    host.plumb(p, 'inet6', origin);
    const ll = p.logicals.find((l) => l.family === 'inet6' && l.index === 0)!;
    ll.up = true; ll.upOrigin = origin;
    return ll;
  }
  const v4 = rec.get('_ipv4addr');
  const v6 = rec.get('_ipv6addr');
  const value = v4 ?? v6;
  if (value === undefined) {
    sink.add('IPADM_CONF_BAD_LINE', file, line, `address object ${aobj} has no _ipv4addr, _ipv6addr, _intfid or _dhcp; ignored`);
    return null;
  }
  const family = v4 !== undefined ? 'inet' : 'inet6';
  const [local = '', remote = ''] = value.split(',');
  if (remote !== '') {
    p.incompatible.push({ what: `remote address ${remote}`, origin });
    sink.add('POINT_TO_POINT', file, line, `${aobj} has a remote (point-to-point) address; IPMP does not allow point-to-point addresses`);
  }
  const r = resolveAddressWord(local, family, env, origin);
  if (!r.ok) { sink.add(r.code, file, line, `${aobj}: ${r.why.replace('Solaris ifconfig fails with "bad address"', 'ipadm cannot restore it')}`); return null; }
  host.plumb(p, family, origin);
  const zero = p.logicals.find((l) => l.family === family && l.index === 0 && !l.removed);
  const l = zero && !zero.address && family === 'inet' ? zero : newLogical(p.name, family, nextFreeIndex(p, family), origin);
  if (l !== zero) p.logicals.push(l);
  let prefix = r.prefix;
  let source = 'explicit';
  const pl = rec.get('prefixlen');
  const max = family === 'inet' ? 32 : 128;
  if (pl !== undefined) {
    if (/^\d{1,3}$/.test(pl) && Number(pl) <= max) prefix = Number(pl);
    else sink.add('INVALID_PREFIX', file, line, `${aobj}: prefixlen "${pl}" is not 0..${max}`);
  }
  if (prefix === undefined) {
    if (family === 'inet6') { prefix = 64; source = 'default /64'; } else {
      const m = env.netmasks?.lookup(ipv4ToInt(r.addr.bytes)) ?? null;
      prefix = m ? m.prefix : classfulPrefix(ipv4ToInt(r.addr.bytes));
      source = m ? `netmasks (${m.entry.file}:${m.entry.line})` : 'classful';
      if (!m) sink.add('NETMASK_CLASSFUL', file, line, `no prefixlen for ${formatIp(r.addr)} and no netmasks entry; the classful /${prefix} is used`);
    }
  }
  l.address = { ...r.addr, prefix };
  l.prefixSource = source;
  l.autoLinkLocal = false;
  l.origin = origin;
  l.up = rec.get('up') !== 'no';
  if (l.up) l.upOrigin = origin;
  if (rec.get('deprecated') === 'on') l.deprecated = true;
  for (const [k, v] of rec) {
    if (k.startsWith('_') || k === 'prefixlen' || k === 'up' || k === 'deprecated') continue;
    sink.add('IPADM_UNSUPPORTED', file, line, `address property ${k}=${v} of ${aobj} has no counterpart in ipmpd; ignored`);
  }
  return l;
}
