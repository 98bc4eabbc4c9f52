// NlConnection / RtnlClient against a fake kernel: matching on port and seq, ACKs, errors
// with ext-ack, multipart dumps, NLM_F_DUMP_INTR retries, batches and socket failures.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { AttrWriter } from '../../../src/netlink/attrs.js';
import { RtnlClient } from '../../../src/netlink/client.js';
import {
  NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_DUMP_INTR, NLM_F_MULTI, NLMSG_DONE, NLMSG_ERROR, NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS,
  RTM_NEWADDR,
} from '../../../src/netlink/constants.js';
import { NlConnection } from '../../../src/netlink/connection.js';
import { NetlinkError } from '../../../src/netlink/errors.js';
import { encodeAddrMsg, addrMsgFromSpec } from '../../../src/netlink/address.js';
import { encodeNlMsg, type NlMsg, parseNlMsgs } from '../../../src/netlink/nlmsg.js';

const PORT = 4242;

/** A scripted kernel: `reply` maps each request message to the datagrams sent back. */
class FakeKernel extends EventEmitter {
  sent: NlMsg[] = [];
  sends = 0;
  refs = 0;
  closed = false;
  constructor(private readonly reply: (m: NlMsg, k: FakeKernel) => Buffer[][] | void) { super(); }
  send(data: Buffer): number {
    this.sends++;
    const msgs = parseNlMsgs(data);
    this.sent.push(...msgs);
    const out: Buffer[] = [];
    for (const m of msgs) for (const dgram of this.reply(m, this) ?? []) out.push(Buffer.concat(dgram));
    queueMicrotask(() => { for (const d of out) this.deliver(d); });
    return data.length;
  }
  deliver(data: Buffer, pid = 0): void {
    this.emit('message', { data, from: { family: 'netlink', pid, groups: 0 }, truncated: false, timestampNs: undefined });
  }
  ref(): void { this.refs++; }
  unref(): void { this.refs--; }
  close(): void { this.closed = true; }
}

function ack(req: NlMsg, errno = 0, extAck?: string, offset?: number): Buffer {
  const echo = Buffer.alloc(16);
  echo.writeUInt32LE(16 + req.payload.length, 0);
  echo.writeUInt16LE(req.type, 4);
  echo.writeUInt32LE(req.seq, 8);
  const tlv = new AttrWriter();
  if (extAck) tlv.str(NLMSGERR_ATTR_MSG, extAck);
  if (offset !== undefined) tlv.u32(NLMSGERR_ATTR_OFFS, offset);
  const head = Buffer.alloc(4);
  head.writeInt32LE(-errno, 0);
  const flags = NLM_F_CAPPED | (extAck || offset !== undefined ? NLM_F_ACK_TLVS : 0);
  return encodeNlMsg(NLMSG_ERROR, flags, req.seq, Buffer.concat([head, echo, tlv.toBuffer()]), PORT);
}

const addrPart = (seq: number, ip: string, flags = NLM_F_MULTI): Buffer =>
  encodeNlMsg(RTM_NEWADDR, flags, seq, encodeAddrMsg(addrMsgFromSpec({ family: 4, index: 2, address: ip, prefixLen: 24 })), PORT);
const done = (seq: number, flags = NLM_F_MULTI): Buffer => encodeNlMsg(NLMSG_DONE, flags, seq, Buffer.alloc(4), PORT);

const spec = (ip: string) => ({ family: 4 as const, index: 2, address: ip, prefixLen: 24 });

describe('NlConnection with a fake kernel', () => {
  it('resolves an ACK and rejects an error with errno, code, ext-ack text, offset and seq', async () => {
    const k = new FakeKernel((m) => [[m.seq % 2 === 0 ? ack(m) : ack(m, 19, 'Device not found', 24)]]);
    const c = RtnlClient.fromConnection(new NlConnection(k, PORT));
    const results = await Promise.allSettled([c.addAddress(spec('192.0.2.1')), c.addAddress(spec('192.0.2.2'))]);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    const err = rejected.reason as NetlinkError;
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err).toMatchObject({ errno: 19, code: 'ENODEV', extAck: 'Device not found', offset: 24 });
    expect(err.seq % 2).toBe(1);
    expect(err.message).toContain('addAddress 192.0.2.');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('ignores datagrams not from the kernel and replies for other ports or seqs', async () => {
    let req: NlMsg | undefined;
    const k = new FakeKernel((m) => { req = m; });
    const c = RtnlClient.fromConnection(new NlConnection(k, PORT));
    let settled = false;
    const p = c.addAddress(spec('192.0.2.1')).finally(() => { settled = true; });
    await new Promise((r) => setImmediate(r));
    const r = req as NlMsg;
    k.deliver(ack(r, 1), 777); // spoofed sender port
    const other = Buffer.from(ack(r, 1));
    other.writeUInt32LE(PORT + 1, 12); // someone else's reply
    k.deliver(other);
    k.deliver(ack({ ...r, seq: r.seq + 1000 }, 1)); // unknown seq
    await new Promise((res) => setImmediate(res));
    expect(settled).toBe(false);
    k.deliver(ack(r));
    await p;
  });

  it('collects a multipart dump to NLMSG_DONE, across datagrams', async () => {
    const k = new FakeKernel((m) => [[addrPart(m.seq, '192.0.2.1'), addrPart(m.seq, '192.0.2.2')], [addrPart(m.seq, '192.0.2.3'), done(m.seq)]]);
    const c = RtnlClient.fromConnection(new NlConnection(k, PORT));
    expect((await c.listAddresses()).map((a) => a.local)).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  });

  it('retries a dump flagged NLM_F_DUMP_INTR and returns only the clean attempt', async () => {
    let attempt = 0;
    const k = new FakeKernel((m) => {
      attempt++;
      if (attempt === 1) return [[addrPart(m.seq, '192.0.2.1')], [addrPart(m.seq, '192.0.2.9', NLM_F_MULTI | NLM_F_DUMP_INTR), done(m.seq, NLM_F_MULTI | NLM_F_DUMP_INTR)]];
      return [[addrPart(m.seq, '192.0.2.1'), addrPart(m.seq, '192.0.2.2'), done(m.seq)]];
    });
    const conn = new NlConnection(k, PORT);
    const c = RtnlClient.fromConnection(conn);
    expect((await c.listAddresses()).map((a) => a.local)).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(attempt).toBe(2);
    expect(conn.stats.interruptedDumps).toBe(1);
  });

  it('gives up on a dump that is interrupted every time with EINTR', async () => {
    const k = new FakeKernel((m) => [[done(m.seq, NLM_F_MULTI | NLM_F_DUMP_INTR)]]);
    const conn = new NlConnection(k, PORT);
    await expect(conn.dump({ type: 22, flags: 0, payload: Buffer.alloc(8), op: 'listAddresses' }, { retries: 3 }))
      .rejects.toMatchObject({ code: 'EINTR' });
    expect(k.sent).toHaveLength(4);
  });

  it('reports an error carried by NLMSG_DONE', async () => {
    const k = new FakeKernel((m) => {
      const p = Buffer.alloc(4);
      p.writeInt32LE(-22, 0);
      return [[encodeNlMsg(NLMSG_DONE, NLM_F_MULTI, m.seq, p, PORT)]];
    });
    await expect(RtnlClient.fromConnection(new NlConnection(k, PORT)).listRoutes(4)).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('sends a batch in one sendmsg and maps each ACK or error back to its op', async () => {
    const k = new FakeKernel((m) => [[ack(m, m.payload.includes(Buffer.from([192, 0, 2, 2])) ? 17 : 0)]]);
    const c = RtnlClient.fromConnection(new NlConnection(k, PORT));
    const res = await c.batch([
      { op: 'addAddress', spec: spec('192.0.2.1') },
      { op: 'addAddress', spec: spec('192.0.2.2') },
      { op: 'deleteAddress', spec: spec('192.0.2.3') },
    ]);
    expect(k.sends).toBe(1);
    expect(res.map((r) => r?.code)).toEqual([undefined, 'EEXIST', undefined]);
    expect(new Set(k.sent.map((m) => m.seq)).size).toBe(3);
  });

  it('splits a large batch into several sends', async () => {
    const k = new FakeKernel((m) => [[ack(m)]]);
    const c = RtnlClient.fromConnection(new NlConnection(k, PORT));
    const ops = Array.from({ length: 1500 }, (_, i) => ({ op: 'addAddress' as const, spec: spec(`198.51.100.${i % 250}`) }));
    const res = await c.batch(ops);
    expect(res.every((r) => r === undefined)).toBe(true);
    expect(k.sends).toBeGreaterThanOrEqual(3);
  });

  it('holds a reference only while requests are pending', async () => {
    const k = new FakeKernel((m) => [[ack(m)]]);
    const conn = new NlConnection(k, PORT);
    expect(k.refs).toBe(-1); // the native socket starts referenced; idle means unref'd
    const p = RtnlClient.fromConnection(conn).addAddress(spec('192.0.2.1'));
    expect(k.refs).toBe(0);
    await p;
    expect(k.refs).toBe(-1);
  });

  it('fails pending requests on a socket error, and everything once the poll stops', async () => {
    const k = new FakeKernel(() => {});
    const conn = new NlConnection(k, PORT);
    const errors: Error[] = [];
    conn.onError = (e) => errors.push(e);
    const a = conn.ack({ type: RTM_NEWADDR, flags: 0, payload: Buffer.alloc(8), op: 'x' });
    k.emit('error', Object.assign(new Error('recvmsg ENOBUFS'), { code: 'ENOBUFS', syscall: 'recvmsg' }));
    await expect(a).rejects.toMatchObject({ code: 'ENOBUFS' });
    expect(conn.isBroken).toBe(false);
    const d = conn.dump({ type: 22, flags: 0, payload: Buffer.alloc(8), op: 'd' });
    k.emit('error', Object.assign(new Error('poll EBADF'), { code: 'EBADF', syscall: 'poll' }));
    await expect(d).rejects.toMatchObject({ code: 'EBADF' });
    expect(conn.isBroken).toBe(true);
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ENOBUFS', 'EBADF']);
    await expect(conn.ack({ type: RTM_NEWADDR, flags: 0, payload: Buffer.alloc(8), op: 'y' })).rejects.toThrow(/broken/);
  });

  it('request deadlines are monotonic: a wall-clock step of an hour times nothing out', async () => {
    // Only Date is faked (plus the sweep interval): performance.now() keeps real time.
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    try {
      let pendingReq: NlMsg | undefined;
      const k = new FakeKernel((m) => { pendingReq = m; });
      const conn = new NlConnection(k, PORT, { requestTimeoutMs: 5000 });
      let settled = false;
      const a = conn.ack({ type: RTM_NEWADDR, flags: 0, payload: Buffer.alloc(8), op: 'x' }).finally(() => { settled = true; });
      vi.setSystemTime(Date.now() + 3600_000);
      vi.advanceTimersByTime(2000); // two sweeps after the step
      await Promise.resolve();
      expect(settled).toBe(false);
      k.deliver(ack(pendingReq!));
      await a; // rejects (ETIMEDOUT) if the step had expired it
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('prepared batches (sent by an armed trigger, issue 14)', () => {
  it('ACKs that arrive before expectAcks() are kept for it; other stray ACKs are not', async () => {
    const k = new FakeKernel(() => undefined);
    const conn = new NlConnection(k, PORT);
    const notified: NlMsg[] = [];
    conn.onNotify = (m) => notified.push(m);
    const { addressReplace } = await import('../../../src/netlink/requests.js');
    const batch = conn.prepareBatch([addressReplace(spec('192.0.2.1')), addressReplace(spec('192.0.2.2'))]);
    const [m1, m2] = parseNlMsgs(batch.data);
    expect(batch.seqs).toEqual([m1!.seq, m2!.seq]);
    // Another thread sent the batch; the kernel answered before JavaScript heard of the fire.
    k.deliver(ack(m1!));
    k.deliver(ack(m2!, 17));
    const results = await conn.expectAcks(batch.seqs, batch.ops);
    expect(results[0]).toBeUndefined();
    expect(results[1]?.code).toBe('EEXIST');
    expect(notified).toEqual([]);
  });

  it('ACKs arriving after expectAcks() settle it; a released batch keeps nothing', async () => {
    const k = new FakeKernel(() => undefined);
    const conn = new NlConnection(k, PORT);
    const { addressReplace } = await import('../../../src/netlink/requests.js');
    const batch = conn.prepareBatch([addressReplace(spec('192.0.2.3'))]);
    const m = parseNlMsgs(batch.data)[0]!;
    const pending = conn.expectAcks(batch.seqs, batch.ops);
    k.deliver(ack(m, 1));
    expect((await pending)[0]?.code).toBe('EPERM');
    const other = conn.prepareBatch([addressReplace(spec('192.0.2.4'))]);
    conn.releasePrepared(other.seqs);
    k.deliver(ack(parseNlMsgs(other.data)[0]!));
    // Not kept: expecting it now waits for an ACK that already came and went.
    vi.useFakeTimers();
    try {
      const late = conn.expectAcks(other.seqs, other.ops);
      await vi.advanceTimersByTimeAsync(31_000);
      expect((await late)[0]?.code).toBe('ETIMEDOUT');
    } finally {
      vi.useRealTimers();
    }
  });
});
