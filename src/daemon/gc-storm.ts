// Debug only: IPMPD_DEBUG_GC_STORM=1 keeps the garbage collector busy inside the daemon, so
// `npm run bench daemon` can measure failover latency during a GC storm (issue 14). Every
// millisecond it allocates ~2,000 small objects and keeps the last ~40 MB of them, dropping
// the oldest in blocks: constant scavenges plus regular mark-compact collections.
import type { Logger } from '../log.js';

const OBJECTS_PER_TICK = 2000;
const KEEP_TICKS = 200;
const DROP_TICKS = 50;

export function startGcStorm(log: Logger): () => void {
  log.warn('debug GC storm running (IPMPD_DEBUG_GC_STORM=1): for benchmarks only');
  const keep: unknown[][] = [];
  const timer = setInterval(() => {
    const chunk: unknown[] = [];
    for (let i = 0; i < OBJECTS_PER_TICK; i++) chunk.push({ i, s: `gc-storm-${i}`, a: [i, i + 1] });
    keep.push(chunk);
    if (keep.length > KEEP_TICKS) keep.splice(0, DROP_TICKS);
  }, 1);
  timer.unref();
  return () => clearInterval(timer);
}
