// The chaos invariant: what must hold in the kernel whenever ipmpd is quiet, whatever an
// operator did to its NICs before. Read from a fresh `ip -j` dump of the host namespace
// (an independent witness, not the daemon's own view) plus pings from the client.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_ANNOUNCE } from '../../src/config/model.js';
import { ipJson } from './netns.js';

export interface DataAddress { address: string; prefixLen: number; home: string }

/** The part of an ipmpd configuration the invariant needs (one IPv4 group). */
export interface ChaosConfig {
  group: string;
  members: { name: string; test: string }[];
  data: DataAddress[];
  defaultRouters: string[];
  /** Data subnets ipmpd must route, e.g. 192.0.2.0/24. */
  subnets: string[];
  fdtMs: number;
  /** announce.failbackGraceMs of the group (default: the daemon's default). */
  failbackGraceMs?: number;
}

/**
 * How long past the failback grace a second copy may still be seen: the deletion is one more
 * writer run (a timer, a netlink request) on a machine that may be loaded.
 */
export const GRACE_MARGIN_MS = 250;

/** Namespaces the invariant looks at: the ipmpd host and a client on the same switch. */
export interface InvariantLab { host: string; client: string }

export interface SnapLink {
  index: number;
  name: string;
  up: boolean;
  lowerUp: boolean;
  /** IPv4 addresses as "a/len" (IPv6 is not configured here; DAD churn is left out). */
  inet: string[];
}

export interface SnapRoute {
  dst: string;
  protocol: string;
  prefsrc?: string;
  gateway?: string;
  devs: string[];
}

export interface KernelSnapshot { links: SnapLink[]; routes: SnapRoute[] }

interface IpLinkJson { ifindex: number; ifname: string; flags?: string[] }
interface IpAddrJson { ifindex: number; ifname: string; addr_info?: { family: string; local: string; prefixlen: number }[] }
interface IpRouteJson {
  dst: string; protocol?: string | number; prefsrc?: string; gateway?: string; dev?: string;
  nexthops?: { dev: string; gateway?: string }[];
}

/** ipmpd's routing protocol number (`proto 73`); iproute2 prints it as a number unless named. */
export const IPMPD_PROTO = '73';
let protoNames: Set<string> | undefined;
function isIpmpdProto(p: string): boolean {
  if (p === IPMPD_PROTO) return true;
  if (!protoNames) {
    protoNames = new Set();
    // A name given to 73 in rt_protos would be printed instead of the number.
    for (const f of ['/etc/iproute2/rt_protos', '/usr/share/iproute2/rt_protos']) {
      try {
        for (const line of readFileSync(f, 'utf8').split('\n')) {
          const [num, name] = line.trim().split(/\s+/);
          if (num === IPMPD_PROTO && name) protoNames.add(name);
        }
      } catch { /* not there */ }
    }
  }
  return protoNames.has(p);
}

/** A fresh dump of links, IPv4 addresses and the main IPv4 routing table of `ns`. */
export function takeSnapshot(ns: string): KernelSnapshot {
  const linkJson = ipJson<IpLinkJson[]>(ns, 'link', 'show');
  const addrJson = ipJson<IpAddrJson[]>(ns, '-4', 'addr', 'show');
  const routeJson = ipJson<IpRouteJson[]>(ns, '-4', 'route', 'show', 'table', 'main');
  const inetByIndex = new Map<number, string[]>();
  for (const a of addrJson) {
    inetByIndex.set(a.ifindex, (a.addr_info ?? []).filter((x) => x.family === 'inet').map((x) => `${x.local}/${x.prefixlen}`));
  }
  const links = linkJson.map((l) => ({
    index: l.ifindex,
    name: l.ifname,
    up: (l.flags ?? []).includes('UP'),
    lowerUp: (l.flags ?? []).includes('LOWER_UP'),
    inet: inetByIndex.get(l.ifindex) ?? [],
  }));
  const routes = routeJson.map((r) => {
    const out: SnapRoute = {
      dst: r.dst,
      protocol: String(r.protocol ?? 'boot'),
      devs: r.nexthops ? r.nexthops.map((h) => h.dev) : r.dev ? [r.dev] : [],
    };
    if (r.prefsrc !== undefined) out.prefsrc = r.prefsrc;
    const gw = r.gateway ?? r.nexthops?.find((h) => h.gateway)?.gateway;
    if (gw !== undefined) out.gateway = gw;
    return out;
  });
  return { links, routes };
}

const bare = (a: string): string => a.split('/')[0] as string;

/** Members that exist under their configured name, are admin up and have carrier. */
export function usableMembers(snap: KernelSnapshot, config: ChaosConfig): string[] {
  const names = new Set(config.members.map((m) => m.name));
  return snap.links.filter((l) => names.has(l.name) && l.up && l.lowerUp).map((l) => l.name);
}

/** NIC names holding `address` (any NIC of the namespace, members or not). */
export function holdersIn(snap: KernelSnapshot, address: string): string[] {
  return snap.links.filter((l) => l.inet.some((a) => bare(a) === address)).map((l) => l.name);
}

/** Invariants (a) and (b) on one dump. */
export function kernelViolations(snap: KernelSnapshot, config: ChaosConfig): string[] {
  const out: string[] = [];
  const usable = usableMembers(snap, config);
  const anyUsable = usable.length > 0;
  // (a) data addresses
  for (const d of config.data) {
    const on = holdersIn(snap, d.address);
    if (on.length > 1) out.push(`(a) ${d.address} on ${on.length} NICs: ${on.join(', ')}`);
    if (!anyUsable) continue;
    if (on.length === 0) out.push(`(a) ${d.address} on no NIC (usable members: ${usable.join(', ')})`);
    else if (on.length === 1 && !usable.includes(on[0] as string)) {
      out.push(`(a) ${d.address} on ${on[0]}, which is not a usable member (usable: ${usable.join(', ')})`);
    }
  }
  // (b) routes
  const present = new Set(snap.links.flatMap((l) => l.inet.map(bare)));
  const ours = snap.routes.filter((r) => isIpmpdProto(r.protocol));
  for (const r of ours) {
    if (r.prefsrc === undefined) out.push(`(b) proto 73 route ${r.dst} has no prefsrc`);
    else if (!present.has(r.prefsrc)) out.push(`(b) proto 73 route ${r.dst} has prefsrc ${r.prefsrc}, which is on no NIC`);
  }
  if (anyUsable) {
    for (const s of config.subnets) {
      if (!ours.some((r) => r.dst === s)) out.push(`(b) no proto 73 route to ${s} (usable members: ${usable.join(', ')})`);
    }
    if (config.defaultRouters.length > 0 && !ours.some((r) => r.dst === 'default')) {
      out.push(`(b) no proto 73 default route (usable members: ${usable.join(', ')})`);
    }
  }
  return out;
}

/** Resolves true if one echo from `ns` to `address` is answered within `timeoutS`. */
export function pingOnce(ns: string, address: string, timeoutS = 1): Promise<boolean> {
  return new Promise((resolve) => {
    // Asynchronous on purpose: a blocked event loop would stop draining ipmpd's stdout.
    execFile('ip', ['netns', 'exec', ns, 'ping', '-n', '-q', '-c', '1', '-W', String(timeoutS), address],
      { timeout: (timeoutS + 2) * 1000 }, (err) => resolve(!err));
  });
}

/** (c) the client reaches every data address: up to `tries` single pings per address. */
export async function reachViolations(lab: InvariantLab, config: ChaosConfig, tries = 3): Promise<string[]> {
  const results = await Promise.all(config.data.map(async (d) => {
    for (let i = 0; i < tries; i++) if (await pingOnce(lab.client, d.address, 1)) return undefined;
    return `(c) client cannot reach ${d.address} (${tries} pings, 1 s each)`;
  }));
  return results.filter((r): r is string => r !== undefined);
}

export interface Inspection { violations: string[]; snapshot: KernelSnapshot }

/** Data addresses on more than one NIC. */
export function doubledAddresses(snap: KernelSnapshot, config: ChaosConfig): string[] {
  return config.data.filter((d) => holdersIn(snap, d.address).length > 1).map((d) => d.address);
}

/**
 * The dump to judge. Make-before-break keeps a data address on two NICs on purpose, for up to
 * the failback grace after its new home announced it: a dump showing two copies is taken
 * again after the grace plus GRACE_MARGIN_MS, and only copies that outlived that count.
 */
export async function settledSnapshot(
  take: () => KernelSnapshot, config: ChaosConfig, wait: (ms: number) => Promise<unknown> = sleep,
): Promise<KernelSnapshot> {
  const first = take();
  if (doubledAddresses(first, config).length === 0) return first;
  await wait((config.failbackGraceMs ?? DEFAULT_ANNOUNCE.failbackGraceMs) + GRACE_MARGIN_MS);
  return take();
}

/** Fresh dump (past any failback grace), (a) + (b), then (c) when at least one member is usable. */
export async function inspect(lab: InvariantLab, config: ChaosConfig): Promise<Inspection> {
  const snapshot = await settledSnapshot(() => takeSnapshot(lab.host), config);
  const violations = kernelViolations(snapshot, config);
  if (usableMembers(snapshot, config).length > 0) violations.push(...await reachViolations(lab, config));
  return { violations, snapshot };
}

/** The chaos invariant on a fresh kernel dump; returns the violations (empty = OK). */
export async function checkInvariant(lab: InvariantLab, config: ChaosConfig): Promise<string[]> {
  return (await inspect(lab, config)).violations;
}

/** The dump as `ip -br`-like lines, for violation reports. */
export function renderSnapshot(s: KernelSnapshot): string {
  const lines = ['links:'];
  for (const l of s.links) {
    if (l.name === 'lo') continue;
    const flags = [l.up ? 'UP' : 'DOWN', l.lowerUp ? 'LOWER_UP' : 'NO-CARRIER'].join(',');
    lines.push(`  ${l.name.padEnd(8)} ${flags.padEnd(17)} ${l.inet.join(' ')}`);
  }
  lines.push('routes (main, IPv4):');
  for (const r of s.routes) {
    lines.push(`  ${r.dst} proto ${r.protocol}${r.prefsrc ? ` src ${r.prefsrc}` : ''}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.devs.join(',')}`);
  }
  return lines.join('\n');
}
