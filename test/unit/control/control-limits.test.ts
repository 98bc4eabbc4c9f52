// Issue 10, items 1, 2 and 7 at the control socket: the path is never destroyed unless it is
// a stale socket, and a hostile local client cannot grow memory, exhaust fds or stay forever.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from '../../../src/control/client.js';
import type { Reply, Request } from '../../../src/control/protocol.js';
import { ControlServer, type ControlServerOptions } from '../../../src/control/server.js';
import { readOnlySocketPath } from '../../../src/control/socket-path.js';
import { createLogger, silentLogger } from '../../../src/log.js';

const dir = mkdtempSync(join(tmpdir(), 'ipmpd-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const sockPath = (): string => join(dir, `c${n++}.sock`);
const ok = async (req: Request): Promise<Reply> => ({ id: req.id, ok: true, result: { cmd: req.cmd } });

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function open(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function captureLog(): { lines: () => { msg: string; refused?: string }[]; log: ReturnType<typeof createLogger> } {
  const out: string[] = [];
  return { log: createLogger({ level: 'debug', destination: { write: (l: string) => { out.push(l); } } }), lines: () => out.map((l) => JSON.parse(l)) };
}

describe('control socket path', () => {
  it('--socket pointing at a regular file: refused, the file untouched', async () => {
    const p = sockPath();
    writeFileSync(p, 'precious\n');
    await expect(ControlServer.listen(p, ok, silentLogger)).rejects.toThrow(/exists and is not a socket/);
    expect(readFileSync(p, 'utf8')).toBe('precious\n');
  });

  it('a live daemon socket is not taken over; it keeps answering', async () => {
    const p = sockPath();
    const first = await ControlServer.listen(p, ok, silentLogger);
    try {
      await expect(ControlServer.listen(p, ok, silentLogger)).rejects.toThrow(/another process answers/);
      expect(await request(p, { cmd: 'ping' })).toMatchObject({ ok: true });
    } finally {
      await first.close();
    }
  });

  it('a stale socket (its owner died) is replaced', async () => {
    const p = sockPath();
    execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', p]);
    expect(statSync(p).isSocket()).toBe(true);
    const s = await ControlServer.listen(p, ok, silentLogger);
    expect(await request(p, { cmd: 'ping' })).toMatchObject({ ok: true });
    await s.close();
  });

  it('close removes the socket only while it is still ours', async () => {
    const p = sockPath();
    const s = await ControlServer.listen(p, ok, silentLogger);
    unlinkSync(p);
    writeFileSync(p, 'someone else now\n');
    await s.close();
    expect(readFileSync(p, 'utf8')).toBe('someone else now\n');
    const q = sockPath();
    const t = await ControlServer.listen(q, ok, silentLogger);
    await t.close();
    expect(() => statSync(q)).toThrow(/ENOENT/);
  });
});

describe('control socket limits', () => {
  async function server(opts: ControlServerOptions, handler = ok, log = silentLogger) {
    const p = sockPath();
    return { p, s: await ControlServer.listen(p, handler, log, opts) };
  }

  it('connections beyond the limit are dropped, logged once, and the daemon keeps answering', async () => {
    const cap = captureLog();
    const { p, s } = await server({ maxConnections: 4 }, ok, cap.log);
    const socks: Socket[] = [];
    let closedByServer = 0;
    try {
      for (let i = 0; i < 12; i++) {
        const c = await open(p);
        c.on('close', () => { closedByServer++; });
        c.on('error', () => undefined);
        socks.push(c);
      }
      await until(() => closedByServer === 8, '8 refused connections');
      expect(s.connections).toBe(4);
      expect(cap.lines().filter((l) => l.refused === 'connection limit')).toHaveLength(1);
      for (const c of socks) c.destroy();
      await until(() => s.connections === 0, 'idle clients gone');
      expect(await request(p, { cmd: 'status' })).toMatchObject({ ok: true });
    } finally {
      for (const c of socks) c.destroy();
      await s.close();
    }
  });

  it('a client that never reads its replies stops being read; nothing is lost once it reads', async () => {
    let calls = 0;
    const big = 'x'.repeat(16 * 1024);
    const { p, s } = await server({}, async (req) => { calls++; return { id: req.id, ok: true, result: big }; });
    const c = await open(p);
    try {
      c.pause();
      const total = 2000;
      for (let i = 0; i < total; i++) c.write(`{"id":${i},"cmd":"status"}\n`);
      // Without backpressure the server answers all 2000 into its own memory (32 MB).
      let last = -1;
      await until(() => { const settled = calls > 0 && calls === last; last = calls; return settled; }, 'server to stop reading');
      expect(calls).toBeLessThan(500);
      let replies = 0;
      let partial = '';
      c.setEncoding('utf8');
      c.on('data', (d: string) => { partial += d; const parts = partial.split('\n'); partial = parts.pop()!; replies += parts.length; });
      c.resume();
      await until(() => replies === total, `all ${total} replies`, 20_000);
      expect(calls).toBe(total);
    } finally {
      c.destroy();
      await s.close();
    }
  });

  it('at most maxInFlight requests of one client are handled at once', async () => {
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const { p, s } = await server({ maxInFlight: 3 }, async (req) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((r) => gates.push(r));
      running--;
      return { id: req.id, ok: true, result: null };
    });
    const c = await open(p);
    try {
      let replies = 0;
      c.setEncoding('utf8').on('data', (d: string) => { replies += d.split('\n').length - 1; });
      for (let i = 0; i < 10; i++) c.write(`{"id":${i},"cmd":"ping"}\n`);
      await until(() => gates.length === 3, 'three requests in flight');
      while (replies < 10) {
        gates.shift()?.();
        await until(() => gates.length > 0 || replies === 10 || running === 0, 'next request');
      }
      expect(peak).toBe(3);
    } finally {
      c.destroy();
      await s.close();
    }
  });

  it('an idle client is disconnected, and that is logged', async () => {
    const cap = captureLog();
    const { p, s } = await server({ idleTimeoutMs: 100 }, ok, cap.log);
    const c = await open(p);
    let closed = false;
    c.on('close', () => { closed = true; });
    try {
      await until(() => closed, 'idle client closed');
      expect(cap.lines().some((l) => l.refused === 'idle')).toBe(true);
    } finally {
      c.destroy();
      await s.close();
    }
  });
});

describe('read-only socket', () => {
  it('is world-connectable, answers status and refuses state changes without calling the handler', async () => {
    const main = sockPath();
    const ro = readOnlySocketPath(main);
    expect(ro).toBe(main.replace(/\.sock$/, '-ro.sock'));
    const seen: string[] = [];
    const s = await ControlServer.listen(ro, async (req) => { seen.push(req.cmd); return { id: req.id, ok: true, result: null }; }, silentLogger, { readOnly: true });
    try {
      expect(statSync(ro).mode & 0o777).toBe(0o666);
      expect(await request(ro, { cmd: 'status' })).toMatchObject({ ok: true });
      for (const body of [{ cmd: 'probes' as const, sinceMs: 0 }, { cmd: 'offline' as const, ifname: 'eth0' }, { cmd: 'undo-offline' as const, ifname: 'eth0' }, { cmd: 'reload' as const }]) {
        expect(await request(ro, body)).toMatchObject({ ok: false, error: { code: 'EPERM' } });
      }
      expect(seen).toEqual(['status']);
    } finally {
      await s.close();
    }
  });
});
