// The I/O side of probing for one member and family: opens the sockets, sends a probe per
// method (ICMP echo, ARP request / Neighbor Solicitation) on the jittered schedule, matches
// replies, expires unanswered probes and runs multicast target discovery. Decisions live in
// the pure ProbeInstance; the manager combines members and families into verdicts.
import type { ProbeRecord } from '../control/status.js';
import { isLinkLocalV6, parseAddress, contains, type ParsedAddress } from '../net/addr.js';
import type { Logger } from '../log.js';
import { ARP_REPLY, buildArpProbe, buildArpRequest, isArpProbeReply, parseArp } from '../packet/arp.js';
import { buildProbeEcho, readEchoReply } from '../packet/icmp.js';
import { ND_HOP_LIMIT, ND_NEIGHBOR_ADVERT, buildNeighborSolicitation, parseNdisc } from '../packet/ndisc.js';
import { realtimeNs, type Datagram, type Socket } from '../sys/socket.js';
import { MTYPE_MULTICAST, MTYPE_UNICAST, PROBE_STATS_COUNT } from './constants.js';
import { ProbeInstance, type ProbeSlot, type ReplyResult } from './instance.js';
import { icmpDestination, openIcmpSocket, openNeighbourSocket, packetDestination } from './sockets.js';

export type ProbeMethod = 'icmp' | 'arp';

export interface ProberSpec {
  group: string;
  ifname: string;
  ifindex: number;
  mac: string | undefined;
  family: 4 | 6;
  /** Test address and prefix (targets must lie in its subnet). */
  test: ParsedAddress;
  methods: ProbeMethod[];
  id: number;
  netns?: string;
  /**
   * Transitive probing (no test address): IPv4 sends RFC 5227 ARP probes (sender 0.0.0.0) and
   * `test` only names the data subnet targets must lie in; IPv6 solicits from the NIC's
   * link-local address (`test`). No ICMP socket on IPv4.
   */
  transitive?: boolean;
}

/** What a prober needs from its manager. */
export interface ProberHost {
  readonly log: Logger;
  now(): number;
  probeIntervalMs(group: string): number;
  quietPeriodMs(): number;
  isOwn(address: string): boolean;
  /** Probe history or targets changed: recompute the member's verdict. */
  changed(p: Prober): void;
  /** A probe was acknowledged at `ackAt` (manager clock); cheaper than changed() while healthy. */
  acked(p: Prober, ackAt: number): void;
  /** An acked probe's target CRTT (FDT adaptation); slow = set aside as an exception. */
  rtt(p: Prober, crtt: number | undefined, slow: boolean): void;
  hostFound(p: Prober, address: string): void;
  record(rec: ProbeRecord, doneAtMs: number): void;
}

/** Identity of a prober: a change in any of these needs new sockets. */
export function proberKey(s: ProberSpec): string {
  return `${s.ifname}|${s.ifindex}|${s.mac ?? ''}|${s.family}|${s.test.address}/${s.test.prefixLen}|${s.methods.join('+')}|${s.transitive === true ? 't' : ''}`;
}

const MULTICAST: Record<4 | 6, string> = { 4: '224.0.0.1', 6: 'ff02::1' };
const PACKET_OUTGOING = 4;
/** Socket errors and send failures are logged at most this often per prober and kind. */
const ERROR_LOG_INTERVAL_MS = 10_000;
/** A test address that is not configured yet (EADDRNOTAVAIL) is retried this often. */
const OPEN_RETRY_MS = 1000;
const nsToMs = (ns: bigint): number => Number(ns) / 1e6;


export class Prober {
  readonly instances = new Map<ProbeMethod, ProbeInstance>();
  private icmp: Socket | undefined;
  private neigh: Socket | undefined;
  /** Probe numbers: ICMP unicast and multicast share the echo sequence space. */
  private nextEcho = 1;
  private nextNeigh = 1;
  private readonly sent = new Map<ProbeMethod, Map<number, bigint>>([['icmp', new Map()], ['arp', new Map()]]);
  private readonly multicastSent = new Map<number, bigint>();
  private linkUp = false;
  private closed = false;
  private discoverNow = false;
  private openFailures = 0;
  private nextOpenAt = Number.NEGATIVE_INFINITY;
  private readonly lastErrorLog = new Map<string, number>();
  private readonly log: Logger;

  constructor(readonly spec: ProberSpec, private readonly host: ProberHost, linkUp: boolean) {
    this.log = host.log.child({ ifname: spec.ifname, family: spec.family });
    const now = host.now();
    for (const m of spec.methods) this.instances.set(m, new ProbeInstance({ now, quietPeriodMs: host.quietPeriodMs() }));
    this.linkUp = linkUp;
  }

  get key(): string {
    return proberKey(this.spec);
  }

  get isOpen(): boolean {
    return this.icmp !== undefined || this.neigh !== undefined;
  }

  /** IPv4 transitive: ARP probes from 0.0.0.0, nothing bound to an address. */
  private get arpOnly(): boolean {
    return this.spec.transitive === true && this.spec.family === 4;
  }

  /** Targets of the first instance (methods share the candidates, not their statistics). */
  get primary(): ProbeInstance {
    return this.instances.values().next().value as ProbeInstance;
  }

  setRouters(addresses: readonly string[]): void {
    for (const i of this.instances.values()) i.targets.setRouters(addresses);
  }

  addHost(address: string): boolean {
    const a = parseAddress(address);
    if (!a || !contains(this.spec.test, a) || a.address === this.spec.test.address) return false;
    let added = false;
    for (const i of this.instances.values()) added = i.targets.addHost(address) || added;
    return added;
  }

  flushHosts(): void {
    for (const i of this.instances.values()) i.targets.flushHosts();
    this.discoverNow = true;
  }

  reset(): void {
    for (const i of this.instances.values()) i.reset();
  }

  setLink(up: boolean): void {
    if (this.closed || up === this.linkUp) return;
    this.linkUp = up;
    if (up) return; // the group's next round includes this member again
    // Replies are ignored while the link is down; probes in flight will not count.
    for (const i of this.instances.values()) i.voidPending();
  }

  close(): void {
    this.closed = true;
    this.icmp?.close();
    this.neigh?.close();
    this.icmp = undefined;
    this.neigh = undefined;
  }

  // --- sockets --------------------------------------------------------------------------------

  private open(): boolean {
    if (this.isOpen) return true;
    const now = this.host.now();
    if (now < this.nextOpenAt) return false;
    this.nextOpenAt = now + OPEN_RETRY_MS;
    const s = this.spec;
    let icmp: Socket | undefined;
    let neigh: Socket | undefined;
    try {
      const base = { family: s.family, ifindex: s.ifindex, ...(s.netns === undefined ? {} : { netns: s.netns }) };
      if (!this.arpOnly) icmp = openIcmpSocket({ ...base, ifname: s.ifname, address: s.test.address, id: s.id });
      if (this.instances.has('arp')) neigh = openNeighbourSocket(base);
    } catch (err) {
      icmp?.close();
      // The test address may not be configured yet (EADDRNOTAVAIL): retried every interval.
      const msg = `cannot open probe sockets on ${s.ifname} for ${this.arpOnly ? 'transitive ARP probes' : s.test.address}; retrying every ${OPEN_RETRY_MS} ms`;
      if (this.openFailures++ === 0) this.log.warn({ err, address: s.test.address }, msg);
      else this.log.debug({ err, address: s.test.address, attempts: this.openFailures }, msg);
      return false;
    }
    this.icmp = icmp;
    this.neigh = neigh;
    if (icmp) {
      icmp.on('message', (d) => this.onEcho(d));
      icmp.on('error', (err) => this.noteError('icmp socket', err));
      icmp.start();
      icmp.unref();
    }
    if (neigh) {
      neigh.on('message', (d) => this.onNeighbour(d));
      neigh.on('error', (err) => this.noteError('packet socket', err));
      neigh.start();
      neigh.unref();
    }
    const from = this.arpOnly ? '0.0.0.0 (transitive ARP probes)' : s.transitive ? `${s.test.address} (transitive)` : s.test.address;
    this.log.info({ address: this.arpOnly ? null : s.test.address, methods: s.methods, transitive: s.transitive === true }, `probing on ${s.ifname} from ${from} (${s.methods.join(', ')})`);
    this.openFailures = 0;
    return true;
  }

  private noteError(what: string, err: NodeJS.ErrnoException): void {
    const key = `${what}:${err.code ?? err.message}`;
    const now = this.host.now();
    const last = this.lastErrorLog.get(key);
    if (last !== undefined && now - last < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLog.set(key, now);
    this.log.warn({ err }, `${what} error on ${this.spec.ifname}`);
  }

  // --- sending --------------------------------------------------------------------------------

  /**
   * One probe round (the group's schedule calls this for every member at once, so a group
   * costs one timer wake-up per interval): a probe per method to its next target, plus a
   * multicast discovery probe while targets are scarce.
   */
  sendRound(now: number, interval: number): void {
    if (this.closed || !this.linkUp || !this.open()) return;
    let changed = false;
    for (const [method, inst] of this.instances) {
      if (inst.targets.revive(now).length > 0) changed = true;
      const t = inst.targets.next();
      if (t) this.sendUnicast(method, inst, t.address, now, interval);
    }
    // Multicast discovery needs an ICMP socket: IPv4 transitive probes routers only.
    if (this.icmp && (this.discoverNow || [...this.instances.values()].some((i) => i.targets.needsDiscovery()))) {
      this.discoverNow = false;
      this.sendMulticast();
    }
    if (changed) this.host.changed(this);
  }

  private sendUnicast(method: ProbeMethod, inst: ProbeInstance, target: string, now: number, interval: number): void {
    const s = this.spec;
    const n = method === 'icmp' ? this.nextEcho++ : this.nextNeigh++;
    const sentNs = realtimeNs();
    const sent = this.sent.get(method) as Map<number, bigint>;
    sent.set(n, sentNs);
    sent.delete(n - PROBE_STATS_COUNT);
    inst.record(n, target, now, interval);
    if (method === 'icmp') {
      const msg = buildProbeEcho(s.family, s.id, n & 0xffff, sentNs, MTYPE_UNICAST);
      this.transmit(this.icmp, msg, icmpDestination(s.family, target, s.ifindex), 'echo');
      return;
    }
    const mac = s.mac as string;
    const frame = s.family === 4
      ? (this.arpOnly ? buildArpProbe(mac, target) : buildArpRequest(mac, s.test.address, target))
      : buildNeighborSolicitation(mac, s.test.address, target);
    this.transmit(this.neigh, frame, packetDestination(s.family, s.ifindex), s.family === 4 ? 'arp' : 'ns');
  }

  private sendMulticast(): void {
    const s = this.spec;
    const n = this.nextEcho++;
    const sentNs = realtimeNs();
    this.multicastSent.set(n, sentNs);
    for (const k of this.multicastSent.keys()) if (n - k >= PROBE_STATS_COUNT) this.multicastSent.delete(k);
    const msg = buildProbeEcho(s.family, s.id, n & 0xffff, sentNs, MTYPE_MULTICAST);
    this.transmit(this.icmp, msg, icmpDestination(s.family, MULTICAST[s.family], s.ifindex), 'multicast echo');
  }

  /** A failed send is a probe that will be lost; EAGAIN counts as sent (in.mpathd). */
  private transmit(sock: Socket | undefined, data: Buffer, to: Parameters<Socket['send']>[1], what: string): void {
    if (!sock) return;
    try {
      sock.send(data, to);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'EAGAIN' && e.code !== 'EWOULDBLOCK') this.noteError(`${what} send`, e);
    }
  }

  // --- loss (the group's GroupExpiry calls these) ---------------------------------------------

  nextDeadline(): number | undefined {
    if (this.closed || !this.linkUp) return undefined;
    let at: number | undefined;
    for (const i of this.instances.values()) {
      const d = i.nextDeadline();
      if (d !== undefined && (at === undefined || d < at)) at = d;
    }
    return at;
  }

  expire(): void {
    if (this.closed || !this.linkUp) return;
    const now = this.host.now();
    let changed = false;
    for (const [method, inst] of this.instances) {
      const r = inst.expire(now);
      for (const slot of r.lost) this.recordProbe(method, inst, slot, undefined);
      for (const d of r.dead) {
        changed = true;
        this.log.info({ target: d, method }, `probe target ${d} on ${this.spec.ifname} stopped answering; replacing it`);
        if (inst.targets.mode === 'multicast') this.discoverNow = true;
      }
      if (r.lost.length > 0) changed = true;
    }
    if (changed) this.host.changed(this);
  }

  // --- replies --------------------------------------------------------------------------------

  private onEcho(d: Datagram): void {
    if (this.closed || !this.linkUp) return;
    const s = this.spec;
    const echo = readEchoReply(s.family, d.data);
    if (!echo || echo.id !== s.id || echo.code !== 0 || !echo.checksumOk) return;
    const n = this.echoNumber(echo.seq);
    if (n === undefined) return;
    const multicast = this.multicastSent.has(n);
    // IPv4 unicast replies (nearly every reply) need no address parsing: the pending probe's
    // target is matched by its text, which the IP header's source is already in.
    if (s.family === 4 && !multicast) {
      if (echo.source !== undefined) this.reply('icmp', n, echo.source, d);
      return;
    }
    const source = s.family === 4 ? echo.source : d.from?.family === 'inet6' ? d.from.address : undefined;
    if (source === undefined) return;
    const parsed = parseAddress(source);
    // in.mpathd: IPv6 replies must come from link-local sources.
    if (!parsed || (s.family === 6 && !isLinkLocalV6(parsed))) return;
    if (multicast) {
      if (contains(s.test, parsed) && !this.host.isOwn(parsed.address)) this.host.hostFound(this, parsed.address);
      return;
    }
    this.reply('icmp', n, parsed.address, d);
  }

  private onNeighbour(d: Datagram): void {
    if (this.closed || !this.linkUp) return;
    if (d.from?.family === 'packet' && d.from.pkttype === PACKET_OUTGOING) return;
    const s = this.spec;
    const inst = this.instances.get('arp');
    if (!inst || s.mac === undefined) return;
    let target: string | undefined;
    if (s.family === 4) {
      const a = parseArp(d.data);
      const ours = a !== undefined && (this.arpOnly ? isArpProbeReply(a, s.mac) : a.op === ARP_REPLY && a.targetIp === s.test.address && a.ethDst === s.mac);
      if (ours) target = a.senderIp;
    } else {
      const nd = parseNdisc(d.data);
      if (nd?.type === ND_NEIGHBOR_ADVERT && nd.flags.solicited && nd.hopLimit === ND_HOP_LIMIT && nd.checksumOk
        && nd.ethDst === s.mac && nd.dest === s.test.address) target = nd.target;
    }
    if (target === undefined) return;
    const n = inst.pendingFor(target);
    if (n !== undefined) this.reply('arp', n, target, d);
  }

  /** Full probe number from a 16-bit echo sequence: the newest one with those low bits. */
  private echoNumber(seq: number): number | undefined {
    const last = this.nextEcho - 1;
    if (last < 1) return undefined;
    const n = last - ((last - seq) & 0xffff);
    return n >= 1 && last - n < PROBE_STATS_COUNT ? n : undefined;
  }

  private reply(method: ProbeMethod, n: number, source: string, d: Datagram): void {
    const inst = this.instances.get(method);
    const sentNs = this.sent.get(method)?.get(n);
    if (!inst || sentNs === undefined) return;
    const nowNs = realtimeNs();
    const rxNs = d.timestampNs ?? nowNs;
    const netRtt = Math.max(0, nsToMs(rxNs - sentNs));
    const rtt = Math.max(netRtt, nsToMs(nowNs - sentNs));
    const interval = this.host.probeIntervalMs(this.spec.group);
    const r: ReplyResult = inst.onReply(n, source, netRtt, this.host.now(), interval);
    if (r.kind !== 'acked') return;
    this.recordProbe(method, inst, r.slot, { netRtt, rtt });
    if (r.slow) this.log.info({ target: source, crtt: r.crtt }, `probe target ${source} on ${this.spec.ifname} is slow; set aside`);
    this.host.rtt(this, r.crtt, r.slow);
    if (r.slow) this.host.changed(this);
    else this.host.acked(this, r.slot.ackAt ?? this.host.now());
  }

  private recordProbe(method: ProbeMethod, inst: ProbeInstance, slot: ProbeSlot, rtt: { netRtt: number; rtt: number } | undefined): void {
    const sentNs = this.sent.get(method)?.get(slot.n);
    const est = inst.targets.get(slot.target)?.rtt;
    this.host.record({
      sentAtMs: sentNs === undefined ? Date.now() : nsToMs(sentNs),
      interface: this.spec.ifname,
      probe: slot.n,
      netRttMs: rtt?.netRtt ?? null,
      rttMs: rtt?.rtt ?? null,
      rttAvgMs: est?.avg ?? null,
      rttDevMs: est?.dev ?? null,
      target: slot.target,
      outcome: rtt ? 'acked' : 'lost',
    }, performance.timeOrigin + performance.now()); // sub-ms: pollers' `since` never splits a millisecond
  }
}
