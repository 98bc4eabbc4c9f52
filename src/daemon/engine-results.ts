// Small pure helpers over engine results and placements, used by the event path.
import { trackedGroups } from '../config/anonymous.js';
import type { IpmpConfig } from '../config/model.js';
import type { EngineResult, LogEvent, Placement } from '../engine/types.js';
import type { Logger } from '../log.js';
import { LogAggregator } from '../log-aggregate.js';

export function memberNames(config: IpmpConfig): string[] {
  return trackedGroups(config).flatMap((g) => g.interfaces.map((i) => i.name));
}

/** Several engine steps taken together (one per member link change) as one result. */
export function mergeResults(a: EngineResult | undefined, b: EngineResult): EngineResult {
  if (!a) return b;
  return { ...b, changes: [...a.changes, ...b.changes], log: [...a.log, ...b.log], probeResets: [...a.probeResets, ...b.probeResets] };
}

const bare = (address: string): string => address.split('/')[0] ?? '';

/** Data addresses bound to `ifname` in a placement (without prefix). */
export function dataOn(p: Placement, ifname: string): string[] {
  return p.groups.flatMap((g) => g.addresses.filter((a) => a.bound && a.nic === ifname).map((a) => bare(a.address)));
}

/**
 * Every address of a group that just left group failure: the series of a move made while its
 * NICs were going down may have reached no one, so all of them are announced again.
 */
export function recoveredAddresses(r: EngineResult): string[] {
  const out: string[] = [];
  for (const c of r.changes) {
    if (c.kind !== 'group-state' || c.from !== 'failed') continue;
    const g = r.placement.groups.find((x) => x.group === c.group);
    for (const a of g?.addresses ?? []) if (a.bound) out.push(bare(a.address));
  }
  return out;
}

const LINK_CHANGE = /^The link has (gone down|come up) on \S+$/;

/**
 * The engine's in.mpathd-style lines. A flapping cable must not drown the journal (and have the
 * important lines rate-limited away): plain link up/down lines are let through once per NIC
 * per window, then summarised ("eth0: 1,234 more carrier changes in the last 10 s").
 */
export class EngineLog {
  private readonly flaps: LogAggregator;

  constructor(private readonly log: Logger) {
    this.flaps = new LogAggregator({ onSummary: (s) => log.warn({ ifname: s.key, suppressed: s.count }, s.text) });
  }

  write(l: LogEvent): void {
    if (l.ifname && LINK_CHANGE.test(l.msg) && !this.flaps.admit(l.ifname, 'carrier changes')) return;
    const fields = { group: l.group, ...(l.ifname ? { ifname: l.ifname } : {}), ...l.fields };
    this.log[l.level](fields, l.msg);
  }

  close(): void {
    this.flaps.close();
  }
}
