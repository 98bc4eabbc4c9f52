// What may be done with the path a control socket is to be bound at. Only a stale socket (one
// nobody answers on) is ever removed; any other file, or a live daemon's socket, is refused.
import { lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, dirname, join } from 'node:path';

export class SocketPathInUse extends Error {}

/** The world-connectable read-only companion of a control socket: ipmpd.sock → ipmpd-ro.sock. */
export function readOnlySocketPath(path: string): string {
  return join(dirname(path), `${basename(path).replace(/\.sock$/, '')}-ro.sock`);
}

/** Does something accept connections at `path`? (ECONNREFUSED: a socket nobody listens on.) */
export function answers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    const done = (v: boolean): void => { clearTimeout(t); s.destroy(); resolve(v); };
    const t = setTimeout(() => done(true), timeoutMs); // a wedged listener is still a listener
    s.once('connect', () => done(true));
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code !== 'ECONNREFUSED' && e.code !== 'ENOENT'));
  });
}

/** Throws SocketPathInUse unless `path` is free or a stale socket; a stale one is removed. */
export async function claimSocketPath(path: string): Promise<void> {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!st.isSocket()) throw new SocketPathInUse(`${path} exists and is not a socket; refusing to replace it`);
  if (await answers(path)) throw new SocketPathInUse(`another process answers on ${path}`);
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Removes `path` only if it is still the socket we bound (same inode). */
export function releaseSocketPath(path: string, ino: number | undefined): void {
  try {
    const st = lstatSync(path);
    if (ino !== undefined && st.isSocket() && st.ino === ino) unlinkSync(path);
  } catch {
    // Already gone, or replaced by someone else's: not ours to remove.
  }
}
