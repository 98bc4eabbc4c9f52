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
}

// Errors that mean the kernel already is as we want it.
const HARMLESS: Record<string, Set<string>> = {
  'add-address': new Set(['EEXIST']),
  'delete-address': new Set(['EADDRNOTAVAIL', 'ENODEV']),
  'delete-route': new Set(['ESRCH', 'ENOENT']),
};

function toOp(c: Change): BatchOp {
  switch (c.kind) {
    case 'link-up': return { op: 'setLink', index: c.index, change: { up: true } };
    case 'add-address': return { op: 'replaceAddress', spec: c.spec };
    case 'delete-address': return { op: 'deleteAddress', spec: c.spec };
    case 'replace-route': return { op: 'replaceRoute', spec: c.spec };
    case 'delete-route': return { op: 'deleteRoute', spec: c.spec };
  }
}

export class Applier {
  private running: Promise<ApplyReport> | undefined;
  private queued: { intent: Intent; reason: string; waiters: ((r: ApplyReport) => void)[] } | undefined;

  constructor(
    private readonly client: RtnlClient,
    private readonly view: ViewSource,
    private readonly announcer: Announcer,
    private readonly announceFor: (group: string) => AnnounceSettings,
    private readonly log: Logger,
  ) {}

  /** Runs reconciliations one at a time; requests made meanwhile collapse into one follow-up run with the newest intent. */
  apply(intent: Intent, reason: string): Promise<ApplyReport> {
    if (!this.running) {
      this.running = this.run(intent, reason).finally(() => this.next());
      return this.running;
    }
    return new Promise((resolve) => {
      if (this.queued) {
        this.queued.intent = intent;
        this.queued.reason = reason;
        this.queued.waiters.push(resolve);
      } else {
        this.queued = { intent, reason, waiters: [resolve] };
      }
    });
  }

  private next(): void {
    this.running = undefined;
    const q = this.queued;
    if (!q) return;
    this.queued = undefined;
    this.running = this.run(q.intent, q.reason).finally(() => this.next());
    void this.running.then((r) => { for (const w of q.waiters) w(r); });
  }

  private nameOf = (index: number): string => this.view.links.get(index)?.name ?? `if${index}`;

  private async run(intent: Intent, reason: string): Promise<ApplyReport> {
    const started = performance.now();
    const report: ApplyReport = { changes: [], failures: [], announced: [], durationMs: 0 };
    const view: KernelView = { links: this.view.links.values(), addresses: this.view.addresses.values(), routes: [] };
    const addrChanges = planAddressChanges(intent, view);
    if (addrChanges.length > 0) {
      // batch() writes the whole request synchronously; the kernel has applied it before it
      // returns, so the first announcement can go out before the ACKs are read.
      const pending = this.client.batch(addrChanges.map(toOp));
      for (const c of addrChanges) {
        if (c.kind === 'add-address' && c.intent.role === 'data' && !c.replaces) {
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
      this.record(addrChanges, await pending, report);
    }
    const routes = await this.client.listRoutes();
    const routeChanges = planRouteChanges(intent, { links: this.view.links.values(), addresses: [], routes });
    if (routeChanges.length > 0) this.record(routeChanges, await this.client.batch(routeChanges.map(toOp)), report);
    report.durationMs = performance.now() - started;
    if (report.changes.length > 0 || report.failures.length > 0) {
      this.log.info({ reason, changes: report.changes, failures: report.failures, durationMs: Number(report.durationMs.toFixed(3)) },
        `applied ${report.changes.length} change(s) (${reason})`);
    }
    return report;
  }

  private record(changes: Change[], results: (NetlinkError | undefined)[], report: ApplyReport): void {
    changes.forEach((c, i) => {
      const err = results[i];
      const text = describeChange(c, this.nameOf);
      if (!err || HARMLESS[c.kind]?.has(err.code)) {
        report.changes.push(text);
        return;
      }
      report.failures.push(`${text}: ${err.code}${err.extAck ? ` (${err.extAck})` : ''}`);
      this.log.error({ err: { code: err.code, message: err.message }, change: text }, `cannot apply: ${text}`);
    });
  }
}
