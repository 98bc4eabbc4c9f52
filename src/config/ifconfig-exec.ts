// Replays one `ifconfig <if> inet|inet6 words…` command (as Solaris boot runs it for a
// hostname-file line) against the HostState. Follows ifconfig's rules: words apply left to
// right to the current logical interface, `addif` switches to a new logical for every later
// word, unknown words are addresses, the last `netmask` on the line is pre-applied to every
// address set, and a failing "abort" keyword or bad address ends the command.

import { FindingSink } from './findings.js';
import {
  type AddrFamily, type HostState, type LogicalState, type Origin, type PhysState,
  findLogical, newLogical, nextFreeIndex, physicalName,
} from './host-state.js';
import type { HostsDb } from './hosts-db.js';
import { DHCP_FIRST_WORDS, IFCONFIG_TOKENS, suggestToken } from './ifconfig-tokens.js';
import {
  type IpAddr, classfulPrefix, formatIp, ipv4ToInt, maskToPrefix, parseIpv4, parseIpv6,
} from './ip-address.js';
import type { NetmasksDb } from './netmasks-db.js';

export const MAX_GROUP_NAME = 31;

export interface IfconfigEnv {
  host: HostState;
  hosts: HostsDb;
  netmasks: NetmasksDb | null;
  sink: FindingSink;
}

export interface IfconfigCommand {
  /** Interface as named by the file: ce0, ce0:1, ipmp0. */
  ifname: string;
  family: AddrFamily;
  words: string[];
  origin: Origin;
}

type Resolved = { ok: true; addr: IpAddr; prefix?: number } | { ok: false; why: string; code: 'UNRESOLVED_NAME' | 'INVALID_PREFIX' };

/** Resolve an address word as ifconfig would (literal, then hosts/ipnodes), `/prefix` allowed. */
export function resolveAddressWord(word: string, family: AddrFamily, env: IfconfigEnv, origin: Origin): Resolved {
  let name = word;
  let prefix: number | undefined;
  const slash = word.lastIndexOf('/');
  if (slash !== -1) {
    name = word.slice(0, slash);
    const p = word.slice(slash + 1);
    const max = family === 'inet' ? 32 : 128;
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return { ok: false, why: `"${word}": bad prefix length "/${p}" (0..${max}); ifconfig stops here`, code: 'INVALID_PREFIX' };
    prefix = Number(p);
  }
  if (family === 'inet') {
    if (name === '0xffffffff') return { ok: true, addr: { family: 4, bytes: Uint8Array.of(255, 255, 255, 255) }, prefix };
    const lit = parseIpv4(name);
    if (lit) return { ok: true, addr: { family: 4, bytes: lit }, prefix };
    if (parseIpv6(name)) return { ok: false, why: `${name} is an IPv6 address in an IPv4 (hostname.*) command; it belongs in hostname6.*`, code: 'UNRESOLVED_NAME' };
  } else {
    const lit = parseIpv6(name);
    if (lit) return { ok: true, addr: { family: 6, bytes: lit }, prefix };
    if (parseIpv4(name)) return { ok: false, why: `${name} is an IPv4 address in an IPv6 (hostname6.*) command`, code: 'UNRESOLVED_NAME' };
  }
  const fam = family === 'inet' ? 4 : 6;
  const hits = env.hosts.lookup(name, fam);
  if (hits.length > 0) {
    const first = hits[0]!;
    const other = hits.find((h) => formatIp(h.addr) !== formatIp(first.addr));
    if (other) {
      env.sink.add('AMBIGUOUS_HOST_NAME', origin.file, origin.line,
        `"${name}" is ${formatIp(first.addr)} (${first.file}:${first.line}) and also ${formatIp(other.addr)} (${other.file}:${other.line}); the first entry is used`);
    }
    return { ok: true, addr: first.addr, prefix };
  }
  return { ok: false, why: unresolvedWhy(name, family, env), code: 'UNRESOLVED_NAME' };
}

function unresolvedWhy(name: string, family: AddrFamily, env: IfconfigEnv): string {
  const db = env.hosts.files.length > 0 ? env.hosts.files.join(' or ') : 'a hosts file (none in the input)';
  let why = `"${name}" is not an ifconfig keyword, not an ${family === 'inet' ? 'IPv4' : 'IPv6'} address and not a name in ${db}; Solaris ifconfig fails with "bad address"`;
  if (name.endsWith('\r')) return `${why} (the file has DOS line endings: the word ends in a carriage return)`;
  if (name === 'inet' || name === 'inet6') return `${why} (boot already runs "ifconfig <if> ${family}"; the family word is only recognised as the first argument)`;
  if (name.includes('$') || name.includes('<')) return `${why} (looks like an unfilled placeholder; hostname files are not shell-expanded)`;
  const other = env.hosts.lookup(name, family === 'inet' ? 6 : 4);
  if (other.length > 0) return `${why} (the name only has an ${family === 'inet' ? 'IPv6' : 'IPv4'} entry)`;
  const hint = suggestToken(name);
  if (hint) return `${why} (did you mean "${hint}"? keywords are case-sensitive)`;
  return why;
}

/** Parse an explicit netmask argument: dotted quad or 0x hex. */
function parseMask(arg: string): number | null {
  if (/^0x[0-9a-f]{1,8}$/i.test(arg)) return parseInt(arg.slice(2), 16) >>> 0;
  const b = parseIpv4(arg);
  return b ? ipv4ToInt(b) : null;
}

export function runIfconfig(env: IfconfigEnv, cmd: IfconfigCommand): void {
  const { host, sink } = env;
  const { file, line } = cmd.origin;
  const { phys: physName, index: ifIndex } = physicalName(cmd.ifname);
  const phys = host.getPhys(physName, cmd.origin);
  host.plumb(phys, cmd.family, cmd.origin);
  let current: LogicalState = ensureLogical(phys, cmd.family, ifIndex, cmd.origin);
  const words = cmd.words;

  // ifconfig pre-scans the whole line for the last `netmask` and applies it to every address.
  let prescanMask: string | undefined;
  for (let i = 0; i < words.length - 1; i++) if (words[i] === 'netmask') prescanMask = words[i + 1];

  const assigned = new Set<LogicalState>();
  let upSeenOn: LogicalState | null = null;

  const setAddress = (target: LogicalState, r: { addr: IpAddr; prefix?: number }): void => {
    target.autoLinkLocal = false;
    target.origin = cmd.origin;
    assigned.add(target);
    const addrText = formatIp(r.addr);
    if (r.prefix !== undefined) {
      target.address = { ...r.addr, prefix: r.prefix };
      target.prefixSource = 'explicit';
      return;
    }
    if (r.addr.family === 6) {
      target.address = { ...r.addr, prefix: target.address?.family === 6 ? target.address.prefix : 64 };
      target.prefixSource = 'default /64';
      return;
    }
    const a = ipv4ToInt(r.addr.bytes);
    const isZero = a === 0;
    if (prescanMask === '+') {
      const m = env.netmasks?.lookup(a) ?? null;
      if (m) {
        target.address = { ...r.addr, prefix: m.prefix };
        target.prefixSource = `netmask + (${m.entry.file}:${m.entry.line})`;
        return;
      }
      target.address = { ...r.addr, prefix: classfulPrefix(a) };
      target.prefixSource = 'classful';
      if (!isZero) {
        sink.add('NETMASK_CLASSFUL', file, line, `netmask + found no entry for ${addrText} in ${env.netmasks?.file ?? 'netmasks (none in the input)'}; Solaris falls back to the classful /${classfulPrefix(a)}`);
      }
      return;
    }
    const explicit = prescanMask !== undefined ? parseMask(prescanMask) : null;
    const ep = explicit !== null ? maskToPrefix(explicit) : null;
    if (ep !== null) {
      target.address = { ...r.addr, prefix: ep };
      target.prefixSource = `netmask ${prescanMask}`;
      return;
    }
    if (target.address?.family === 4 && target.prefixSource !== 'classful') {
      target.address = { ...r.addr, prefix: target.address.prefix };
      return;
    }
    target.address = { ...r.addr, prefix: classfulPrefix(a) };
    target.prefixSource = 'classful';
    if (!isZero) {
      sink.add('NETMASK_CLASSFUL', file, line, `no netmask for ${addrText} on this line; the kernel assigns the classful /${classfulPrefix(a)}`);
    }
  };

  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const spec = IFCONFIG_TOKENS.get(w);
    if (i === 0 && DHCP_FIRST_WORDS.has(w)) {
      current.dynamic = true;
      sink.add('DYNAMIC_ADDRESS', file, line, `${cmd.ifname} gets its address from DHCP; ipmpd does not migrate dynamic addresses (configure DHCP on Linux)`);
      return;
    }
    if (!spec) {
      if (w.startsWith('#')) return; // reported as COMMENT_IN_HOSTNAME_FILE by the caller
      const r = resolveAddressWord(w, cmd.family, env, cmd.origin);
      if (!r.ok) { sink.add(r.code, file, line, r.why); return; }
      if (!assigned.has(current)) setAddress(current, r);
      else {
        current.pointToPoint = true;
        phys.incompatible.push({ what: `point-to-point destination ${w}`, origin: cmd.origin });
        sink.add('POINT_TO_POINT', file, line, `second address "${w}" on ${current.name} is taken as a point-to-point destination (IPMP does not allow point-to-point addresses)`);
      }
      continue;
    }
    let arg: string | undefined;
    if (spec.arg === 'next') {
      arg = words[i + 1];
      if (arg === undefined) { sink.add('MISSING_ARGUMENT', file, line, `"${w}" needs an argument; ifconfig stops here`); return; }
      i++;
    } else if (spec.arg === 'optional' && /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i.test(words[i + 1] ?? '')) {
      arg = words[++i];
    }
    if (spec.af !== 'any' && spec.af !== cmd.family) {
      sink.add('TOKEN_WRONG_FAMILY', file, line, `"${w}" applies only to ${spec.af}; ignored in this ${cmd.family} command`);
      continue;
    }
    if (spec.ignored) {
      sink.add('TOKEN_IGNORED', file, line, `"${arg === undefined ? w : `${w} ${arg}`}" has no counterpart in ipmpd; configure it in the Linux network setup if needed`);
      continue;
    }
    switch (w) {
      case 'up': current.up = true; current.upOrigin = cmd.origin; upSeenOn = current; break;
      case 'down': current.up = false; break;
      case 'plumb': case 'modlist': case 'configinfo': case 'debug': case 'verbose': case 'arp': case 'nud': break;
      case 'unplumb':
        sink.add('UNPLUMB_IN_FILE', file, line, `unplumb removes ${current.name} again`);
        if (current.index === 0) {
          phys.logicals = phys.logicals.filter((l) => l.family !== cmd.family);
          phys.families.delete(cmd.family);
        } else current.removed = true;
        return;
      case 'addif': {
        if (ifIndex !== 0) { sink.add('ADDIF_ON_LOGICAL', file, line, `addif on logical interface ${cmd.ifname}: ifconfig fails with "bad physical interface name"`); return; }
        const r = resolveAddressWord(arg!, cmd.family, env, cmd.origin);
        if (!r.ok) { sink.add(r.code, file, line, `addif ${r.why}`); return; }
        const idx = nextFreeIndex(phys, cmd.family);
        const l = newLogical(phys.name, cmd.family, idx, cmd.origin);
        phys.logicals.push(l);
        setAddress(l, r);
        current = l;
        break;
      }
      case 'removeif': {
        const r = resolveAddressWord(arg!, cmd.family, env, cmd.origin);
        if (!r.ok) { sink.add(r.code, file, line, `removeif ${r.why}`); return; }
        const victim = phys.logicals.find((l) => !l.removed && l.address && formatIp(l.address) === formatIp(r.addr));
        if (!victim) { sink.add('REMOVEIF_NOT_FOUND', file, line, `removeif ${arg}: no logical interface of ${phys.name} has that address; ifconfig stops here`); return; }
        victim.removed = true;
        break;
      }
      case 'set': {
        const r = resolveAddressWord(arg!, cmd.family, env, cmd.origin);
        if (!r.ok) { sink.add(r.code, file, line, `set ${r.why}`); return; }
        setAddress(current, r);
        break;
      }
      case 'destination': {
        const r = resolveAddressWord(arg!, cmd.family, env, cmd.origin);
        if (!r.ok) { sink.add(r.code, file, line, `destination ${r.why}`); return; }
        current.pointToPoint = true;
        phys.incompatible.push({ what: `destination ${arg}`, origin: cmd.origin });
        sink.add('POINT_TO_POINT', file, line, `destination ${arg} makes ${current.name} point-to-point (IPMP does not allow point-to-point addresses)`);
        break;
      }
      case 'netmask': {
        if (arg === '+') {
          if (current.address?.family === 4 && current.prefixSource !== 'explicit') {
            const a = ipv4ToInt(current.address.bytes);
            const m = env.netmasks?.lookup(a) ?? null;
            if (m) { current.address = { ...current.address, prefix: m.prefix }; current.prefixSource = `netmask + (${m.entry.file}:${m.entry.line})`; }
          }
          break;
        }
        const mask = parseMask(arg!);
        const p = mask === null ? null : maskToPrefix(mask);
        if (p === null) { sink.add('INVALID_NETMASK', file, line, `netmask "${arg}" is not ${mask === null ? 'a dotted-quad or 0x mask' : 'contiguous'}; ifconfig stops here`); return; }
        if (current.address?.family === 4 && current.prefixSource !== 'explicit') {
          current.address = { ...current.address, prefix: p };
          current.prefixSource = `netmask ${arg}`;
        }
        break;
      }
      case 'broadcast': {
        if (arg === '+') break;
        const r = resolveAddressWord(arg!, 'inet', env, cmd.origin);
        if (!r.ok) { sink.add(r.code, file, line, `broadcast ${r.why}`); return; }
        break;
      }
      case 'group': {
        if (arg === '""' || arg === "''") {
          sink.add('LITERAL_QUOTES', file, line, `group ${arg}: boot scripts pass the quote characters literally (no shell quote removal); read as "leave the group"`);
          phys.group = undefined;
          break;
        }
        if (arg!.length > MAX_GROUP_NAME) {
          sink.add('GROUP_NAME_TOO_LONG', file, line, `group name "${arg}" has ${arg!.length} characters; Solaris allows at most ${MAX_GROUP_NAME} and ifconfig stops here`);
          return;
        }
        if (phys.group && phys.group.name !== arg) {
          const prev = phys.group.origin;
          sink.add('GROUP_OVERRIDDEN', file, line, `${phys.name} was put in group "${phys.group.name}" at ${prev.file}:${prev.line}; this later "group ${arg}" wins${cmd.family === 'inet6' && prev.file !== file ? ' (hostname6 files are processed after hostname files: inet6 wins)' : ''}`);
        }
        if (ifIndex !== 0) {
          sink.add('GROUP_IN_LOGICAL_FILE', file, line, `group set from logical interface ${cmd.ifname}: the kernel applies it to ${phys.name}, but Solaris boot only honours the group of the physical interface when moving addresses of NICs that fail to plumb`);
        }
        phys.group = { name: arg!, origin: cmd.origin };
        break;
      }
      case 'failover': current.nofailover = false; break;
      case '-failover': current.nofailover = true; current.nofailoverOrigin = cmd.origin; break;
      case 'standby':
        if (upSeenOn === current) sink.add('STANDBY_ORDER', file, line, `"standby" after "up" on ${current.name}: Solaris docs require -failover, then standby, then up`);
        else if (current.address && !current.nofailover && current.index === 0) sink.add('STANDBY_ORDER', file, line, `"standby" on ${current.name} before its address is marked -failover: Solaris docs require -failover before standby`);
        phys.standby = true; phys.standbyOrigin = cmd.origin; break;
      case '-standby': phys.standby = false; break;
      case 'deprecated': current.deprecated = true; break;
      case '-deprecated': current.deprecated = false; break;
      case '-arp': phys.incompatible.push({ what: '-arp', origin: cmd.origin }); break;
      case '-nud': phys.incompatible.push({ what: '-nud', origin: cmd.origin }); break;
      case 'usesrc': if (arg !== 'none') phys.incompatible.push({ what: `usesrc ${arg}`, origin: cmd.origin }); break;
      case 'xmit': current.noxmit = false; break;
      case '-xmit': current.noxmit = true; break;
      case 'local': current.nolocal = false; break;
      case '-local': current.nolocal = true; break;
      case 'ipmp': phys.ipmp = true; host.clearview = true; break;
      case 'auto-revarp':
        current.dynamic = true;
        sink.add('DYNAMIC_ADDRESS', file, line, `auto-revarp: ${current.name} gets its address by RARP; ipmpd does not migrate dynamic addresses`);
        break;
      default:
        // Every table keyword is handled above or flagged ignored; reaching here is a bug.
        throw new Error(`ifconfig keyword without handler: ${w}`);
    }
  }
}

function ensureLogical(phys: PhysState, family: AddrFamily, index: number, origin: Origin): LogicalState {
  let l = findLogical(phys, family, index);
  if (!l) {
    l = newLogical(phys.name, family, index, origin);
    phys.logicals.push(l);
  }
  return l;
}
