// Reads one configuration input without trusting the file system: only regular files, at most
// a fixed number of bytes. st.size is 0 for devices and FIFOs, so the cap is enforced on the
// bytes actually read; O_NONBLOCK keeps open() of a FIFO from waiting for a writer.
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** No configuration file is anywhere near this; anything bigger is refused unread. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

export type BoundedRead =
  | { ok: true; text: string }
  | { ok: false; code: 'INPUT_NOT_REGULAR' | 'INPUT_TOO_LARGE' | 'INPUT_UNREADABLE'; errno?: string; message: string };

/** "ENOENT: no such file…" already carries its code; never print it twice. */
export function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const msg = err?.message ?? String(e);
  return err?.code && !msg.startsWith(err.code) ? `${err.code}: ${msg}` : msg;
}

function kindOf(st: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

export async function readBounded(path: string, label = path, cap = MAX_INPUT_BYTES): Promise<BoundedRead> {
  const notRegular = (what: string): BoundedRead => ({ ok: false, code: 'INPUT_NOT_REGULAR', message: `${label} is ${what}, expected a regular file` });
  try {
    // Refuse before open(): opening some devices has side effects.
    const pre = await stat(path);
    if (!pre.isFile()) return notRegular(kindOf(pre));
  } catch (e) {
    return { ok: false, code: 'INPUT_UNREADABLE', errno: (e as NodeJS.ErrnoException).code, message: `cannot read ${label}: ${errnoText(e)}` };
  }
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    return { ok: false, code: 'INPUT_UNREADABLE', errno: (e as NodeJS.ErrnoException).code, message: `cannot read ${label}: ${errnoText(e)}` };
  }
  try {
    // The path may have been swapped since stat(); what counts is what was opened.
    const st = await fh.stat();
    if (!st.isFile()) return notRegular(kindOf(st));
    const buf = Buffer.alloc(Math.min(cap + 1, Math.max(st.size + 1, 64 * 1024)));
    let big = buf;
    let len = 0;
    for (;;) {
      if (len === big.length) {
        if (big.length > cap) break;
        const next = Buffer.alloc(Math.min(cap + 1, big.length * 2));
        big.copy(next, 0, 0, len);
        big = next;
      }
      const { bytesRead } = await fh.read(big, len, big.length - len, null);
      if (bytesRead === 0) break;
      len += bytesRead;
    }
    if (len > cap) return { ok: false, code: 'INPUT_TOO_LARGE', message: `${label} is larger than ${cap} bytes; not a configuration file` };
    return { ok: true, text: big.subarray(0, len).toString('utf8') };
  } catch (e) {
    return { ok: false, code: 'INPUT_UNREADABLE', errno: (e as NodeJS.ErrnoException).code, message: `cannot read ${label}: ${errnoText(e)}` };
  } finally {
    await fh.close().catch(() => undefined);
  }
}
