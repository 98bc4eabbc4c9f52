// Armed failover plans. While the daemon is idle it asks a clone of the engine what the
// failure of each member would do, and keeps the result ready: the netlink adds, the route
// replacements the move needs, and the announcements. The writer arms them in native code
// (a carrier-loss trigger per member sends them before any JavaScript runs); if that is not
// possible it fires them from the monitor's raw link flags, before the notification is decoded
// or the engine runs. The ordinary run follows and finds the kernel already right. A plan
// carries the writer's generation and is refused once stale.
import { announcementFor } from '../apply/announcements.js';
import type { Announcement } from '../apply/announcer.js';
import { addressSpecFor, planRouteChanges } from '../apply/kernel-diff.js';
import { intentFromPlacement } from '../apply/from-placement.js';
import type { AddressIntent } from '../apply/intent.js';
import type { ArmedPlan } from '../apply/writer.js';
import type { AnnounceSettings, IpmpConfig } from '../config/model.js';
import type { Engine } from '../engine/engine.js';
import type { BatchOp } from '../netlink/client.js';
import type { Address, Link, Route } from '../netlink/types.js';
import type { Logger } from '../log.js';

const key = (a: AddressIntent): string => `${a.ifname}|${a.address}`;

/** What the kernel holds now (the monitor's view). */
export interface ArmingView { links: Iterable<Link>; addresses: Iterable<Address>; routes: Iterable<Route> }

/** Plans for the failure of each member in `up` (members whose link is usable now). */
export function armPlans(
  engine: Engine, config: IpmpConfig, kernel: ArmingView, up: string[], generation: number, now: number,
  announceFor: (group: string) => AnnounceSettings,
): Map<string, ArmedPlan> {
  const links = [...kernel.links];
  const routes = [...kernel.routes];
  const present = [...kernel.addresses].map((a) => a.local);
  const byName = new Map<string, Link>();
  for (const l of links) byName.set(l.name, l);
  const current = new Set(intentFromPlacement(engine.placement(), config).addresses.filter((a) => a.role === 'data').map(key));
  const plans = new Map<string, ArmedPlan>();
  for (const ifname of up) {
    const preview = engine.clone().handle({ type: 'link', ifname, up: false }, now);
    const ops: BatchOp[] = [];
    const announcements: Announcement[] = [];
    const after = intentFromPlacement(preview.placement, config);
    const added: string[] = [];
    for (const a of after.addresses) {
      if (a.role !== 'data' || current.has(key(a))) continue;
      const link = byName.get(a.ifname);
      if (!link) continue;
      ops.push({ op: 'replaceAddress', spec: addressSpecFor(a, link.index) });
      added.push(a.address);
      const series = announcementFor(link, a.family, a.address, announceFor(a.group));
      if (series) announcements.push(series);
    }
    if (ops.length === 0) continue;
    // Routes through the failing member move with it, in the same batch after the adds (their
    // source may be an address just added). Deletions stay with the ordinary run.
    for (const c of planRouteChanges(after, { links, addresses: [], routes }, new Set([...present, ...added]))) {
      if (c.kind === 'replace-route') ops.push({ op: 'replaceRoute', spec: c.spec });
    }
    plans.set(ifname, { ifname, generation, ops, announcements });
  }
  return plans;
}

/** The current plans: recomputed once the daemon is idle after a change; taken (all at once) when one fires. */
export class ArmedPlanSet {
  private plans = new Map<string, ArmedPlan>();
  private arming: NodeJS.Immediate | undefined;
  private closed = false;

  /** `arm` hands each new set of plans to the writer for native arming. */
  constructor(
    private readonly compute: () => Map<string, ArmedPlan>, private readonly log: Logger,
    private readonly arm: (plans: ReadonlyMap<string, ArmedPlan>) => void = () => undefined,
  ) {}

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
      try {
        this.arm(this.plans);
      } catch (err) {
        this.log.error({ err }, 'cannot arm failover plans natively; the JavaScript fast path stays');
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
    this.arm(this.plans);
  }
}
