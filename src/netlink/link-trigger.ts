// A trigger socket for one link: rtnetlink, RTNLGRP_LINK only, with the carrier-loss BPF
// filter (carrier-filter.ts), so a datagram arrives only when that link becomes unusable.
// Armed (src/sys/socket.ts arm()), its arrival sends the prepared failover in native code.
import { Socket, type ArmedSend, type ArmGuard, type FireReport } from '../sys/socket.js';
import {
  AF_NETLINK, NETLINK_ADD_MEMBERSHIP, NETLINK_ROUTE, SO_ATTACH_FILTER, SO_RCVBUF, SO_TIMESTAMPNS, SOCK_RAW, SOL_NETLINK, SOL_SOCKET,
} from '../sys/constants.js';
import { carrierLossFilter } from './carrier-filter.js';
import { RTNLGRP_LINK } from './constants.js';

/** Room for a few link notifications; the filter passes little, and we only need the first. */
const TRIGGER_RCVBUF = 64 * 1024;

export interface LinkTriggerOptions { netns?: string }

export class LinkTrigger {
  private readonly socket: Socket;
  /** Datagrams seen (armed or not): each is a "this link became unusable" notification. */
  seen = 0;

  constructor(readonly ifindex: number, opts: LinkTriggerOptions = {}) {
    this.socket = new Socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, { ...(opts.netns !== undefined ? { netns: opts.netns } : {}), readSize: 8192 });
    try {
      // Filter first, then join: no unfiltered notification can be queued in between.
      this.socket.setOption(SOL_SOCKET, SO_ATTACH_FILTER, carrierLossFilter(ifindex));
      this.socket.setOption(SOL_SOCKET, SO_RCVBUF, TRIGGER_RCVBUF);
      this.socket.setOption(SOL_SOCKET, SO_TIMESTAMPNS, 1);
      this.socket.bind({ family: 'netlink', pid: 0, groups: 0 });
      this.socket.setOption(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, RTNLGRP_LINK);
      // Errors (an overrun) only mean the monitor's JavaScript path decides this one.
      this.socket.on('error', () => undefined);
      this.socket.on('message', () => { this.seen++; });
      this.socket.start();
      // A trigger never keeps the process alive on its own.
      this.socket.unref();
    } catch (e) {
      this.socket.close();
      throw e;
    }
  }

  get isArmed(): boolean { return this.socket.isArmed; }

  arm(sends: readonly ArmedSend[], onFired: (r: FireReport) => void, guard?: ArmGuard): void {
    this.socket.arm(sends, onFired, guard);
  }

  disarm(): void { this.socket.disarm(); }

  close(): void { this.socket.close(); }
}
