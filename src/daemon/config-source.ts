// Where the daemon's configuration comes from, and the rule that a configuration with any
// error finding is refused as a whole: a bad config never moves an address. Reading and
// parsing happen in a worker thread so a reload never blocks the event loop (failover).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { IpmpConfig } from '../config/model.js';
import { formatFinding, hasErrors, loadConfig, type LoadResult } from '../config/load.js';
import type { Logger } from '../log.js';

export interface ConfigSource {
  path: string;
  map: Record<string, string>;
}

/** The built worker: beside this file in dist/, or dist/ of the package when run from src/. */
function workerFile(): string | undefined {
  const here = fileURLToPath(new URL('./config-worker.js', import.meta.url));
  if (existsSync(here)) return here;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  const built = join(dir, 'dist/src/daemon/config-worker.js');
  return existsSync(built) ? built : undefined;
}

/** loadConfig in a worker thread (heap-capped); in-thread only if no built worker exists. */
export function loadOffThread(source: ConfigSource): Promise<LoadResult> {
  const file = workerFile();
  if (file === undefined) return loadConfig(source.path, { map: source.map });
  return new Promise((resolve, reject) => {
    const w = new Worker(file, { workerData: { path: source.path, map: source.map }, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    let settled = false;
    w.once('message', (m: { ok: true; result: LoadResult } | { ok: false; message: string }) => {
      settled = true;
      if (m.ok) resolve(m.result);
      else reject(new Error(m.message));
      void w.terminate();
    });
    w.once('error', (err) => { settled = true; reject(err); });
    w.once('exit', (code) => { if (!settled) reject(new Error(`configuration reader exited with code ${code}`)); });
  });
}

/**
 * `inThread`: at start nothing else runs yet (no failover to delay), and a worker costs start-up
 * time and memory that stays with the process; reloads use the worker.
 */
export async function loadDaemonConfig(source: ConfigSource, log: Logger, opts: { inThread?: boolean } = {}): Promise<IpmpConfig | null> {
  let result: LoadResult;
  try {
    result = opts.inThread ? await loadConfig(source.path, { map: source.map }) : await loadOffThread(source);
  } catch (err) {
    log.error({ err: { message: (err as Error).message } }, `cannot read the configuration ${source.path}: ${(err as Error).message}`);
    return null;
  }
  for (const f of result.findings) {
    const level = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warn' : 'info';
    log[level]({ finding: f }, formatFinding(f));
  }
  if (!result.config || hasErrors(result.findings)) return null;
  return result.config;
}
