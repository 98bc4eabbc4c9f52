// Issue 10 against the real binary: start-up refusals end the process with one stderr line and
// change nothing; a second instance cannot take over; ipmpstat works for a user who is not root.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoNicGroup } from '../helpers/configs.js';
import { BIN, DaemonProcess } from '../helpers/daemon.js';
import { holder } from '../helpers/host-state.js';
import { requireNetnsSupport } from '../helpers/netns.js';
import { buildTopology, type Topology } from '../helpers/topology.js';

const enabled = requireNetnsSupport();
const DATA = '192.0.2.100';
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all'];

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

  beforeAll(() => {
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
    expect(off.stderr).toMatch(/EACCES/);
    expect(holder(t.host, DATA)).toEqual(['eth0']);
  });

  it('stop: the process exits, and removes its socket, read-only socket and lock', async () => {
    expect(await d.stop()).toBe(0);
    expect(existsSync(d.socketPath)).toBe(false);
    expect(existsSync(d.socketPath.replace(/\.sock$/, '-ro.sock'))).toBe(false);
    expect(existsSync(join(d.dir, 'ipmpd.lock'))).toBe(false);
  });
});
