// The native armed trigger against the real kernel: a datagram arriving on an armed socket
// makes the poll callback send prepared frames on other sockets before JavaScript runs.
// Namespace a sends on veth va; namespace b receives on vb with packet sockets per ethertype.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { AF_PACKET, AF_UNIX, SOCK_DGRAM, SOCK_RAW, SOL_SOCKET, SO_TIMESTAMPNS } from '../../src/sys/constants.js';
import { Socket, armedSenderStatus, realtimeNs, type Datagram, type FireReport } from '../../src/sys/socket.js';
import { Lab, ipJson, requireNetnsSupport } from '../helpers/netns.js';

const enabled = requireNetnsSupport();
const repo = fileURLToPath(new URL('../..', import.meta.url));
const TRIGGER = 0x88b5;
const ARMED = 0x88b6;

function frame(ethertype: number, fill: number): Buffer {
  const f = Buffer.alloc(60, fill);
  Buffer.from('ffffffffffff020000000001', 'hex').copy(f, 0);
  f.writeUInt16BE(ethertype, 12);
  return f;
}

async function until(cond: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe.runIf(enabled)('armed socket', () => {
  const lab = new Lab();
  let a = '';
  let b = '';
  let va = 0;
  const open: Socket[] = [];

  const sock = (ns: string): Socket => {
    const s = new Socket(AF_PACKET, SOCK_RAW, 0, { netns: lab.path(ns) });
    open.push(s);
    return s;
  };
  /** A started receiver on vb for one ethertype, collecting datagrams. */
  const receiver = (ethertype: number): { s: Socket; got: Datagram[] } => {
    const s = sock(b);
    const [l] = ipJson<{ ifindex: number }[]>(b, 'link', 'show', 'vb');
    s.bind({ family: 'packet', protocol: ethertype, ifindex: l!.ifindex });
    s.setOption(SOL_SOCKET, SO_TIMESTAMPNS, 1);
    const got: Datagram[] = [];
    s.on('message', (d) => got.push(d));
    s.start();
    return { s, got };
  };
  const to = (ethertype: number) => ({ family: 'packet' as const, protocol: ethertype, ifindex: va });

  beforeAll(() => {
    a = lab.ns('a');
    b = lab.ns('b');
    lab.veth(a, 'va', b, 'vb');
    for (const [ns, dev] of [[a, 'va'], [b, 'vb']] as const) ipJson(ns, 'link', 'set', dev, 'up');
    va = ipJson<{ ifindex: number }[]>(a, 'link', 'show', 'va')[0]!.ifindex;
  });
  afterEach(() => { for (const s of open.splice(0)) s.close(); });
  afterAll(() => lab.destroy());

  it('sends the armed frames before any JavaScript runs, then reports stamps and results once', async () => {
    const trigger = receiver(TRIGGER);
    const armed = receiver(ARMED);
    const tx = sock(a);
    const reports: { r: FireReport; jsNs: bigint; triggerMessages: number }[] = [];
    trigger.s.arm([
      { socket: tx, data: frame(ARMED, 1), to: to(ARMED) },
      { socket: tx, data: frame(ARMED, 2), to: to(ARMED) },
    ], (r) => reports.push({ r, jsNs: realtimeNs(), triggerMessages: trigger.got.length }));
    expect(trigger.s.isArmed).toBe(true);
    tx.send(frame(TRIGGER, 9), to(TRIGGER));
    await until(() => armed.got.length === 2 && trigger.got.length === 1, 'armed frames');
    expect(trigger.s.isArmed).toBe(false);
    expect(reports).toHaveLength(1);
    const { r, jsNs, triggerMessages } = reports[0]!;
    expect(r.fired).toBe(true);
    // The fired callback comes before the trigger's own message handler.
    expect(triggerMessages).toBe(0);
    expect(r.sends.map((s) => [s.errno, s.bytes])).toEqual([[0, 60], [0, 60]]);
    // Kernel receive stamps of the armed frames precede the first JavaScript that could run.
    expect(armed.got.map((d) => d.data[20])).toEqual([1, 2]);
    for (const d of armed.got) {
      expect(d.timestampNs! <= jsNs).toBe(true);
      expect(d.timestampNs! >= r.receivedNs!).toBe(true);
    }
    expect(r.startNs <= r.sends[0]!.ns && r.sends[0]!.ns <= r.sends[1]!.ns).toBe(true);
    // One-shot: a second trigger frame sends nothing.
    tx.send(frame(TRIGGER, 9), to(TRIGGER));
    await until(() => trigger.got.length === 2, 'second trigger frame');
    await new Promise((res) => setTimeout(res, 50));
    expect(armed.got).toHaveLength(2);
    expect(reports).toHaveLength(1);
  });

  it('sends while the JavaScript thread is busy (the sender thread does not wait for the event loop)', async () => {
    const trigger = receiver(TRIGGER);
    const armed = receiver(ARMED);
    const tx = sock(a);
    const reports: FireReport[] = [];
    trigger.s.arm([{ socket: tx, data: frame(ARMED, 1), to: to(ARMED) }], (r) => reports.push(r));
    tx.send(frame(TRIGGER, 9), to(TRIGGER));
    // Block the event loop; no poll callback can run meanwhile.
    const spinUntil = Date.now() + 300;
    while (Date.now() < spinUntil) { /* busy */ }
    const spinEndNs = realtimeNs();
    await until(() => armed.got.length === 1 && reports.length === 1, 'armed frame and report');
    expect(reports[0]!.fired).toBe(true);
    expect(reports[0]!.byThread).toBe(true);
    expect(armed.got[0]!.timestampNs! < spinEndNs).toBe(true);
    // Realtime priority is best effort; when refused, the reason is reported.
    const st = armedSenderStatus();
    expect(st.started).toBe(true);
    expect(st.realtime || /^E[A-Z]+$/.test(st.error ?? '')).toBe(true);
  });

  it('disarm() means nothing is sent', async () => {
    const trigger = receiver(TRIGGER);
    const armed = receiver(ARMED);
    const tx = sock(a);
    let fired = 0;
    trigger.s.arm([{ socket: tx, data: frame(ARMED, 1), to: to(ARMED) }], () => fired++);
    trigger.s.disarm();
    expect(trigger.s.isArmed).toBe(false);
    tx.send(frame(TRIGGER, 9), to(TRIGGER));
    await until(() => trigger.got.length === 1, 'trigger frame');
    await new Promise((res) => setTimeout(res, 50));
    expect(armed.got).toHaveLength(0);
    expect(fired).toBe(0);
  });

  it('closing a target disarms the socket armed to send on it', async () => {
    const trigger = receiver(TRIGGER);
    const armed = receiver(ARMED);
    const tx = sock(a);
    const target = sock(a);
    let fired = 0;
    trigger.s.arm([{ socket: tx, data: frame(ARMED, 1), to: to(ARMED) }, { socket: target, data: frame(ARMED, 2), to: to(ARMED) }], () => fired++);
    target.close();
    expect(trigger.s.isArmed).toBe(false);
    // A new socket may reuse the closed one's descriptor number: it must not receive the send.
    sock(a);
    tx.send(frame(TRIGGER, 9), to(TRIGGER));
    await until(() => trigger.got.length === 1, 'trigger frame');
    await new Promise((res) => setTimeout(res, 50));
    expect(armed.got).toHaveLength(0);
    expect(fired).toBe(0);
  });

  it('a stale guard sends nothing; a fire claims the generation so lists armed alongside go stale', async () => {
    const t1 = receiver(TRIGGER);
    const t2 = receiver(TRIGGER);
    const armed = receiver(ARMED);
    const tx = sock(a);
    const cell = new Uint32Array(1);
    cell[0] = 7;
    const reports: FireReport[] = [];
    t1.s.arm([{ socket: tx, data: frame(ARMED, 1), to: to(ARMED) }], (r) => reports.push(r), { cell, expect: 7 });
    t2.s.arm([{ socket: tx, data: frame(ARMED, 2), to: to(ARMED) }], (r) => reports.push(r), { cell, expect: 7 });
    // Both sockets see the same trigger frame: exactly one list goes out.
    tx.send(frame(TRIGGER, 9), to(TRIGGER));
    await until(() => reports.length === 2, 'both reports');
    expect(reports.map((r) => r.fired).sort()).toEqual([false, true]);
    expect(cell[0]).toBe(8);
    await until(() => armed.got.length >= 1, 'one armed frame');
    await new Promise((res) => setTimeout(res, 50));
    expect(armed.got).toHaveLength(1);
    // Armed with an old value: never fires.
    t1.s.arm([{ socket: tx, data: frame(ARMED, 3), to: to(ARMED) }], (r) => reports.push(r), { cell, expect: 7 });
    tx.send(frame(TRIGGER, 9), to(TRIGGER));
    await until(() => reports.length === 3, 'stale report');
    expect(reports[2]!.fired).toBe(false);
    expect(reports[2]!.sends).toEqual([]);
    await new Promise((res) => setTimeout(res, 50));
    expect(armed.got).toHaveLength(1);
  });

  it('reports a failed send per entry and still sends the rest', async () => {
    const trigger = receiver(TRIGGER);
    const armed = receiver(ARMED);
    const tx = sock(a);
    const reports: FireReport[] = [];
    trigger.s.arm([
      { socket: tx, data: frame(ARMED, 1), to: { family: 'packet', protocol: ARMED, ifindex: 999_999 } },
      { socket: tx, data: frame(ARMED, 2), to: to(ARMED) },
    ], (r) => reports.push(r));
    tx.send(frame(TRIGGER, 9), to(TRIGGER));
    await until(() => reports.length === 1 && armed.got.length === 1, 'report and frame');
    expect(reports[0]!.sends[0]!.errno).toBeGreaterThan(0);
    expect(reports[0]!.sends[0]!.code).toMatch(/^E/);
    expect(reports[0]!.sends[1]!.errno).toBe(0);
    expect(armed.got[0]!.data[20]).toBe(2);
  });

  it('refuses targets that are not native sockets', () => {
    const trigger = sock(b);
    expect(() => trigger.arm([{ socket: { native: {} } as unknown as Socket, data: Buffer.alloc(1) }], () => undefined)).toThrow(/native Socket/);
    expect(trigger.isArmed).toBe(false);
  });

  it('tears down armed sockets with their worker thread environment', async () => {
    const code = `
      import { Socket } from ${JSON.stringify('file://' + repo + 'dist/src/sys/socket.js')};
      const path = '\\0ipmpd-armed-' + process.pid + '-' + Math.random();
      const s = new Socket(${AF_UNIX}, ${SOCK_DGRAM}, 0);
      const t = new Socket(${AF_UNIX}, ${SOCK_DGRAM}, 0);
      s.bind({ family: 'unix', path });
      s.start();
      s.arm([{ socket: t, data: Buffer.from('x'), to: { family: 'unix', path } }], () => {});
      t.arm([{ socket: s, data: Buffer.from('y'), to: { family: 'unix', path } }], () => {});
      // left armed on purpose: the environment cleanup hooks must untangle both
      setTimeout(() => process.exit(0), 50);
    `;
    const w = new Worker(new URL('data:text/javascript,' + encodeURIComponent(code)));
    const exitCode = await new Promise<number>((resolve, reject) => { w.on('exit', resolve); w.on('error', reject); });
    expect(exitCode).toBe(0);
  });
});
