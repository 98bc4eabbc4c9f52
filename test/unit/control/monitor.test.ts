// `monitor` on the control socket: events reach the reader line by line, the read-only socket
// refuses it, and a reader that stops reading is dropped instead of buffered for.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { monitor } from '../../../src/control/monitor-client.js';
import type { Reply, Request } from '../../../src/control/protocol.js';
import { ControlServer } from '../../../src/control/server.js';
import { eventLine } from '../../../src/cli/ipmpctl-monitor.js';
import { silentLogger } from '../../../src/log.js';

const dir = mkdtempSync(join(tmpdir(), 'ipmpd-monitor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const ok = async (req: Request): Promise<Reply> => ({ id: req.id, ok: true, result: null });

/** A minimal event source: what StateStream offers the server. */
class Source {
  readonly listeners = new Set<(e: unknown) => void>();
  subscribe(l: (e: unknown) => void): () => void { this.listeners.add(l); return () => { this.listeners.delete(l); }; }
  emit(e: unknown): void { for (const l of this.listeners) l(e); }
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('control monitor', () => {
  it('streams every event after the reply, and ends when the daemon closes', async () => {
    const src = new Source();
    const path = join(dir, `m${n++}.sock`);
    const server = await ControlServer.listen(path, ok, silentLogger, { events: src });
    const got: Record<string, unknown>[] = [];
    const done = monitor(path, (e) => got.push(e));
    await until(() => src.listeners.size === 1, 'subscription');
    src.emit({ event: 'failover', group: 'g', interface: 'eth0', addresses: ['192.0.2.100/24'], at: 't' });
    src.emit({ event: 'failback', group: 'g', interface: 'eth0', at: 't2' });
    await until(() => got.length === 2, 'two events');
    expect(got[0]).toEqual({ event: 'failover', group: 'g', interface: 'eth0', addresses: ['192.0.2.100/24'], at: 't' });
    await server.close();
    await done;
    await until(() => src.listeners.size === 0, 'unsubscribed');
  });

  it('the read-only socket refuses monitor (EPERM)', async () => {
    const src = new Source();
    const path = join(dir, `m${n++}.sock`);
    const server = await ControlServer.listen(path, ok, silentLogger, { events: src, readOnly: true });
    try {
      await expect(monitor(path, () => undefined)).rejects.toThrow(/EPERM/);
      expect(src.listeners.size).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('a reader that does not read is dropped once its queue passes the bound; the daemon keeps nothing for it', async () => {
    const src = new Source();
    const path = join(dir, `m${n++}.sock`);
    const server = await ControlServer.listen(path, ok, silentLogger, { events: src, maxQueuedReplyBytes: 64 * 1024 });
    const c: Socket = connect(path);
    c.on('error', () => undefined);
    await new Promise<void>((r) => c.once('connect', () => r()));
    c.write(`${JSON.stringify({ id: 1, cmd: 'monitor' })}\n`);
    await until(() => src.listeners.size === 1, 'subscription');
    c.pause(); // never read again
    const big = { event: 'address-moved', group: 'g', pad: 'x'.repeat(4096) };
    // Socket buffers absorb some; keep emitting until the server gives up on this reader.
    for (let i = 0; i < 10_000 && src.listeners.size > 0; i++) {
      src.emit(big);
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(src.listeners.size).toBe(0);
    // The client never reads, so it would never see the EOF: the server's side is what counts.
    await until(() => server.connections === 0, 'connection dropped by the server');
    c.destroy();
    await server.close();
  });

  it('a second monitor on the same connection is refused (EBUSY), not subscribed twice', async () => {
    const src = new Source();
    const path = join(dir, `m${n++}.sock`);
    const server = await ControlServer.listen(path, ok, silentLogger, { events: src });
    const c: Socket = connect(path);
    let text = '';
    c.setEncoding('utf8').on('data', (d: string) => { text += d; });
    await new Promise<void>((r) => c.once('connect', () => r()));
    c.write(`${JSON.stringify({ id: 1, cmd: 'monitor' })}\n${JSON.stringify({ id: 2, cmd: 'monitor' })}\n`);
    await until(() => text.split('\n').length >= 3, 'two replies');
    const replies = text.trim().split('\n').map((l) => JSON.parse(l) as Reply);
    expect(replies.map((r) => r.ok)).toEqual([true, false]);
    expect(replies[1]).toMatchObject({ id: 2, error: { code: 'EBUSY' } });
    expect(src.listeners.size).toBe(1);
    c.destroy();
    await server.close();
  });

  it('formats an event as one line: time, event, group, NIC, then fields', () => {
    expect(eventLine({ event: 'failover', group: 'g', interface: 'eth0', peer: 'eth1', addresses: ['a/24', 'b/24'], state: 'failed', at: 'T' }))
      .toBe('T failover g eth0 peer=eth1 addresses=a/24,b/24 state=failed');
  });
});
