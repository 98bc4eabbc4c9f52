// The daemon's side of the metrics: receives the event path's results (StepObserver) and the
// daemon's own events (resyncs, reloads), turns them into counter updates via derive.ts, and
// runs the endpoint while `metrics.listen` is configured (restarted when a reload changes it).
// prom-client and the HTTP server are imported only then: ~10 MB a daemon without metrics
// does not need to carry.
import type { ApplyReport } from '../apply/writer.js';
import type { MetricsSettings } from '../config/model.js';
import type { StepObserver } from '../daemon/step-observer.js';
import type { EngineResult, Placement } from '../engine/types.js';
import type { Logger } from '../log.js';
import { repairCause, transitions, type TransitionReason } from './derive.js';
import { parseListen } from './listen.js';
import type { DaemonMetrics, MetricsSources } from './registry.js';
import type { MetricsServer } from './server.js';
import { MetricTallies } from './tallies.js';

export class MetricsService implements StepObserver {
  private readonly tallies = new MetricTallies();
  private registry: DaemonMetrics | undefined;
  private server: MetricsServer | undefined;
  private listen: string | undefined;
  /** The placement of the previous step: failbacks are judged by the member's state before. */
  private last: Placement | undefined;
  /** Why each member last failed over ("group|ifname"): its failback carries the same reason. */
  private readonly causes = new Map<string, TransitionReason>();
  /** Reports of runs an engine step waited for, and reports whose announcements are counted. */
  private readonly engineRuns = new WeakSet<ApplyReport>();
  private readonly counted = new WeakSet<ApplyReport>();

  constructor(private readonly sources: MetricsSources, private readonly log: Logger) {}

  /** The exposition (Prometheus text); builds the registry on first use. */
  async expose(): Promise<string> {
    return (await this.exposition()).expose();
  }

  private async exposition(): Promise<DaemonMetrics> {
    if (!this.registry) {
      const { DaemonMetrics } = await import('./registry.js');
      this.registry ??= new DaemonMetrics(this.sources, this.tallies);
    }
    return this.registry;
  }

  stepped(result: EngineResult, report: ApplyReport): void {
    // The first step (start) adopts the placement; nothing before it to fail over from.
    if (this.last) {
      const ts = transitions(this.last, result.placement, result.changes, (g, i) => this.causes.get(`${g}|${i}`));
      for (const t of ts) {
        if (t.kind === 'failover') this.causes.set(`${t.group}|${t.ifname}`, t.reason);
        else this.causes.delete(`${t.group}|${t.ifname}`);
      }
      this.tallies.transitioned(ts, report.durationMs);
    }
    this.last = result.placement;
    this.engineRuns.add(report);
    this.countAnnouncements(report);
  }

  reconciled(reason: string, report: ApplyReport): void {
    this.countAnnouncements(report);
    // The writer collapses requests made while it runs into one run and hands every waiter
    // the same report: if an engine step shared this run, its changes are the step's, not a
    // repair. The waiters are resumed together, so by the next turn every sharer has reported.
    // A run that found nothing to do is a check, not a repair.
    if (report.changes.length > 0) setImmediate(() => { if (!this.engineRuns.has(report)) this.tallies.repaired(repairCause(reason)); });
  }

  private countAnnouncements(report: ApplyReport): void {
    if (this.counted.has(report)) return;
    this.counted.add(report);
    this.tallies.announced(report.announced.length);
  }

  fired(announcements: number): void {
    this.tallies.announced(announcements);
  }

  resynced(): void {
    this.tallies.resynced();
  }

  reloaded(ok: boolean): void {
    this.tallies.reloaded(ok);
  }

  /**
   * Opens, moves or closes the endpoint to match the configuration. A port that cannot be
   * bound is logged, not fatal: failover matters more than its statistics.
   */
  async configure(settings: MetricsSettings | undefined): Promise<void> {
    if (settings?.listen === this.listen) return;
    await this.close();
    const at = settings && parseListen(settings.listen);
    if (!settings || !at) return;
    try {
      const [{ MetricsServer }, exposition] = await Promise.all([import('./server.js'), this.exposition()]);
      this.server = await MetricsServer.listen(at, exposition, this.log);
      this.listen = settings.listen;
      this.log.info({ listen: settings.listen }, `metrics served on http://${settings.listen}/metrics`);
    } catch (err) {
      this.log.error({ err, listen: settings.listen }, `cannot serve metrics on ${settings.listen}`);
    }
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    this.listen = undefined;
    await s?.close();
  }
}

