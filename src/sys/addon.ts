// Loads the native addon (built by node-gyp-build at install time) from the package root,
// which is found by walking up from this file so that src/ (tests) and dist/ (installed)
// resolve the same binary.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One prepared datagram of an armed list: sent on `socket` (to `address`, raw sockaddr bytes, if given). */
export interface NativeArmedSend { socket: NativeSocket; data: Buffer; address?: Buffer }

/** What an armed socket reports after its list went out (or was found stale). */
export interface NativeFireReport {
  /** false: the guard cell no longer held the armed value; nothing was sent. */
  fired: boolean;
  /** Sent by the addon's sender thread (true) or from the socket's poll callback. */
  byThread: boolean;
  /** Kernel receive time of the triggering datagram (CLOCK_REALTIME ns), with SO_TIMESTAMPNS. */
  receivedNs: bigint | undefined;
  /** CLOCK_REALTIME when the sending thread woke for the trigger (netlink has no kernel stamp). */
  wokeNs: bigint;
  /** CLOCK_REALTIME just before the first send. */
  startNs: bigint;
  /** One per armed send, in order: time after sendto returned, errno (0 = sent), bytes. */
  sends: { ns: bigint; errno: number; code?: string; bytes: number }[];
}

export interface NativeSocket {
  readonly fd: number;
  readonly armed: boolean;
  arm(sends: NativeArmedSend[], onFired: (r: NativeFireReport) => void, guard?: Uint32Array, expect?: number): void;
  disarm(): void;
  bind(addr: Buffer): void;
  connect(addr: Buffer): void;
  sendTo(data: Buffer, addr?: Buffer): number;
  setOption(level: number, name: number, value: number | Buffer): void;
  getOption(level: number, name: number): number;
  getOption(level: number, name: number, length: number): Buffer;
  getSockName(): Buffer;
  setReadSize(size: number): void;
  start(
    onMessage: (data: Buffer, from: Buffer, truncated: boolean, timestampNs: bigint | undefined) => void,
    onError: (err: NodeJS.ErrnoException) => void,
  ): void;
  ref(): void;
  unref(): void;
  close(): void;
}

/** The addon's armed-send thread: started on first arm; realtime when SCHED_FIFO was granted. */
export interface ArmedSenderStatus { started: boolean; realtime: boolean; error?: string }

export interface Addon {
  Socket: new (domain: number, type: number, protocol: number, netns?: string) => NativeSocket;
  realtimeNs(): bigint;
  monotonicNs(): bigint;
  armedSenderStatus(): ArmedSenderStatus;
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'binding.gyp'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('ipmpd: cannot find the package root (binding.gyp)');
    dir = parent;
  }
}

const require = createRequire(import.meta.url);
const load = require('node-gyp-build') as (dir: string) => Addon;

export const addon: Addon = load(packageRoot());
