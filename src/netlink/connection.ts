// One rtnetlink socket with request bookkeeping: per-request seq, replies matched on the
// kernel's port (0), our port id and seq; ACKs, errors with ext-ack, multipart dumps to
// NLMSG_DONE with NLM_F_DUMP_INTR retries, and batches of requests in one sendmsg.
// Messages that are not replies to us (multicast notifications) go to `onNotify`, in the
// order the kernel queued them, interleaved with streamed dump parts.
import type { EventEmitter } from 'node:events';
import { Socket, type Datagram } from '../sys/socket.js';
import {
  AF_NETLINK, NETLINK_ADD_MEMBERSHIP, NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK, NETLINK_ROUTE,
  SO_RCVBUF, SO_RCVBUFFORCE, SOCK_RAW, SOL_NETLINK, SOL_SOCKET,
} from '../sys/constants.js';
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR } from './constants.js';
import { errnoCode, NetlinkDecodeError, NetlinkError } from './errors.js';
import { decodeDoneMsg, decodeErrorMsg, encodeNlMsg, type NlMsg, parseNlMsgs } from './nlmsg.js';

const EINTR = 4;
const ETIMEDOUT = 110;
const SO_ERROR = 4;
/** Big enough for any dump datagram: the kernel caps dump skbs at 32 KiB for large readers. */
export const READ_SIZE = 64 * 1024;
/** Requests per sendmsg; their ACKs (~1 KiB of rcvbuf each) must fit the receive queue. */
const BATCH_CHUNK_MAX = 512;
const BATCH_CHUNK_BYTES = 64 * 1024;

/** The parts of src/sys/socket.ts Socket this module uses (a fake kernel implements it in tests). */
export interface NlTransport extends Pick<EventEmitter, 'on'> {
  send(data: Buffer): number;
  getOptionInt?(level: number, name: number): number;
  ref(): unknown;
  unref(): unknown;
  close(): void;
}

export interface Request {
  type: number;
  /** Added to NLM_F_REQUEST (and NLM_F_ACK for change requests). */
  flags: number;
  payload: Buffer;
  /** Human text for error messages: 'addAddress 192.0.2.1/24 dev 3'. */
  op: string;
}

interface Pending {
  kind: 'ack' | 'get' | 'dump';
  op: string;
  parts: NlMsg[];
  interrupted: boolean;
  deadline: number;
  onPart: ((m: NlMsg) => void) | undefined;
  resolve: (parts: NlMsg[]) => void;
  reject: (e: Error) => void;
}

export interface ConnectionOptions {
  netns?: string;
  /** SO_RCVBUFFORCE bytes (falls back to SO_RCVBUF without CAP_NET_ADMIN). */
  rcvbuf?: number;
  /** rtnetlink multicast groups to join (RTNLGRP_*). */
  groups?: number[];
  /** NETLINK_GET_STRICT_CHK: kernel validates our requests strictly and filters dumps. */
  strict?: boolean;
  requestTimeoutMs?: number;
  /** Keep the socket referenced even when idle (monitors). */
  keepRef?: boolean;
}

export interface DumpOptions {
  /** Stream each part instead of collecting (for ordering against notifications). */
  onPart?: (m: NlMsg) => void;
  /** Re-issue the dump while the kernel flags it NLM_F_DUMP_INTR; 0 accepts it as is. */
  retries?: number;
}

export class NlConnection {
  private readonly pending = new Map<number, Pending>();
  /** Seqs of prepared batches (prepareBatch), with an ACK that came before expectAcks(). */
  private readonly prepared = new Map<number, NlMsg | undefined>();
  private seq = 1 + Math.floor(Math.random() * 0x3fffffff);
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;
  private broken = false;
  /** The native socket starts referenced; updateRef() drops that while idle. */
  private referenced = true;
  /** Counters for tests and diagnostics. */
  readonly stats = { requests: 0, dumps: 0, interruptedDumps: 0, sends: 0 };
  /** Multicast notifications and anything not addressed to a pending request. */
  onNotify: (m: NlMsg) => void = () => {};
  /** Socket errors (e.g. ENOBUFS) after pending requests have been failed. */
  onError: (e: NodeJS.ErrnoException) => void = () => {};

  constructor(
    private readonly transport: NlTransport,
    readonly portId: number,
    private readonly opts: { requestTimeoutMs?: number; keepRef?: boolean } = {},
  ) {
    transport.on('message', (d: Datagram) => this.onDatagram(d));
    transport.on('error', (e: NodeJS.ErrnoException) => this.onSocketError(e));
    this.updateRef();
  }

  static open(opts: ConnectionOptions = {}): NlConnection {
    const sock = new Socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, {
      ...(opts.netns !== undefined ? { netns: opts.netns } : {}),
      readSize: READ_SIZE,
    });
    try {
      if (opts.rcvbuf !== undefined) setRcvbuf(sock, opts.rcvbuf);
      sock.setOption(SOL_NETLINK, NETLINK_EXT_ACK, 1);
      sock.setOption(SOL_NETLINK, NETLINK_CAP_ACK, 1);
      if (opts.strict) sock.setOption(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
      sock.bind({ family: 'netlink', pid: 0, groups: 0 });
      for (const g of opts.groups ?? []) sock.setOption(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g);
      const addr = sock.address();
      if (addr?.family !== 'netlink') throw new Error('netlink socket has no netlink address after bind');
      const conn = new NlConnection(sock, addr.pid, opts);
      sock.start();
      return conn;
    } catch (e) {
      sock.close();
      throw e;
    }
  }

  get isClosed(): boolean { return this.closed; }
  /** The socket stopped delivering (poll error); open a new connection. */
  get isBroken(): boolean { return this.broken; }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new Error('netlink connection closed'));
    this.transport.close();
  }

  /** Change request: resolves on the kernel's ACK, rejects with its NetlinkError. */
  async ack(req: Request): Promise<void> {
    const seq = this.nextSeq();
    const p = this.track(seq, 'ack', req.op);
    this.sendOrFail([seq], encodeNlMsg(req.type, NLM_F_REQUEST | NLM_F_ACK | req.flags, seq, req.payload));
    await p;
  }

  /** Single-object GET: resolves with the reply message. */
  async get(req: Request): Promise<NlMsg> {
    const seq = this.nextSeq();
    const p = this.track(seq, 'get', req.op);
    this.sendOrFail([seq], encodeNlMsg(req.type, NLM_F_REQUEST | req.flags, seq, req.payload));
    const parts = await p;
    const first = parts[0];
    if (!first) throw new Error(`${req.op}: empty reply`);
    return first;
  }

  /** NLM_F_DUMP request: all parts up to NLMSG_DONE (none collected when streaming). */
  async dump(req: Request, o: DumpOptions = {}): Promise<NlMsg[]> {
    const retries = o.retries ?? 10;
    for (let attempt = 0; ; attempt++) {
      const seq = this.nextSeq();
      const p = this.track(seq, 'dump', req.op, o.onPart);
      const pending = this.pending.get(seq);
      this.sendOrFail([seq], encodeNlMsg(req.type, NLM_F_REQUEST | NLM_F_DUMP | req.flags, seq, req.payload));
      const parts = await p;
      this.stats.dumps++;
      if (pending?.interrupted) this.stats.interruptedDumps++;
      if (!pending?.interrupted || retries === 0) return parts;
      if (attempt >= retries) {
        throw new NetlinkError({ errno: EINTR, seq, operation: `${req.op} (dump interrupted ${attempt + 1} times)` });
      }
    }
  }

  /**
   * Many change requests, each with its own seq and NLM_F_ACK, packed into as few sendmsg
   * calls as the socket buffers allow. One entry per request: undefined = ACK, or the error.
   */
  async batch(reqs: readonly Request[]): Promise<(NetlinkError | undefined)[]> {
    const results: (NetlinkError | undefined)[] = new Array(reqs.length);
    let i = 0;
    while (i < reqs.length) {
      const seqs: number[] = [];
      const bufs: Buffer[] = [];
      const waits: Promise<void>[] = [];
      let bytes = 0;
      while (i < reqs.length && seqs.length < BATCH_CHUNK_MAX && bytes < BATCH_CHUNK_BYTES) {
        const req = reqs[i] as Request;
        const at = i;
        const seq = this.nextSeq();
        const msg = encodeNlMsg(req.type, NLM_F_REQUEST | NLM_F_ACK | req.flags, seq, req.payload);
        waits.push(this.track(seq, 'ack', req.op).then(
          () => { results[at] = undefined; },
          (e: unknown) => {
            if (e instanceof NetlinkError) results[at] = e;
            else throw e;
          },
        ));
        seqs.push(seq);
        bufs.push(msg);
        bytes += msg.length;
        i++;
      }
      this.sendOrFail(seqs, Buffer.concat(bufs));
      await Promise.all(waits);
    }
    return results;
  }

  /**
   * Encodes change requests (NLM_F_ACK) with fresh seqs for something else to send on this
   * socket later — an armed trigger (issue 14). Nothing is tracked until expectAcks().
   * The seq counter only moves forward, so a prepared seq is not handed out again for 2^32
   * requests.
   */
  prepareBatch(reqs: readonly Request[]): { data: Buffer; seqs: number[]; ops: string[] } {
    const seqs: number[] = [];
    const bufs = reqs.map((req) => {
      const seq = this.nextSeq();
      seqs.push(seq);
      this.prepared.set(seq, undefined);
      return encodeNlMsg(req.type, NLM_F_REQUEST | NLM_F_ACK | req.flags, seq, req.payload);
    });
    return { data: Buffer.concat(bufs), seqs, ops: reqs.map((r) => r.op) };
  }

  /**
   * The ACKs of a prepared batch that has been sent: one entry per request, undefined = ACK.
   * Call it before returning to the event loop after the send, or early ACKs are dropped.
   */
  async expectAcks(seqs: readonly number[], ops: readonly string[]): Promise<(NetlinkError | undefined)[]> {
    return Promise.all(seqs.map((seq, i) => {
      const early = this.prepared.get(seq);
      this.prepared.delete(seq);
      if (early) {
        // Sent from another thread, the batch can be acknowledged before we are told of it.
        const err = decodeErrorMsg(early);
        return err.errno === 0 ? undefined : new NetlinkError({ ...err, seq, operation: ops[i] ?? 'armed request' });
      }
      return this.expectOne(seq, ops[i] ?? 'armed request');
    }));
  }

  /** A prepared batch that will not be sent (re-armed or disarmed): forget its seqs. */
  releasePrepared(seqs: readonly number[]): void {
    for (const seq of seqs) this.prepared.delete(seq);
  }

  private expectOne(seq: number, op: string): Promise<NetlinkError | undefined> {
    return this.track(seq, 'ack', op).then(
      () => undefined,
      (e: unknown) => {
        if (e instanceof NetlinkError) return e;
        throw e;
      },
    );
  }

  /** The native socket under this connection, for arming (undefined over a fake transport). */
  get nativeSocket(): Socket | undefined {
    return this.transport instanceof Socket ? this.transport : undefined;
  }

  private nextSeq(): number {
    do {
      this.seq = this.seq >= 0xfffffffe ? 1 : this.seq + 1;
    } while (this.pending.has(this.seq));
    return this.seq;
  }

  private track(seq: number, kind: Pending['kind'], op: string, onPart?: (m: NlMsg) => void): Promise<NlMsg[]> {
    if (this.closed || this.broken) return Promise.reject(new Error(`${op}: netlink connection ${this.closed ? 'closed' : 'broken'}`));
    return new Promise<NlMsg[]>((resolve, reject) => {
      this.pending.set(seq, {
        kind, op, parts: [], interrupted: false, onPart,
        deadline: performance.now() + (this.opts.requestTimeoutMs ?? 30_000),
        resolve, reject,
      });
      this.updateRef();
    });
  }

  private sendOrFail(seqs: number[], data: Buffer): void {
    try {
      this.stats.sends++;
      this.stats.requests += seqs.length;
      this.transport.send(data);
    } catch (e) {
      for (const s of seqs) this.settle(s, e as Error);
    }
  }

  private settle(seq: number, outcome: Error | NlMsg[]): void {
    const p = this.pending.get(seq);
    if (!p) return;
    this.pending.delete(seq);
    this.updateRef();
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  private onDatagram(d: Datagram): void {
    // Only the kernel (port 0) speaks to us; anything else is spoofed or misrouted.
    if (d.from?.family !== 'netlink' || d.from.pid !== 0) return;
    if (d.truncated) {
      this.failAll(new Error('netlink datagram truncated: receive buffer too small'));
      return;
    }
    let msgs: NlMsg[];
    try {
      msgs = parseNlMsgs(d.data);
    } catch (e) {
      this.failAll(e as Error);
      this.onError(e as NodeJS.ErrnoException);
      return;
    }
    for (const m of msgs) {
      const p = m.pid === this.portId ? this.pending.get(m.seq) : undefined;
      if (p === undefined && m.pid === this.portId && m.type === NLMSG_ERROR && this.prepared.has(m.seq)) {
        this.prepared.set(m.seq, m);
        continue;
      }
      if (p === undefined) {
        if (m.pid !== this.portId) this.onNotify(m);
        continue; // a late reply to a request we already gave up on
      }
      try {
        this.onReply(m, p);
      } catch (e) {
        this.settle(m.seq, e instanceof NetlinkDecodeError ? e : new NetlinkDecodeError(String(e)));
      }
    }
  }

  private onReply(m: NlMsg, p: Pending): void {
    if ((m.flags & NLM_F_DUMP_INTR) !== 0) p.interrupted = true;
    if (m.type === NLMSG_ERROR) {
      const err = decodeErrorMsg(m);
      if (err.errno === 0) this.settle(m.seq, p.parts);
      else this.settle(m.seq, new NetlinkError({ ...err, seq: m.seq, operation: p.op }));
    } else if (m.type === NLMSG_DONE) {
      const err = decodeDoneMsg(m);
      if (err.errno === 0) this.settle(m.seq, p.parts);
      else this.settle(m.seq, new NetlinkError({ ...err, seq: m.seq, operation: p.op }));
    } else if (m.type >= 16) {
      if (p.onPart) p.onPart(m);
      else p.parts.push(m);
      if (p.kind === 'get') this.settle(m.seq, p.parts);
    }
    // NLMSG_NOOP / NLMSG_OVERRUN carry nothing for us.
  }

  private onSocketError(e: NodeJS.ErrnoException): void {
    if (e.syscall === 'poll') {
      // libuv stops a poll handle on POLLERR (reported as EBADF), which a netlink socket
      // raises when sk_err is set, e.g. by an overrun. Nothing more will ever arrive here:
      // fail everything and let the owner open a new socket. SO_ERROR tells the real cause.
      this.broken = true;
      const cause = this.pendingSocketError();
      const err: NodeJS.ErrnoException = cause === 0 ? e : Object.assign(
        new Error(`netlink socket stopped: ${errnoCode(cause)}`), { code: errnoCode(cause), errno: cause, syscall: 'poll' },
      );
      this.failAll(err);
      this.onError(err);
      return;
    }
    // An overrun may have dropped ACKs and single replies, so those requests are failed.
    // Dump parts are flow-controlled by the kernel and never dropped: dumps keep going.
    for (const [seq, p] of [...this.pending]) if (p.kind !== 'dump') this.settle(seq, e);
    this.onError(e);
  }

  private pendingSocketError(): number {
    try {
      return this.transport.getOptionInt?.(SOL_SOCKET, SO_ERROR) ?? 0;
    } catch {
      return 0; // the socket is unusable anyway; the poll error itself is reported
    }
  }

  private failAll(e: Error): void {
    for (const seq of [...this.pending.keys()]) this.settle(seq, e);
  }

  private updateRef(): void {
    const want = !this.closed && (this.opts.keepRef === true || this.pending.size > 0);
    if (want !== this.referenced) {
      this.referenced = want;
      if (want) this.transport.ref(); else this.transport.unref();
    }
    if (this.pending.size > 0 && this.sweeper === undefined) {
      this.sweeper = setInterval(() => this.sweep(), 1000);
      this.sweeper.unref();
    } else if (this.pending.size === 0 && this.sweeper !== undefined) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private sweep(): void {
    // Monotonic: a wall-clock step must not time out (or extend) every pending request.
    const now = performance.now();
    for (const [seq, p] of [...this.pending]) {
      if (p.deadline <= now) this.settle(seq, new NetlinkError({ errno: ETIMEDOUT, seq, operation: `${p.op} (no reply)` }));
    }
  }
}

function setRcvbuf(sock: Socket, bytes: number): void {
  try {
    sock.setOption(SOL_SOCKET, SO_RCVBUFFORCE, bytes);
  } catch (e) {
    // Without CAP_NET_ADMIN the forced variant is refused; the plain one is capped by rmem_max.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
    sock.setOption(SOL_SOCKET, SO_RCVBUF, bytes);
  }
}
