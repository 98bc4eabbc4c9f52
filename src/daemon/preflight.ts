// Checks made before ipmpd touches anything: privileges, the socket directory, the socket
// path and the configuration. Each failure is one plain sentence for stderr.
import { accessSync, constants, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { claimSocketPath, readOnlySocketPath, SocketPathInUse } from '../control/socket-path.js';
import { formatFinding, hasErrors } from '../config/findings.js';
import type { LoadResult } from '../config/load.js';
import { loadOffThread, type ConfigSource } from './config-source.js';

export class PreflightError extends Error {}

const CAP_NET_ADMIN = 12n;
const CAP_NET_RAW = 13n;

/** Effective capability set from /proc/self/status ("CapEff:\t0000003fffffffff"). */
export function effectiveCaps(status: string): bigint | null {
  const m = /^CapEff:\s*([0-9a-f]+)$/im.exec(status);
  return m ? BigInt(`0x${m[1]}`) : null;
}

/** Missing capabilities by name; root without them (a bounding set) is refused too. */
export function missingCaps(status: string): string[] {
  const eff = effectiveCaps(status) ?? 0n;
  const missing: string[] = [];
  if (!(eff & (1n << CAP_NET_ADMIN))) missing.push('CAP_NET_ADMIN');
  if (!(eff & (1n << CAP_NET_RAW))) missing.push('CAP_NET_RAW');
  return missing;
}

export function checkPrivileges(status = readFileSync('/proc/self/status', 'utf8')): void {
  const missing = missingCaps(status);
  if (missing.length > 0) {
    throw new PreflightError(`needs ${missing.join(' and ')} (run as root or grant them); nothing was changed`);
  }
}

export function prepareSocketDir(socketPath: string): void {
  const dir = dirname(socketPath);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new PreflightError(`socket directory ${dir} is not usable: ${(e as Error).message}`);
  }
}

export async function checkSocketPaths(socketPath: string): Promise<void> {
  for (const p of [socketPath, readOnlySocketPath(socketPath)]) {
    try {
      await claimSocketPath(p);
    } catch (e) {
      throw new PreflightError(e instanceof SocketPathInUse ? e.message : `cannot use ${p}: ${(e as Error).message}`);
    }
  }
}

/** The configuration, read once for the whole start (the daemon takes this result). */
export async function checkConfig(source: ConfigSource): Promise<LoadResult> {
  const r = await loadOffThread(source);
  if (r.config && !hasErrors(r.findings)) return r;
  const errors = r.findings.filter((f) => f.severity === 'error');
  const first = errors[0] ? `: ${formatFinding(errors[0])}` : '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error(s); see ipmpctl check ${source.path})` : '';
  throw new PreflightError(`configuration ${source.path} has errors; nothing was changed${first}${more}`);
}
