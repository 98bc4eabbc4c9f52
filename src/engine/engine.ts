// The IPMP engine: a pure state machine. Events and the time come in as arguments; the intended
// placement (which NIC holds which data address, member flags, route intent) comes out.
// No I/O and no clock of its own: the daemon feeds netlink link events, probe verdicts and
// if_mpadm requests, applies the placement, and arms one timer at nextDeadline().
//
// Per call: record the observation, then settle every group (detectors → member phases via the
// Clearview rules → address assignment → routes), then diff against the previous placement.

import type { IpmpConfig } from '../config/model.js';
import type { ProbeState } from './states.js';
import { mustParse, type Family } from '../net/addr.js';
import { diffPlacement } from './placement-diff.js';
import { combineVerdict, type Verdict } from './health.js';
import { LinkWatch } from './link-watch.js';
import { assignAddresses } from './placement.js';
import { activateAnother, isActive, isFunctioning, refreshStandbys, transitionToRunning, type MemberRecord } from './roles.js';
import { bringOnline, hardwareAddressChanged, takeOffline, type OfflineContext } from './offline.js';
import { trackedGroups } from '../config/anonymous.js';
import { computeRoutes } from './routes.js';
import { groupState, newGroup, type GroupRuntime } from './runtime.js';
import type { EngineEvent, EngineReply, EngineResult, LogEvent, Placement } from './types.js';
import { groupPlacement } from './placement-view.js';

interface ProbeObservation {
  state: ProbeState;
  lastOkAt?: number;
  failingSince?: number;
}

interface Collector {
  log: LogEvent[];
  probeResets: Set<string>;
}

export class Engine {
  private config: IpmpConfig;
  private groups: GroupRuntime[];
  private readonly links = new Map<string, LinkWatch>();
  private readonly probes = new Map<string, ProbeObservation>();
  private last: Placement;
  private now: number;

  constructor(config: IpmpConfig, now: number) {
    this.config = config;
    this.now = now;
    this.groups = trackedGroups(config).map((g) => newGroup(g, undefined));
    this.last = this.buildPlacement();
  }

  handle(event: EngineEvent, now: number): EngineResult {
    this.now = now;
    const out: Collector = { log: [], probeResets: new Set() };
    let reply: EngineReply | undefined;
    switch (event.type) {
      case 'link':
      case 'link-missing':
        this.observeLink(event.ifname, event.type === 'link-missing' ? 'missing' : event.up ? 'up' : 'down', now, out);
        break;
      case 'probe': {
        const obs: ProbeObservation = { state: event.state };
        if (event.lastOkAt !== undefined) obs.lastOkAt = event.lastOkAt;
        if (event.failingSince !== undefined) obs.failingSince = event.failingSince;
        this.probes.set(event.ifname, obs);
        const found = this.find(event.ifname);
        if (found && event.state === 'ok') found.member.awaitingProbe = false;
        break;
      }
      case 'offline':
        reply = this.offline(event.ifname, now, out);
        break;
      case 'undo-offline':
        reply = this.undoOffline(event.ifname, now, out);
        break;
      case 'hwaddr':
        this.hardwareAddresses(event.links, now, out);
        break;
    }
    return this.finish(now, out, reply);
  }

  /** Re-evaluate time-based state (flap deferrals). Call at nextDeadline(). */
  tick(now: number): EngineResult {
    this.now = now;
    return this.finish(now, { log: [], probeResets: new Set() }, undefined);
  }

  /** Earliest time at which tick() may change something; undefined when nothing is pending. */
  nextDeadline(): number | undefined {
    let best: number | undefined;
    for (const g of this.groups) {
      for (const m of g.members) {
        if (m.phase !== 'failed' || m.awaitingProbe) continue;
        if (this.verdict(m, this.now) !== 'deferred') continue;
        const t = this.watch(m.name).deferredUntil(this.now);
        if (t !== undefined && (best === undefined || t < best)) best = t;
      }
    }
    return best;
  }

  /**
   * An independent copy for "what if" previews: the daemon arms failover plans by asking a
   * clone what one member's failure would do, without touching the real state.
   */
  clone(): Engine {
    const copy = Object.create(Engine.prototype) as Engine;
    const w = copy as unknown as { config: IpmpConfig; now: number; last: Placement; groups: GroupRuntime[]; links: Map<string, LinkWatch>; probes: Map<string, ProbeObservation> };
    w.config = this.config;
    w.now = this.now;
    w.last = this.last;
    w.groups = this.groups.map((g) => ({
      ...g,
      members: g.members.map((m) => ({ ...m, testAddresses: [...m.testAddresses] })),
      nominee: new Map(g.nominee),
      nic: new Map(g.nic),
      routes: [...g.routes],
    }));
    w.links = new Map([...this.links].map(([k, l]) => [k, l.clone()]));
    w.probes = new Map([...this.probes].map(([k, p]) => [k, { ...p }]));
    return copy;
  }

  /** The current placement. It is built fresh on every step and never changed afterwards: treat it as read-only. */
  placement(): Placement {
    return this.last;
  }

  /** The configuration the engine runs (status rendering needs it beside the placement). */
  configuration(): IpmpConfig {
    return this.config;
  }

  /** New configuration: members and address locations carry over by name; the rest is re-derived. */
  reload(config: IpmpConfig, now: number): EngineResult {
    this.now = now;
    const old = new Map(this.groups.map((g) => [g.config.name, g]));
    this.config = config;
    this.groups = trackedGroups(config).map((g) => newGroup(g, old.get(g.name)));
    return this.finish(now, { log: [], probeResets: new Set() }, undefined);
  }

  // --- events ---------------------------------------------------------------------------------

  private observeLink(ifname: string, next: 'up' | 'down' | 'missing', now: number, out: Collector): void {
    const t = this.watch(ifname).observe(next, now);
    const found = this.find(ifname);
    if (!found || t.initial) return;
    const group = found.group.config.name;
    if (t.wentDown) {
      out.log.push({ level: 'warn', ifname, group, msg: `The link has gone down on ${ifname}`, fields: {} });
      out.probeResets.add(ifname); // in.mpathd clears probe history on link down
    }
    if (t.vanished) out.log.push({ level: 'warn', ifname, group, msg: `Interface ${ifname} has disappeared`, fields: {} });
    if (t.cameUp) out.log.push({ level: 'info', ifname, group, msg: `The link has come up on ${ifname}`, fields: {} });
  }

  private ctx(now: number, out: Collector): OfflineContext {
    return { now, failback: this.config.mpathd.failback, verdict: (m) => this.verdict(m, now), log: out.log };
  }

  private offline(ifname: string, now: number, out: Collector): EngineReply {
    const found = this.find(ifname);
    if (!found || found.group.anonymous) return { ok: false, code: 'EUNKIF', message: 'not a physical interface or not in an IPMP group' };
    if (found.member.phase === 'offline') return { ok: false, code: 'EALREADY', message: 'Interface already offlined' };
    return takeOffline(found.group, found.member, 1, this.ctx(now, out));
  }

  private undoOffline(ifname: string, now: number, out: Collector): EngineReply {
    const found = this.find(ifname);
    if (!found || found.group.anonymous) return { ok: false, code: 'EUNKIF', message: 'not a physical interface or not in an IPMP group' };
    return bringOnline(found.group, found.member, this.ctx(now, out));
  }

  /** Hardware addresses, in the order the NICs count as having joined (the daemon sorts by ifindex). */
  private hardwareAddresses(links: readonly { ifname: string; mac: string | null }[], now: number, out: Collector): void {
    for (const l of links) {
      const found = this.find(l.ifname);
      if (found) hardwareAddressChanged(found.group, found.member, l.mac, this.ctx(now, out));
    }
  }

  // --- settling -------------------------------------------------------------------------------

  private finish(now: number, out: Collector, reply: EngineReply | undefined): EngineResult {
    for (const g of this.groups) this.settle(g, now, out);
    const placement = this.buildPlacement();
    const diff = diffPlacement(this.last, placement);
    this.last = placement;
    const result: EngineResult = {
      placement,
      changes: diff.changes,
      log: [...out.log, ...diff.log],
      probeResets: [...out.probeResets],
    };
    if (reply) result.reply = reply;
    return result;
  }

  private settle(g: GroupRuntime, now: number, out: Collector): void {
    const group = g.config.name;
    let initialising = false;
    if (!g.initialised) {
      if (g.members.some((m) => this.watch(m.name).state === 'unknown')) return;
      g.initialised = true;
      initialising = true;
    }
    const failback = this.config.mpathd.failback;
    for (const m of g.members) {
      const v = this.verdict(m, now);
      switch (m.phase) {
        case 'init':
          if (v === 'unknown') break;
          if (v === 'failed') m.phase = 'failed';
          else transitionToRunning(g.members, m, { initial: true, onlining: false, failback });
          break;
        case 'running':
          if (v === 'failed') this.fail(g, m, out);
          break;
        case 'failed':
          if (v === 'ok' && !m.awaitingProbe) {
            out.log.push({ level: 'info', ifname: m.name, group, msg: `NIC repair detected on ${m.name}${ofGroup(g)}`, fields: {} });
            m.flapLogged = false;
            transitionToRunning(g.members, m, { initial: false, onlining: false, failback });
          } else if (v === 'deferred' && !m.flapLogged) {
            m.flapLogged = true;
            out.log.push({
              level: 'warn', ifname: m.name, group,
              msg: `The link has come up on ${m.name} more than 2 times in the last minute; disabling repair until it stabilizes`,
              fields: { until: this.watch(m.name).deferredUntil(now) ?? null },
            });
          }
          break;
        case 'offline':
          break;
      }
    }
    if (g.anonymous) {
      // in.mpathd's anonymous group: detection and reporting only. No standby rules, no
      // nominees, always ok; the only routes are those its members' test addresses need.
      for (const m of g.members) m.inactive = false;
      g.state = 'ok';
      g.routes = computeRoutes('outbound-spread', g.members.map((m) => ({ name: m.name, active: this.watch(m.name).state === 'up', testAddresses: m.testAddresses })), [], [])
        // A subnet a named group already routes stays that group's (one route per destination).
        .filter((r) => r.purpose === 'test-subnet' && !this.groups.some((o) => o !== g && o.routes.some((x) => x.dst === r.dst)));
      return;
    }
    refreshStandbys(g.members);
    this.updateNominees(g);

    const next = groupState(g.members);
    if (next === 'failed' && (initialising || g.state !== 'failed')) {
      out.log.push({ level: 'error', group, msg: `All Interfaces in group ${group} have failed`, fields: {} });
    } else if (next !== 'failed' && g.state === 'failed' && !initialising) {
      const first = g.members.find(isFunctioning)?.name ?? '';
      out.log.push({ level: 'info', ifname: first, group, msg: `At least 1 interface (${first}) in group ${group} is now usable`, fields: {} });
    }
    g.state = next;

    const assign = assignAddresses(
      g.members.map((m) => ({ name: m.name, standby: m.standby, active: isActive(m), present: this.watch(m.name).state !== 'missing', linkUp: this.watch(m.name).state === 'up' })),
      g.config.dataAddresses.map((a) => ({ address: a.address, home: a.interface, up: a.up, current: g.nic.get(a.address) ?? null })),
      failback,
    );
    for (const [address, a] of assign) g.nic.set(address, a.nic);

    const addresses = g.config.dataAddresses.map((a) => ({ address: a.address, nic: g.nic.get(a.address) ?? null, up: a.up, deprecated: a.deprecated }));
    if (g.members.some(isActive)) {
      g.routes = computeRoutes(
        g.config.mode,
        g.members.map((m) => ({ name: m.name, active: isActive(m), testAddresses: m.testAddresses })),
        addresses,
        this.config.defaultRouters,
      );
    } else if (g.members.some((m) => this.watch(m.name).state === 'up')) {
      // Group failure: addresses do not move, but the routes go over every member whose link
      // is up. Otherwise the only routes left point at dead links, replies to probes fail the
      // reverse-path check, and no member can ever earn its repair.
      g.routes = computeRoutes(
        'outbound-spread',
        g.members.map((m) => ({ name: m.name, active: this.watch(m.name).state === 'up', testAddresses: m.testAddresses })),
        addresses,
        this.config.defaultRouters,
      );
    }
    // With no link up at all the routes stay as they were: nothing to route over.
  }

  /** in.mpathd failure_state: interface failure if another member still works, else group failure. */
  private fail(g: GroupRuntime, m: MemberRecord, out: Collector): void {
    const group = g.config.name;
    const mine = this.probes.get(m.name);
    const probeFailure = this.watch(m.name).state === 'up' && mine?.state === 'failed';
    const works = (o: MemberRecord): boolean => {
      if (o === m || !isFunctioning(o) || this.verdict(o, this.now) === 'failed') return false;
      const theirs = this.probes.get(o.name);
      // Another prober counts only with a successful probe after this member started failing.
      if (probeFailure && mine?.failingSince !== undefined && theirs?.state === 'ok' && theirs.lastOkAt !== undefined) {
        return theirs.lastOkAt >= mine.failingSince;
      }
      return true;
    };
    // Outside a named group a failure is always the interface's own.
    if (g.anonymous || g.members.some(works)) {
      const wasActive = isActive(m);
      m.phase = 'failed';
      m.inactive = false;
      out.log.push({ level: 'error', ifname: m.name, group, msg: `NIC failure detected on ${m.name}${ofGroup(g)}`, fields: {} });
      if (wasActive) activateAnother(g.members, m);
      return;
    }
    for (const o of g.members) {
      if (o.phase !== 'running' && o !== m) continue;
      o.phase = 'failed';
      o.inactive = false;
      out.probeResets.add(o.name);
      if (o !== m && this.verdict(o, this.now) === 'ok') o.awaitingProbe = true;
    }
  }

  private updateNominees(g: GroupRuntime): void {
    const families = new Set<Family>();
    for (const a of g.config.dataAddresses) families.add(mustParse(a.address).family);
    for (const i of g.config.interfaces) for (const t of i.testAddresses) families.add(mustParse(t).family);
    if (families.size === 0) families.add(4);
    for (const f of [4, 6] as const) {
      if (!families.has(f)) {
        g.nominee.delete(f);
        continue;
      }
      const cur = g.nominee.get(f);
      const still = g.members.find((m) => m.name === cur && isActive(m));
      g.nominee.set(f, still ? cur : g.members.find(isActive)?.name);
    }
  }

  // --- helpers --------------------------------------------------------------------------------

  private watch(ifname: string): LinkWatch {
    let w = this.links.get(ifname);
    if (!w) {
      w = new LinkWatch();
      this.links.set(ifname, w);
    }
    return w;
  }

  private probeState(m: MemberRecord): ProbeState {
    return this.probes.get(m.name)?.state ?? (m.canProbe ? 'unknown' : 'disabled');
  }

  private verdict(m: MemberRecord, now: number): Verdict {
    const w = this.watch(m.name);
    return combineVerdict(w.state, this.probeState(m), w.repairDeferred(now));
  }

  private find(ifname: string): { group: GroupRuntime; member: MemberRecord } | undefined {
    for (const group of this.groups) {
      const member = group.members.find((m) => m.name === ifname);
      if (member) return { group, member };
    }
    return undefined;
  }

  private buildPlacement(): Placement {
    return {
      groups: this.groups.map((g) =>
        groupPlacement(g, (n) => this.watch(n).state, (m) => this.probeState(m))),
    };
  }
}

/** " of group g" in in.mpathd's lines; nothing for the anonymous group. */
function ofGroup(g: GroupRuntime): string {
  return g.anonymous ? '' : ` of group ${g.config.name}`;
}
