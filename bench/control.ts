// Control socket under hostile clients (issue 10): RSS growth while a client sends status
// requests and never reads the replies, and the status round trip after 10,000 connection
// attempts. Targets: ≤ 20 MB extra RSS, ≤ 50 ms status reply.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { request } from '../src/control/client.js';
import { twoNicGroup } from '../test/helpers/configs.js';
import { DaemonProcess } from '../test/helpers/daemon.js';
import { buildTopology } from '../test/helpers/topology.js';
import { stats, writeResult } from './lib.js';

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<Record<string, unknown>> {
  const seconds = Number(process.env.BENCH_CONTROL_S ?? 60);
  const t = buildTopology(2);
  const d = new DaemonProcess(t.host);
  try {
    d.writeConfig(twoNicGroup());
    await d.start();
    const pid = d.child!.pid!;
    await sleep(2000);
    const before = rssMb(pid);
    // A client that writes status requests as fast as it can and never reads.
    const hog = connect(d.socketPath);
    hog.pause();
    hog.on('error', () => undefined);
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      if (hog.writableLength < 1 << 20) hog.write('{"id":1,"cmd":"status"}\n'.repeat(1000));
      await sleep(10);
    }
    const after = rssMb(pid);
    hog.destroy();
    // 10,000 connection attempts, as fast as they are accepted or refused.
    let refused = 0;
    for (let i = 0; i < 10_000; i += 100) {
      await Promise.all(Array.from({ length: 100 }, () => new Promise<void>((resolve) => {
        const s = connect(d.socketPath);
        s.on('error', () => { refused++; resolve(); });
        s.on('connect', () => { s.destroy(); resolve(); });
      })));
    }
    await sleep(500); // let the refused and closed connections drain
    const rtt: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await request(d.socketPath, { cmd: 'status' });
      rtt.push(performance.now() - t0);
    }
    const result = { neverReadingClientS: seconds, rssBeforeMb: before, rssAfterMb: after, rssGrowthMb: after - before, rssTargetMb: 20, connectionAttempts: 10_000, refused, statusAfterMs: stats(rtt), statusTargetMs: 50 };
    writeResult('control', result);
    console.log(`control: RSS +${(after - before).toFixed(1)} MB after ${seconds} s of a never-reading client (target ≤ 20); status after 10,000 connections: median ${stats(rtt).p50.toFixed(2)} ms (target ≤ 50)`);
    return result;
  } finally {
    await d.stop().catch(() => undefined);
    d.cleanup();
    t.destroy();
  }
}
