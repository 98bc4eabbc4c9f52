// ipmpd's event loop: netlink link events → engine → intent → kernel + announcements. The
// hot path (carrier loss → address added → first GARP) is synchronous from the monitor
// callback to the sendmsg calls; nothing on it waits on a timer or spawns a process.
import type { IpmpConfig } from '../config/model.js';
import { Engine } from '../engine/engine.js';
import type { EngineEvent, EngineResult, LogEvent } from '../engine/types.js';
import { Announcer } from '../apply/announcer.js';
import { Applier } from '../apply/applier.js';
import { intentFromPlacement, managedAddresses } from '../apply/from-placement.js';
import { RTPROT_IPMPD, type Intent } from '../apply/intent.js';
import { globalSysctls, memberSysctls, SysctlKeeper } from '../apply/sysctl.js';
import { ControlServer } from '../control/server.js';
import type { Reply, Request } from '../control/protocol.js';
import { RtnlClient } from '../netlink/client.js';
import { RtnlMonitor, type MonitorEvent } from '../netlink/monitor.js';
import type { Link } from '../netlink/types.js';
import type { Logger } from '../log.js';
import { DEFAULT_ANNOUNCE } from '../config/model.js';
import type { Notifier } from './sd-notify.js';
import { loadDaemonConfig, type ConfigSource } from './config-source.js';
import { rehearseFailovers } from './warmup.js';
import { ProbeManager, type ProbeVerdict } from '../probe/manager.js';
import type { StatusSnapshot } from '../control/status.js';
import { armPlans, type ArmedPlan } from './armed-plans.js';
import { IFF_LOWER_UP, IFF_RUNNING, IFF_UP } from '../netlink/constants.js';

export interface DaemonOptions {
  source: ConfigSource;
  socketPath: string;
  log: Logger;
  notifier: Notifier;
}

const DEFAULT_INVARIANT_CHECK_MS = 20_000;
/** How long start-up waits for carrier on members it had to bring up. */
const LINK_SETTLE_MS = 1000;
const MONITOR_RCVBUF = 32 << 20;
const RECONCILE_DEBOUNCE_MS = 5;
/** Rehearsal rounds before READY and at each invariant check (see warmup.ts). */
const WARM_ROUNDS_START = 40;
const WARM_ROUNDS_PERIODIC = 2;

const now = (): number => performance.now();

export class Daemon {
  private config!: IpmpConfig;
  private engine!: Engine;
  private monitor!: RtnlMonitor;
  private client!: RtnlClient;
  private announcer!: Announcer;
  private probes!: ProbeManager;
  private probeInputs: NodeJS.Immediate | undefined;
  private applier!: Applier;
  private control: ControlServer | undefined;
  private readonly sysctls = new SysctlKeeper();
  private deadlineTimer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private invariantTimer: NodeJS.Timeout | undefined;
  /** Last link verdict fed to the engine per member, so unrelated link changes are not events. */
  private readonly linkFed = new Map<string, boolean | 'missing'>();
  private stopping = false;
  private managedCache = new Set<string>();
  private managedFor: IpmpConfig | undefined;
  /** Bumped by every engine step and member link change; armed plans are valid for one version. */
  private version = 0;
  private plans = new Map<string, ArmedPlan>();
  private arming: NodeJS.Immediate | undefined;
  /** Addresses an armed plan already announced; the ordinary path must not announce them again. */
  private preannounced = new Set<string>();
  private readonly log: Logger;

  private constructor(private readonly opts: DaemonOptions) {
    this.log = opts.log;
  }

  /** Loads the configuration, applies the initial placement, opens the control socket, then READY=1. */
  static async start(opts: DaemonOptions): Promise<Daemon> {
    const d = new Daemon(opts);
    await d.init();
    return d;
  }

  private get members(): Set<string> {
    return new Set(this.config.groups.flatMap((g) => g.interfaces.map((i) => i.name)));
  }

  private async init(): Promise<void> {
    const started = now();
    const loaded = await loadDaemonConfig(this.opts.source, this.log);
    if (!loaded) throw new Error('configuration has errors; nothing was changed');
    this.config = loaded;
    this.client = RtnlClient.open();
    // Large moves make thousands of notifications in a few ms; losing them costs a full resync.
    this.monitor = await RtnlMonitor.open({ rcvbuf: MONITOR_RCVBUF });
    this.announcer = new Announcer({ log: this.log.child({ component: 'announce' }) });
    this.applier = new Applier(this.client, this.monitor, this.announcer, (g) => this.announceFor(g), this.log.child({ component: 'apply' }));
    this.engine = new Engine(this.config, now());
    this.applySysctls();
    await this.bringMembersUp();
    // Probe verdicts arrive asynchronously; until a member's first one the engine treats it
    // as not failed (in.mpathd's optimistic start), so links alone decide the first placement.
    this.probes = new ProbeManager({ log: this.log, onVerdict: (ifname, v) => this.onProbeVerdict(ifname, v) });
    this.probes.configure(this.config, this.monitor.links);
    this.probes.updateRoutes(this.monitor.routes.values());
    this.probes.updateAddresses(this.monitor.addresses.values());
    // Feed the links as they are now; the engine initialises without counting flaps.
    const first = this.feedAllLinks();
    this.monitor.on('event', (e: MonitorEvent) => this.onMonitorEvent(e));
    this.monitor.onLinkFlags = (index, flags) => this.fireArmedPlan(index, flags);
    this.monitor.on('resync', (r: { reason: string; differences: MonitorEvent[] }) => {
      this.log.warn({ reason: r.reason, differences: r.differences.length }, 'netlink monitor resynchronised; re-checking every address and route');
      this.feedAllLinks();
      void this.reconcile('resync');
    });
    this.monitor.on('error', (err: Error) => this.log.error({ err }, 'netlink monitor error'));
    await this.applyResult(first, 'start');
    const warmMs = this.rehearse(WARM_ROUNDS_START);
    this.log.debug({ warmMs: Number(warmMs.toFixed(1)) }, 'failover path rehearsed');
    this.control = await ControlServer.listen(this.opts.socketPath, (req) => this.handleRequest(req), this.log.child({ component: 'control' }));
    const everyMs = this.config.daemon?.invariantCheckMs ?? DEFAULT_INVARIANT_CHECK_MS;
    this.invariantTimer = setInterval(() => {
      this.rehearse(WARM_ROUNDS_PERIODIC);
      void this.reconcile('invariant check');
    }, everyMs);
    this.opts.notifier.send('READY=1\nSTATUS=IPMP groups placed');
    this.opts.notifier.startWatchdog(() => !this.stopping);
    this.log.info({ groups: this.config.groups.map((g) => g.name), startMs: Number((now() - started).toFixed(1)) }, 'ipmpd ready');
  }

  /**
   * Members must be administratively up before their link state means anything. Bringing a
   * NIC up is not a repair: wait (bounded) for carrier so the engine's first observation is
   * the settled state, not a down→up flap that would count towards flap damping.
   */
  private async bringMembersUp(): Promise<void> {
    const down = [...this.members].map((n) => this.linkByName(n)).filter((l): l is Link => l !== undefined && !l.up);
    if (down.length === 0) return;
    for (const l of down) {
      await this.client.setLink(l.index, { up: true });
      this.log.info({ ifname: l.name }, `brought ${l.name} up`);
    }
    const deadline = now() + LINK_SETTLE_MS;
    const settled = (): boolean => down.every((l) => {
      const cur = this.monitor.links.get(l.index);
      return cur !== undefined && cur.running && cur.lowerUp;
    });
    while (!settled() && now() < deadline) await new Promise((r) => setTimeout(r, 5));
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

  private announceFor(group: string) {
    return this.config.groups.find((g) => g.name === group)?.announce ?? DEFAULT_ANNOUNCE;
  }

  private applySysctls(): void {
    const settings = [...globalSysctls(), ...[...this.members].flatMap((m) => memberSysctls(m))];
    const changed = this.sysctls.apply(settings, (s, err) => {
      // A member that does not exist yet has no /proc entry; it is retried on link-added.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn({ err, path: s.path }, `cannot set ${s.path}`);
    });
    if (changed.length > 0) this.log.info({ changed: changed.map((c) => `${c.path}=${c.value}`) }, 'sysctls set for group members');
  }

  private linkVerdict(l: Link): boolean {
    return l.up && l.running && l.lowerUp;
  }

  private linkByName(name: string): Link | undefined {
    for (const l of this.monitor.links.values()) if (l.name === name) return l;
    return undefined;
  }

  /** Feeds the current state of every member that changed since last fed; returns the last result. */
  private feedAllLinks(): EngineResult {
    let result: EngineResult | undefined;
    for (const name of this.members) {
      const l = this.linkByName(name);
      const verdict = l ? this.linkVerdict(l) : 'missing';
      if (this.linkFed.get(name) === verdict) continue;
      this.linkFed.set(name, verdict);
      result = this.merge(result, this.engine.handle(verdict === 'missing' ? { type: 'link-missing', ifname: name } : { type: 'link', ifname: name, up: verdict }, now()));
    }
    return result ?? this.engine.tick(now());
  }

  private merge(a: EngineResult | undefined, b: EngineResult): EngineResult {
    if (!a) return b;
    return { ...b, changes: [...a.changes, ...b.changes], log: [...a.log, ...b.log], probeResets: [...a.probeResets, ...b.probeResets] };
  }

  private onMonitorEvent(e: MonitorEvent): void {
    if (this.stopping) return;
    const members = this.members;
    switch (e.kind) {
      case 'link-added':
      case 'link-changed':
      case 'link-up':
      case 'link-down':
      case 'link-removed': {
        const name = e.link.name;
        if (!members.has(name)) return;
        this.version++;
        if (e.kind === 'link-added') this.applySysctls();
        const verdict = e.kind === 'link-removed' ? 'missing' : this.linkVerdict(e.link);
        if (this.linkFed.get(name) === verdict) {
          // Admin-down by someone else is repaired by reconcile (members are kept up).
          if (e.kind === 'link-changed' && !e.link.up) void this.reconcile(`${name} set down by hand`);
          return;
        }
        this.linkFed.set(name, verdict);
        if (e.kind === 'link-added' || e.kind === 'link-removed') this.probes.configure(this.config, this.monitor.links);
        else this.probes.linkChanged(name, verdict === true);
        const ev: EngineEvent = verdict === 'missing' ? { type: 'link-missing', ifname: name } : { type: 'link', ifname: name, up: verdict };
        const t0 = now();
        const result = this.engine.handle(ev, now());
        this.log.debug({ ifname: name, engineMs: Number((now() - t0).toFixed(3)) }, 'engine step');
        void this.applyResult(result, `${name} link ${verdict === 'missing' ? 'removed' : verdict ? 'up' : 'down'}`);
        return;
      }
      case 'address-added':
        this.refreshProbeInputs();
        return;
      case 'address-removed': {
        this.refreshProbeInputs();
        const l = this.monitor.links.get(e.address.index);
        if (l && members.has(l.name) && this.managed.has(e.address.local)) this.reconcileSoon(`address ${e.address.local} removed from ${l.name}`);
        return;
      }
      case 'route-added':
        this.refreshProbeInputs();
        return;
      case 'route-removed': {
        this.refreshProbeInputs();
        // Only routes ipmpd owns; the kernel's local-table churn during a move is not ours.
        if (e.route.protocol === RTPROT_IPMPD) this.reconcileSoon('ipmpd route removed');
        return;
      }
      default:
        return;
    }
  }

  /** Addresses ipmpd manages (all data and test addresses of the configuration). */
  private get managed(): Set<string> {
    // Depends on the configuration only; recomputed when it changes (reload).
    if (this.managedFor !== this.config) {
      this.managedCache = managedAddresses(this.config);
      this.managedFor = this.config;
    }
    return this.managedCache;
  }

  /**
   * Reconciles after notifications have stopped arriving for a moment: our own changes
   * produce bursts of events, and reacting to each one would replay changes on a view that
   * is a few messages behind. Hand edits are still undone within a few milliseconds.
   */
  private reconcileSoon(reason: string): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.reconcile(reason);
    }, RECONCILE_DEBOUNCE_MS);
  }

  private intent(): Intent {
    return intentFromPlacement(this.engine.placement(), this.config);
  }

  private reconcile(reason: string): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return this.applier.apply(this.intent(), reason, { fresh: true }).then(
      () => undefined,
      (err: unknown) => { this.log.error({ err, reason }, 'reconcile failed'); },
    );
  }

  /** Logs the engine's in.mpathd-style lines, applies the new placement, re-arms the timer. */
  private async applyResult(r: EngineResult, reason: string): Promise<void> {
    // The applier's synchronous part (netlink batch + first announcements) runs inside this
    // call; logging and timers wait until the frames are on the wire.
    this.version++;
    const announced = this.preannounced;
    this.preannounced = new Set();
    const applying = this.applier.apply(intentFromPlacement(r.placement, this.config), reason, { announced });
    for (const l of r.log) this.logEngine(l);
    if (r.probeResets.length > 0) this.probes.reset(r.probeResets);
    this.armDeadline();
    try {
      const report = await applying;
      for (const c of r.changes) {
        if (c.kind === 'address-moved') {
          this.log.info({ group: c.group, address: c.address, from: c.from, to: c.to, applyMs: Number(report.durationMs.toFixed(3)) },
            `moved ${c.address} from ${c.from} to ${c.to}`);
        }
      }
    } catch (err) {
      this.log.error({ err, reason }, 'applying placement failed');
    }
    this.armSoon();
  }

  private onProbeVerdict(ifname: string, v: ProbeVerdict): void {
    if (this.stopping || !this.members.has(ifname)) return;
    const ev: EngineEvent = {
      type: 'probe', ifname, state: v.state,
      ...(v.lastOkAt !== undefined ? { lastOkAt: v.lastOkAt } : {}),
      ...(v.failingSince !== undefined ? { failingSince: v.failingSince } : {}),
    };
    void this.applyResult(this.engine.handle(ev, now()), `${ifname} probes ${v.state}`);
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

  /** Recomputes the armed plans once the daemon is idle again. */
  private armSoon(): void {
    if (this.arming || this.stopping) return;
    this.arming = setImmediate(() => {
      this.arming = undefined;
      const up = [...this.members].filter((m) => this.linkFed.get(m) === true);
      try {
        this.plans = armPlans(this.engine, this.config, this.monitor.links.values(), up, this.version, now(), (g) => this.announceFor(g));
      } catch (err) {
        this.plans = new Map();
        this.log.error({ err }, 'cannot arm failover plans');
      }
    });
  }

  /**
   * Carrier loss on a member with an armed plan: add its addresses where the engine would put
   * them and start the announcements now, before the notification is decoded. The ordinary
   * path runs right after and completes the move (removals, routes, logs).
   */
  private fireArmedPlan(index: number, flags: number): void {
    const up = (flags & IFF_UP) !== 0 && (flags & IFF_RUNNING) !== 0 && (flags & IFF_LOWER_UP) !== 0;
    if (up || this.plans.size === 0 || this.stopping) return;
    const name = this.monitor.links.get(index)?.name;
    const plan = name === undefined ? undefined : this.plans.get(name);
    if (!plan || plan.version !== this.version) return;
    const firedAt = now();
    this.plans = new Map();
    const sent = this.client.batch(plan.ops);
    for (const a of plan.announcements) {
      this.announcer.announce(a);
      this.preannounced.add(a.address);
    }
    const tookMs = now() - firedAt;
    sent.then(
      (results) => {
        const failed = results.filter((e) => e !== undefined);
        if (failed.length > 0) this.log.warn({ ifname: plan.ifname, errors: failed.map((e) => e?.code) }, `armed plan for ${plan.ifname}: ${failed.length} change(s) refused; the ordinary path retries`);
        else this.log.debug({ ifname: plan.ifname, addresses: plan.ops.length, tookMs: Number(tookMs.toFixed(3)) }, `armed plan for ${plan.ifname} fired`);
      },
      (err: unknown) => this.log.error({ err, ifname: plan.ifname }, 'armed plan failed'),
    );
  }

  private logEngine(l: LogEvent): void {
    const fields = { group: l.group, ...(l.ifname ? { ifname: l.ifname } : {}), ...l.fields };
    this.log[l.level](fields, l.msg);
  }

  private armDeadline(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    const at = this.engine.nextDeadline();
    if (at === undefined) return;
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = undefined;
      void this.applyResult(this.engine.tick(now()), 'timer');
    }, Math.max(0, at - now()));
  }

  private async handleRequest(req: Request): Promise<Reply> {
    switch (req.cmd) {
      case 'ping':
        return { id: req.id, ok: true, result: { pid: process.pid } };
      case 'status':
        return { id: req.id, ok: true, result: this.status() };
      case 'probes':
      {
        // The daemon's clock is the reference: the client passes nowMs back as its next sinceMs.
        const nowMs = performance.timeOrigin + performance.now();
        return { id: req.id, ok: true, result: { probes: this.probes.recentProbes(req.sinceMs), nowMs } };
      }
      case 'offline':
      case 'undo-offline': {
        const r = this.engine.handle({ type: req.cmd, ifname: req.ifname }, now());
        if (r.reply && !r.reply.ok) {
          return { id: req.id, ok: false, error: { code: r.reply.code ?? 'EFAIL', message: r.reply.message ?? 'refused' } };
        }
        await this.applyResult(r, `${req.cmd} ${req.ifname}`);
        return { id: req.id, ok: true, result: null };
      }
      case 'reload': {
        const ok = await this.reload();
        return ok ? { id: req.id, ok: true, result: null } : { id: req.id, ok: false, error: { code: 'ECONFIG', message: 'configuration has errors; kept the running one' } };
      }
    }
  }

  /** The engine's view plus what only the probe detector knows (targets, adapted FDT). */
  private status(): StatusSnapshot {
    const s = this.engine.snapshot();
    return {
      ...s,
      groups: s.groups.map((g) => ({ ...g, fdtMs: this.probes.fdtMs(g.groupname) })),
      targets: this.probes.snapshotTargets(),
    };
  }

  /** SIGHUP: re-read the configuration; errors keep the running one; only differences are applied. */
  async reload(): Promise<boolean> {
    this.opts.notifier.send('RELOADING=1');
    try {
      const next = await loadDaemonConfig(this.opts.source, this.log);
      if (!next) {
        this.log.error('reload refused: configuration has errors; keeping the running configuration');
        return false;
      }
      this.config = next;
      this.applySysctls();
      this.probes.configure(next, this.monitor.links);
      const r = this.engine.reload(next, now());
      // Members that are new to the engine need their link state.
      this.linkFed.clear();
      const fed = this.feedAllLinks();
      await this.applyResult(this.merge(r, fed), 'reload');
      this.log.info({ groups: next.groups.map((g) => g.name) }, 'configuration reloaded');
      return true;
    } finally {
      this.opts.notifier.send('READY=1');
    }
  }

  /** SIGTERM: addresses stay in place unless configured otherwise; sysctls restored on request. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.opts.notifier.send('STOPPING=1');
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    if (this.debounce) clearTimeout(this.debounce);
    if (this.arming) clearImmediate(this.arming);
    this.monitor.onLinkFlags = undefined;
    if (this.invariantTimer) clearInterval(this.invariantTimer);
    await this.control?.close();
    this.announcer.close();
    this.probes.close();
    if (this.probeInputs) clearImmediate(this.probeInputs);
    if (this.config.daemon?.removeAddressesOnExit) {
      const empty: Intent = { ...this.intent(), addresses: [], routes: [] };
      await this.applier.apply(empty, 'exit: removing managed addresses');
    }
    if (this.config.daemon?.cleanupOnExit) {
      this.sysctls.restore((s, err) => this.log.warn({ err, path: s.path }, `cannot restore ${s.path}`));
    }
    this.monitor.close();
    this.client.close();
    this.log.info('ipmpd stopped');
  }
}
