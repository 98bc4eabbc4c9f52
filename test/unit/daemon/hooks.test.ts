// Hooks run real programs (tiny shell scripts in a temp dir): the environment they see, one at
// a time per hook, a bounded queue that drops the oldest, timeout kills, captured output.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HookRunner, hookEnvironment, MAX_OUTPUT_BYTES } from '../../../src/daemon/hooks.js';
import type { StateEvent } from '../../../src/daemon/state-events.js';
import { StateStream } from '../../../src/daemon/state-stream.js';
import { createLogger, silentLogger } from '../../../src/log.js';

const dir = mkdtempSync(join(tmpdir(), 'ipmpd-hooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function script(body: string): string {
  const p = join(dir, `hook${n++}.sh`);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

function captureLog(): { lines: () => Array<Record<string, unknown>>; log: ReturnType<typeof createLogger> } {
  const out: string[] = [];
  return { log: createLogger({ level: 'debug', destination: { write: (l: string) => { out.push(l); } } }), lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const failover = (stream: StateStream): void => stream.publish(FAILOVER);

const FAILOVER: StateEvent = { event: 'failover', group: 'g', interface: 'eth0', peer: 'eth1', addresses: ['192.0.2.100/24', '192.0.2.101/24'], state: 'failed', at: '2024-05-01T10:00:00.000Z' };

describe('hookEnvironment', () => {
  it('sets every IPMP_* variable, empty when the event has no such part, and nothing of the daemon', () => {
    expect(hookEnvironment(FAILOVER)).toMatchObject({ IPMP_EVENT: 'failover', IPMP_GROUP: 'g', IPMP_INTERFACE: 'eth0', IPMP_ADDRESSES: '192.0.2.100/24 192.0.2.101/24', IPMP_STATE: 'failed', IPMP_PEER: 'eth1' });
    const env = hookEnvironment({ event: 'group-failed', group: 'g', state: 'failed', at: 't' });
    expect(env.IPMP_INTERFACE).toBe('');
    expect(env.IPMP_ADDRESSES).toBe('');
    expect(Object.keys(env).filter((k) => !k.startsWith('IPMP_'))).toEqual(['PATH']);
  });
});

describe('HookRunner', () => {
  it('runs the program for a matching event with its environment, not for others', async () => {
    const out = join(dir, 'env.txt');
    const stream = new StateStream(silentLogger);
    const r = new HookRunner(stream, silentLogger);
    r.configure([{ exec: script(`env | grep ^IPMP_ | sort >> ${out}; echo ---- >> ${out}`), events: ['failover'], timeoutMs: 10_000 }]);
    stream.duplicate('g', '192.0.2.9', 'eth1'); // not subscribed
    failover(stream);
    await r.idle();
    const text = readFileSync(out, 'utf8');
    expect(text.split('----')).toHaveLength(2); // one run
    expect(text).toContain('IPMP_EVENT=failover\n');
    expect(text).toContain('IPMP_ADDRESSES=192.0.2.100/24 192.0.2.101/24\n');
    expect(text).toContain('IPMP_INTERFACE=eth0\n');
    expect(r.counters()).toEqual([{ exec: expect.any(String), ran: 1, failed: 0, timedOut: 0, dropped: 0 }]);
    r.close();
  });

  it('one at a time per hook, in order; a full queue drops the oldest and says how many', async () => {
    const out = join(dir, 'order.txt');
    const { log, lines } = captureLog();
    const stream = new StateStream(silentLogger);
    const r = new HookRunner(stream, log, 2);
    // Overlap would show as a "start" while another run has not written its "end".
    r.configure([{ exec: script(`echo "start $IPMP_GROUP" >> ${out}; sleep 0.05; echo "end $IPMP_GROUP" >> ${out}`), events: ['duplicate-address'], timeoutMs: 10_000 }]);
    for (const g of ['a', 'b', 'c', 'd', 'e']) stream.duplicate(g, '192.0.2.9', undefined);
    await r.idle();
    // Queue of 2, all five queued before the first run starts: a, b, c dropped; d and e run.
    expect(readFileSync(out, 'utf8')).toBe('start d\nend d\nstart e\nend e\n');
    expect(r.counters()[0]).toMatchObject({ ran: 2, dropped: 3, failed: 0 });
    expect(lines().filter((l) => /queue full/.test(String(l.msg)))).toEqual([expect.objectContaining({ dropped: 3, level: 40 })]);
    r.close();
  });

  it('kills a program past its timeout (its children too), counts and logs the failure, then runs the next', async () => {
    const { log, lines } = captureLog();
    const stream = new StateStream(silentLogger);
    const r = new HookRunner(stream, log);
    r.configure([{ exec: script('sleep 60 & wait'), events: ['duplicate-address'], timeoutMs: 200 }]);
    stream.duplicate('g', '192.0.2.9', undefined);
    stream.duplicate('g', '192.0.2.9', undefined);
    await r.idle();
    expect(r.counters()[0]).toMatchObject({ ran: 2, failed: 2, timedOut: 2 });
    const fails = lines().filter((l) => /killed after 200 ms/.test(String(l.msg)));
    expect(fails.map((l) => l.failures)).toEqual([1, 2]);
    r.close();
  });

  it('logs a failing exit with its bounded output; a missing program is a failure, not a crash', async () => {
    const { log, lines } = captureLog();
    const stream = new StateStream(silentLogger);
    const r = new HookRunner(stream, log);
    r.configure([
      { exec: script(`echo to-stderr >&2; head -c ${MAX_OUTPUT_BYTES * 4} /dev/zero | tr '\\0' x; exit 3`), events: ['duplicate-address'], timeoutMs: 10_000 },
      { exec: join(dir, 'does-not-exist'), events: ['duplicate-address'], timeoutMs: 10_000 },
    ]);
    stream.duplicate('g', '192.0.2.9', undefined);
    await r.idle();
    const l = lines();
    const exit3 = l.find((x) => /exited with status 3/.test(String(x.msg)))!;
    expect(exit3).toMatchObject({ code: 3, stderr: 'to-stderr', truncated: true, level: 40 });
    expect(String(exit3.stdout)).toHaveLength(MAX_OUTPUT_BYTES);
    expect(l.find((x) => /could not be run/.test(String(x.msg)))).toMatchObject({ level: 40 });
    expect(r.counters().map((c) => c.failed)).toEqual([1, 1]);
    r.close();
  });
});
