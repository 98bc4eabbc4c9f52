// Failover during a large reload (hardening issue): carrier loss → first GARP, idle and with a
// 4 MiB configuration being parsed (SIGHUP 100 ms before the cut). Parsing runs in a worker
// thread, so the second figure should stay within 2× of the first.
import { setTimeout as sleep } from 'node:timers/promises';
import { buildTopology } from '../test/helpers/topology.js';
import { AnnouncementWatcher } from '../test/helpers/wire.js';
import { failoverLoop, groupYaml, waitUntil } from './daemon.js';
import { stats, writeResult } from './lib.js';

const DATA = '192.0.2.100';
const ROUNDS = Number(process.env.BENCH_RELOAD_ROUNDS ?? 20);

export async function run(): Promise<Record<string, unknown>> {
  const t = buildTopology(2);
  const wire = new AnnouncementWatcher(t.sw, [t.port(1)]);
  // Link-based detection only: this measures the event loop during a reload, not probing.
  const config = groupYaml(2, [`${DATA}/24`]).replace(/, testAddresses: \[[^\]]*\]/g, '');
  const line = `# ${'padding '.repeat(12)}\n`;
  const big = config + line.repeat(Math.floor((3.9 * 1024 * 1024) / line.length));
  const idle: number[] = [];
  const duringReload: number[] = [];
  try {
    await failoverLoop(t, config, ROUNDS, async (i, cut, d) => {
      const reloading = i % 2 === 1;
      if (reloading) {
        d.writeConfig(big);
        await d.signal('SIGHUP');
        await sleep(100);
      }
      wire.clear();
      const t0 = await cut();
      await waitUntil(() => wire.for(DATA).length > 0, 5000, 'GARP on eth1').catch((err: Error) => {
        throw new Error(`${err.message} (round ${i}${reloading ? ', during reload' : ''}); daemon said: ${d.logs.slice(-10).map((l) => l.msg).join(' | ')}`);
      });
      (reloading ? duringReload : idle).push(Number(wire.for(DATA)[0]!.atNs - t0) / 1e6);
      if (reloading) d.writeConfig(config);
    });
  } finally {
    wire.close();
    t.destroy();
  }
  const a = stats(idle);
  const b = stats(duringReload);
  const result = { linkDownToFirstGarpIdleMs: a, linkDownToFirstGarpDuringReloadMs: b, ratioP50: b.p50 / a.p50, target: 'during reload within 2× of idle' };
  writeResult('reload', result);
  return result;
}
