// Gratuitous ARP / unsolicited NA after an address is placed: the first frame at once, the
// rest at the group's interval (Solaris: 5 ARPs / 3 NAs, 2000 ms apart). A newer placement of
// the same address cancels the older series, so peers never hear a stale NIC.
import type { Logger } from '../log.js';
import { buildGratuitousArp } from '../packet/arp.js';
import { buildUnsolicitedNa } from '../packet/ndisc.js';
import { AF_PACKET, ETH_P_ARP, ETH_P_IPV6, SOCK_RAW } from '../sys/constants.js';
import { Socket } from '../sys/socket.js';

export interface Announcement {
  ifname: string;
  ifindex: number;
  mac: string;
  family: 4 | 6;
  /** Address without prefix. */
  address: string;
  count: number;
  intervalMs: number;
}

interface Series { timer: NodeJS.Timeout | undefined; sent: number; a: Announcement }

export interface AnnouncerOptions { netns?: string; log: Logger }

export class Announcer {
  // Protocol 0: the kernel delivers nothing to this packet socket, it only sends.
  private readonly socket: Socket;
  private readonly series = new Map<string, Series>();
  private readonly log: Logger;
  /** Frames sent since start, for status and tests. */
  sentTotal = 0;

  constructor(opts: AnnouncerOptions) {
    this.socket = new Socket(AF_PACKET, SOCK_RAW, 0, opts.netns === undefined ? {} : { netns: opts.netns });
    this.log = opts.log;
  }

  /** Starts (or restarts) the announcement series for an address; sends the first frame now. */
  announce(a: Announcement): void {
    this.cancel(a.address);
    if (a.count <= 0) return;
    const s: Series = { timer: undefined, sent: 0, a };
    this.series.set(a.address, s);
    this.fire(s);
  }

  /**
   * Continues a series whose first frame was already sent (by an armed trigger, in native
   * code): the rest follow at the interval, and a newer placement still cancels them.
   */
  continueAfterFirst(a: Announcement): void {
    this.cancel(a.address);
    this.sentTotal++;
    if (a.count <= 1) return;
    const s: Series = { timer: undefined, sent: 1, a };
    this.series.set(a.address, s);
    s.timer = setTimeout(() => this.fire(s), a.intervalMs);
    s.timer.unref();
  }

  /** The send-only packet socket, for arming first frames in native code. */
  get packetSocket(): Socket {
    return this.socket;
  }

  /** Stops announcing an address (it was unplaced or moved again). */
  cancel(address: string): void {
    const s = this.series.get(address);
    if (s?.timer) clearTimeout(s.timer);
    this.series.delete(address);
  }

  pending(): string[] {
    return [...this.series.keys()];
  }

  private fire(s: Series): void {
    const { a } = s;
    const frame = a.family === 4 ? buildGratuitousArp(a.mac, a.address) : buildUnsolicitedNa(a.mac, a.address);
    try {
      this.socket.send(frame, { family: 'packet', protocol: a.family === 4 ? ETH_P_ARP : ETH_P_IPV6, ifindex: a.ifindex });
      this.sentTotal++;
    } catch (err) {
      this.log.warn({ err, ifname: a.ifname, address: a.address }, `cannot announce ${a.address} on ${a.ifname}`);
    }
    s.sent++;
    // One line per frame only at debug: a 256-address move must not wait on 256 log writes.
    this.log.debug({ ifname: a.ifname, address: a.address, n: s.sent, of: a.count }, `announced ${a.address} on ${a.ifname}`);
    if (s.sent >= a.count) {
      this.series.delete(a.address);
      return;
    }
    s.timer = setTimeout(() => this.fire(s), a.intervalMs);
    s.timer.unref();
  }

  close(): void {
    for (const s of this.series.values()) if (s.timer) clearTimeout(s.timer);
    this.series.clear();
    this.socket.close();
  }
}
