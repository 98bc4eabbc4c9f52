// Loads the native addon (built by node-gyp-build at install time) from the package root,
// which is found by walking up from this file so that src/ (tests) and dist/ (installed)
// resolve the same binary.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeSocket {
  readonly fd: number;
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

export interface Addon {
  Socket: new (domain: number, type: number, protocol: number, netns?: string) => NativeSocket;
  realtimeNs(): bigint;
  monotonicNs(): bigint;
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
