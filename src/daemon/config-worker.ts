// Runs loadConfig in a worker thread: parsing a large configuration takes seconds, and on the
// main thread that would stall failover for as long (see config-source.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../config/load.js';

const { path, map } = workerData as { path: string; map: Record<string, string> };
loadConfig(path, { map }).then(
  (result) => parentPort!.postMessage({ ok: true, result }),
  (err: unknown) => parentPort!.postMessage({ ok: false, message: (err as Error)?.message ?? String(err) }),
);
