// Typed, event-emitting face of the native socket: sockaddr objects instead of bytes and
// errors as events. Protocol modules (netlink, packet, icmp) build on this.
import { EventEmitter } from 'node:events';
import { addon, type ArmedSenderStatus, type NativeFireReport, type NativeSocket } from './addon.js';
import { decodeSockAddr, encodeSockAddr, type SockAddr } from './sockaddr.js';

export interface Datagram {
  data: Buffer;
  from: SockAddr | undefined;
  truncated: boolean;
  /** Kernel receive time (CLOCK_REALTIME ns) when SO_TIMESTAMPNS is enabled. */
  timestampNs: bigint | undefined;
}

/** A datagram prepared for an armed socket to send on another socket. */
export interface ArmedSend { socket: Socket; data: Buffer; to?: SockAddr }

/**
 * Only when this cell still holds `expect` does an armed list fire; firing sets it to
 * expect + 1, so every list armed with the same value is stale from then on.
 */
export interface ArmGuard { cell: Uint32Array; expect: number }

export type FireReport = NativeFireReport;

export interface SocketOptions {
  /** Path of a network namespace (e.g. /run/netns/NAME) to open the socket in. */
  netns?: string;
  /** Size of the user-space receive buffer; longer datagrams are reported truncated. */
  readSize?: number;
}

export interface SocketEvents {
  message: [Datagram];
  error: [NodeJS.ErrnoException];
}

export class Socket extends EventEmitter<SocketEvents> {
  private readonly native: NativeSocket;
  private started = false;
  private closed = false;

  constructor(domain: number, type: number, protocol: number, opts: SocketOptions = {}) {
    super();
    this.native = opts.netns === undefined
      ? new addon.Socket(domain, type, protocol)
      : new addon.Socket(domain, type, protocol, opts.netns);
    if (opts.readSize !== undefined) this.native.setReadSize(opts.readSize);
  }

  get fd(): number { return this.native.fd; }
  get isClosed(): boolean { return this.closed; }

  bind(addr: SockAddr): void { this.native.bind(encodeSockAddr(addr)); }
  connect(addr: SockAddr): void { this.native.connect(encodeSockAddr(addr)); }
  send(data: Buffer, to?: SockAddr): number {
    return to === undefined ? this.native.sendTo(data) : this.native.sendTo(data, encodeSockAddr(to));
  }
  setOption(level: number, name: number, value: number | Buffer): void { this.native.setOption(level, name, value); }
  getOptionInt(level: number, name: number): number { return this.native.getOption(level, name); }
  getOptionBytes(level: number, name: number, length: number): Buffer { return this.native.getOption(level, name, length); }
  address(): SockAddr | undefined { return decodeSockAddr(this.native.getSockName()); }
  setReadSize(size: number): void { this.native.setReadSize(size); }

  /** Begins event-driven reading; datagrams arrive as 'message', receive errors as 'error'. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.native.start(
      (data, from, truncated, timestampNs) => {
        this.emit('message', { data, from: decodeSockAddr(from), truncated, timestampNs });
      },
      (err) => {
        this.emit('error', err);
      },
    );
  }

  /**
   * Arms this socket: the next datagram to arrive makes the native poll callback send every
   * prepared datagram on its socket before any JavaScript runs, then call `onFired` (also
   * when the guard found the list stale, with fired: false). One-shot; replaces an earlier
   * list. Closing this socket or any target disarms. Needs start() to have been called.
   */
  arm(sends: readonly ArmedSend[], onFired: (r: FireReport) => void, guard?: ArmGuard): void {
    const list = sends.map((s) => ({
      socket: s.socket.native, data: s.data, ...(s.to !== undefined ? { address: encodeSockAddr(s.to) } : {}),
    }));
    if (guard) this.native.arm(list, onFired, guard.cell, guard.expect);
    else this.native.arm(list, onFired);
  }

  disarm(): void { if (!this.closed) this.native.disarm(); }
  get isArmed(): boolean { return !this.closed && this.native.armed; }

  ref(): this { this.native.ref(); return this; }
  unref(): this { this.native.unref(); return this; }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.close();
  }
}

export const realtimeNs = (): bigint => addon.realtimeNs();
export const monotonicNs = (): bigint => addon.monotonicNs();
export const armedSenderStatus = (): ArmedSenderStatus => addon.armedSenderStatus();
