// Issue 10 against the real binary: start-up refusals end the process with one stderr line and
// change nothing; a second instance cannot take over; ipmpstat works for a user who is not root.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoNicGroup } from '../helpers/configs.js';
import { BIN, DaemonProcess } from '../helpers/daemon.js';
import { holder } from '../helpers/host-state.js';
import { requireNetnsSupport } from '../helpers/netns.js';
import { buildTopology, type Topology } from '../helpers/topology.js';

const enabled = requireNetnsSupport();
const DATA = '192.0.2.100';
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all'];

/**
 * nobody must be able to reach the tools: a checkout can sit below a 0700 directory (a fresh
 * clone in `mktemp -d` does). Ancestors without search permission for others get it for the
 * duration of the tests and are put back afterwards; nothing is read or written in them.
 */
function openPathForOthers(path: string): () => void {
  const changed: [string, number][] = [];
  for (let dir = path; dir !== dirname(dir); dir = dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      changed.push([dir, mode]);
    }
  }
  return () => { for (const [dir, mode] of changed) chmodSync(dir, mode); };
}

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs a command in the namespace (optionally as nobody) to its end. */
function runIn(ns: string, cmd: string[], env: Record<string, string> = {}, asNobody = false): Promise<Run> {
  return new Promise((resolve) => {
    const argv = ['netns', 'exec', ns, ...(asNobody ? NOBODY : []), ...cmd];
    const c = spawn('ip', argv, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    c.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const ipmpd = (args: string[]): string[] => [process.execPath, BIN('ipmpd'), ...args];

describe.runIf(enabled)('e2e: process and input hardening', () => {
  let t: Topology;
  let d: DaemonProcess;
  let closePath: (() => void) | undefined;

  beforeAll(() => {
    closePath = openPathForOthers(dirname(BIN('ipmpd')));
    t = buildTopology(2);
    d = new DaemonProcess(t.host);
    d.writeConfig(twoNicGroup());
    // nobody must reach the socket directory (mkdtemp makes it 0700).
    chmodSync(d.dir, 0o755);
  });
  afterAll(async () => {
    await d?.stop().catch(() => undefined);
    d?.cleanup();
    t?.destroy();
    closePath?.();
  });

  it('as a user without CAP_NET_ADMIN: one stderr line, exit 1, nothing changed', async () => {
    const r = await runIn(t.host, ipmpd(['--config', d.configPath, '--socket', join(d.dir, 'nobody.sock')]), {}, true);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('ipmpd: needs CAP_NET_ADMIN and CAP_NET_RAW (run as root or grant them); nothing was changed\n');
    expect(holder(t.host, DATA)).toEqual([]);
  });

  it('--socket naming a regular file: refused before any change, the file intact', async () => {
    const victim = join(d.dir, 'precious.txt');
    writeFileSync(victim, 'keep me\n');
    const r = await runIn(t.host, ipmpd(['--config', d.configPath, '--socket', victim]));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`ipmpd: ${victim} exists and is not a socket; refusing to replace it\n`);
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(holder(t.host, DATA)).toEqual([]);
  });

  it('an empty configuration file is refused at start, routes and addresses untouched', async () => {
    const empty = join(d.dir, 'empty.conf');
    writeFileSync(empty, '');
    const r = await runIn(t.host, ipmpd(['--config', empty, '--socket', join(d.dir, 'e.sock')]));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ipmpd: configuration .*empty\.conf has errors; nothing was changed: error NOT_A_CONFIGURATION /);
    expect(r.stdout).toMatch(/"level":60.*ipmpd cannot start/);
    expect(holder(t.host, DATA)).toEqual([]);
  });

  it('a second ipmpd on the same socket exits 1 naming the first; the first keeps serving', async () => {
    await d.start();
    expect(holder(t.host, DATA)).toEqual(['eth0']);
    const r = await runIn(t.host, ipmpd(['--config', d.configPath, '--socket', d.socketPath]));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`ipmpd: ipmpd already running (pid ${d.child!.pid})\n`);
    expect(existsSync(d.socketPath)).toBe(true);
    const g = await d.cli('ipmpstat', ['-g', '-P', '-o', 'group,state']);
    expect(g).toMatchObject({ code: 0, stdout: 'g:ok\n' });
  });

  it('a second ipmpd with another socket directory in the same network namespace exits 1 too', async () => {
    if (d.child?.exitCode !== null) await d.start();
    const other = mkdtempSync(join(tmpdir(), 'ipmpd-second-'));
    try {
      const r = await runIn(t.host, ipmpd(['--config', d.configPath, '--socket', join(other, 'ipmpd.sock')]));
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`ipmpd: ipmpd already running (pid ${d.child!.pid}) in this network namespace\n`);
      expect(holder(t.host, DATA)).toEqual(['eth0']);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('ipmpstat works for a user who is not root (read-only socket); if_mpadm does not', async () => {
    const env = { IPMPD_SOCKET: d.socketPath };
    const g = await runIn(t.host, [process.execPath, BIN('ipmpstat'), '-g', '-P', '-o', 'group,state'], env, true);
    expect(g).toMatchObject({ code: 0, stdout: 'g:ok\n' });
    const a = await runIn(t.host, [process.execPath, BIN('ipmpstat'), '-a', '-n', '-P', '-o', 'address,inbound'], env, true);
    expect(a.stdout).toContain(`${DATA}:eth0`);
    const off = await runIn(t.host, [process.execPath, BIN('if_mpadm'), '-d', 'eth0'], env, true);
    expect(off.code).toBe(1);
    expect(off.stderr).toBe('if_mpadm: fatal: cannot offline eth0: Permission denied\n');
    expect(holder(t.host, DATA)).toEqual(['eth0']);
  });

  it('a carrier cut 100 ms into a large reload fails over before the reload is done (parsing is off the event loop)', async () => {
    // Just under the 4 MiB cap: the same configuration and ~3.9 MiB of comments, which take
    // the YAML parser hundreds of milliseconds on this kind of machine.
    const line = `# ${'padding '.repeat(12)}\n`;
    d.writeConfig(twoNicGroup() + line.repeat(Math.floor((3.9 * 1024 * 1024) / line.length)));
    const mark = d.logs.length;
    await d.signal('SIGHUP');
    await d.waitFor(() => d.logs.slice(mark).some((l) => /received SIGHUP/.test(l.msg)), 3000, () => 'SIGHUP not logged');
    await new Promise((r) => setTimeout(r, 100));
    const reloadedEarly = d.logs.slice(mark).some((l) => /configuration reloaded/.test(l.msg));
    t.cutCarrier(0);
    try {
      await d.waitFor(() => holder(t.host, DATA).join() === 'eth1', 10_000, () => 'no failover');
      await d.waitFor(() => d.logs.slice(mark).some((l) => /configuration reloaded/.test(l.msg)), 20_000, () => 'reload not logged');
      expect(reloadedEarly, 'the reload finished within 100 ms: the padding no longer makes this test meaningful').toBe(false);
      const order = d.logs.slice(mark).map((l) => l.msg).filter((m) => /^moved 192\.0\.2\.100|configuration reloaded/.test(m));
      expect(order[0]).toMatch(/^moved 192\.0\.2\.100\/24 from eth0 to eth1/);
    } finally {
      t.restoreCarrier(0);
      d.writeConfig(twoNicGroup());
    }
  });

  it('stop: the process exits, and removes its socket, read-only socket and lock', async () => {
    expect(await d.stop()).toBe(0);
    expect(existsSync(d.socketPath)).toBe(false);
    expect(existsSync(d.socketPath.replace(/\.sock$/, '-ro.sock'))).toBe(false);
    expect(existsSync(join(d.dir, 'ipmpd.lock'))).toBe(false);
  });
});
