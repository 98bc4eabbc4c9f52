// The native socket against the real kernel: namespaces, packet I/O, errors, lifetime.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { AF_NETLINK, AF_PACKET, AF_UNIX, ETH_P_ALL, NETLINK_ROUTE, SOCK_DGRAM, SOCK_RAW, SOL_SOCKET, SO_RCVBUF, SO_TIMESTAMPNS } from '../../src/sys/constants.js';
import { Socket, realtimeNs, type Datagram } from '../../src/sys/socket.js';
import { Lab, ipJson, requireNetnsSupport } from '../helpers/netns.js';

const enabled = requireNetnsSupport();
const repo = fileURLToPath(new URL('../..', import.meta.url));

function nextMessage(s: Socket, timeoutMs = 2000): Promise<Datagram> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no datagram within timeout')), timeoutMs);
    s.once('message', (d) => { clearTimeout(t); resolve(d); });
  });
}

function ifindex(ns: string, name: string): number {
  const [link] = ipJson<{ ifindex: number }[]>(ns, 'link', 'show', name);
  if (!link) throw new Error(`no ${name} in ${ns}`);
  return link.ifindex;
}

describe.runIf(enabled)('native socket', () => {
  const lab = new Lab();
  let a = '';
  let b = '';

  beforeAll(() => {
    a = lab.ns('a');
    b = lab.ns('b');
    lab.veth(a, 'va', b, 'vb');
    for (const [ns, dev] of [[a, 'va'], [b, 'vb']] as const) ipJson(ns, 'link', 'set', dev, 'up');
  });
  afterAll(() => lab.destroy());

  it('opens a socket inside a named namespace, not the host one', () => {
    const inNs = new Socket(AF_PACKET, SOCK_RAW, 0, { netns: lab.path(a) });
    try {
      // Binding to the namespace's ifindex of va only works inside that namespace.
      inNs.bind({ family: 'packet', protocol: ETH_P_ALL, ifindex: ifindex(a, 'va') });
      const addr = inNs.address();
      expect(addr).toMatchObject({ family: 'packet', ifindex: ifindex(a, 'va') });
    } finally {
      inNs.close();
    }
  });

  it('sends and receives frames with source address, timestamp and truncation flag', async () => {
    const tx = new Socket(AF_PACKET, SOCK_RAW, 0, { netns: lab.path(a) });
    const rx = new Socket(AF_PACKET, SOCK_RAW, 0, { netns: lab.path(b), readSize: 64 });
    try {
      rx.bind({ family: 'packet', protocol: 0x88b5, ifindex: ifindex(b, 'vb') });
      rx.setOption(SOL_SOCKET, SO_TIMESTAMPNS, 1);
      rx.start();
      const frame = Buffer.alloc(100, 0xab);
      Buffer.from('ffffffffffff', 'hex').copy(frame, 0);
      Buffer.from('020000000001', 'hex').copy(frame, 6);
      frame.writeUInt16BE(0x88b5, 12); // IEEE local experimental ethertype
      const before = realtimeNs();
      const got = nextMessage(rx);
      expect(tx.send(frame, { family: 'packet', protocol: 0x88b5, ifindex: ifindex(a, 'va') })).toBe(100);
      const d = await got;
      expect(d.truncated).toBe(true);
      expect(d.data.length).toBe(64);
      expect(d.data.subarray(0, 14).toString('hex')).toBe(frame.subarray(0, 14).toString('hex'));
      expect(d.from).toMatchObject({ family: 'packet', ifindex: ifindex(b, 'vb'), protocol: 0x88b5 });
      expect(d.timestampNs).toBeTypeOf('bigint');
      expect(d.timestampNs! >= before).toBe(true);
    } finally {
      tx.close();
      rx.close();
    }
  });

  it('keeps reading after a pending socket error (bound interface went down and up)', async () => {
    const rx = new Socket(AF_PACKET, SOCK_RAW, 0, { netns: lab.path(b) });
    const tx = new Socket(AF_PACKET, SOCK_RAW, 0, { netns: lab.path(a) });
    const errors: string[] = [];
    try {
      rx.bind({ family: 'packet', protocol: 0x88b5, ifindex: ifindex(b, 'vb') });
      rx.on('error', (e) => errors.push(e.code ?? ''));
      rx.start();
      ipJson(b, 'link', 'set', 'vb', 'down');
      const deadline = Date.now() + 2000;
      while (!errors.includes('ENETDOWN') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(errors).toContain('ENETDOWN');
      ipJson(b, 'link', 'set', 'vb', 'up');
      const frame = Buffer.alloc(60);
      Buffer.from('ffffffffffff020000000001', 'hex').copy(frame, 0);
      frame.writeUInt16BE(0x88b5, 12);
      const got = nextMessage(rx);
      // The veth needs a moment to be operational again after up.
      const sender = setInterval(() => { try { tx.send(frame, { family: 'packet', protocol: 0x88b5, ifindex: ifindex(a, 'va') }); } catch { /* retried */ } }, 20);
      try {
        expect((await got).data.readUInt16BE(12)).toBe(0x88b5);
      } finally {
        clearInterval(sender);
      }
    } finally {
      rx.close();
      tx.close();
    }
  });

  it('reports errors as Error objects with code and errno', () => {
    const s = new Socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, { netns: lab.path(a) });
    try {
      let caught: NodeJS.ErrnoException | undefined;
      try {
        s.bind({ family: 'packet', protocol: 0, ifindex: 1 });
      } catch (e) {
        caught = e as NodeJS.ErrnoException;
      }
      expect(caught?.code).toBe('EINVAL');
      expect(caught?.errno).toBe(22);
      expect(s.getOptionInt(SOL_SOCKET, SO_RCVBUF)).toBeGreaterThan(0);
    } finally {
      s.close();
    }
    expect(() => s.getOptionInt(SOL_SOCKET, SO_RCVBUF)).toThrow(/EBADF/);
    expect(() => new Socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, { netns: '/run/netns/ipmpdt-does-not-exist' })).toThrow(/ENOENT/);
  });

  it('turns a throw inside the message handler into an ordinary uncaught exception', () => {
    const script = `
      import { Socket } from ${JSON.stringify('file://' + repo + 'dist/src/sys/socket.js')};
      const path = '\\0ipmpd-test-' + process.pid;
      const s = new Socket(${AF_UNIX}, ${SOCK_DGRAM}, 0);
      s.bind({ family: 'unix', path });
      process.on('uncaughtException', (e) => { console.log('caught:' + e.message); s.close(); });
      s.on('message', () => { throw new Error('boom in handler'); });
      s.start();
      s.send(Buffer.from('x'), { family: 'unix', path });
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(r.stdout).toContain('caught:boom in handler');
    expect(r.status).toBe(0);
  });

  it('an unref()ed socket does not keep the process alive; a referenced one does until closed', () => {
    const script = (unref: boolean) => `
      import { Socket } from ${JSON.stringify('file://' + repo + 'dist/src/sys/socket.js')};
      const s = new Socket(${AF_UNIX}, ${SOCK_DGRAM}, 0);
      s.bind({ family: 'unix', path: '\\0ipmpd-ref-' + process.pid });
      s.start();
      ${unref ? 's.unref();' : 'setTimeout(() => { console.log("closing"); s.close(); }, 200);'}
    `;
    for (const unref of [true, false]) {
      const started = Date.now();
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script(unref)], { encoding: 'utf8', timeout: 10_000 });
      expect(r.status).toBe(0);
      if (!unref) {
        expect(r.stdout).toContain('closing');
        expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      }
    }
  });

  it('closes open sockets when a worker thread environment is torn down', async () => {
    const code = `
      import { Socket } from ${JSON.stringify('file://' + repo + 'dist/src/sys/socket.js')};
      const s = new Socket(${AF_UNIX}, ${SOCK_DGRAM}, 0);
      s.bind({ family: 'unix', path: '\\0ipmpd-worker-' + process.pid + '-' + Math.random() });
      s.start();
      // left open on purpose: the environment cleanup hook must close it
      setTimeout(() => process.exit(0), 50);
    `;
    const w = new Worker(new URL('data:text/javascript,' + encodeURIComponent(code)));
    const exitCode = await new Promise<number>((resolve, reject) => { w.on('exit', resolve); w.on('error', reject); });
    expect(exitCode).toBe(0);
  });
});
