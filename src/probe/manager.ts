// Probe-based failure detection for every group member: builds a prober per member and family
// from the configuration and the NICs, feeds it router targets from the routing table and
// host targets from multicast discovery, adapts each group's FDT, and turns the probe history
// into the per-member verdicts the engine consumes ({type:'probe', ...} events).
import { trackedGroups } from '../config/anonymous.js';
import type { IpmpConfig, GroupConfig, InterfaceConfig } from '../config/model.js';
import type { ProbeRecord, ProbeState, TargetStatus } from '../control/status.js';
import { isLinkLocalV6, parseAddress, type ParsedAddress } from '../net/addr.js';
import { linkUsable } from '../engine/link-usable.js';
import type { Logger } from '../log.js';
import type { Address, Link, Route } from '../netlink/types.js';
import { FAILURE_DETECTION_QP_MS } from './constants.js';
import { GroupExpiry } from './expiry.js';
import { GroupFdt } from './fdt.js';
import { Prober, proberKey, type ProbeMethod, type ProberHost, type ProberSpec } from './prober.js';
import { ProbeLog } from './records.js';
import { JitterSchedule } from './schedule.js';
import { echoIdentifier } from './sockets.js';
import { routerCandidates } from './targets.js';
import { INITIAL_VERDICT, nextVerdict, resetVerdict, type InstanceView, type MemberVerdict } from './verdict.js';

export interface ProbeVerdict {
  state: ProbeState;
  /** Manager clock (the `now` option) of the newest acknowledged probe. */
  lastOkAt?: number;
  /** Manager clock of the first lost probe of the current failure run. */
  failingSince?: number;
}

export interface ProbeManagerOptions {
  log: Logger;
  /** Called (from a microtask, in order) when a member's verdict changes, and once initially. */
  onVerdict: (ifname: string, v: ProbeVerdict) => void;
  /** Monotonic ms clock shared with the engine; default performance.now(). */
  now?: () => number;
  /** Network namespace path (/run/netns/NAME) to open the probe sockets in. */
  netns?: string;
  /** Random source in [0, 1) for the probe jitter; default Math.random. */
  random?: () => number;
  /** For the ICMP identifier; default process.pid. */
  pid?: number;
}

interface Member {
  group: string;
  config: InterfaceConfig;
  probers: Prober[];
  verdict: MemberVerdict;
  emitted: ProbeVerdict | undefined;
  linkUp: boolean;
  /** No usable test address (none configured, or not unique in the group). */
  disabled: boolean;
}

interface Group {
  config: GroupConfig;
  fdt: GroupFdt;
  /** One jittered schedule per group: every member probes in the same round (one wake-up). */
  schedule: JitterSchedule;
  timer: NodeJS.Timeout | undefined;
  /** The loss deadlines of the group's probes: one timer for the group. */
  expiry: GroupExpiry;
  /** Every probing member failed: host targets were flushed for rediscovery. */
  allFailed: boolean;
}

const RT_SCOPE_LINK = 253;
const IFA_F_TENTATIVE = 0x40;
const IFA_F_DADFAILED = 0x08;

export class ProbeManager {
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly rand: () => number;
  private readonly pid: number;
  private config: IpmpConfig | undefined;
  private links = new Map<string, Link>();
  /** Link state per member: from configure()'s links, then from linkChanged(). */
  private readonly linkUp = new Map<string, boolean>();
  private readonly offline = new Set<string>();
  private routes: Route[] = [];
  private addresses: Address[] = [];
  private own = new Set<string>();
  private readonly groups = new Map<string, Group>();
  private readonly members = new Map<string, Member>();
  private readonly probeLog = new ProbeLog();
  private readonly warned = new Set<string>();
  private readonly queue: [string, ProbeVerdict][] = [];
  private flushing = false;
  private closed = false;
  private readonly host: ProberHost;

  constructor(private readonly opts: ProbeManagerOptions) {
    this.log = opts.log.child({ component: 'probe' });
    this.clock = opts.now ?? (() => performance.now());
    this.rand = opts.random ?? Math.random;
    this.pid = opts.pid ?? process.pid;
    this.host = {
      log: this.log,
      now: () => this.clock(),
      probeIntervalMs: (g) => this.groups.get(g)?.fdt.probeIntervalMs ?? 1000,
      quietPeriodMs: () => this.config?.daemon?.quietPeriodMs ?? FAILURE_DETECTION_QP_MS,
      isOwn: (a) => this.own.has(a),
      changed: (p) => this.evaluate(p.spec.ifname),
      acked: (p, at) => this.onAck(p.spec.ifname, at),
      rtt: (p, crtt, slow) => this.onRtt(p, crtt, slow),
      hostFound: (p, a) => this.onHostFound(p, a),
      record: (rec, doneAtMs) => this.probeLog.push(rec, doneAtMs),
    };
  }

  /** (Re)configures groups and members; call again on reload and when member NICs appear or vanish. */
  configure(config: IpmpConfig, links: ReadonlyMap<number, Link>): void {
    if (this.closed) throw new Error('ProbeManager is closed');
    this.config = config;
    this.links = new Map([...links.values()].map((l) => [l.name, l]));
    this.linkUp.clear();
    for (const l of this.links.values()) this.linkUp.set(l.name, linkUsable(l));
    this.rebuild();
  }

  /** The routing table changed: router targets are re-read. */
  updateRoutes(routes: Iterable<Route>): void {
    this.routes = [...routes];
    if (this.config) this.refreshTargets();
  }

  /**
   * The host's addresses: never used as targets, and the source of the NIC link-local
   * address for members with ipv6LinkLocalTest.
   */
  updateAddresses(addresses: Iterable<Address>): void {
    this.addresses = [...addresses];
    if (this.config) this.rebuild();
  }

  /** Link state as fed to the engine: probing pauses while down (replies would be ignored). */
  linkChanged(ifname: string, up: boolean): void {
    this.linkUp.set(ifname, up);
    const m = this.members.get(ifname);
    if (!m) return;
    m.linkUp = up;
    for (const p of m.probers) p.setLink(this.probing(ifname, m));
  }

  /** if_mpadm -d: an offline NIC is not probed (in.mpathd stops probing it); -r resumes. */
  setOffline(ifname: string, offline: boolean): void {
    if (offline === this.offline.has(ifname)) return;
    if (offline) this.offline.add(ifname);
    else this.offline.delete(ifname);
    const m = this.members.get(ifname);
    if (m) for (const p of m.probers) p.setLink(this.probing(ifname, m));
  }

  private probing(ifname: string, m: Member): boolean {
    return m.linkUp && !this.offline.has(ifname);
  }

  /** EngineResult.probeResets: forget these members' probe history; they must re-earn 'ok'. */
  reset(ifnames: readonly string[]): void {
    const now = this.clock();
    const groups = new Set<string>();
    for (const name of ifnames) {
      const m = this.members.get(name);
      if (!m || m.disabled) continue;
      for (const p of m.probers) p.reset();
      m.verdict = resetVerdict(m.verdict, this.hasTargets(m), now);
      this.publish(m);
      groups.add(m.group);
    }
    for (const g of groups) this.checkGroup(g);
  }

  verdict(ifname: string): ProbeVerdict | undefined {
    const m = this.members.get(ifname);
    return m ? toProbeVerdict(m.verdict) : undefined;
  }

  /** ipmpstat -t: per member and probing family; one 'disabled' row for a member that probes nothing. */
  snapshotTargets(): TargetStatus[] {
    const out: TargetStatus[] = [];
    for (const g of this.config ? trackedGroups(this.config) : []) {
      for (const i of g.interfaces) {
        const m = this.members.get(i.name);
        if (!m || m.probers.length === 0) {
          out.push({ interface: i.name, family: 4, mode: 'disabled', testAddress: null, targets: [] });
          continue;
        }
        for (const p of m.probers) {
          const t = p.primary.targets;
          // Transitive probing has no test address: MODE transitive, TESTADDR empty (--).
          out.push({
            interface: i.name, family: p.spec.family, mode: p.spec.transitive ? 'transitive' : t.mode,
            testAddress: p.spec.transitive ? null : p.spec.test.address, targets: t.firingOrder(),
          });
        }
      }
    }
    return out;
  }

  /** The group's current (possibly raised) failure detection time; null when no member probes. */
  fdtMs(group: string): number | null {
    const g = this.groups.get(group);
    if (!g) return null;
    const probing = g.config.interfaces.some((i) => (this.members.get(i.name)?.probers.length ?? 0) > 0);
    return probing ? g.fdt.fdtMs : null;
  }

  /**
   * ipmpstat -p: completed probes whose outcome became known after `sinceMs` (epoch ms,
   * sub-millisecond; poll with `performance.timeOrigin + performance.now()` taken right after
   * the previous call to see every probe exactly once). Bounded ring of 4096 probes.
   */
  recentProbes(sinceMs?: number): ProbeRecord[] {
    return this.probeLog.since(sinceMs);
  }

  close(): void {
    this.closed = true;
    for (const g of this.groups.values()) {
      if (g.timer) clearTimeout(g.timer);
      g.expiry.close();
    }
    for (const m of this.members.values()) for (const p of m.probers) p.close();
    this.members.clear();
    this.groups.clear();
    this.queue.length = 0;
  }

  // --- building -------------------------------------------------------------------------------

  private rebuild(): void {
    const config = this.config as IpmpConfig;
    this.own = this.ownAddresses(config);
    const keep = new Set<string>();
    const groups = trackedGroups(config);
    for (const gc of groups) {
      const g = this.groups.get(gc.name);
      if (g) {
        g.config = gc;
        g.fdt.setUserFdt(config.mpathd.failureDetectionTime);
      } else {
        const fresh: Group = {
          config: gc, fdt: new GroupFdt(gc.name, config.mpathd.failureDetectionTime), allFailed: false,
          schedule: new JitterSchedule(this.clock(), this.rand), timer: undefined,
          expiry: new GroupExpiry(() => this.probersOf(fresh), this.clock),
        };
        this.groups.set(gc.name, fresh);
      }
      const seen = new Map<string, string>();
      for (const ic of gc.interfaces) {
        keep.add(ic.name);
        this.buildMember(gc, ic, seen);
      }
    }
    for (const [name, g] of [...this.groups]) {
      if (groups.some((x) => x.name === name)) continue;
      if (g.timer) clearTimeout(g.timer);
      g.expiry.close();
      this.groups.delete(name);
    }
    for (const [name, m] of [...this.members]) {
      if (keep.has(name)) continue;
      for (const p of m.probers) p.close();
      this.members.delete(name);
    }
    this.refreshTargets();
    for (const name of this.groups.keys()) this.armRound(name);
  }

  /** Arms the group's next probe round; nothing while no member of it probes. */
  private armRound(name: string): void {
    const g = this.groups.get(name);
    if (!g || g.timer || this.closed) return;
    if (this.probersOf(g).next().done) return;
    const at = g.schedule.next(g.fdt.probeIntervalMs);
    g.timer = setTimeout(() => {
      g.timer = undefined;
      if (this.closed || this.groups.get(name) !== g) return;
      const now = this.clock();
      const interval = g.fdt.probeIntervalMs;
      for (const p of this.probersOf(g)) p.sendRound(now, interval);
      g.expiry.soon();
      g.schedule.advance(interval, now);
      this.armRound(name);
    }, Math.max(0, at - this.clock()));
    g.timer.unref();
  }

  private *probersOf(g: Group): Generator<Prober> {
    for (const i of g.config.interfaces) yield* this.members.get(i.name)?.probers ?? [];
  }

  private buildMember(gc: GroupConfig, ic: InterfaceConfig, seen: Map<string, string>): void {
    const link = this.links.get(ic.name);
    let m = this.members.get(ic.name);
    if (!m || m.group !== gc.name) {
      for (const p of m?.probers ?? []) p.close();
      m = { group: gc.name, config: ic, probers: [], verdict: INITIAL_VERDICT, emitted: undefined, linkUp: false, disabled: false };
      this.members.set(ic.name, m);
    }
    m.config = ic;
    m.linkUp = link !== undefined && (this.linkUp.get(ic.name) ?? false);
    const tests = this.testAddresses(ic, link);
    const dup = tests.find((t) => seen.has(t.address) && seen.get(t.address) !== ic.name);
    for (const t of tests) if (!seen.has(t.address)) seen.set(t.address, ic.name);
    // A transitive member needs no test address (its NIC or link-local address may come later).
    const probesTransitively = gc.probe === 'transitive' && transitiveFamilies(gc).size > 0;
    const transitive = probesTransitively ? this.transitiveSubjects(gc, ic, link, tests) : [];
    m.disabled = (tests.length === 0 && !probesTransitively && !this.mayGetLinkLocal(ic)) || dup !== undefined;
    if (dup) {
      const key = `dup|${gc.name}|${ic.name}|${dup.address}`;
      if (!this.warned.has(key)) {
        this.warned.add(key);
        this.log.error({ group: gc.name, ifname: ic.name, address: dup.address },
          `Test address ${dup.address} is not unique in group; disabling probe-based failure detection on ${ic.name}`);
      }
    }
    const specs: ProberSpec[] = m.disabled || !link ? [] : [
      ...tests.map((test) => this.spec(gc, ic, link, test)),
      ...transitive.map((test) => ({ ...this.spec(gc, ic, link, test), methods: ['arp'] as ProbeMethod[], transitive: true })),
    ];
    const wanted = new Map(specs.map((s) => [proberKey(s), s]));
    const kept: Prober[] = [];
    for (const p of m.probers) {
      if (wanted.has(p.key)) {
        kept.push(p);
        wanted.delete(p.key);
        p.setLink(this.probing(ic.name, m));
      } else p.close();
    }
    for (const s of wanted.values()) kept.push(new Prober(s, this.host, this.probing(ic.name, m)));
    m.probers = kept.sort((a, b) => a.spec.family - b.spec.family);
  }

  /** One test address per family: the first IPv4 one, the first link-local IPv6 one (or the NIC's). */
  private testAddresses(ic: InterfaceConfig, link: Link | undefined): ParsedAddress[] {
    const out: ParsedAddress[] = [];
    for (const t of ic.testAddresses) {
      const p = parseAddress(t);
      if (!p) continue;
      if (p.family === 6 && !isLinkLocalV6(p)) {
        this.warnOnce(`v6|${ic.name}|${t}`, { ifname: ic.name, address: t },
          `IPv6 test address ${t} on ${ic.name} is not link-local; only link-local IPv6 test addresses are used for probing`);
        continue;
      }
      if (!out.some((o) => o.family === p.family)) out.push(p);
    }
    if (!out.some((o) => o.family === 6) && ic.ipv6LinkLocalTest && link) {
      const p = this.linkLocalOf(link);
      if (p) out.push(p);
    }
    return out;
  }

  /**
   * probe: transitive — what a member probes for each data family it has no test address of:
   * IPv4 the group's data subnet (ARP probes from 0.0.0.0), IPv6 the NIC's link-local address.
   */
  private transitiveSubjects(gc: GroupConfig, ic: InterfaceConfig, link: Link | undefined, tests: ParsedAddress[]): ParsedAddress[] {
    const out: ParsedAddress[] = [];
    if (!link) return out;
    if (link.mac === undefined) {
      this.warnOnce(`mac|${ic.name}`, { ifname: ic.name }, `${ic.name} has no hardware address: transitive probing impossible`);
      return out;
    }
    for (const family of transitiveFamilies(gc)) {
      if (tests.some((t) => t.family === family)) continue;
      if (family === 4) {
        const d = gc.dataAddresses.map((a) => parseAddress(a.address)).find((p): p is ParsedAddress => p?.family === 4);
        if (d) out.push(d);
      } else {
        const ll = this.linkLocalOf(link);
        if (ll) out.push(ll);
      }
    }
    return out;
  }

  private linkLocalOf(link: Link): ParsedAddress | undefined {
    const ll = this.addresses.find((a) => a.family === 6 && a.index === link.index && a.scope === RT_SCOPE_LINK
      && (a.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) === 0);
    const p = ll ? parseAddress(`${ll.local}/${ll.prefixLen}`) : undefined;
    return p && isLinkLocalV6(p) ? p : undefined;
  }

  private mayGetLinkLocal(ic: InterfaceConfig): boolean {
    return ic.ipv6LinkLocalTest === true;
  }

  private spec(gc: GroupConfig, ic: InterfaceConfig, link: Link, test: ParsedAddress): ProberSpec {
    // transitive: members with a test address probe with ICMP from it, as in.mpathd.
    let methods: ProbeMethod[] = gc.probe === 'icmp' || gc.probe === 'transitive' ? ['icmp'] : gc.probe === 'arp' ? ['arp'] : ['icmp', 'arp'];
    if (methods.includes('arp') && link.mac === undefined) {
      this.warnOnce(`mac|${ic.name}`, { ifname: ic.name }, `${ic.name} has no hardware address: ARP/NS probing impossible, using ICMP`);
      methods = ['icmp'];
    }
    const s: ProberSpec = {
      group: gc.name, ifname: ic.name, ifindex: link.index, mac: link.mac?.toLowerCase(), family: test.family,
      test, methods, id: echoIdentifier(this.pid, link.index),
    };
    if (this.opts.netns !== undefined) s.netns = this.opts.netns;
    return s;
  }

  private ownAddresses(config: IpmpConfig): Set<string> {
    const own = new Set<string>();
    const add = (text: string): void => {
      const p = parseAddress(text);
      if (p) own.add(p.address);
    };
    for (const g of trackedGroups(config)) {
      for (const i of g.interfaces) i.testAddresses.forEach(add);
      for (const d of g.dataAddresses) add(d.address);
    }
    for (const a of this.addresses) add(a.local);
    return own;
  }

  private warnOnce(key: string, fields: Record<string, unknown>, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log.warn(fields, msg);
  }

  private refreshTargets(): void {
    for (const [name, g] of this.groups) {
      const indexes = new Set<number>();
      for (const i of g.config.interfaces) {
        const l = this.links.get(i.name);
        if (l) indexes.add(l.index);
      }
      for (const i of g.config.interfaces) {
        const m = this.members.get(i.name);
        if (!m) continue;
        for (const p of m.probers) {
          const routers = routerCandidates(this.routes, { test: p.spec.test, memberIndexes: indexes, own: this.own });
          p.setRouters(routers);
        }
      }
      for (const i of g.config.interfaces) this.evaluate(i.name, false);
      this.checkGroup(name);
    }
  }

  // --- verdicts -------------------------------------------------------------------------------

  private hasTargets(m: Member): boolean {
    return m.probers.some((p) => p.isOpen && [...p.instances.values()].some((i) => i.targets.active().length > 0));
  }

  private views(m: Member): InstanceView[] {
    const out: InstanceView[] = [];
    for (const p of m.probers) {
      for (const i of p.instances.values()) out.push({ ...i.runs(), hasTargets: p.isOpen && i.targets.active().length > 0 });
    }
    return out;
  }

  private evaluate(ifname: string, checkGroup = true): void {
    const m = this.members.get(ifname);
    if (!m) return;
    if (m.disabled) m.verdict = { state: 'disabled', mustEarn: false };
    else if (m.probers.length === 0) m.verdict = { ...m.verdict, state: m.verdict.state === 'failed' ? 'failed' : 'unknown' };
    else m.verdict = nextVerdict(m.verdict, this.views(m));
    this.publish(m);
    if (checkGroup) this.checkGroup(m.group);
  }

  /** An ack cannot change a healthy verdict: only its lastOkAt moves (no history scan). */
  private onAck(ifname: string, at: number): void {
    const m = this.members.get(ifname);
    if (!m) return;
    if (m.verdict.state === 'ok' && !m.verdict.mustEarn) {
      if (m.verdict.lastOkAt === undefined || at > m.verdict.lastOkAt) m.verdict = { ...m.verdict, lastOkAt: at };
      return;
    }
    this.evaluate(ifname);
  }

  /** Emits the member's verdict if its state changed (or was never emitted). */
  private publish(m: Member): void {
    const v = toProbeVerdict(m.verdict);
    if (m.emitted?.state === v.state) return;
    // The engine's group-failure test needs the other members' newest good probe.
    if (v.state === 'failed') this.refreshOthers(m);
    this.emit(m, v);
  }

  private refreshOthers(failing: Member): void {
    for (const o of this.members.values()) {
      if (o === failing || o.group !== failing.group || o.emitted?.state !== 'ok') continue;
      const v = toProbeVerdict(o.verdict);
      if (v.state === 'ok' && v.lastOkAt !== o.emitted.lastOkAt) this.emit(o, v);
    }
  }

  private emit(m: Member, v: ProbeVerdict): void {
    m.emitted = v;
    this.queue.push([m.config.name, v]);
    if (this.flushing) return;
    this.flushing = true;
    queueMicrotask(() => {
      this.flushing = false;
      for (const [name, verdict] of this.queue.splice(0)) {
        if (this.closed) return;
        try {
          this.opts.onVerdict(name, verdict);
        } catch (err) {
          this.log.error({ err, ifname: name, verdict }, 'probe verdict handler failed');
        }
      }
    });
  }

  /** Every probing member failed: host targets are flushed and rediscovered (in.mpathd). */
  private checkGroup(name: string): void {
    const g = this.groups.get(name);
    if (!g) return;
    const probing = g.config.interfaces.map((i) => this.members.get(i.name)).filter((m): m is Member => !!m && m.probers.length > 0);
    const all = probing.length > 0 && probing.every((m) => m.verdict.state === 'failed');
    if (all && !g.allFailed) {
      g.allFailed = true;
      for (const m of probing) for (const p of m.probers) p.flushHosts();
    } else if (!all) g.allFailed = false;
  }

  // --- prober callbacks -----------------------------------------------------------------------

  private onRtt(p: Prober, crtt: number | undefined, slow: boolean): void {
    const g = this.groups.get(p.spec.group);
    if (!g || crtt === undefined || slow) return;
    const now = this.clock();
    const ctx = { family: p.spec.family, ifname: p.spec.ifname };
    const raised = g.fdt.observeCrtt(crtt, ctx, now);
    if (raised) {
      this.log.warn({ group: g.config.name, ifname: p.spec.ifname, fdtMs: g.fdt.fdtMs }, raised);
      return;
    }
    if (g.fdt.fdtMs <= g.fdt.userFdtMs) return;
    const crtts: number[] = [];
    for (const i of g.config.interfaces) {
      for (const q of this.members.get(i.name)?.probers ?? []) {
        for (const inst of q.instances.values()) for (const t of inst.targets.active()) if (t.rtt.crtt !== undefined) crtts.push(t.rtt.crtt);
      }
    }
    const lowered = g.fdt.maybeLower(crtts, ctx, now);
    if (lowered) this.log.info({ group: g.config.name, ifname: p.spec.ifname, fdtMs: g.fdt.fdtMs }, lowered);
  }

  private onHostFound(from: Prober, address: string): void {
    const g = this.groups.get(from.spec.group);
    if (!g) return;
    for (const i of g.config.interfaces) {
      const m = this.members.get(i.name);
      let added = false;
      for (const p of m?.probers ?? []) if (p.spec.family === from.spec.family && p.addHost(address)) added = true;
      if (added) {
        this.log.info({ ifname: i.name, target: address }, `probe target ${address} found by multicast on ${from.spec.ifname}, used by ${i.name}`);
        this.evaluate(i.name);
      }
    }
  }
}

function toProbeVerdict(v: MemberVerdict): ProbeVerdict {
  const out: ProbeVerdict = { state: v.state };
  if (v.lastOkAt !== undefined) out.lastOkAt = v.lastOkAt;
  if (v.failingSince !== undefined && v.state === 'failed') out.failingSince = v.failingSince;
  return out;
}

/** The address families a transitive group probes: those of its data addresses. */
function transitiveFamilies(gc: GroupConfig): Set<4 | 6> {
  const out = new Set<4 | 6>();
  for (const a of gc.dataAddresses) {
    const p = parseAddress(a.address);
    if (p) out.add(p.family);
  }
  return out;
}
