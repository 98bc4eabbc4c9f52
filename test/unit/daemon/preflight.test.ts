// Start-up checks and the instance lock, in-process: capability parsing, stale and live
// locks, and a lock that is released only while it is still ours.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { AlreadyRunning, InstanceLock, isLiveIpmpd } from '../../../src/daemon/instance-lock.js';
import { checkPrivileges, effectiveCaps, missingCaps } from '../../../src/daemon/preflight.js';

const tmp = mkdtempSync(join(tmpdir(), 'ipmpd-lock-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => { const d = join(tmp, `d${n++}`); mkdirSync(d); return d; };

describe('privileges', () => {
  const status = (eff: string) => `Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t${eff}\nCapBnd:\t000001ffffffffff\n`;
  test('root with everything, or just CAP_NET_ADMIN + CAP_NET_RAW, passes', () => {
    expect(missingCaps(status('000001ffffffffff'))).toEqual([]);
    expect(missingCaps(status((3n << 12n).toString(16).padStart(16, '0')))).toEqual([]);
    expect(effectiveCaps(status('0000000000003000'))).toBe(0x3000n);
  });
  test('an ordinary user, or only one of the two, is refused with the names', () => {
    expect(missingCaps(status('0000000000000000'))).toEqual(['CAP_NET_ADMIN', 'CAP_NET_RAW']);
    expect(missingCaps(status('0000000000001000'))).toEqual(['CAP_NET_RAW']);
    expect(() => checkPrivileges(status('0000000000000000'))).toThrow(/^needs CAP_NET_ADMIN and CAP_NET_RAW/);
  });
});

describe('instance lock', () => {
  test('a live holder is reported by pid; release frees it for the next', () => {
    const dir = fresh();
    const a = InstanceLock.acquire(dir);
    expect(readFileSync(join(dir, 'ipmpd.lock'), 'utf8')).toBe(`${process.pid}\n`);
    expect(() => InstanceLock.acquire(dir, (pid) => pid === process.pid)).toThrow(new AlreadyRunning(process.pid));
    a.release();
    expect(existsSync(join(dir, 'ipmpd.lock'))).toBe(false);
    InstanceLock.acquire(dir).release();
  });

  test('a lock left by a killed process (pid no longer alive) is taken over', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'ipmpd.lock'), '2147480000\n');
    const l = InstanceLock.acquire(dir);
    expect(readFileSync(join(dir, 'ipmpd.lock'), 'utf8')).toBe(`${process.pid}\n`);
    l.release();
  });

  test('a live process that is not ipmpd (pid reused) does not hold the lock; a live ipmpd does', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    const named = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', 'ipmpd']);
    try {
      // Until both have exec'd node (before that /proc shows the parent's command line).
      const argsOf = (pid: number): string => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; } };
      while (!argsOf(other.pid!).includes('30000') || !argsOf(named.pid!).includes('30000')) await new Promise((r) => setTimeout(r, 10));
      expect(isLiveIpmpd(other.pid!)).toBe(false);
      expect(isLiveIpmpd(named.pid!)).toBe(true);
      const dir = fresh();
      writeFileSync(join(dir, 'ipmpd.lock'), `${named.pid}\n`);
      expect(() => InstanceLock.acquire(dir)).toThrow(`ipmpd already running (pid ${named.pid})`);
      writeFileSync(join(dir, 'ipmpd.lock'), `${other.pid}\n`);
      InstanceLock.acquire(dir).release();
    } finally {
      other.kill('SIGKILL');
      named.kill('SIGKILL');
    }
  });

  test('release leaves a lock that is no longer ours', () => {
    const dir = fresh();
    const l = InstanceLock.acquire(dir);
    unlinkSync(join(dir, 'ipmpd.lock'));
    writeFileSync(join(dir, 'ipmpd.lock'), '1\n');
    l.release();
    expect(readFileSync(join(dir, 'ipmpd.lock'), 'utf8')).toBe('1\n');
  });
});
