// The daemon's metrics in their own prom-client Registry (never the global default, so a
// library that registers there cannot leak into, or clash with, ipmpd's exposition).
// Built only when the endpoint is configured (service.ts imports this module on demand).
// Counters mirror MetricTallies, which the daemon bumps after the event path's work is done;
// state gauges and probe RTTs are computed when Prometheus scrapes, so nothing here runs on
// the failover path.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProbeRecord, StatusSnapshot } from '../control/status.js';
import { probeObservations, stateSamples, type Sample } from './derive.js';
import { MetricTallies, type LabelledCount } from './tallies.js';

export interface MetricsSources {
  /** ipmpstat's snapshot (groups and interfaces) at scrape time. */
  status(): StatusSnapshot;
  /** Probes completed since an epoch-ms instant (ProbeManager.recentProbes). */
  probesSince(sinceMs: number): ProbeRecord[];
}

// Probe RTTs on a LAN are well under a millisecond; a failing path takes up to the FDT.
const RTT_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const epochMs = (): number => performance.timeOrigin + performance.now();

export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly rtt: Histogram<'interface'>;
  private readonly probes: Counter<'interface' | 'outcome'>;
  private probesReadAt = epochMs();

  constructor(private readonly sources: MetricsSources, readonly tallies = new MetricTallies()) {
    const r = [this.registry];
    // A counter's value is the tally's: reset and re-add at each scrape (tallies only grow).
    const mirror = <L extends string>(c: Counter<L>, counts: Iterable<LabelledCount<L>>): void => {
      c.reset();
      for (const x of counts) c.inc(x.labels as Record<L, string>, x.value);
    };
    const t = this.tallies;
    const set = (g: Gauge<string>, samples: Sample[]): void => {
      // Reset first: a group or member removed by a reload must vanish, not keep its last value.
      g.reset();
      for (const s of samples) g.set(s.labels, s.value);
    };
    let states: ReturnType<typeof stateSamples> | undefined;
    // prom-client collects metrics in registration order: the first gauge takes the snapshot
    // and the others reuse it, so one scrape reads one consistent state.
    const snap = (): ReturnType<typeof stateSamples> => (states ??= stateSamples(this.sources.status()));
    new Gauge({ name: 'ipmpd_group_state', help: 'IPMP group state (1 for the current state; ipmpstat -g STATE)', labelNames: ['group', 'state'], registers: r, collect() { states = undefined; set(this, snap().group); } });
    new Gauge({ name: 'ipmpd_interface_link_state', help: 'Member link state (ipmpstat -i LINK)', labelNames: ['group', 'interface', 'state'], registers: r, collect() { set(this, snap().link); } });
    new Gauge({ name: 'ipmpd_interface_probe_state', help: 'Member probe state (ipmpstat -i PROBE)', labelNames: ['group', 'interface', 'state'], registers: r, collect() { set(this, snap().probe); } });
    new Gauge({ name: 'ipmpd_interface_state', help: 'Member state (ipmpstat -i STATE)', labelNames: ['group', 'interface', 'state'], registers: r, collect() { set(this, snap().iface); } });
    new Gauge({ name: 'ipmpd_interface_active', help: 'Member is active: may carry data addresses (ipmpstat -i ACTIVE)', labelNames: ['group', 'interface'], registers: r, collect() { set(this, snap().active); } });
    for (const what of ['failovers', 'failbacks'] as const) {
      new Counter({
        name: `ipmpd_${what}_total`, help: `${what === 'failovers' ? 'Failovers: data addresses left an unusable member' : 'Failbacks: data addresses returned to their repaired home member'}, by cause`,
        labelNames: ['group', 'reason'], registers: r, collect() { mirror(this, t[what].entries()); },
      });
    }
    new Gauge({ name: 'ipmpd_last_failover_duration_seconds', help: 'Duration of the kernel writer run that applied the latest failover of the group', labelNames: ['group'], registers: r,
      collect() { set(this, [...t.lastFailoverS].map(([group, value]) => ({ labels: { group }, value }))); } });
    new Counter({ name: 'ipmpd_announcements_total', help: 'Announcement series started (gratuitous ARP / unsolicited NA) by writer runs', registers: r, collect() { this.reset(); this.inc(t.announcements); } });
    new Counter({ name: 'ipmpd_reconcile_repairs_total', help: 'Reconciliations that found and repaired drift (changes not driven by the engine), by cause', labelNames: ['cause'], registers: r, collect() { mirror(this, t.repairs.entries()); } });
    new Counter({ name: 'ipmpd_netlink_resyncs_total', help: 'Netlink monitor resynchronisations (lost notifications, full dump)', registers: r, collect() { this.reset(); this.inc(t.resyncs); } });
    new Counter({ name: 'ipmpd_config_reloads_total', help: 'Configuration reloads, applied (ok) or refused for errors', labelNames: ['result'], registers: r, collect() { mirror(this, t.reloads.entries()); } });
    // The counter is registered (and so collected) before the histogram: reading the probe
    // ring in its collect() updates both before either is written out.
    const readProbes = (): void => this.readProbes();
    this.probes = new Counter({ name: 'ipmpd_probes_total', help: 'Completed probes by outcome', labelNames: ['interface', 'outcome'], registers: r, collect: readProbes });
    this.rtt = new Histogram({ name: 'ipmpd_probe_rtt_seconds', help: 'Round-trip time of answered probes (ipmpstat -p NETRTT)', labelNames: ['interface'], buckets: RTT_BUCKETS, registers: r });
  }

  /**
   * Probe records are pulled from the probe manager's ring at scrape time rather than pushed
   * by a hook: the prober's hot path stays untouched, and the ring (4096 probes) holds far
   * more than a scrape interval's worth at in.mpathd's probe rate.
   */
  private readProbes(): void {
    const since = this.probesReadAt;
    this.probesReadAt = epochMs();
    for (const o of probeObservations(this.sources.probesSince(since))) {
      this.probes.inc({ interface: o.interface, outcome: o.outcome });
      if (o.rttSeconds !== undefined) this.rtt.observe({ interface: o.interface }, o.rttSeconds);
    }
  }

  expose(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
