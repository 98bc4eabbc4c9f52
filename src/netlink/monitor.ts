// RtnlMonitor: a live, converging view of links, addresses and routes. It joins the
// rtnetlink groups first and dumps second on the same socket, so notifications and dump
// parts arrive in the kernel's order and nothing falls in between. On ENOBUFS (never
// suppressed with NETLINK_NO_ENOBUFS) it re-dumps into a fresh view and reports the diff.
import { EventEmitter } from 'node:events';
import {
  AF_UNSPEC, NLM_F_REPLACE, RTM_DELADDR, RTM_DELLINK, RTM_DELROUTE, RTM_F_CLONED, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWROUTE,
  RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV6_ROUTE, RTNLGRP_LINK,
} from './constants.js';
import { decodeAddrMsg, toAddress } from './address.js';
import { NlConnection, type Request } from './connection.js';
import { NetlinkError } from './errors.js';
import { decodeLinkMsg, toLink } from './link.js';
import type { NlMsg } from './nlmsg.js';
import { addressDump, linkDump, routeDump } from './requests.js';
import { decodeRouteMsg, toRoute } from './route.js';
import type { Address, Link, Route } from './types.js';
import { diffViews, type MonitorEvent, View } from './view.js';

export { addressKey, routeIdentity, routeKey, type EventOf, type MonitorEvent } from './view.js';

export interface ResyncInfo {
  reason: string;
  differences: MonitorEvent[];
}

export interface RtnlMonitorEvents {
  event: [MonitorEvent];
  resync: [ResyncInfo];
  error: [Error];
}

export interface RtnlMonitorOptions {
  netns?: string;
  /** Receive buffer bytes (SO_RCVBUFFORCE); default 1 MiB like iproute2. */
  rcvbuf?: number;
  /** Track routes too (default true). */
  routes?: boolean;
}

const DEFAULT_RCVBUF = 1024 * 1024;
const EBUSY = 16;
const MAX_BUSY_RETRIES = 200;

export class RtnlMonitor extends EventEmitter<RtnlMonitorEvents> {
  private view = new View();
  /** The view being rebuilt while a sync runs; notifications go there meanwhile. */
  private shadow: View | undefined;
  private syncing: Promise<void> | undefined;
  private dirty = false;
  private fresh = false;
  private dirtyReason = '';
  private closed = false;
  private resyncCount = 0;
  private conn: NlConnection;

  private constructor(private readonly connect: () => NlConnection, private readonly withRoutes: boolean) {
    super();
    this.conn = this.attach(connect());
  }

  /** Subscribes, then dumps; resolves once the initial view is complete. */
  static async open(opts: RtnlMonitorOptions = {}): Promise<RtnlMonitor> {
    const withRoutes = opts.routes ?? true;
    const groups = [RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR];
    if (withRoutes) groups.push(RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE);
    const connect = (): NlConnection => NlConnection.open({
      ...(opts.netns !== undefined ? { netns: opts.netns } : {}),
      rcvbuf: opts.rcvbuf ?? DEFAULT_RCVBUF,
      groups,
      strict: true,
      keepRef: true,
    });
    const mon = new RtnlMonitor(connect, withRoutes);
    try {
      await mon.sync('initial', false);
    } catch (e) {
      mon.close();
      throw e;
    }
    return mon;
  }

  get links(): ReadonlyMap<number, Link> { return this.view.links; }
  get addresses(): ReadonlyMap<string, Address> { return this.view.addresses; }
  get routes(): ReadonlyMap<string, Route> { return this.view.routes; }
  /** Completed resyncs after the initial dump (ENOBUFS recoveries and explicit calls). */
  get resyncs(): number { return this.resyncCount; }

  /** Re-dumps everything and emits the differences; concurrent calls share one run. */
  resync(reason = 'requested'): Promise<void> {
    return this.sync(reason, false);
  }

  close(): void {
    this.closed = true;
    this.conn.close();
  }

  /** Handlers ignore a connection once it has been replaced. */
  private attach(conn: NlConnection): NlConnection {
    conn.onNotify = (m) => { if (conn === this.conn) this.onMessage(m); };
    conn.onError = (e) => { if (conn === this.conn) this.onSocketError(e); };
    return conn;
  }

  private sync(reason: string, fresh: boolean): Promise<void> {
    this.dirty = true;
    this.fresh ||= fresh;
    this.dirtyReason = reason;
    this.syncing ??= this.runSync().finally(() => { this.syncing = undefined; });
    return this.syncing;
  }

  private onSocketError(e: NodeJS.ErrnoException): void {
    if (this.closed) return;
    if (e.code === 'ENOBUFS' || this.conn.isBroken) {
      // Notifications were lost. The kernel reports an overrun once per congestion episode,
      // so this socket may drop more silently: resubscribe on a new socket, then re-dump.
      const reason = e.code === 'ENOBUFS' ? 'ENOBUFS' : `socket error ${e.code ?? e.message}`;
      this.sync(reason, true).catch((err: Error) => { if (!this.closed) this.emit('error', err); });
    } else {
      this.emit('error', e);
    }
  }

  private async runSync(): Promise<void> {
    while (this.dirty && !this.closed) {
      this.dirty = false;
      const reason = this.dirtyReason;
      if (this.fresh) {
        this.fresh = false;
        const old = this.conn;
        this.conn = this.attach(this.connect());
        old.close();
      }
      const shadow = new View();
      this.shadow = shadow;
      try {
        const steps: Request[] = [linkDump(), addressDump()];
        if (this.withRoutes) steps.push(routeDump(4), routeDump(6));
        for (const step of steps) {
          if (this.dirty) break; // lost notifications mid-way: start over with a fresh view
          await this.dumpInto(shadow, step);
        }
      } catch (e) {
        if (this.dirty && !this.closed) continue; // the socket failed under us; the next round reopens it
        this.shadow = undefined;
        throw e;
      }
      if (this.dirty) continue;
      this.shadow = undefined;
      const differences = diffViews(this.view, shadow);
      this.view = shadow;
      if (reason !== 'initial') {
        this.resyncCount++;
        for (const ev of differences) this.emit('event', ev);
        this.emit('resync', { reason, differences });
      }
    }
  }

  private async dumpInto(shadow: View, step: Request): Promise<void> {
    for (let busy = 0; ; busy++) {
      try {
        // Parts are applied as they arrive, in order with notifications; DUMP_INTR needs no
        // retry because every change behind it also arrives as a notification.
        await this.conn.dump(step, { onPart: (m) => this.apply(shadow, m), retries: 0 });
        return;
      } catch (e) {
        // A dump the kernel is still finishing for an earlier, abandoned attempt.
        if (!(e instanceof NetlinkError && e.errno === EBUSY) || busy >= MAX_BUSY_RETRIES) throw e;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  /**
   * Called with the ifindex and IFF_* flags of every link notification before it is decoded
   * and applied to the view: reading two fields of ifinfomsg costs nothing, decoding the whole
   * message (dozens of attributes) does. For reactions that must not wait, like carrier loss.
   */
  onLinkFlags: ((index: number, flags: number) => void) | undefined;

  private onMessage(m: NlMsg): void {
    // ifinfomsg: family u8, pad u8, type u16, index s32, flags u32, change u32.
    if (this.onLinkFlags && m.type === RTM_NEWLINK && m.payload.length >= 16 && m.payload[0] === AF_UNSPEC) {
      this.onLinkFlags(m.payload.readInt32LE(4), m.payload.readUInt32LE(8));
    }
    const target = this.shadow ?? this.view;
    let events: MonitorEvent[];
    try {
      events = this.apply(target, m);
    } catch (e) {
      // A message we cannot read may have changed state: report it and rebuild the view.
      this.emit('error', e as Error);
      this.resync('undecodable notification').catch((err: Error) => { if (!this.closed) this.emit('error', err); });
      return;
    }
    if (target === this.view) for (const ev of events) this.emit('event', ev);
  }

  private apply(view: View, m: NlMsg): MonitorEvent[] {
    switch (m.type) {
      case RTM_NEWLINK:
      case RTM_DELLINK: {
        const msg = decodeLinkMsg(m.payload);
        // AF_BRIDGE messages describe bridge ports, not the link's existence.
        if (msg.family !== AF_UNSPEC) return [];
        const link = toLink(msg);
        return m.type === RTM_NEWLINK ? view.upsertLink(link) : view.removeLink(link);
      }
      case RTM_NEWADDR:
      case RTM_DELADDR: {
        const a = toAddress(decodeAddrMsg(m.payload));
        if (!a) return [];
        return m.type === RTM_NEWADDR ? view.upsertAddress(a) : view.removeAddress(a);
      }
      case RTM_NEWROUTE:
      case RTM_DELROUTE: {
        if (!this.withRoutes) return [];
        const msg = decodeRouteMsg(m.payload);
        // Cached (cloned) routes are not part of the routing tables a dump shows.
        if ((msg.flags & RTM_F_CLONED) !== 0) return [];
        const r = toRoute(msg);
        if (!r) return [];
        return m.type === RTM_NEWROUTE ? view.upsertRoute(r, (m.flags & NLM_F_REPLACE) !== 0) : view.removeRoute(r);
      }
      default:
        return [];
    }
  }
}
