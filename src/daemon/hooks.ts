// Operator hooks: `hooks: [{ exec, events, timeoutMs }]` runs a program per matching state
// event. Never on the failover path: an event is only queued here (bounded, oldest dropped
// first) and the program starts on a later turn of the event loop, one at a time per hook,
// killed with its process group at its timeout. Output is captured up to a bound and logged.
import { spawn } from 'node:child_process';
import type { HookConfig } from '../config/model.js';
import type { Logger } from '../log.js';
import type { StateEvent } from './state-events.js';
import type { StateStream } from './state-stream.js';

export const MAX_QUEUED_PER_HOOK = 32;
export const MAX_OUTPUT_BYTES = 4096;
/** Hooks get a clean environment: the daemon's own (NOTIFY_SOCKET, JOURNAL_STREAM) is not theirs. */
const HOOK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface HookCounters {
  ran: number;
  failed: number;
  timedOut: number;
  dropped: number;
}

interface HookState {
  hook: HookConfig;
  queue: StateEvent[];
  running: boolean;
  /** Dropped since the last log line about it: logged once when the hook next runs. */
  unreportedDrops: number;
  counters: HookCounters;
}

/** The variables a hook sees; every IPMP_* is set (empty when the event has no such part). */
export function hookEnvironment(e: StateEvent): Record<string, string> {
  return {
    PATH: HOOK_PATH,
    IPMP_EVENT: e.event,
    IPMP_GROUP: e.group,
    IPMP_INTERFACE: e.interface ?? '',
    IPMP_ADDRESSES: (e.addresses ?? []).join(' '),
    IPMP_STATE: e.state ?? '',
    IPMP_PEER: e.peer ?? '',
    IPMP_TIME: e.at,
  };
}

export class HookRunner {
  private hooks: HookState[] = [];
  private closed = false;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly unsubscribe: () => void;

  constructor(stream: StateStream, private readonly log: Logger, private readonly maxQueue = MAX_QUEUED_PER_HOOK) {
    this.unsubscribe = stream.subscribe((e) => this.enqueue(e));
  }

  /** A new configuration: new queues; a program already running finishes on its own. */
  configure(hooks: HookConfig[] = []): void {
    this.hooks = hooks.map((hook) => ({ hook, queue: [], running: false, unreportedDrops: 0, counters: { ran: 0, failed: 0, timedOut: 0, dropped: 0 } }));
  }

  counters(): Array<{ exec: string } & HookCounters> {
    return this.hooks.map((h) => ({ exec: h.hook.exec, ...h.counters }));
  }

  /** Resolves when no hook is running or queued (tests, orderly stop). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const h of this.hooks) h.queue.length = 0;
  }

  private enqueue(e: StateEvent): void {
    if (this.closed) return;
    for (const h of this.hooks) {
      if (!h.hook.events.includes(e.event)) continue;
      if (h.queue.length >= this.maxQueue) {
        h.queue.shift();
        h.counters.dropped++;
        h.unreportedDrops++;
      }
      h.queue.push(e);
      // Later, not now: the caller is the event path's step.
      if (!h.running) setImmediate(() => this.next(h));
    }
  }

  private next(h: HookState): void {
    if (h.running || this.closed) return this.settle();
    const e = h.queue.shift();
    if (!e) return this.settle();
    if (h.unreportedDrops > 0) {
      this.log.warn({ exec: h.hook.exec, dropped: h.unreportedDrops, droppedTotal: h.counters.dropped }, `hook ${h.hook.exec}: queue full, dropped the ${h.unreportedDrops} oldest events`);
      h.unreportedDrops = 0;
    }
    h.running = true;
    this.run(h, e, () => {
      h.running = false;
      this.next(h);
    });
  }

  private run(h: HookState, e: StateEvent, done: () => void): void {
    const { exec, timeoutMs } = h.hook;
    const out = { stdout: '', stderr: '' };
    let truncated = false;
    let timedOut = false;
    let finished = false;
    // Own process group, so a timeout kills whatever the program started too.
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(exec, [], { env: hookEnvironment(e), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      // Most spawn failures arrive as 'error' events; the few thrown ones are handled alike.
      h.counters.ran++;
      h.counters.failed++;
      this.log.warn({ exec, event: e.event, failures: h.counters.failed }, `hook ${exec} for ${e.event} could not be run: ${(err as Error).message}`);
      setImmediate(done);
      return;
    }
    const capture = (which: 'stdout' | 'stderr') => (chunk: Buffer): void => {
      const room = MAX_OUTPUT_BYTES - out[which].length;
      if (room <= 0) { truncated = true; return; }
      if (chunk.length > room) truncated = true;
      out[which] += chunk.subarray(0, room).toString('utf8');
    };
    child.stdout?.on('data', capture('stdout'));
    child.stderr?.on('data', capture('stderr'));
    const timer = setTimeout(() => {
      timedOut = true;
      try { if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null, err?: Error): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      h.counters.ran++;
      const fields = { exec, event: e.event, group: e.group, ...(e.interface ? { ifname: e.interface } : {}), code, signal, stdout: out.stdout.trimEnd() || undefined, stderr: out.stderr.trimEnd() || undefined, ...(truncated ? { truncated } : {}) };
      if (err || timedOut || code !== 0) {
        h.counters.failed++;
        if (timedOut) h.counters.timedOut++;
        const why = err ? `could not be run: ${err.message}` : timedOut ? `killed after ${timeoutMs} ms` : signal ? `killed by ${signal}` : `exited with status ${code}`;
        this.log.warn({ ...fields, failures: h.counters.failed }, `hook ${exec} for ${e.event} ${why}`);
      } else {
        this.log.info(fields, `hook ${exec} ran for ${e.event}`);
      }
      done();
    };
    child.on('error', (err) => finish(null, null, err));
    // 'close' waits for the pipes too, so the output is complete; a grandchild holding them
    // open past the timeout is killed with the group.
    child.on('close', (code, signal) => finish(code, signal));
  }

  private isIdle(): boolean {
    return this.hooks.every((h) => !h.running && h.queue.length === 0);
  }

  private settle(): void {
    if (!this.isIdle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
