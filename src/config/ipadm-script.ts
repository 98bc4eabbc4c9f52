// Solaris 11 / illumos configuration kept as a script of ipadm commands (create-ipmp,
// add-ipmp, create-addr, set-ifprop -p standby=on, delete-*), replayed in order into the
// HostState with Clearview semantics: data addresses live on the IPMP interface, addresses
// on underlying interfaces are test addresses. `ifconfig` lines in the script are replayed
// too. Other commands are reported and skipped.

import type { FindingSink } from './findings.js';
import {
  type HostState, type LogicalState, type Origin, type PhysState, newLogical, nextFreeIndex,
} from './host-state.js';
import { type IfconfigEnv, MAX_GROUP_NAME, resolveAddressWord, runIfconfig } from './ifconfig-exec.js';
import { classfulPrefix, formatIp, ipv4ToInt, parseIpv6 } from './ip-address.js';
import { splitShellCommands } from './shell-commands.js';

interface Opts {
  flags: Set<string>;
  values: Map<string, string[]>;
  operands: string[];
}

const LONG: Record<string, string> = {
  temporary: 't', type: 'T', address: 'a', interface: 'i', prop: 'p', module: 'm', down: 'd', force: 'f', inform: 'h', wait: 'w',
};
const WITH_ARG = new Set(['T', 'a', 'i', 'p', 'm', 'h', 'w']);

function getopt(args: string[]): Opts | string {
  const o: Opts = { flags: new Set(), values: new Map(), operands: [] };
  const put = (k: string, v: string): void => { o.values.set(k, [...(o.values.get(k) ?? []), v]); };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [name, val] = a.slice(2).split(/=(.*)/s, 2);
      const k = LONG[name!];
      if (!k) return `unknown option ${a}`;
      if (WITH_ARG.has(k)) {
        const v = val ?? args[++i];
        if (v === undefined) return `option ${a} needs a value`;
        put(k, v);
      } else o.flags.add(k);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const k = a[j]!;
        if (WITH_ARG.has(k)) {
          const v = j + 1 < a.length ? a.slice(j + 1) : args[++i];
          if (v === undefined) return `option -${k} needs a value`;
          put(k, v);
          break;
        }
        o.flags.add(k);
      }
    } else o.operands.push(a);
  }
  return o;
}

/** `-p a=b,c=d` values into a map (ipadm allows both repeated -p and comma lists). */
function props(o: Opts): Map<string, string> {
  const m = new Map<string, string>();
  for (const v of o.values.get('p') ?? []) for (const kv of v.split(',')) {
    const eq = kv.indexOf('=');
    if (eq > 0) m.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return m;
}

const PREFIX_WORDS = new Set(['pfexec', 'sudo', 'exec', 'time']);

export function processIpadmScript(env: IfconfigEnv, file: string, text: string): void {
  const { host, sink } = env;
  host.clearview = true;
  /** Addresses created by ipadm on plain interfaces: test addresses once the NIC is in a group. */
  const underlyingAddrs: { phys: PhysState; l: LogicalState }[] = [];
  const aobjs = new Map<string, { phys: PhysState; l: LogicalState }>();

  for (const cmd of splitShellCommands(text)) {
    let words = cmd.words;
    while (words.length > 0 && (PREFIX_WORDS.has(words[0]!) || /^[A-Za-z_]\w*=/.test(words[0]!))) words = words.slice(1);
    const prog = (words[0] ?? '').split('/').pop()!;
    const origin: Origin = { file, line: cmd.line };
    if (prog === 'svccfg' && words.some((w) => w.includes('transitive-probing'))) {
      // setprop config/transitive-probing=true, or "= true" / "boolean: true" as separate words.
      const on = /transitive-probing\s*=\s*(boolean:\s*)?true\b/i.test(words.join(' '));
      host.transitiveProbing = on;
      sink.add('TRANSITIVE_PROBING', file, cmd.line, on
        ? 'transitive probing (Solaris 11.2+) is on: every group gets "probe: transitive" (members without a test address are probed with ARP probes / neighbour solicitations to the data subnet\'s routers)'
        : 'transitive probing is set off here: groups keep probing from test addresses only');
      continue;
    }
    if (prog !== 'ipadm' && prog !== 'ifconfig') continue;
    if (cmd.needsExpansion) {
      sink.add('SHELL_VARIABLE', file, cmd.line, `"${words.join(' ')}" uses shell variables or command substitution, which ipmpd cannot evaluate; command skipped`);
      continue;
    }
    if (prog === 'ifconfig') { replayIfconfig(env, words.slice(1), origin); continue; }
    const sub = words[1];
    const parsed = getopt(words.slice(2));
    if (sub === undefined) { sink.add('IPADM_SYNTAX', file, cmd.line, 'ipadm without a subcommand'); continue; }
    if (typeof parsed === 'string') { sink.add('IPADM_SYNTAX', file, cmd.line, `ipadm ${sub}: ${parsed}`); continue; }
    const o = parsed;
    const operand = o.operands[0];
    const needOperand = (): string | null => {
      if (operand === undefined) { sink.add('IPADM_SYNTAX', file, cmd.line, `ipadm ${sub}: missing interface or address object operand`); return null; }
      return operand;
    };
    const ifList = (): string[] => (o.values.get('i') ?? []).flatMap((v) => v.split(',')).filter((s) => s !== '');
    switch (sub) {
      case 'create-ip': case 'create-if': case 'create-vni': {
        const n = needOperand(); if (!n) break;
        const p = host.getPhys(n, origin);
        host.plumb(p, 'inet', origin); host.plumb(p, 'inet6', origin);
        break;
      }
      case 'delete-ip': case 'delete-if': {
        const n = needOperand(); if (!n) break;
        if (!host.phys.delete(n)) sink.add('IPADM_UNKNOWN_OBJECT', file, cmd.line, `delete-ip ${n}: no such interface at this point of the script`);
        break;
      }
      case 'create-ipmp': {
        const n = needOperand(); if (!n) break;
        if (n.length > MAX_GROUP_NAME) { sink.add('GROUP_NAME_TOO_LONG', file, cmd.line, `IPMP interface/group name "${n}" is longer than ${MAX_GROUP_NAME} characters; ipadm refuses it`); break; }
        const p = host.getPhys(n, origin);
        p.ipmp = true;
        host.plumb(p, 'inet', origin); host.plumb(p, 'inet6', origin);
        p.group = { name: n, origin };
        for (const m of ifList()) joinGroup(host, m, n, origin);
        break;
      }
      case 'add-ipmp': case 'remove-ipmp': {
        const n = needOperand(); if (!n) break;
        const ipmp = host.phys.get(n);
        if (!ipmp || !ipmp.ipmp) { sink.add('IPADM_UNKNOWN_OBJECT', file, cmd.line, `${sub}: "${n}" is not an IPMP interface created earlier in the script; ipadm fails`); break; }
        const members = ifList();
        if (members.length === 0) { sink.add('IPADM_SYNTAX', file, cmd.line, `${sub} needs -i <interface>`); break; }
        for (const m of members) {
          if (sub === 'add-ipmp') joinGroup(host, m, ipmp.group?.name ?? n, origin);
          else { const p = host.phys.get(m); if (p) p.group = undefined; }
        }
        break;
      }
      case 'delete-ipmp': {
        const n = needOperand(); if (!n) break;
        const ipmp = host.phys.get(n);
        if (!ipmp || !ipmp.ipmp) { sink.add('IPADM_UNKNOWN_OBJECT', file, cmd.line, `delete-ipmp: "${n}" is not an IPMP interface`); break; }
        for (const p of host.phys.values()) if (!p.ipmp && p.group?.name === ipmp.group?.name) p.group = undefined;
        host.phys.delete(n);
        break;
      }
      case 'create-addr': {
        const target = needOperand(); if (!target) break;
        const [ifn, aname] = target.split('/', 2) as [string, string | undefined];
        const type = (o.values.get('T') ?? ['static'])[0]!;
        const p = host.getPhys(ifn, origin);
        if (type === 'dhcp') {
          sink.add('DYNAMIC_ADDRESS', file, cmd.line, `${target} is a DHCP address; ipmpd does not migrate dynamic addresses${p.group ? ' (and Solaris 11 refuses DHCP-managed addresses on IPMP members)' : ''}`);
          break;
        }
        if (type === 'addrconf') {
          host.plumb(p, 'inet6', origin);
          const ll = p.logicals.find((l) => l.family === 'inet6' && l.index === 0)!;
          ll.up = true; ll.upOrigin = origin;
          if (!p.ipmp) underlyingAddrs.push({ phys: p, l: ll });
          if (aname) aobjs.set(target, { phys: p, l: ll });
          break;
        }
        if (type !== 'static') { sink.add('IPADM_SYNTAX', file, cmd.line, `create-addr -T ${type}: unknown address type`); break; }
        const a = (o.values.get('a') ?? [])[0];
        if (a === undefined) { sink.add('IPADM_SYNTAX', file, cmd.line, 'create-addr -T static needs -a <address>'); break; }
        let local = a;
        for (const part of a.split(',')) {
          if (part.startsWith('remote=')) {
            p.incompatible.push({ what: `remote address ${part.slice(7)}`, origin });
            sink.add('POINT_TO_POINT', file, cmd.line, `${target} has a remote (point-to-point) address; IPMP does not allow point-to-point addresses`);
          } else local = part.startsWith('local=') ? part.slice(6) : part;
        }
        const bare = local.split('/')[0]!;
        const family = parseIpv6(bare) || (!/^[\d.]+$/.test(bare) && env.hosts.lookup(bare, 4).length === 0 && env.hosts.lookup(bare, 6).length > 0) ? 'inet6' : 'inet';
        const r = resolveAddressWord(local, family, env, origin);
        if (!r.ok) { sink.add(r.code, file, cmd.line, `create-addr ${r.why.replace('Solaris ifconfig fails with "bad address"', 'ipadm fails')}`); break; }
        host.plumb(p, family, origin);
        // The first static address of a family takes the physical (:0) slot if it is still empty.
        const zero = p.logicals.find((l) => l.family === family && l.index === 0 && !l.removed);
        const l = zero && !zero.address && (family === 'inet' || zero.autoLinkLocal === false) ? zero : newLogical(ifn, family, nextFreeIndex(p, family), origin);
        if (l !== zero) p.logicals.push(l);
        let prefix = r.prefix;
        let source = 'explicit';
        if (prefix === undefined) {
          if (family === 'inet6') { prefix = 64; source = 'default /64'; }
          else {
            const m = env.netmasks?.lookup(ipv4ToInt(r.addr.bytes)) ?? null;
            prefix = m ? m.prefix : classfulPrefix(ipv4ToInt(r.addr.bytes));
            source = m ? `netmasks (${m.entry.file}:${m.entry.line})` : 'classful';
            if (!m) sink.add('NETMASK_CLASSFUL', file, cmd.line, `no prefix length for ${formatIp(r.addr)} and no netmasks entry; ipadm uses the classful /${prefix}`);
          }
        }
        l.address = { ...r.addr, prefix };
        l.prefixSource = source;
        l.autoLinkLocal = false;
        l.origin = origin;
        l.up = !o.flags.has('d');
        if (l.up) l.upOrigin = origin;
        if (!p.ipmp) underlyingAddrs.push({ phys: p, l });
        aobjs.set(aname ? target : `${ifn}/_a${aobjs.size}`, { phys: p, l });
        break;
      }
      case 'delete-addr': case 'up-addr': case 'down-addr': case 'set-addrprop': {
        const n = needOperand(); if (!n) break;
        const obj = aobjs.get(n);
        if (!obj) { sink.add('IPADM_UNKNOWN_OBJECT', file, cmd.line, `${sub} ${n}: no such address object was created earlier in the script`); break; }
        if (sub === 'delete-addr') { obj.l.removed = true; aobjs.delete(n); }
        else if (sub === 'up-addr') { obj.l.up = true; obj.l.upOrigin = origin; }
        else if (sub === 'down-addr') obj.l.up = false;
        else {
          for (const [k, v] of props(o)) {
            if (k === 'deprecated') obj.l.deprecated = v === 'on';
            else if (k === 'prefixlen' && obj.l.address && /^\d+$/.test(v)) obj.l.address = { ...obj.l.address, prefix: Number(v) };
            else sink.add('IPADM_UNSUPPORTED', file, cmd.line, `address property ${k}=${v} has no counterpart in ipmpd; ignored`);
          }
        }
        break;
      }
      case 'set-ifprop': {
        const n = needOperand(); if (!n) break;
        const p = host.getPhys(n, origin);
        for (const [k, v] of props(o)) {
          if (k === 'standby') {
            if (v !== 'on' && v !== 'off') { sink.add('IPADM_SYNTAX', file, cmd.line, `standby=${v}: expected on or off`); continue; }
            p.standby = v === 'on';
            if (p.standby) p.standbyOrigin = origin;
          } else sink.add('IPADM_UNSUPPORTED', file, cmd.line, `interface property ${k}=${v} has no counterpart in ipmpd; ignored`);
        }
        break;
      }
      default:
        if (!sub.startsWith('show-')) sink.add('IPADM_UNSUPPORTED', file, cmd.line, `"ipadm ${sub}" has no counterpart in ipmpd; ignored`);
    }
  }

  // Clearview: addresses on underlying interfaces of a group are test addresses (NOFAILOVER,
  // auto-deprecated); on ungrouped interfaces they are ordinary addresses.
  for (const { phys, l } of underlyingAddrs) {
    if (phys.group && !l.removed) {
      l.nofailover = true; l.deprecated = true; l.nofailoverOrigin = l.origin;
    }
  }
}

function joinGroup(host: HostState, member: string, group: string, origin: Origin): void {
  const p = host.getPhys(member, origin);
  if (p.families.size === 0) { host.plumb(p, 'inet', origin); host.plumb(p, 'inet6', origin); }
  p.group = { name: group, origin };
}

/** An `ifconfig IF [inet|inet6] words…` line inside a script. */
function replayIfconfig(env: IfconfigEnv, args: string[], origin: Origin): void {
  const [ifname, maybeFam, ...rest] = args;
  if (ifname === undefined || ifname.startsWith('-')) return; // ifconfig -a and friends: display only
  const family = maybeFam === 'inet6' ? 'inet6' : 'inet';
  const words = maybeFam === 'inet' || maybeFam === 'inet6' ? rest : maybeFam === undefined ? [] : [maybeFam, ...rest];
  if (words.length === 0) return;
  runIfconfig(env, { ifname, family, words, origin });
}
