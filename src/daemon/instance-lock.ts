// One ipmpd per socket directory: a pid file created with link() (atomic, never replaces),
// stale ones (holder dead, or not ipmpd) moved aside by inode so a fresh lock is never lost.
// Node has no flock(); this needs no native code and survives kill -9 (the pid is checked).
import { linkSync, lstatSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export const LOCK_NAME = 'ipmpd.lock';

export class AlreadyRunning extends Error {
  constructor(readonly pid: number) {
    super(`ipmpd already running (pid ${pid})`);
  }
}

/** Is `pid` a live ipmpd? Signal 0 for liveness, the command line against pid reuse. */
export function isLiveIpmpd(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ipmpd');
  } catch {
    return true; // alive but hidden from us: assume the worst
  }
}

export class InstanceLock {
  private constructor(readonly path: string, private readonly ino: number) {}

  static acquire(dir: string, isLive: (pid: number) => boolean = isLiveIpmpd): InstanceLock {
    const path = join(dir, LOCK_NAME);
    const tag = `${process.pid}.${randomBytes(4).toString('hex')}`;
    const mine = join(dir, `.${LOCK_NAME}.${tag}`);
    writeFileSync(mine, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
    try {
      for (let attempt = 0; attempt < 10; attempt++) {
        try {
          linkSync(mine, path);
          return new InstanceLock(path, lstatSync(path).ino);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
        let seen;
        let holder;
        try {
          seen = lstatSync(path);
          holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw e;
        }
        if (isLive(holder)) throw new AlreadyRunning(holder);
        // Stale. Move it aside and check it is the file we judged: if another starter took
        // the lock in between, we moved theirs, so put it back and look again.
        const aside = join(dir, `.${LOCK_NAME}.stale.${tag}`);
        try {
          renameSync(path, aside);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw e;
        }
        if (lstatSync(aside).ino !== seen.ino) {
          try { linkSync(aside, path); } catch { /* a third starter won; the next round sees it */ }
        }
        rmSync(aside, { force: true });
      }
      throw new Error(`cannot take ${path}: other ipmpd processes keep starting`);
    } finally {
      rmSync(mine, { force: true });
    }
  }

  /** Removes the lock file if it is still ours (inodes are reused at once: the pid too). */
  release(): void {
    try {
      if (lstatSync(this.path).ino === this.ino && readFileSync(this.path, 'utf8') === `${process.pid}\n`) unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}
