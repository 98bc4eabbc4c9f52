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
import { NativeArming } from '../apply/native-arming.js';
import type { Intent } from '../apply/intent.js';
import type { Request } from '../control/protocol.js';
import { ControlServer } from '../control/server.js';
import { readOnlySocketPath } from '../control/socket-path.js';
import { RtnlClient } from '../netlink/client.js';
import { RtnlMonitor, type MonitorEvent } from '../netlink/monitor.js';
import type { Logger } from '../log.js';
import { ProbeManager } from '../probe/manager.js';
import { ConflictWatch } from '../dad/conflict-watch.js';
import { managedAddresses } from '../apply/from-placement.js';
import type { Notifier } from './sd-notify.js';
import { acceptLoad, loadDaemonConfig, type ConfigSource } from './config-source.js';
import type { LoadResult } from '../config/load.js';
import { handleRequest } from './control-handler.js';
import { EventPath } from './event-path.js';
import { routeMonitorEvent } from './monitor-inputs.js';
import { StateStream } from './state-stream.js';
import { HookRunner } from './hooks.js';
import { applyMemberSysctls, bringMembersUp } from './member-setup.js';
import { rehearseFailovers } from './warmup.js';
import { MetricsService } from '../metrics/service.js';
import { type CoexistenceSources, DEFAULT_SOURCES, detectManagedMembers, warningText } from './coexistence.js';
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

const DEFAULT_INVARIANT_CHECK_MS = 20_000;
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
  private control: ControlServer | undefined;
  /** World-connectable, read-only commands: ipmpstat for every user, as on Solaris. */
  private controlRo: ControlServer | undefined;
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
    this.armNatively();
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
    this.warnMissing(await this.events.start());
    this.watchConflicts();
    const warmMs = this.rehearse(WARM_ROUNDS_START);
    this.log.debug({ warmMs: Number(warmMs.toFixed(1)) }, 'failover path rehearsed');
    const handler = (req: Request) => handleRequest(req, { events: this.events, probes: this.probes, reload: () => this.reload() });
    this.control = await ControlServer.listen(this.opts.socketPath, handler, this.log.child({ component: 'control' }), { events: this.stateStream });
    try {
      this.controlRo = await ControlServer.listen(readOnlySocketPath(this.opts.socketPath), handler, this.log.child({ component: 'control-ro' }), { readOnly: true, maxConnections: 16 });
    } catch (err) {
      this.log.error({ err }, `cannot open the read-only socket ${readOnlySocketPath(this.opts.socketPath)}; ipmpstat works for root only`);
    }
    this.startTimers();
    await this.metrics.configure(this.config.metrics);
    if (process.env.IPMPD_DEBUG_GC_STORM === '1') this.stopGcStorm = startGcStorm(this.log);
    this.opts.notifier.send('READY=1\nSTATUS=IPMP groups placed');
    this.opts.notifier.startWatchdog(() => !this.stopping);
    this.log.info({ groups: this.config.groups.map((g) => g.name), startMs: Number((now() - started).toFixed(1)) }, 'ipmpd ready');
    // After READY and not awaited: failover readiness never waits for nmcli.
    void this.warnOtherManagers();
  }

  /** One warning per member that NetworkManager or systemd-networkd also configures. */
  private async warnOtherManagers(): Promise<void> {
    const names = new Set(this.memberNames());
    const members = [...this.monitor.links.values()].filter((l) => names.has(l.name)).map((l) => ({ ifname: l.name, ifindex: l.index }));
    const found = await detectManagedMembers(members, this.opts.coexistence ?? DEFAULT_SOURCES);
    if (this.stopping) return;
    for (const m of found) {
      const group = this.config.groups.find((g) => g.interfaces.some((i) => i.name === m.ifname))?.name;
      this.log.warn({ ifname: m.ifname, group, manager: m.manager }, warningText(m));
    }
  }

  /** Failover plans sent by native code on carrier loss (issue 14); without it, the JavaScript fast path. */
  private armNatively(): void {
    if (process.env.IPMPD_NATIVE_ARMING === '0') {
      this.log.info('native arming disabled (IPMPD_NATIVE_ARMING=0); failover plans fire from JavaScript');
      return;
    }
    try {
      this.arming = new NativeArming({ packetSocket: this.announcer.packetSocket, log: this.log.child({ component: 'arming' }) });
      this.writer.useNativeArming(this.arming, (a) => this.announcer.continueAfterFirst(a));
    } catch (err) {
      this.log.warn({ err }, 'cannot open the native arming sockets; failover plans fire from JavaScript');
    }
  }

  private startTimers(): void {
    for (const t of this.timers) clearInterval(t);
    const everyMs = this.config.daemon?.invariantCheckMs ?? DEFAULT_INVARIANT_CHECK_MS;
    this.timers = [setInterval(() => {
      this.rehearse(WARM_ROUNDS_PERIODIC);
      void this.events.handle({ kind: 'check', reason: 'invariant check' });
    }, everyMs)];
    // keepalived's garp refresh: announce every placed address again, for peers with long ARP caches.
    const refreshMs = Math.min(...this.config.groups.map((g) => g.announce.refreshMs ?? Infinity));
    if (Number.isFinite(refreshMs) && refreshMs > 0) this.timers.push(setInterval(() => void this.events.handle({ kind: 'refresh' }), refreshMs));
  }

  /** Duplicate address detection on every member that exists, for every address ipmpd manages. */
  private watchConflicts(): void {
    const names = new Set(this.events.members.members);
    const nics = [...this.monitor.links.values()].filter((l) => names.has(l.name) && l.mac).map((l) => ({ ifname: l.name, ifindex: l.index, mac: l.mac ?? '' }));
    const guarded = [...managedAddresses(this.config)].map((address) => ({ address, family: (address.includes(':') ? 6 : 4) as 4 | 6 }));
    this.conflicts.configure(nics, guarded);
  }

  /** A configured member that does not exist is a mistake worth a warning, not a refusal: it may appear later. */
  private warnMissing(names: string[]): void {
    for (const n of names) {
      const group = this.config.groups.find((g) => g.interfaces.some((i) => i.name === n))?.name;
      this.log.warn({ ifname: n, group: group ?? '' }, `${n}: configured ${group === undefined ? 'in no group (anonymous)' : `in group ${group}`} but no such interface; nothing is placed on it until it appears`);
    }
  }

  /** Runs the failover rehearsal (see warmup.ts); returns how long it took in ms. */
  private rehearse(rounds: number): number {
    const started = now();
    try {
      rehearseFailovers(this.config, [...this.monitor.links.values()], [...this.monitor.addresses.values()], rounds);
    } catch (err) {
      this.log.error({ err }, 'failover rehearsal failed');
    }
    return now() - started;
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
      this.warnMissing(await this.events.reload(next));
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
    await this.controlRo?.close();
    await this.control?.close();
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
