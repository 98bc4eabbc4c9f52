// `--version` for every tool: "<tool> (ipmpd) <version>", the version read from the package's
// own package.json so a release bump needs no code change.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Io } from './main.js';

/** Walks up from this module: src/cli in tests, dist/src/cli when built, /usr/lib/ipmpd/... when packaged. */
export function packageVersion(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ipmpd' && typeof pkg.version === 'string') return pkg.version;
    }
    if (dirname(dir) === dir) throw new Error('package.json of ipmpd not found');
  }
}

export function versionLine(tool: string): string {
  return `${tool} (ipmpd) ${packageVersion()}\n`;
}

/** True (after printing) when argv asks for the version; options after `--` are operands. */
export function handleVersion(tool: string, argv: readonly string[], io: Io): boolean {
  const end = argv.indexOf('--');
  if (!(end === -1 ? argv : argv.slice(0, end)).includes('--version')) return false;
  io.stdout.write(versionLine(tool));
  return true;
}
