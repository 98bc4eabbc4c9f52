// Armed failover plans. While the daemon is idle it asks a clone of the engine what the
// failure of each member would do, and keeps the result ready: the netlink adds and the
// announcements. On carrier loss the writer fires the plan from the raw link flags, before
// the notification is decoded or the engine runs; the ordinary run follows and finds the
// kernel already right. A plan carries the writer's generation and is refused once stale.
import { announcementFor } from '../apply/announcements.js';
import type { Announcement } from '../apply/announcer.js';
import { addressSpecFor } from '../apply/kernel-diff.js';
import { intentFromPlacement } from '../apply/from-placement.js';
import type { AddressIntent } from '../apply/intent.js';
import type { ArmedPlan } from '../apply/writer.js';
import type { AnnounceSettings, IpmpConfig } from '../config/model.js';
import type { Engine } from '../engine/engine.js';
import type { BatchOp } from '../netlink/client.js';
import type { Link } from '../netlink/types.js';
import type { Logger } from '../log.js';

const key = (a: AddressIntent): string => `${a.ifname}|${a.address}`;

/** Plans for the failure of each member in `up` (members whose link is usable now). */
export function armPlans(
  engine: Engine, config: IpmpConfig, links: Iterable<Link>, up: string[], generation: number, now: number,
  announceFor: (group: string) => AnnounceSettings,
): Map<string, ArmedPlan> {
  const byName = new Map<string, Link>();
  for (const l of links) byName.set(l.name, l);
  const current = new Set(intentFromPlacement(engine.placement(), config).addresses.filter((a) => a.role === 'data').map(key));
  const plans = new Map<string, ArmedPlan>();
  for (const ifname of up) {
    const preview = engine.clone().handle({ type: 'link', ifname, up: false }, now);
    const ops: BatchOp[] = [];
    const announcements: Announcement[] = [];
    for (const a of intentFromPlacement(preview.placement, config).addresses) {
      if (a.role !== 'data' || current.has(key(a))) continue;
      const link = byName.get(a.ifname);
      if (!link) continue;
      ops.push({ op: 'replaceAddress', spec: addressSpecFor(a, link.index) });
      const series = announcementFor(link, a.family, a.address, announceFor(a.group));
      if (series) announcements.push(series);
    }
    if (ops.length > 0) plans.set(ifname, { ifname, generation, ops, announcements });
  }
  return plans;
}

/** The current plans: recomputed once the daemon is idle after a change; taken (all at once) when one fires. */
export class ArmedPlanSet {
  private plans = new Map<string, ArmedPlan>();
  private arming: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(private readonly compute: () => Map<string, ArmedPlan>, private readonly log: Logger) {}

  /** Recompute after the current burst of work (setImmediate): arming costs an engine clone per member. */
  soon(): void {
    if (this.arming || this.closed) return;
    this.arming = setImmediate(() => {
      this.arming = undefined;
      try {
        this.plans = this.compute();
      } catch (err) {
        this.plans = new Map();
        this.log.error({ err }, 'cannot arm failover plans');
      }
    });
  }

  /** The plan for a member whose link just failed; every other plan is dropped with it (they assumed this member up). */
  take(ifname: string): ArmedPlan | undefined {
    const plan = this.plans.get(ifname);
    if (plan) this.plans = new Map();
    return plan;
  }

  get size(): number {
    return this.plans.size;
  }

  close(): void {
    this.closed = true;
    if (this.arming) clearImmediate(this.arming);
    this.plans = new Map();
  }
}
