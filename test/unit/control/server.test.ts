// The control socket against misbehaving clients: the daemon must answer or drop them,
// never crash, and only root may connect (0600). Limits and path safety: control-limits.test.ts.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../../src/control/client.js';
import { MAX_REQUEST_BYTES, type Request } from '../../../src/control/protocol.js';
import { ControlServer } from '../../../src/control/server.js';
import { silentLogger } from '../../../src/log.js';

function raw(path: string, payload: string | Buffer, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let out = '';
    const t = setTimeout(() => { s.destroy(); resolve(out); }, timeoutMs);
    s.setEncoding('utf8');
    s.on('connect', () => s.write(payload));
    s.on('data', (d: string) => { out += d; if (out.includes('\n')) { clearTimeout(t); s.destroy(); resolve(out); } });
    s.on('error', (e) => { clearTimeout(t); reject(e); });
    s.on('close', () => { clearTimeout(t); resolve(out); });
  });
}

describe('control server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipmpd-ctl-'));
  const path = join(dir, 'sub', 'ipmpd.sock');
  const seen: Request[] = [];
  let server: ControlServer;

  beforeAll(async () => {
    server = await ControlServer.listen(path, async (req) => {
      seen.push(req);
      if (req.cmd === 'offline') return { id: req.id, ok: false, error: { code: 'EMINRED', message: 'cannot offline' } };
      if (req.cmd === 'reload') throw new Error('handler blew up');
      return { id: req.id, ok: true, result: { cmd: req.cmd } };
    }, silentLogger);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is reachable by root only (its directory is traversable for the read-only socket)', () => {
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'sub')).mode & 0o777).toBe(0o755);
  });

  it('answers valid requests with the same id', async () => {
    expect(await request(path, { cmd: 'ping' })).toMatchObject({ ok: true, result: { cmd: 'ping' } });
    expect(await request(path, { cmd: 'offline', ifname: 'eth0' })).toMatchObject({ ok: false, error: { code: 'EMINRED' } });
  });

  const bad: [string, string, RegExp][] = [
    ['not JSON', 'hello\n', /EBADREQ.*not JSON/],
    ['unknown command', '{"id":1,"cmd":"format-disk"}\n', /EBADREQ/],
    ['extra field', '{"id":2,"cmd":"ping","x":1}\n', /EBADREQ/],
    ['bad interface name', '{"id":3,"cmd":"offline","ifname":"../../etc"}\n', /EBADREQ.*ifname/],
    ['negative id', '{"id":-1,"cmd":"ping"}\n', /EBADREQ/],
  ];
  for (const [name, payload, want] of bad) {
    it(`rejects ${name} without calling the handler`, async () => {
      const before = seen.length;
      expect(await raw(path, payload)).toMatch(want);
      expect(seen.length).toBe(before);
    });
  }

  it('drops a client that sends an endless line, and keeps serving others', async () => {
    const reply = await raw(path, Buffer.alloc(MAX_REQUEST_BYTES + 10, 0x61));
    expect(reply).toMatch(/E2BIG/);
    expect(await request(path, { cmd: 'status' })).toMatchObject({ ok: true });
  });

  it('turns a handler exception into an error reply', async () => {
    expect(await request(path, { cmd: 'reload' })).toMatchObject({ ok: false, error: { code: 'EINTERNAL' } });
  });

  it('survives clients that disconnect mid-request', async () => {
    for (let i = 0; i < 20; i++) {
      const s = connect(path);
      await new Promise<void>((r) => s.on('connect', () => { s.write('{"id":1,"cm'); s.destroy(); r(); }));
    }
    expect(await request(path, { cmd: 'ping' })).toMatchObject({ ok: true });
  });
});
