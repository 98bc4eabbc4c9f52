// The daemon's one event path. Link, address, route, probe, timer and administrative inputs
// all arrive as a DaemonInput at handle(); it turns them into engine events, and every
// resulting placement goes to the kernel writer. Nothing else steps the engine or writes.
import { intentFromPlacement, managedAddresses } from '../apply/from-placement.js';
import { RTPROT_IPMPD } from '../apply/intent.js';
import { buildSnapshot } from '../control/snapshot.js';
import type { StatusSnapshot } from '../control/status.js';
import type { KernelWriter } from '../apply/writer.js';
import type { AnnounceSettings, IpmpConfig } from '../config/model.js';
import { Engine } from '../engine/engine.js';
import { linkUsable } from '../engine/link-usable.js';
import type { EngineEvent, EngineReply, EngineResult, Placement } from '../engine/types.js';
import type { Logger } from '../log.js';
import type { RtnlMonitor } from '../netlink/monitor.js';
import { IFF_LOWER_UP, IFF_RUNNING, IFF_UP } from '../netlink/constants.js';
import type { ProbeManager } from '../probe/manager.js';
import { ArmedPlanSet, armPlans } from './armed-plans.js';
import { DuplicateMarks } from './duplicates.js';
import { dataOn, EngineLog, memberNames, mergeResults, recoveredAddresses } from './engine-results.js';
import { logMembership, MemberLinks, type MemberChange } from './member-links.js';
import { MemberHwaddrs } from './hwaddrs.js';
import type { StepObserver } from './step-observer.js';
import type { StateStream } from './state-stream.js';
import { probeEvent, type DaemonInput } from './daemon-input.js';

export type { DaemonInput } from './daemon-input.js';

const RECONCILE_DEBOUNCE_MS = 5;
const now = (): number => performance.now();

export interface EventPathDeps {
  log: Logger;
  monitor: RtnlMonitor;
  writer: KernelWriter;
  probes: ProbeManager;
  announceFor: (group: string) => AnnounceSettings;
  /** Told about each result after the writer is done (metrics). */
  observer?: StepObserver;
  /** Operator events (ipmpctl monitor, hooks); fed after the writer has the placement. */
  stateStream?: StateStream;
}

export class EventPath {
  readonly members = new MemberLinks();
  private readonly hwaddrs = new MemberHwaddrs();
  private engine: Engine;
  private config: IpmpConfig;
  private managed: Set<string>;
  private readonly plans: ArmedPlanSet;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly duplicates: DuplicateMarks;
  private readonly engineLog: EngineLog;

  constructor(config: IpmpConfig, private readonly d: EventPathDeps) {
    this.config = config;
    this.managed = managedAddresses(config);
    this.engine = new Engine(config, now());
    this.members.setMembers(memberNames(config));
    this.duplicates = new DuplicateMarks(d.log, now);
    this.engineLog = new EngineLog(d.log);
    this.plans = new ArmedPlanSet(
      () => armPlans(this.engine, this.config, { links: d.monitor.links.values(), addresses: d.monitor.addresses.values(), routes: d.monitor.routes.values() }, this.members.usable(), d.writer.generation, now(), d.announceFor),
      d.log, (plans) => d.writer.arm(plans),
    );
    // The reconcile after a fire needs no call here: the fire's own address notifications
    // queue behind the carrier-loss notification on the monitor socket, so the reconcile they
    // trigger ('address' inputs) runs after the engine has seen the link go.
    d.writer.onNativeFire = (_ifname, announcements) => d.observer?.fired(announcements);
  }

  get placement(): Placement {
    return this.engine.placement();
  }

  /** ipmpstat's data for the current placement (the probe detector adds its part). */
  snapshot(): StatusSnapshot {
    return buildSnapshot(this.engine.placement(), this.config);
  }

  /** First observation of every member; the engine initialises without counting flaps. Returns the members not found. */
  async start(): Promise<string[]> {
    const changes = this.members.observe(this.d.monitor.links);
    await this.step(this.feedHwaddrs(this.feed(changes)), 'start', new Set(), false, true);
    return changes.filter((c) => c.verdict === 'missing').map((c) => c.name);
  }

  /** A new configuration: the engine carries members and addresses over by name. Returns the members not found. */
  async reload(config: IpmpConfig): Promise<string[]> {
    this.config = config;
    this.managed = managedAddresses(config);
    this.members.setMembers(memberNames(config));
    const r = this.engine.reload(config, now());
    const changes = this.members.observe(this.d.monitor.links);
    this.hwaddrs.reset();
    await this.step(this.feedHwaddrs(mergeResults(r, this.feed(changes))), 'reload', new Set(), true);
    return changes.filter((c) => c.verdict === 'missing').map((c) => c.name);
  }

  handle(input: DaemonInput): Promise<EngineReply | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    switch (input.kind) {
      case 'link': {
        this.d.writer.invalidate();
        const changes = this.members.observe(this.d.monitor.links);
        const macs = this.hwaddrs.changes(this.members.members, this.d.monitor.links);
        if (changes.length === 0 && macs.length > 0) {
          return this.step(this.engine.handle({ type: 'hwaddr', links: macs }, now()), `hardware address of ${macs.map((m) => m.ifname).join(', ')}`, new Set()).then(() => undefined);
        }
        if (changes.length === 0) {
          // A member set down by someone else while its verdict was already 'down' is put back up by a check.
          if (!input.removed && !input.link.up && this.members.has(input.link.name)) this.reconcileSoon(`${input.link.name} set down by hand`);
          // invalidate() made the armed plans stale (a rename or MAC change can alter them): arm afresh.
          this.plans.soon();
          return Promise.resolve(undefined);
        }
        for (const c of changes) logMembership(c, this.config, this.d.log);
        // Probers follow the member's link: rebuilt when it appears, vanishes or is another link now.
        if (changes.some((c) => c.verdict === 'missing' || c.was === 'missing' || c.joinedIndex !== undefined)) this.d.probes.configure(this.config, this.d.monitor.links);
        const reannounce = new Set<string>();
        let result = this.feed(changes);
        if (macs.length > 0) result = mergeResults(result, this.engine.handle({ type: 'hwaddr', links: macs }, now()));
        for (const c of changes) if (c.verdict === true) for (const a of dataOn(result.placement, c.name)) reannounce.add(a);
        return this.step(result, changes.map((c) => `${c.name} link ${c.verdict === 'missing' ? 'gone' : c.verdict ? 'up' : 'down'}`).join(', '), reannounce).then(() => undefined);
      }
      case 'address': {
        const a = input.address;
        // Our addresses appearing or vanishing where we did not put them: a hand edit, or a
        // copy left by another tool. Either way the writer puts the intent back.
        if (this.managed.has(a.local)) this.reconcileSoon(`address ${a.local} ${input.added ? 'added to' : 'removed from'} ${this.d.monitor.links.get(a.index)?.name ?? `if${a.index}`}`);
        return Promise.resolve(undefined);
      }
      case 'route-removed':
        // Only routes ipmpd owns; the kernel's local-table churn during a move is not ours.
        if (input.route.protocol === RTPROT_IPMPD) this.reconcileSoon('ipmpd route removed');
        return Promise.resolve(undefined);
      case 'probe': {
        if (!this.members.has(input.ifname)) return Promise.resolve(undefined);
        return this.step(this.engine.handle(probeEvent(input.ifname, input.verdict), now()), `${input.ifname} probes ${input.verdict.state}`, new Set()).then(() => undefined);
      }
      case 'timer':
        return this.step(this.engine.tick(now()), 'timer', new Set()).then(() => undefined);
      case 'check':
        return this.reconcile(input.reason).then(() => undefined);
      case 'refresh': {
        const all = new Set(this.placement.groups.flatMap((g) => g.addresses.filter((a) => a.bound).map((a) => a.address.split('/')[0] ?? '')));
        return this.d.writer.apply(this.intent(), 'announcement refresh', { reannounce: all }).then((report) => void this.d.observer?.reconciled('announcement refresh', report), (err: unknown) => {
          this.d.log.error({ err }, 'announcement refresh failed');
          return undefined;
        });
      }
      case 'conflict': {
        const c = input.conflict;
        const role = this.intent().addresses.find((a) => a.address === c.address)?.role ?? 'data';
        this.duplicates.claimed(c, role, () => this.d.writer.defend(this.intent(), c.address));
        this.d.stateStream?.duplicate(this.intent().addresses.find((a) => a.address === c.address)?.group ?? '', c.address, c.ifname);
        return Promise.resolve(undefined);
      }
      case 'admin': {
        const r = this.engine.handle({ type: input.cmd, ifname: input.ifname }, now());
        if (r.reply && !r.reply.ok) return Promise.resolve(r.reply);
        return this.step(r, `${input.cmd} ${input.ifname}`, new Set()).then(() => r.reply ?? { ok: true });
      }
    }
  }

  /**
   * Carrier loss on a member with an armed plan: the writer adds its addresses where the engine
   * would put them and starts the announcements now, before the notification is decoded.
   */
  fireArmed(index: number, flags: number): void {
    if (this.plans.size === 0 || this.closed) return;
    if (linkUsable({ up: (flags & IFF_UP) !== 0, running: (flags & IFF_RUNNING) !== 0, lowerUp: (flags & IFF_LOWER_UP) !== 0 })) return;
    const name = this.d.monitor.links.get(index)?.name;
    const plan = name === undefined ? undefined : this.plans.take(name);
    if (plan && this.d.writer.fire(plan)) this.d.observer?.fired(plan.announcements.length);
  }

  close(): void {
    this.closed = true;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    if (this.debounce) clearTimeout(this.debounce);
    this.plans.close();
    this.engineLog.close();
  }

  intent(): ReturnType<typeof intentFromPlacement> {
    return intentFromPlacement(this.engine.placement(), this.config);
  }

  /** Addresses another host claimed recently (ipmpstat -a state 'duplicate'). */
  duplicateAddresses(): Set<string> {
    return this.duplicates.current();
  }

  // --- internals ------------------------------------------------------------------------------

  private feed(changes: MemberChange[]): EngineResult {
    let result: EngineResult | undefined;
    for (const c of changes) {
      const ev: EngineEvent = c.verdict === 'missing' ? { type: 'link-missing', ifname: c.name } : { type: 'link', ifname: c.name, up: c.verdict };
      result = mergeResults(result, this.engine.handle(ev, now()));
      if (c.verdict !== 'missing') this.d.probes.linkChanged(c.name, c.verdict);
    }
    return result ?? this.engine.tick(now());
  }

  /** The members' hardware addresses that changed since the engine last heard, after `r`. */
  private feedHwaddrs(r: EngineResult): EngineResult {
    const macs = this.hwaddrs.changes(this.members.members, this.d.monitor.links);
    return macs.length === 0 ? r : mergeResults(r, this.engine.handle({ type: 'hwaddr', links: macs }, now()));
  }

  /** Logs the engine's in.mpathd-style lines, hands the placement to the writer, re-arms the timer and plans. */
  private async step(r: EngineResult, reason: string, reannounce: Set<string>, fresh = false, initial = false): Promise<void> {
    // Not at start: every group begins 'failed' until its first settle, and a restart must not
    // announce what it adopts.
    if (!initial) for (const a of recoveredAddresses(r)) reannounce.add(a);
    for (const g of r.placement.groups) for (const m of g.members) this.d.probes.setOffline(m.ifname, m.offline);
    const applying = this.d.writer.apply(intentFromPlacement(r.placement, this.config), reason, { reannounce, fresh });
    this.d.stateStream?.observe(r, initial);
    for (const l of r.log) this.engineLog.write(l);
    if (r.probeResets.length > 0) this.d.probes.reset(r.probeResets);
    this.armDeadline();
    try {
      const report = await applying;
      this.d.observer?.stepped(r, report);
      for (const c of r.changes) {
        if (c.kind !== 'address-moved') continue;
        this.d.log.info({ group: c.group, address: c.address, from: c.from, to: c.to, applyMs: Number(report.durationMs.toFixed(3)) }, `moved ${c.address} from ${c.from} to ${c.to}`);
      }
    } catch (err) {
      this.d.log.error({ err, reason }, 'applying placement failed');
    }
    this.plans.soon();
  }

  /** Hand edits come in bursts of notifications (and so do our own changes): act once they pause. */
  private reconcileSoon(reason: string): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.reconcile(reason);
    }, RECONCILE_DEBOUNCE_MS);
  }

  private reconcile(reason: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.d.writer.apply(this.intent(), reason, { fresh: true }).then(
      (report) => { this.d.observer?.reconciled(reason, report); this.plans.soon(); },
      (err: unknown) => { this.d.log.error({ err, reason }, 'reconcile failed'); },
    );
  }

  private armDeadline(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    const at = this.engine.nextDeadline();
    if (at === undefined || this.closed) return;
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = undefined;
      void this.handle({ kind: 'timer' });
    }, Math.max(0, at - now()));
  }
}
