// ipmpd's process: opens the netlink sockets, the writer, the probe detector and the event
// path, applies the first placement, then serves the control socket. Every input reaches the
// engine through EventPath.handle(); every kernel change goes through the KernelWriter.
import { dirname, join } from 'node:path';
import type { IpmpConfig } from '../config/model.js';
import { DEFAULT_ANNOUNCE } from '../config/model.js';
import { Announcer } from '../apply/announcer.js';
import { PlacedRecord } from '../apply/placed-record.js';
import { SysctlKeeper } from '../apply/sysctl.js';
import { KernelWriter } from '../apply/writer.js';
import type { NativeArming } from '../apply/native-arming.js';
import { openNativeArming } from './arming-setup.js';
import type { Intent } from '../apply/intent.js';
import type { ControlServer } from '../control/server.js';
import { RtnlClient } from '../netlink/client.js';
import { RtnlMonitor, type MonitorEvent } from '../netlink/monitor.js';
import type { Logger } from '../log.js';
import { ProbeManager } from '../probe/manager.js';
import { ConflictWatch } from '../dad/conflict-watch.js';
import { managedAddresses } from '../apply/from-placement.js';
import type { Notifier } from './sd-notify.js';
import { acceptLoad, loadDaemonConfig, type ConfigSource } from './config-source.js';
import type { LoadResult } from '../config/load.js';
import { openControlSockets } from './control-handler.js';
import { EventPath } from './event-path.js';
import { routeMonitorEvent } from './monitor-inputs.js';
import { StateStream } from './state-stream.js';
import { HookRunner } from './hooks.js';
import { applyMemberSysctls, bringMembersUp } from './member-setup.js';
import { rehearse } from './warmup.js';
import { MetricsService } from '../metrics/service.js';
import { type CoexistenceSources, DEFAULT_SOURCES } from './coexistence.js';
import { warnMissing, warnOtherManagers } from './member-warnings.js';
import { startPeriodic } from './periodic.js';
import { startGcStorm } from './gc-storm.js';

export interface DaemonOptions {
  source: ConfigSource;
  socketPath: string;
  log: Logger;
  notifier: Notifier;
  /** The configuration as preflight read it; read again from `source` when absent. */
  loaded?: LoadResult;
  /** Where the record of placed addresses lives; default: beside the control socket. */
  statePath?: string;
  /** Where to look for NetworkManager / systemd-networkd managing members (coexistence.ts). */
  coexistence?: CoexistenceSources;
}

const MONITOR_RCVBUF = 32 << 20;
/** Rehearsal rounds before READY and at each invariant check (see warmup.ts). */
const WARM_ROUNDS_START = 40;
const WARM_ROUNDS_PERIODIC = 2;

const now = (): number => performance.now();

export class Daemon {
  private config!: IpmpConfig;
  private monitor!: RtnlMonitor;
  private client!: RtnlClient;
  private announcer!: Announcer;
  private probes!: ProbeManager;
  private conflicts!: ConflictWatch;
  private writer!: KernelWriter;
  private arming: NativeArming | undefined;
  private events!: EventPath;
  /** The root control socket and the read-only one. */
  private controls: ControlServer[] = [];
  private readonly sysctls = new SysctlKeeper();
  /** State-change events for ipmpctl monitor and hooks. */
  private readonly stateStream: StateStream;
  private readonly hooks: HookRunner;
  private readonly record: PlacedRecord;
  private probeInputs: NodeJS.Immediate | undefined;
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private stopGcStorm: (() => void) | undefined;
  private readonly log: Logger;
  /** Counters always tick (cheaply); the endpoint runs only while `metrics.listen` is set. */
  private readonly metrics: MetricsService;

  private constructor(private readonly opts: DaemonOptions) {
    this.log = opts.log;
    this.metrics = new MetricsService({ status: () => this.events.snapshot(), probesSince: (ms) => this.probes.recentProbes(ms) }, this.log.child({ component: 'metrics' }));
    this.stateStream = new StateStream(opts.log);
    this.hooks = new HookRunner(this.stateStream, opts.log.child({ component: 'hooks' }));
    this.record = new PlacedRecord(opts.statePath ?? join(dirname(opts.socketPath), 'ipmpd.state'));
  }

  /** Loads the configuration, applies the initial placement, opens the control socket, then READY=1. */
  static async start(opts: DaemonOptions): Promise<Daemon> {
    const d = new Daemon(opts);
    try {
      await d.init();
    } catch (err) {
      await d.stop().catch(() => undefined);
      throw err;
    }
    return d;
  }

  private async init(): Promise<void> {
    const started = now();
    const loaded = this.opts.loaded ? acceptLoad(this.opts.loaded, this.log) : await loadDaemonConfig(this.opts.source, this.log);
    if (!loaded) throw new Error('configuration has errors; nothing was changed');
    this.config = loaded;
    this.hooks.configure(loaded.hooks);
    const stateProblem = this.record.load();
    if (stateProblem) this.log.warn(`state file: ${stateProblem}`);
    this.client = RtnlClient.open();
    // Large moves make thousands of notifications in a few ms; losing them costs a full resync.
    this.monitor = await RtnlMonitor.open({ rcvbuf: MONITOR_RCVBUF });
    this.announcer = new Announcer({ log: this.log.child({ component: 'announce' }) });
    const announceFor = (g: string) => this.config.groups.find((x) => x.name === g)?.announce ?? DEFAULT_ANNOUNCE;
    // A failback grace ending is one more input of the event path: the run it asks for re-arms the plans.
    this.writer = new KernelWriter(this.client, this.monitor, this.announcer, announceFor, this.record, this.log.child({ component: 'apply' }),
      (reason) => void this.events?.handle({ kind: 'check', reason }));
    this.arming = openNativeArming(this.writer, this.announcer, this.log);
    this.applySysctls();
    await bringMembersUp(this.writer, this.monitor.links, this.memberNames(), this.log);
    // Probe verdicts arrive asynchronously; until a member's first one the engine treats it
    // as not failed (in.mpathd's optimistic start), so links alone decide the first placement.
    this.probes = new ProbeManager({ log: this.log, onVerdict: (ifname, verdict) => void this.events.handle({ kind: 'probe', ifname, verdict }) });
    this.events = new EventPath(this.config, {
      log: this.log, monitor: this.monitor, writer: this.writer, probes: this.probes, announceFor, observer: this.metrics, stateStream: this.stateStream,
    });
    this.probes.configure(this.config, this.monitor.links);
    this.probes.updateRoutes(this.monitor.routes.values());
    this.probes.updateAddresses(this.monitor.addresses.values());
    this.monitor.on('event', (e: MonitorEvent) => this.onMonitorEvent(e));
    this.monitor.onLinkFlags = (index, flags) => this.events.fireArmed(index, flags);
    this.monitor.on('resync', (r: { reason: string; differences: MonitorEvent[] }) => {
      this.log.warn({ reason: r.reason, differences: r.differences.length }, 'netlink monitor resynchronised; re-checking every address and route');
      this.metrics.resynced();
      void this.events.handle({ kind: 'check', reason: 'resync' });
    });
    this.monitor.on('error', (err: Error) => this.log.error({ err }, 'netlink monitor error'));
    this.conflicts = new ConflictWatch({ log: this.log.child({ component: 'dad' }), onConflict: (conflict) => void this.events.handle({ kind: 'conflict', conflict }) });
    warnMissing(this.config, await this.events.start(), this.log);
    this.watchConflicts();
    const warmMs = this.rehearse(WARM_ROUNDS_START);
    this.log.debug({ warmMs: Number(warmMs.toFixed(1)) }, 'failover path rehearsed');
    this.controls = await openControlSockets(this.opts.socketPath, { events: this.events, probes: this.probes, reload: () => this.reload() }, this.stateStream, this.log);
    this.startTimers();
    await this.metrics.configure(this.config.metrics);
    if (process.env.IPMPD_DEBUG_GC_STORM === '1') this.stopGcStorm = startGcStorm(this.log);
    this.opts.notifier.send('READY=1\nSTATUS=IPMP groups placed');
    this.opts.notifier.startWatchdog(() => !this.stopping);
    this.log.info({ groups: this.config.groups.map((g) => g.name), startMs: Number((now() - started).toFixed(1)) }, 'ipmpd ready');
    // After READY and not awaited: failover readiness never waits for nmcli.
    void warnOtherManagers(this.config, this.memberNames(), this.monitor.links.values(), this.opts.coexistence ?? DEFAULT_SOURCES, this.log, () => this.stopping);
  }

  private startTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = startPeriodic(this.config, {
      check: () => {
        this.rehearse(WARM_ROUNDS_PERIODIC);
        void this.events.handle({ kind: 'check', reason: 'invariant check' });
      },
      refresh: () => void this.events.handle({ kind: 'refresh' }),
    });
  }

  /** Duplicate address detection on every member that exists, for every address ipmpd manages. */
  private watchConflicts(): void {
    const names = new Set(this.events.members.members);
    const nics = [...this.monitor.links.values()].filter((l) => names.has(l.name) && l.mac).map((l) => ({ ifname: l.name, ifindex: l.index, mac: l.mac ?? '' }));
    const guarded = [...managedAddresses(this.config)].map((address) => ({ address, family: (address.includes(':') ? 6 : 4) as 4 | 6 }));
    this.conflicts.configure(nics, guarded);
  }

  /** Runs the failover rehearsal (see warmup.ts); returns how long it took in ms. */
  private rehearse(rounds: number): number {
    return rehearse(this.config, [...this.monitor.links.values()], [...this.monitor.addresses.values()], rounds, this.log);
  }

  private applySysctls(): void {
    applyMemberSysctls(this.sysctls, this.memberNames(), this.log);
  }

  private memberNames(): string[] {
    return this.config.groups.flatMap((g) => g.interfaces.map((i) => i.name));
  }

  /** Netlink notifications → event path inputs; routes and addresses also feed the probe detector. */
  private onMonitorEvent(e: MonitorEvent): void {
    if (this.stopping) return;
    routeMonitorEvent(e, {
      events: this.events,
      probeInputsChanged: () => this.refreshProbeInputs(),
      membersMayHaveChanged: (link, removed) => {
        if (!removed && this.events.members.has(link.name)) this.applySysctls();
        this.watchConflicts();
      },
    });
  }

  /** Routes and addresses feed probe targets and test-address state; refreshed once per burst. */
  private refreshProbeInputs(): void {
    if (this.probeInputs || this.stopping) return;
    this.probeInputs = setImmediate(() => {
      this.probeInputs = undefined;
      this.probes.updateRoutes(this.monitor.routes.values());
      this.probes.updateAddresses(this.monitor.addresses.values());
    });
  }

  /** SIGHUP: re-read the configuration; errors keep the running one; only differences are applied. */
  async reload(): Promise<boolean> {
    this.opts.notifier.send('RELOADING=1');
    try {
      const next = await loadDaemonConfig(this.opts.source, this.log);
      if (!next) {
        this.log.error('reload refused: configuration has errors; keeping the running configuration');
        this.metrics.reloaded(false);
        return false;
      }
      this.config = next;
      this.hooks.configure(next.hooks);
      this.applySysctls();
      this.probes.configure(next, this.monitor.links);
      warnMissing(next, await this.events.reload(next), this.log);
      this.watchConflicts();
      this.startTimers();
      await this.metrics.configure(next.metrics);
      this.metrics.reloaded(true);
      this.log.info({ groups: next.groups.map((g) => g.name) }, 'configuration reloaded');
      return true;
    } finally {
      this.opts.notifier.send('READY=1');
    }
  }

  /** SIGTERM: addresses stay in place unless configured otherwise; sysctls restored on request. Closes whatever init opened. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.opts.notifier.send('STOPPING=1');
    for (const t of this.timers) clearInterval(t);
    this.stopGcStorm?.();
    if (this.monitor) this.monitor.onLinkFlags = undefined;
    this.events?.close();
    // Old copies waiting for a failback grace are not left behind on two NICs.
    if (this.writer?.handingOver().length) await this.writer.endHandovers().catch((err: unknown) => this.log.error({ err }, 'cannot end the failback grace'));
    this.hooks.close();
    for (const c of this.controls.reverse()) await c.close();
    await this.metrics.close();
    this.arming?.close();
    this.announcer?.close();
    this.probes?.close();
    this.conflicts?.close();
    if (this.probeInputs) clearImmediate(this.probeInputs);
    if (this.config?.daemon?.removeAddressesOnExit && this.writer) {
      const empty: Intent = { ...this.events.intent(), addresses: [], routes: [] };
      await this.writer.apply(empty, 'exit: removing managed addresses');
    }
    if (this.config?.daemon?.cleanupOnExit) {
      this.sysctls.restore((s, err) => this.log.warn({ err, path: s.path }, `cannot restore ${s.path}`));
    }
    this.monitor?.close();
    this.client?.close();
    this.log.info('ipmpd stopped');
  }
}
