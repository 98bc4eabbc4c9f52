// Operator faults for the chaos test. Each fault has two halves:
//   plan(rng, state)  — pure: draws everything random up front, so a seed fixes the whole
//                       fault sequence whatever the kernel or the daemon do;
//   apply(ctx, fault) — does it to the lab (kernel, daemon process) and says what it saw.
// A fault may be "held" into the next step (carrier cut, NIC down, renamed, deleted); every
// held fault is repaired at the start of the next step, so at most MAX_HELD are active.
import { DaemonProcess } from './daemon.js';
import { holdersIn, takeSnapshot, type ChaosConfig } from './invariant.js';
import { ip } from './netns.js';
import type { Rng } from './prng.js';
import type { Topology } from './topology.js';

export const MAX_HELD = 2;

export type MemberFaultKind = 'carrier' | 'admin' | 'rename' | 'recreate';
export type FaultKind = MemberFaultKind | 'addr-del' | 'addr-add' | 'route-del' | 'hup-same' | 'hup-changed' | 'hup-broken' | 'kill9';

export interface Fault {
  kind: FaultKind;
  /** Member index (member faults). */
  member?: number;
  /** Held into the next step instead of undone within this one. */
  hold?: boolean;
  /** Time between the fault and its undoing (transient member faults). */
  delayMs?: number;
  /** Data address index into the configuration in force (addr-del, addr-add). */
  addr?: number;
  /** addr-add: first member tried (then the following ones) for the extra copy. */
  rotate?: number;
  route?: 'subnet' | 'default';
  /** hup-changed: configuration variant switched to. */
  variant?: number;
}

/** Deterministic planning state: which members are held, which configuration is in force. */
export interface PlanState { held: Fault[]; variant: number; memberCount: number; variants: ChaosConfig[] }

export interface StepPlan { step: number; repairs: Fault[]; faults: Fault[] }

const MEMBER_KINDS: readonly MemberFaultKind[] = ['carrier', 'admin', 'rename', 'recreate'];

/** Relative frequencies of the fault kinds. */
export const FAULT_WEIGHTS: Readonly<Record<FaultKind, number>> = {
  carrier: 3,
  admin: 2,
  rename: 2,
  recreate: 1.5,
  'addr-del': 1.5,
  'addr-add': 1.5,
  'route-del': 1,
  'hup-same': 0.7,
  'hup-changed': 0.7,
  'hup-broken': 0.5,
  kill9: 1,
};
const KINDS = Object.keys(FAULT_WEIGHTS) as FaultKind[];
const HOLD_CHANCE: Readonly<Record<MemberFaultKind, number>> = { carrier: 0.3, admin: 0.3, rename: 0.4, recreate: 0.3 };

const isMemberKind = (k: FaultKind): k is MemberFaultKind => (MEMBER_KINDS as readonly string[]).includes(k);

/** Plans one step: repairs of last step's held faults, then one or two new faults. Pure. */
export function planStep(rng: Rng, state: PlanState, step: number): StepPlan {
  const repairs = state.held.splice(0);
  const faults: Fault[] = [];
  const count = rng.chance(0.25) ? 2 : 1;
  const busy = new Set<number>();
  for (let i = 0; i < count; i++) {
    let kind = KINDS[rng.weighted(KINDS.map((k) => FAULT_WEIGHTS[k]))] as FaultKind;
    // Fixed number of draws per fault, used or not, so one choice never shifts the next.
    const [a, b, c] = [rng.next(), rng.next(), rng.next()];
    const free = Array.from({ length: state.memberCount }, (_, m) => m).filter((m) => !busy.has(m));
    if (isMemberKind(kind) && free.length === 0) kind = 'hup-same';
    const cfg = state.variants[state.variant] as ChaosConfig;
    let f: Fault;
    if (isMemberKind(kind)) {
      const member = free[Math.floor(a * free.length)] as number;
      busy.add(member);
      const hold = b < HOLD_CHANCE[kind] && state.held.length < MAX_HELD;
      f = hold ? { kind, member, hold } : { kind, member, hold, delayMs: Math.floor(c * 400) };
      if (hold) state.held.push(f);
    } else if (kind === 'addr-del') {
      f = { kind, addr: Math.floor(a * cfg.data.length) };
    } else if (kind === 'addr-add') {
      f = { kind, addr: Math.floor(a * cfg.data.length), rotate: Math.floor(b * state.memberCount) };
    } else if (kind === 'route-del') {
      f = { kind, route: a < 0.7 || cfg.defaultRouters.length === 0 ? 'subnet' : 'default' };
    } else if (kind === 'hup-changed') {
      const others = state.variants.map((_, v) => v).filter((v) => v !== state.variant);
      const variant = others[Math.floor(a * others.length)] as number;
      state.variant = variant;
      f = { kind, variant };
    } else {
      f = { kind };
    }
    faults.push(f);
  }
  return { step, repairs, faults };
}

/** Human-readable, deterministic description of a planned fault (no kernel state in it). */
export function describeFault(f: Fault, names: readonly string[], variants: readonly ChaosConfig[], repair = false): string {
  const n = f.member !== undefined ? names[f.member] ?? `member${f.member}` : '';
  const held = f.hold ? ' (held to next step)' : ` (${f.delayMs ?? 0} ms)`;
  if (repair) {
    switch (f.kind) {
      case 'carrier': return `repair: carrier back on ${n}`;
      case 'admin': return `repair: ip link set ${n} up`;
      case 'rename': return `repair: rename ${tmpName(f.member ?? 0)} → ${n}`;
      case 'recreate': return `repair: recreate veth ${n}`;
      default: return `repair: ${f.kind}`;
    }
  }
  switch (f.kind) {
    case 'carrier': return `carrier cut on ${n}${f.hold ? held : `, back after ${f.delayMs} ms`}`;
    case 'admin': return `ip link set ${n} down${f.hold ? held : `, up after ${f.delayMs} ms`}`;
    case 'rename': return `rename ${n} → ${tmpName(f.member ?? 0)}${f.hold ? held : `, back after ${f.delayMs} ms`}`;
    case 'recreate': return `delete veth ${n}${f.hold ? held : `, recreate after ${f.delayMs} ms`}`;
    case 'addr-del': return `ip addr del data address #${f.addr} from its holder`;
    case 'addr-add': return `ip addr add data address #${f.addr} on a non-holder member (from ${names[f.rotate ?? 0]})`;
    case 'route-del': return `ip route del ${f.route === 'default' ? 'default' : 'data subnet'} route`;
    case 'hup-same': return 'SIGHUP, same configuration';
    case 'hup-changed': return `SIGHUP, configuration variant ${f.variant} (data: ${variants[f.variant ?? 0]?.data.map((d) => `${d.address}@${d.home}`).join(' ')})`;
    case 'hup-broken': return 'SIGHUP, broken configuration (file restored afterwards)';
    case 'kill9': return 'kill -9 ipmpd and start it again';
  }
}

export const tmpName = (member: number): string => `tmp${member}`;

/** YAML for a chaos configuration. */
export function renderConfig(c: ChaosConfig): string {
  return `mpathd: { failureDetectionTime: ${c.fdtMs}, failback: true }
defaultRouters: [${c.defaultRouters.join(', ')}]
groups:
  - name: ${c.group}
    announce: { arpCount: 2, arpIntervalMs: 500 }
    interfaces:
${c.members.map((m) => `      - { name: ${m.name}, testAddresses: [${m.test}] }`).join('\n')}
    dataAddresses:
${c.data.map((d) => `      - { address: ${d.address}/${d.prefixLen}, interface: ${d.home} }`).join('\n')}
`;
}

/** A configuration every ipmpd must refuse (YAML schema error), as in e2e-lifecycle. */
export const brokenConfig = (c: ChaosConfig): string => `${renderConfig(c)}  - name: broken\n    interfaces: 7\n`;

/** What faults act on. `d` is replaced when a fault restarts the daemon. */
export interface ChaosContext {
  t: Topology;
  d: DaemonProcess;
  /** The configuration the running daemon is supposed to have. */
  config: ChaosConfig;
  variants: ChaosConfig[];
  /** Violations a fault saw directly (daemon did not restart, reload not acknowledged, ...). */
  pending: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tryIp(ns: string, ...args: string[]): string | undefined {
  try {
    ip(ns, ...args);
    return undefined;
  } catch (e) {
    return ((e as { stderr?: string }).stderr ?? (e as Error).message).trim().split('\n')[0];
  }
}

/** ip commands a fault must be able to run; failing ones leave the lab unknown, so they throw. */
function mustIp(ns: string, ...args: string[]): void {
  const err = tryIp(ns, ...args);
  if (err !== undefined) throw new Error(`lab command failed: ip -n ${ns} ${args.join(' ')}: ${err}`);
}

function rename(t: Topology, from: string, to: string): void {
  mustIp(t.host, 'link', 'set', from, 'down');
  mustIp(t.host, 'link', 'set', from, 'name', to);
  mustIp(t.host, 'link', 'set', to, 'up');
}

function deleteVeth(t: Topology, name: string): void {
  mustIp(t.host, 'link', 'del', name); // takes the switch-side peer with it
}

/** Recreates host NIC `name` and its switch port `port`, attached to br0, both up. */
export function recreateVeth(t: Topology, name: string, port: string): void {
  t.lab.veth(t.host, name, t.sw, port);
  mustIp(t.sw, 'link', 'set', port, 'master', 'br0', 'up');
  mustIp(t.host, 'link', 'set', name, 'up');
}

async function doMember(ctx: ChaosContext, f: Fault): Promise<string> {
  const i = f.member as number;
  const name = ctx.config.members[i]?.name ?? `eth${i}`;
  const t = ctx.t;
  switch (f.kind) {
    case 'carrier': t.cutCarrier(i); break;
    case 'admin': mustIp(t.host, 'link', 'set', name, 'down'); break;
    case 'rename': rename(t, name, tmpName(i)); break;
    case 'recreate': deleteVeth(t, name); break;
    default: throw new Error(`not a member fault: ${f.kind}`);
  }
  if (f.hold) return '';
  await sleep(f.delayMs ?? 0);
  await repairFault(ctx, f);
  return '';
}

/** Undoes a member fault. Throws if the lab cannot be put back (the run is then unusable). */
export async function repairFault(ctx: ChaosContext, f: Fault): Promise<void> {
  const i = f.member as number;
  const name = ctx.config.members[i]?.name ?? `eth${i}`;
  const t = ctx.t;
  switch (f.kind) {
    case 'carrier': t.restoreCarrier(i); break;
    case 'admin': mustIp(t.host, 'link', 'set', name, 'up'); break;
    case 'rename': rename(t, tmpName(i), name); break;
    case 'recreate': recreateVeth(t, name, t.port(i)); break;
    default: break;
  }
}

async function waitLog(d: DaemonProcess, re: RegExp, from: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (d.logs.slice(from).some((l) => re.test(l.msg))) return true;
    if (d.child?.exitCode !== null && d.child?.exitCode !== undefined) return false;
    await sleep(20);
  }
  return false;
}

/** Applies one planned fault; returns what it found (kernel-dependent details) or ''. */
export async function applyFault(ctx: ChaosContext, f: Fault): Promise<string> {
  const t = ctx.t;
  switch (f.kind) {
    case 'carrier': case 'admin': case 'rename': case 'recreate':
      return doMember(ctx, f);
    case 'addr-del': {
      const d = ctx.config.data[f.addr ?? 0];
      if (!d) return '[no such data address]';
      const on = holdersIn(takeSnapshot(t.host), d.address);
      if (on.length === 0) return `[${d.address} was on no NIC: nothing deleted]`;
      const err = tryIp(t.host, 'addr', 'del', `${d.address}/${d.prefixLen}`, 'dev', on[0] as string);
      return `[${d.address} deleted from ${on[0]}${err ? `, failed: ${err}` : ''}]`;
    }
    case 'addr-add': {
      const d = ctx.config.data[f.addr ?? 0];
      if (!d) return '[no such data address]';
      const snap = takeSnapshot(t.host);
      const on = holdersIn(snap, d.address);
      const names = ctx.config.members.map((m) => m.name);
      for (let k = 0; k < names.length; k++) {
        const target = names[((f.rotate ?? 0) + k) % names.length] as string;
        if (on.includes(target) || !snap.links.some((l) => l.name === target)) continue;
        const err = tryIp(t.host, 'addr', 'add', `${d.address}/${d.prefixLen}`, 'dev', target);
        return `[${d.address} (on ${on.join(',') || 'no NIC'}) added to ${target}${err ? `, failed: ${err}` : ''}]`;
      }
      return `[${d.address}: no non-holder member exists]`;
    }
    case 'route-del': {
      const dst = f.route === 'default' ? 'default' : ctx.config.subnets[0] as string;
      const err = tryIp(t.host, 'route', 'del', dst, 'proto', '73');
      return err ? `[${dst}: ${err}]` : `[${dst} deleted]`;
    }
    case 'hup-same': case 'hup-changed': case 'hup-broken': {
      const d = ctx.d;
      if (f.kind === 'hup-changed') ctx.config = ctx.variants[f.variant ?? 0] as ChaosConfig;
      d.writeConfig(f.kind === 'hup-broken' ? brokenConfig(ctx.config) : renderConfig(ctx.config));
      const from = d.logs.length;
      await d.signal('SIGHUP');
      const want = f.kind === 'hup-broken' ? /reload refused/ : /configuration reloaded/;
      const seen = await waitLog(d, want, from, 3000);
      if (f.kind === 'hup-broken') d.writeConfig(renderConfig(ctx.config)); // a later restart must find a good file
      if (!seen) ctx.pending.push(`ipmpd did not log ${JSON.stringify(want.source)} within 3 s of SIGHUP`);
      return '';
    }
    case 'kill9': {
      await ctx.d.stop('SIGKILL');
      ctx.d.cleanup();
      await startDaemon(ctx);
      return '';
    }
  }
}

/** Starts a fresh ipmpd on ctx.config; a failure to start is recorded as a violation. */
export async function startDaemon(ctx: ChaosContext): Promise<boolean> {
  const d = new DaemonProcess(ctx.t.host);
  d.writeConfig(renderConfig(ctx.config));
  ctx.d = d;
  try {
    await d.start();
    return true;
  } catch (e) {
    ctx.pending.push(`ipmpd did not start: ${(e as Error).message.slice(0, 500)}`);
    return false;
  }
}
