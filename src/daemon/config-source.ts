// Where the daemon's configuration comes from, and the rule that a configuration with any
// error finding is refused as a whole: a bad config never moves an address. Reading and
// parsing happen in a child process, at start as on reload: a reload never blocks the event
// loop (failover), and the YAML reader and schema library never become resident in the daemon
// (~20 MB of RSS for a few milliseconds of use; a worker thread would leave ~9 MB behind).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import type { IpmpConfig } from '../config/model.js';
import { formatFinding, hasErrors } from '../config/findings.js';
import type { LoadResult } from '../config/load.js';
import type { Logger } from '../log.js';

export interface ConfigSource {
  path: string;
  map: Record<string, string>;
}

/** The built reader: beside this file in dist/, or dist/ of the package when run from src/. */
function readerFile(): string | undefined {
  const here = fileURLToPath(new URL('./config-reader.js', import.meta.url));
  if (existsSync(here)) return here;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  const built = join(dir, 'dist/src/daemon/config-reader.js');
  return existsSync(built) ? built : undefined;
}

/** A 4 MiB configuration's model is a few times its size; beyond this the reader is misbehaving. */
const MAX_RESULT_BYTES = 256 << 20;
const MAX_STDERR_BYTES = 64 << 10;
const READ_TIMEOUT_MS = 120_000;

/** loadConfig in a child process (heap-capped, time-bounded); in-thread only if no built reader exists. */
export function loadOffThread(source: ConfigSource): Promise<LoadResult> {
  const file = readerFile();
  // Running from TypeScript sources (no build): read in-thread.
  if (file === undefined) return import('../config/load.js').then((m) => m.loadConfig(source.path, { map: source.map }));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=512', file, JSON.stringify({ path: source.path, map: source.map })], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let failure: string | undefined;
    const stop = (why: string): void => { failure ??= why; child.kill('SIGKILL'); };
    const timer = setTimeout(() => stop(`configuration reader took longer than ${READ_TIMEOUT_MS / 1000} s`), READ_TIMEOUT_MS);
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > MAX_RESULT_BYTES) stop('configuration reader produced too much output');
      else out.push(b);
    });
    child.stderr.setEncoding('utf8').on('data', (t: string) => { if (err.length < MAX_STDERR_BYTES) err += t; });
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (failure) return reject(new Error(failure));
      if (code !== 0) return reject(new Error(err.trim().split('\n')[0] || `configuration reader exited with ${code ?? signal}`));
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as LoadResult);
      } catch {
        reject(new Error('configuration reader gave no result'));
      }
    });
  });
}

/** Logs a load's findings; the configuration if it has no error, else null (refused as a whole). */
export function acceptLoad(result: LoadResult, log: Logger): IpmpConfig | null {
  for (const f of result.findings) {
    const level = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warn' : 'info';
    log[level]({ finding: f }, formatFinding(f));
  }
  if (!result.config || hasErrors(result.findings)) return null;
  return result.config;
}

export async function loadDaemonConfig(source: ConfigSource, log: Logger): Promise<IpmpConfig | null> {
  let result: LoadResult;
  try {
    result = await loadOffThread(source);
  } catch (err) {
    log.error({ err: { message: (err as Error).message } }, `cannot read the configuration ${source.path}: ${(err as Error).message}`);
    return null;
  }
  return acceptLoad(result, log);
}
