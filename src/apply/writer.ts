// The kernel writer: every change ipmpd makes to addresses and routes goes through here, in
// one queue — ordinary runs, the armed fast path, re-announcements. Rules it keeps:
// - adds before deletes, and the first announcement right after the adds (the new home
//   answers before the old one stops); leaving a healthy member, the old copy stays for the
//   group's failback grace after that first frame (handover.ts: make-before-break);
// - never delete a data address whose add elsewhere failed, or whose home does not exist;
// - a route's source is chosen only from addresses in the kernel after this run's changes;
// - what it placed is recorded (PlacedRecord), so its own copies are found after a restart.
import type { AnnounceSettings } from '../config/model.js';
import type { RtnlClient, BatchOp } from '../netlink/client.js';
import type { NetlinkError } from '../netlink/errors.js';
import type { Address, Link } from '../netlink/types.js';
import type { Logger } from '../log.js';
import { announcementFor } from './announcements.js';
import type { Announcement, Announcer } from './announcer.js';
import { describeChange, planAddressChanges, planRouteChanges, type Change, type KernelView, type OwnedAddresses } from './kernel-diff.js';
import { Handovers } from './handover.js';
import type { Intent } from './intent.js';
import type { PlacedRecord } from './placed-record.js';
import type { NativeArming, NativeFire } from './native-arming.js';

/** What the writer needs of a netlink client: the real RtnlClient, or a fake kernel in unit tests. */
export type KernelClient = Pick<RtnlClient, 'batch' | 'listAddresses' | 'listRoutes'>;

export interface ViewSource {
  readonly links: ReadonlyMap<number, Link>;
  readonly addresses: ReadonlyMap<string, Address>;
}

export interface ApplyReport {
  changes: string[];
  failures: string[];
  announced: string[];
  durationMs: number;
  /** ms from the start of the run until the address batch was written and announced. */
  addressesSentMs?: number;
  /** Data addresses whose old copy on a healthy member waits for the failback grace. */
  held?: string[];
}

export interface ApplyOptions {
  /** Read addresses with a dump instead of the monitor's view (it can be a burst behind). */
  fresh?: boolean;
  /** Data addresses to announce again from where they are, even if nothing moves them. */
  reannounce?: ReadonlySet<string>;
}

/** A failover computed ahead of time (see daemon/armed-plans.ts): fired by the writer only while its generation is current. */
export interface ArmedPlan {
  ifname: string;
  generation: number;
  ops: BatchOp[];
  announcements: Announcement[];
}

// Errors that mean the kernel already is as we want it.
const HARMLESS: Record<string, Set<string>> = {
  'add-address': new Set(['EEXIST']),
  'delete-address': new Set(['EADDRNOTAVAIL', 'ENODEV']),
  'delete-route': new Set(['ESRCH', 'ENOENT']),
};

export function toOp(c: Change): BatchOp {
  switch (c.kind) {
    case 'link-up': return { op: 'setLink', index: c.index, change: { up: true } };
    case 'add-address': return { op: 'replaceAddress', spec: c.spec };
    case 'delete-address': return { op: 'deleteAddress', spec: c.spec };
    case 'replace-route': return { op: 'replaceRoute', spec: c.spec };
    case 'delete-route': return { op: 'deleteRoute', spec: c.spec };
  }
}

export interface AddressRun { adds: Change[]; deletes: Change[]; announcements: Announcement[] }

/**
 * The address part of a run, without I/O: changes split into adds (and link-ups) and deletes,
 * and the announcement series for data addresses that are new where they are (or asked for
 * again). The writer runs this; the rehearsal (daemon/warmup.ts) runs exactly this too.
 */
export function prepareAddressRun(
  intent: Intent, view: KernelView, owned: OwnedAddresses, announceFor: (group: string) => AnnounceSettings,
  skip: ReadonlySet<string>, reannounce: ReadonlySet<string>,
): AddressRun {
  // The view's members may be one-shot iterators (a Map's values()): read each once.
  const links = [...view.links];
  const planned = planAddressChanges(intent, { links, addresses: view.addresses, routes: [] }, owned);
  const adds = planned.filter((c) => c.kind !== 'delete-address');
  const deletes = planned.filter((c) => c.kind === 'delete-address');
  const byIndex = new Map<number, Link>();
  for (const l of links) byIndex.set(l.index, l);
  const byName = new Map<string, Link>();
  for (const l of byIndex.values()) byName.set(l.name, l);
  const announcements: Announcement[] = [];
  const done = new Set<string>();
  for (const c of adds) {
    if (c.kind !== 'add-address' || c.intent.role !== 'data' || c.replaces || skip.has(c.spec.address)) continue;
    const link = byIndex.get(c.spec.index);
    const a = link && announcementFor(link, c.spec.family, c.spec.address, announceFor(c.intent.group));
    if (a) announcements.push(a);
    done.add(c.spec.address);
  }
  if (reannounce.size > 0) {
    for (const want of intent.addresses) {
      if (want.role !== 'data' || !reannounce.has(want.address) || done.has(want.address)) continue;
      const link = byName.get(want.ifname);
      const a = link && announcementFor(link, want.family, want.address, announceFor(want.group));
      if (a) announcements.push(a);
    }
  }
  return { adds, deletes, announcements };
}

/** A run starting this soon after the previous one reads addresses with a dump. */
const FRESH_AFTER_RUN_MS = 1000;

interface Queued { intent: Intent; reason: string; fresh: boolean; reannounce: Set<string>; waiters: ((r: ApplyReport) => void)[]; failers: ((e: unknown) => void)[] }

export class KernelWriter {
  private lastRunEnd = Number.NEGATIVE_INFINITY;
  private running: Promise<ApplyReport> | undefined;
  private queued: Queued | undefined;
  /** Addresses whose series an armed plan already started; the next run does not announce them again. */
  private preannounced = new Set<string>();
  /** The intent of the last completed run. */
  private applied: Intent | undefined;
  /**
   * The generation, bumped by every change of placement or link state; an armed plan fires
   * only for the current one. It lives in a cell the addon reads too, so a plan armed in
   * native code is stale the moment JavaScript invalidates, with no disarm call needed.
   */
  readonly generationCell = new Uint32Array(1);
  private native: { arming: NativeArming; continueSeries: (a: Announcement) => void } | undefined;
  /** Told after a plan fired in native code (the event path counts it). */
  onNativeFire: ((ifname: string, announcements: number) => void) | undefined;
  /** Old copies kept for the failback grace; when one is over, `wake` asks for a run. */
  private readonly handovers: Handovers;
  private lastIntent: Intent | undefined;

  constructor(
    private readonly client: KernelClient,
    private readonly view: ViewSource,
    private readonly announcer: Pick<Announcer, 'announce'>,
    private readonly announceFor: (group: string) => AnnounceSettings,
    private readonly record: PlacedRecord,
    private readonly log: Logger,
    /** The daemon routes this through its event path (so armed plans are re-armed after the run). */
    wake?: (reason: string) => void,
  ) {
    this.handovers = new Handovers(wake ?? ((reason) => {
      if (this.lastIntent) void this.apply(this.lastIntent, reason).catch((err: unknown) => this.log.error({ err }, `${reason}: run failed`));
    }), log);
  }

  /** Data addresses whose old copy is waiting for its grace to end. */
  handingOver(): string[] {
    return this.handovers.waiting();
  }

  /** Exit: the old copies waiting for their grace go now. */
  endHandovers(): Promise<ApplyReport | undefined> {
    this.handovers.expireAll();
    return this.lastIntent ? this.apply(this.lastIntent, 'exit: failback grace cut short') : Promise.resolve(undefined);
  }

  close(): void {
    this.handovers.close();
  }

  get generation(): number {
    return this.generationCell[0] ?? 0;
  }

  /** Anything that could make an armed plan stale calls this. */
  invalidate(): void {
    // Atomic, like the addon's claim: its sender thread may be firing at this very moment.
    Atomics.add(this.generationCell, 0, 1);
  }

  /** From now on arm() arms plans in native code; `continueSeries` sends the rest of a series whose first frame went out natively. */
  useNativeArming(arming: NativeArming, continueSeries: (a: Announcement) => void): void {
    this.native = { arming, continueSeries };
  }

  /**
   * Arms the current plans on their members' carrier-loss triggers (native arming only);
   * plans already stale are left out. A member that cannot be armed keeps the JavaScript
   * fast path (fire() from the monitor's link flags).
   */
  arm(plans: ReadonlyMap<string, ArmedPlan>): void {
    if (!this.native) return;
    const byName = new Map<string, number>();
    for (const l of this.view.links.values()) byName.set(l.name, l.index);
    const list: { plan: ArmedPlan; ifindex: number }[] = [];
    for (const plan of plans.values()) {
      const ifindex = byName.get(plan.ifname);
      if (ifindex !== undefined && plan.generation === this.generation) list.push({ plan, ifindex });
    }
    this.native.arming.arm(list, this.generationCell, (f) => this.firedNatively(f));
  }

  /**
   * Fires an armed plan if it is still current: its adds are written and its first frames sent
   * now; the ordinary run that follows finds them in place and completes the move.
   */
  fire(plan: ArmedPlan): boolean {
    // Claimed as the addon claims it (compare and increment), so a plan goes out once.
    if (Atomics.compareExchange(this.generationCell, 0, plan.generation, (plan.generation + 1) >>> 0) !== plan.generation) return false;
    const firedAt = performance.now();
    const sent = this.client.batch(plan.ops);
    for (const a of plan.announcements) {
      this.announcer.announce(a);
      this.preannounced.add(a.address);
    }
    const tookMs = performance.now() - firedAt;
    sent.then(
      (results) => {
        const failed = results.filter((e) => e !== undefined);
        if (failed.length > 0) this.log.warn({ ifname: plan.ifname, errors: failed.map((e) => e?.code) }, `armed plan for ${plan.ifname}: ${failed.length} change(s) refused; the ordinary run retries`);
        else this.log.debug({ ifname: plan.ifname, addresses: plan.ops.length, tookMs: Number(tookMs.toFixed(3)) }, `armed plan for ${plan.ifname} fired`);
      },
      (err: unknown) => this.log.error({ err, ifname: plan.ifname }, `armed plan for ${plan.ifname} failed`),
    );
    return true;
  }

  /** A plan went out from the addon (which logged it): the rest of each series follows from here. */
  private firedNatively(f: NativeFire): void {
    for (const a of f.announced) {
      this.preannounced.add(a.address);
      this.native?.continueSeries(a);
    }
    this.onNativeFire?.(f.plan.ifname, f.announced.length);
  }

  /**
   * One announcement frame for an address another host claimed, from the NIC holding it
   * (RFC 5227 §2.4 (b): defend once, then do not fight). Returns the NIC it went out on.
   */
  defend(intent: Intent, address: string): string | undefined {
    const want = intent.addresses.find((a) => a.address === address);
    if (!want) return undefined;
    const link = [...this.view.links.values()].find((l) => l.name === want.ifname);
    const once = { ...this.announceFor(want.group), arpCount: 1, naCount: 1 };
    const a = link && announcementFor(link, want.family, address, once);
    if (!a) return undefined;
    this.announcer.announce(a);
    return a.ifname;
  }

  /** Brings links administratively up (members at start); returns the refusals. */
  async bringUp(indexes: readonly number[]): Promise<(NetlinkError | undefined)[]> {
    this.invalidate();
    return this.client.batch(indexes.map((index) => ({ op: 'setLink' as const, index, change: { up: true } })));
  }

  /** Runs one at a time; requests made meanwhile collapse into one follow-up run with the newest intent. */
  apply(intent: Intent, reason: string, opts: ApplyOptions = {}): Promise<ApplyReport> {
    this.invalidate();
    this.lastIntent = intent;
    const reannounce = new Set(opts.reannounce ?? []);
    if (!this.running) {
      this.running = this.run(intent, reason, opts.fresh ?? false, reannounce).finally(() => this.next());
      return this.running;
    }
    return new Promise((resolve, reject) => {
      if (this.queued) {
        this.queued.intent = intent;
        this.queued.reason = reason;
        this.queued.fresh ||= opts.fresh ?? false;
        for (const a of reannounce) this.queued.reannounce.add(a);
        this.queued.waiters.push(resolve);
        this.queued.failers.push(reject);
      } else {
        this.queued = { intent, reason, fresh: opts.fresh ?? false, reannounce, waiters: [resolve], failers: [reject] };
      }
    });
  }

  private next(): void {
    this.running = undefined;
    const q = this.queued;
    if (!q) return;
    this.queued = undefined;
    this.running = this.run(q.intent, q.reason, q.fresh, q.reannounce).finally(() => this.next());
    this.running.then((r) => { for (const w of q.waiters) w(r); }, (e: unknown) => { for (const f of q.failers) f(e); });
  }

  private nameOf = (index: number): string => this.view.links.get(index)?.name ?? `if${index}`;

  private indexOf(name: string): number | undefined {
    for (const l of this.view.links.values()) if (l.name === name) return l.index;
    return undefined;
  }

  private async run(intent: Intent, reason: string, fresh: boolean, asked: ReadonlySet<string>): Promise<ApplyReport> {
    const started = performance.now();
    const report: ApplyReport = { changes: [], failures: [], announced: [], durationMs: 0 };
    const skip = this.preannounced;
    this.preannounced = new Set();
    // A handover abandoned (its new home failed again, a reload moved the address): peers may
    // have heard the new home already, so the address is announced again from where it stays.
    const reannounce = new Set(asked);
    for (const a of this.handovers.settle(intent, (name) => this.indexOf(name))) if (!skip.has(a)) reannounce.add(a);
    // A data address the previous run left on another NIC and already where this run wants it
    // was moved by an armed plan whose report JavaScript has not had: announce it here, or
    // peers would hear only the plan's first frame. (A late report restarts the series: harmless.)
    for (const a of movedSince(this.applied, intent)) if (!skip.has(a)) reannounce.add(a);
    // The monitor's view lags our own changes by however many notifications are still
    // unread. Right after a run it would show addresses we just removed, so those runs read
    // a dump; a first move after a quiet spell uses the view, which costs nothing.
    const recent = started - this.lastRunEnd < FRESH_AFTER_RUN_MS;
    const addresses = fresh || recent ? await this.client.listAddresses() : this.view.addresses.values();
    const view: KernelView = { links: this.view.links.values(), addresses, routes: [] };
    const { adds, deletes: planned, announcements } = prepareAddressRun(intent, view, this.record.owned, this.announceFor, skip, reannounce);
    let deletes = planned;
    const placed = new Map<string, number>();
    let announcedAt = started;
    if (adds.length > 0 || announcements.length > 0) {
      // batch() writes the whole request synchronously; the kernel has applied it before it
      // returns, so the first announcement can go out before the ACKs are read.
      const pending = this.client.batch(adds.map(toOp));
      for (const a of announcements) {
        this.announcer.announce(a);
        report.announced.push(a.address);
      }
      announcedAt = performance.now();
      report.addressesSentMs = announcedAt - started;
      this.logAnnouncements(announcements, intent);
      const results = await pending;
      this.recordResults(adds, results, report);
      deletes = this.withoutLastCopies(adds, results, deletes);
      adds.forEach((c, i) => {
        if (c.kind === 'add-address' && c.intent.role === 'data' && !c.replaces && !results[i]) placed.set(c.spec.address, c.spec.index);
      });
    }
    const due = deletes.length;
    deletes = this.handovers.hold(deletes, { intent, links: this.view.links, placed, announcedAt, graceFor: (g) => this.announceFor(g).failbackGraceMs });
    if (deletes.length !== due) report.held = this.handovers.waiting();
    if (deletes.length > 0) {
      const results = await this.client.batch(deletes.map(toOp));
      this.recordResults(deletes, results, report);
      this.logLeftovers(intent, deletes, results);
    }
    // Routes from fresh dumps: IPv4 routes flushed with a NIC's last address make no event,
    // and a route's source must be an address present now.
    // One dump at a time: a netlink socket refuses a second concurrent dump (EBUSY).
    const now = await this.client.listAddresses();
    const routes = await this.client.listRoutes();
    this.remember(intent, now);
    const present = new Set(now.map((a) => a.local));
    const routeChanges = planRouteChanges(intent, { links: this.view.links.values(), addresses: [], routes }, present);
    if (routeChanges.length > 0) this.recordResults(routeChanges, await this.client.batch(routeChanges.map(toOp)), report);
    report.durationMs = performance.now() - started;
    this.lastRunEnd = performance.now();
    this.applied = intent;
    if (report.changes.length > 0 || report.failures.length > 0) {
      this.log.info({
        reason, changes: report.changes.length > 16 ? [...report.changes.slice(0, 16), `… ${report.changes.length - 16} more`] : report.changes,
        failures: report.failures, durationMs: Number(report.durationMs.toFixed(3)),
        ...(report.addressesSentMs !== undefined ? { addressesSentMs: Number(report.addressesSentMs.toFixed(3)) } : {}),
      }, `applied ${report.changes.length} change(s) (${reason})`);
    }
    return report;
  }

  /** A data address whose new home refused it keeps its old copies: never delete the last one. */
  private withoutLastCopies(adds: Change[], results: (NetlinkError | undefined)[], deletes: Change[]): Change[] {
    const refused = new Set(adds.flatMap((c, i) => {
      const err = results[i];
      return c.kind === 'add-address' && err && !HARMLESS['add-address']?.has(err.code) ? [c.spec.address] : [];
    }));
    return deletes.filter((c) => {
      if (c.kind !== 'delete-address' || !refused.has(c.spec.address)) return true;
      this.log.warn({ ifname: c.ifname, address: c.spec.address }, `kept ${c.spec.address} on ${c.ifname}: its new home refused it`);
      return false;
    });
  }

  /** The record holds what is ours and still there: wanted addresses present where wanted, and earlier placements not yet removed. */
  private remember(intent: Intent, now: Address[]): void {
    const byName = new Map<string, number>();
    for (const l of this.view.links.values()) byName.set(l.name, l.index);
    const present = new Set(now.map((a) => `${a.index}|${a.local}`));
    this.record.retain((index, address) => present.has(`${index}|${address}`));
    for (const want of intent.addresses) {
      const index = byName.get(want.ifname);
      if (index !== undefined && present.has(`${index}|${want.address}`)) this.record.add(index, want.address);
    }
    try {
      this.record.save();
    } catch (err) {
      this.log.error({ err }, 'cannot write the state file; a restart may not find addresses this run placed');
    }
  }

  /** Removals that are not moves say why: the address left the configuration, or its NIC left the group. */
  private logLeftovers(intent: Intent, deletes: Change[], results: (NetlinkError | undefined)[]): void {
    const managed = new Set(intent.managed);
    const members = new Set(intent.members);
    let logged = 0;
    deletes.forEach((c, i) => {
      if (c.kind !== 'delete-address' || results[i] || logged >= 16) return;
      const why = !managed.has(c.spec.address) ? 'no longer in the configuration' : !members.has(c.ifname) ? `${c.ifname} is not a group member` : undefined;
      if (!why) return;
      logged++;
      this.log.info({ ifname: c.ifname, address: c.spec.address }, `removed ${c.spec.address} from ${c.ifname}: ${why}`);
    });
  }

  /** One line per NIC: which addresses it now announces, how many times, how far apart. */
  private logAnnouncements(announcements: Announcement[], intent: Intent): void {
    const groupOf = new Map(intent.addresses.map((a) => [a.address, a.group]));
    const byNic = new Map<string, Announcement[]>();
    for (const a of announcements) byNic.set(a.ifname, [...(byNic.get(a.ifname) ?? []), a]);
    for (const [ifname, list] of byNic) {
      const group = groupOf.get(list[0]?.address ?? '') ?? '';
      const v4 = list.filter((a) => a.family === 4);
      const v6 = list.filter((a) => a.family === 6);
      const parts = [
        ...(v4[0] ? [`${v4.length} gratuitous ARP series (x${v4[0].count}, ${v4[0].intervalMs} ms apart)`] : []),
        ...(v6[0] ? [`${v6.length} unsolicited NA series (x${v6[0].count}, ${v6[0].intervalMs} ms apart)`] : []),
      ];
      const names = list.map((a) => a.address);
      this.log.info({ ifname, group, addresses: names.length > 16 ? [...names.slice(0, 16), `… ${names.length - 16} more`] : names },
        `announcing ${names.length === 1 ? names[0] : `${names.length} addresses`} on ${ifname}: ${parts.join(', ')}`);
    }
  }

  private recordResults(changes: Change[], results: (NetlinkError | undefined)[], report: ApplyReport): void {
    changes.forEach((c, i) => {
      const err = results[i];
      const text = describeChange(c, this.nameOf);
      if (!err) {
        report.changes.push(text);
        return;
      }
      if (HARMLESS[c.kind]?.has(err.code)) return; // the kernel was already there: not a change
      report.failures.push(`${text}: ${err.code}${err.extAck ? ` (${err.extAck})` : ''}`);
      this.log.error({ err: { code: err.code, message: err.message }, change: text }, `cannot apply: ${text}`);
    });
  }
}

/** Data addresses whose NIC differs between two intents. */
function movedSince(before: Intent | undefined, now: Intent): string[] {
  if (!before) return [];
  const was = new Map<string, string>();
  for (const a of before.addresses) if (a.role === 'data') was.set(a.address, a.ifname);
  return now.addresses.filter((a) => a.role === 'data' && was.has(a.address) && was.get(a.address) !== a.ifname).map((a) => a.address);
}
