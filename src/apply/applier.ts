// Realises an Intent in the kernel: addresses first (add on the new NIC, announce, then
// delete from the old one), routes second, checked against a fresh dump because IPv4 routes
// flushed with a NIC's last address produce no netlink event.
import type { AnnounceSettings } from '../config/model.js';
import type { RtnlClient, BatchOp } from '../netlink/client.js';
import type { NetlinkError } from '../netlink/errors.js';
import type { Link } from '../netlink/types.js';
import type { Logger } from '../log.js';
import type { Announcer } from './announcer.js';
import { describeChange, planAddressChanges, planRouteChanges, type Change, type KernelView } from './diff.js';
import type { Intent } from './intent.js';

export interface ViewSource {
  readonly links: ReadonlyMap<number, Link>;
  readonly addresses: ReadonlyMap<string, import('../netlink/types.js').Address>;
}

export interface ApplyReport {
  changes: string[];
  failures: string[];
  announced: string[];
  durationMs: number;
  /** ms from the start of the run until the address batch was written and announced. */
  addressesSentMs?: number;
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

/** A run starting this soon after the previous one reads addresses with a dump. */
const FRESH_AFTER_RUN_MS = 1000;

export class Applier {
  private lastRunEnd = Number.NEGATIVE_INFINITY;
  private running: Promise<ApplyReport> | undefined;
  private queued: { intent: Intent; reason: string; fresh: boolean; announced: Set<string>; waiters: ((r: ApplyReport) => void)[] } | undefined;

  constructor(
    private readonly client: RtnlClient,
    private readonly view: ViewSource,
    private readonly announcer: Announcer,
    private readonly announceFor: (group: string) => AnnounceSettings,
    private readonly log: Logger,
  ) {}

  /** Runs reconciliations one at a time; requests made meanwhile collapse into one follow-up run with the newest intent. */
  /**
   * `fresh`: read addresses with a dump instead of the monitor's view. Checks triggered by
   * notifications use it, because the view can be a burst of messages behind; the failover
   * path uses the view, which costs nothing.
   */
  apply(intent: Intent, reason: string, opts: { fresh?: boolean; announced?: ReadonlySet<string> } = {}): Promise<ApplyReport> {
    const announced = opts.announced ?? new Set<string>();
    if (!this.running) {
      this.running = this.run(intent, reason, opts.fresh ?? false, announced).finally(() => this.next());
      return this.running;
    }
    return new Promise((resolve) => {
      if (this.queued) {
        this.queued.intent = intent;
        this.queued.reason = reason;
        this.queued.fresh ||= opts.fresh ?? false;
        for (const a of announced) this.queued.announced.add(a);
        this.queued.waiters.push(resolve);
      } else {
        this.queued = { intent, reason, fresh: opts.fresh ?? false, announced: new Set(announced), waiters: [resolve] };
      }
    });
  }

  private next(): void {
    this.running = undefined;
    const q = this.queued;
    if (!q) return;
    this.queued = undefined;
    this.running = this.run(q.intent, q.reason, q.fresh, q.announced).finally(() => this.next());
    void this.running.then((r) => { for (const w of q.waiters) w(r); });
  }

  private nameOf = (index: number): string => this.view.links.get(index)?.name ?? `if${index}`;

  /** `announced`: addresses whose announcement series an armed plan already started. */
  private async run(intent: Intent, reason: string, fresh: boolean, announced: ReadonlySet<string>): Promise<ApplyReport> {
    const started = performance.now();
    const report: ApplyReport = { changes: [], failures: [], announced: [], durationMs: 0 };
    // The monitor's view lags our own changes by however many notifications are still
    // unread. Right after a run (a failback queued behind a failover) it would show addresses
    // we just removed, so those runs read a dump; a first move after a quiet spell uses the view.
    const recent = started - this.lastRunEnd < FRESH_AFTER_RUN_MS;
    const addresses = fresh || recent ? await this.client.listAddresses() : this.view.addresses.values();
    const view: KernelView = { links: this.view.links.values(), addresses, routes: [] };
    const planned = planAddressChanges(intent, view);
    // Adds go in their own batch so announcements do not wait for the removals from the
    // old NIC (IPv4 deletions are the slow part of a large move).
    const addrChanges = planned.filter((c) => c.kind !== 'delete-address');
    const deletions = planned.filter((c) => c.kind === 'delete-address');
    if (addrChanges.length > 0) {
      // batch() writes the whole request synchronously; the kernel has applied it before it
      // returns, so the first announcement can go out before the ACKs are read.
      const pending = this.client.batch(addrChanges.map(toOp));
      for (const c of addrChanges) {
        if (c.kind === 'add-address' && c.intent.role === 'data' && !c.replaces && !announced.has(c.spec.address)) {
          const link = this.view.links.get(c.spec.index);
          const settings = this.announceFor(c.intent.group);
          if (link?.mac) {
            this.announcer.announce({
              ifname: c.ifname, ifindex: c.spec.index, mac: link.mac, family: c.spec.family, address: c.spec.address,
              count: c.spec.family === 4 ? settings.arpCount : settings.naCount,
              intervalMs: c.spec.family === 4 ? settings.arpIntervalMs : settings.naIntervalMs,
            });
            report.announced.push(c.spec.address);
          }
        }
      }
      report.addressesSentMs = performance.now() - started;
      this.logAnnouncements(addrChanges, report);
      this.record(addrChanges, await pending, report);
    }
    if (deletions.length > 0) this.record(deletions, await this.client.batch(deletions.map(toOp)), report);
    const routes = await this.client.listRoutes();
    const routeChanges = planRouteChanges(intent, { links: this.view.links.values(), addresses: [], routes });
    if (routeChanges.length > 0) this.record(routeChanges, await this.client.batch(routeChanges.map(toOp)), report);
    report.durationMs = performance.now() - started;
    this.lastRunEnd = performance.now();
    if (report.changes.length > 0 || report.failures.length > 0) {
      this.log.info({
        reason, changes: report.changes.length > 16 ? [...report.changes.slice(0, 16), `… ${report.changes.length - 16} more`] : report.changes,
        failures: report.failures, durationMs: Number(report.durationMs.toFixed(3)),
        ...(report.addressesSentMs !== undefined ? { addressesSentMs: Number(report.addressesSentMs.toFixed(3)) } : {}),
      },
        `applied ${report.changes.length} change(s) (${reason})`);
    }
    return report;
  }

  /** One line per NIC: which addresses it now announces, how many times, how far apart. */
  private logAnnouncements(changes: Change[], report: ApplyReport): void {
    const byNic = new Map<string, { v4: string[]; v6: string[]; group: string }>();
    for (const c of changes) {
      if (c.kind !== 'add-address' || c.intent.role !== 'data' || c.replaces) continue;
      if (!report.announced.includes(c.spec.address)) continue;
      const e = byNic.get(c.ifname) ?? { v4: [], v6: [], group: c.intent.group };
      (c.spec.family === 4 ? e.v4 : e.v6).push(c.spec.address);
      byNic.set(c.ifname, e);
    }
    for (const [ifname, e] of byNic) {
      const s = this.announceFor(e.group);
      const parts = [
        ...(e.v4.length ? [`${e.v4.length} gratuitous ARP series (x${s.arpCount}, ${s.arpIntervalMs} ms apart)`] : []),
        ...(e.v6.length ? [`${e.v6.length} unsolicited NA series (x${s.naCount}, ${s.naIntervalMs} ms apart)`] : []),
      ];
      const list = [...e.v4, ...e.v6];
      this.log.info({ ifname, group: e.group, addresses: list.length > 16 ? [...list.slice(0, 16), `… ${list.length - 16} more`] : list },
        `announcing ${list.length === 1 ? list[0] : `${list.length} addresses`} on ${ifname}: ${parts.join(', ')}`);
    }
  }

  private record(changes: Change[], results: (NetlinkError | undefined)[], report: ApplyReport): void {
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
