import { buildSnapshot } from '../../../src/control/snapshot.js';
import type { StatusSnapshot } from '../../../src/control/status.js';
// Builders and a compact scenario language for engine tests.
import { DEFAULT_ANNOUNCE, DEFAULT_MPATHD, type IpmpConfig, type PlacementMode } from '../../../src/config/model.js';
import { Engine, type EngineEvent, type EngineResult, type Placement } from '../../../src/engine/index.js';

export interface MemberSpec {
  name: string;
  standby?: boolean;
  test?: string[];
}

export interface GroupSpec {
  name?: string;
  mode?: PlacementMode;
  members: (string | MemberSpec)[];
  /** [address/prefix, home, options] */
  data: [string, string, { deprecated?: boolean; up?: boolean }?][];
}

export function config(opts: { failback?: boolean; routers?: string[]; groups: GroupSpec[] }): IpmpConfig {
  return {
    mpathd: { ...DEFAULT_MPATHD, failback: opts.failback ?? true },
    defaultRouters: opts.routers ?? [],
    groups: opts.groups.map((g, i) => {
      const members = g.members.map((m) => (typeof m === 'string' ? { name: m } : m));
      return {
        name: g.name ?? `g${i}`,
        mode: g.mode ?? (members.some((m) => m.standby) ? 'active-standby' : 'outbound-spread'),
        interfaces: members.map((m) => ({ name: m.name, standby: m.standby ?? false, testAddresses: m.test ?? [] })),
        dataAddresses: g.data.map(([address, iface, o]) => ({
          address,
          interface: iface,
          deprecated: o?.deprecated ?? false,
          up: o?.up ?? true,
        })),
        announce: DEFAULT_ANNOUNCE,
        probe: 'icmp' as const,
      };
    }),
  };
}

/**
 * One step: "up eth0", "down eth0", "missing eth0", "probe eth0 failed", "offline eth0",
 * "undo eth0", "tick". Time is given separately.
 */
export function parseStep(text: string): EngineEvent | 'tick' {
  const [verb = '', ifname = '', arg] = text.split(/\s+/);
  switch (verb) {
    case 'up': return { type: 'link', ifname, up: true };
    case 'down': return { type: 'link', ifname, up: false };
    case 'missing': return { type: 'link-missing', ifname };
    case 'probe': return { type: 'probe', ifname, state: arg as 'ok' | 'failed' | 'unknown' | 'disabled' };
    case 'offline': return { type: 'offline', ifname };
    case 'undo': return { type: 'undo-offline', ifname };
    case 'tick': return 'tick';
    default: throw new Error(`bad step ${text}`);
  }
}

export function run(engine: Engine, text: string, now: number): EngineResult {
  const ev = parseStep(text);
  return ev === 'tick' ? engine.tick(now) : engine.handle(ev, now);
}

/** address (without prefix) → NIC, for every data address of every group. */
export function where(p: Placement): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const g of p.groups) for (const a of g.addresses) out[a.address.split('/')[0] ?? ''] = a.nic;
  return out;
}

/** Compact member flags: "eth0:A eth1:I eth2:F" (A active, I inactive, F failed, O offline, U init). */
export function roles(p: Placement): string {
  return p.groups
    .flatMap((g) => g.members)
    .map((m) => `${m.ifname}:${m.offline ? 'O' : m.failed ? 'F' : m.active ? 'A' : m.inactive ? 'I' : 'U'}`)
    .join(' ');
}

/** Bring every named link up at `now` (initial events). */
export function allUp(engine: Engine, names: string[], now = 0): EngineResult {
  let r: EngineResult | undefined;
  for (const n of names) r = engine.handle({ type: 'link', ifname: n, up: true }, now);
  if (!r) throw new Error('no links');
  return r;
}

/** ipmpstat's data for an engine's current placement. */
export function snapshotOf(e: Engine): StatusSnapshot {
  return buildSnapshot(e.placement(), e.configuration());
}
