// Chaos: a seeded random sequence of operator faults (carrier flaps, NICs down, renamed,
// deleted and recreated, addresses and routes removed or duplicated by hand, SIGHUP with the
// same / a changed / a broken configuration, kill -9 and restart) against the real ipmpd,
// with the invariant (test/helpers/invariant.ts) checked at every quiet point.
// CHAOS_SEED replays a run (default: a fixed seed), CHAOS_STEPS changes its length.
// The long run is `npm run bench chaos`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosVariants, formatReport, planRun, runChaos } from '../helpers/chaos.js';
import { DaemonProcess } from '../helpers/daemon.js';
import { describeFault, renderConfig } from '../helpers/faults.js';
import { checkInvariant, kernelViolations, takeSnapshot } from '../helpers/invariant.js';
import { ip, requireNetnsSupport } from '../helpers/netns.js';
import { seedFromEnv } from '../helpers/prng.js';
import { buildTopology, type Topology } from '../helpers/topology.js';
import { until } from '../helpers/wire.js';

const enabled = requireNetnsSupport();
const SEED = seedFromEnv();
const STEPS = Number(process.env.CHAOS_STEPS ?? 40);
// Checked between steps; a violating step adds at most ~15 s (quiet bound, pings, heal).
const MAX_SECONDS = 90;
const CONFIG = chaosVariants(3)[0]!;

describe('chaos: the fault plan', () => {
  it('is the same for the same seed and differs for another', () => {
    const names = CONFIG.members.map((m) => m.name);
    const text = (seed: number): string[] => planRun(seed, 200).map((p) =>
      [...p.repairs.map((f) => describeFault(f, names, chaosVariants(3), true)), ...p.faults.map((f) => describeFault(f, names, chaosVariants(3)))].join('; '));
    expect(text(SEED)).toEqual(text(SEED));
    expect(text(SEED)).not.toEqual(text(SEED + 1));
    // Every kind of fault occurs in a plan this long, and held faults are always repaired next step.
    const plan = planRun(SEED, 200);
    const kinds = new Set(plan.flatMap((p) => p.faults.map((f) => f.kind)));
    expect([...kinds].sort()).toEqual(['addr-add', 'addr-del', 'admin', 'carrier', 'hup-broken', 'hup-changed', 'hup-same', 'kill9', 'recreate', 'rename', 'route-del']);
    for (let i = 0; i + 1 < plan.length; i++) {
      expect(plan[i + 1]!.repairs).toEqual(plan[i]!.faults.filter((f) => f.hold));
      expect(plan[i]!.faults.filter((f) => f.hold).length).toBeLessThanOrEqual(2);
    }
  });
});

describe.runIf(enabled)('chaos: the invariant check itself', () => {
  let t: Topology;
  let d: DaemonProcess;

  beforeAll(async () => {
    t = buildTopology(3);
    d = new DaemonProcess(t.host);
    d.writeConfig(renderConfig(CONFIG));
    await d.start();
    await until(() => kernelViolations(takeSnapshot(t.host), CONFIG).length === 0, 5000, 'start-up placement');
  });
  afterAll(async () => {
    await d?.stop().catch(() => undefined);
    d?.cleanup();
    t?.destroy();
  });

  it('passes on a settled daemon and reports planted violations precisely', async () => {
    expect(await checkInvariant(t, CONFIG)).toEqual([]);
    // The daemon is gone, so nothing repairs what is planted below.
    await d.stop('SIGKILL');
    ip(t.host, 'addr', 'add', '192.0.2.100/24', 'dev', 'eth2', 'noprefixroute');
    ip(t.host, 'addr', 'del', '192.0.2.101/24', 'dev', 'eth1');
    ip(t.host, 'route', 'del', '192.0.2.0/24', 'proto', '73');
    const v = await checkInvariant(t, CONFIG);
    expect(v).toContain('(a) 192.0.2.100 on 2 NICs: eth0, eth2');
    expect(v).toContain('(a) 192.0.2.101 on no NIC (usable members: eth0, eth1, eth2)');
    expect(v).toContain('(b) no proto 73 route to 192.0.2.0/24 (usable members: eth0, eth1, eth2)');
    expect(v.some((x) => x.startsWith('(c) client cannot reach 192.0.2.101'))).toBe(true);
    // An address on a renamed NIC is on a non-member. (A proto 73 route whose prefsrc is on no
    // NIC cannot be planted: the kernel refuses it and flushes such routes with the address.)
    ip(t.host, 'addr', 'del', '192.0.2.100/24', 'dev', 'eth2');
    ip(t.host, 'link', 'set', 'eth0', 'down');
    ip(t.host, 'link', 'set', 'eth0', 'name', 'tmp0');
    ip(t.host, 'link', 'set', 'tmp0', 'up');
    const w = await checkInvariant(t, CONFIG);
    expect(w).toContain('(a) 192.0.2.100 on tmp0, which is not a usable member (usable: eth1, eth2)');
    expect(w).toContain('(a) 192.0.2.101 on no NIC (usable members: eth1, eth2)');
    expect(w.filter((x) => x.startsWith('(a) 192.0.2.100'))).toHaveLength(1);
  });
});

describe.runIf(enabled)('chaos: seeded operator faults against ipmpd', () => {
  it(`keeps the invariant at every quiet point (seed ${SEED}, ${STEPS} steps)`, async () => {
    console.log(`chaos: seed ${SEED} (CHAOS_SEED=${SEED} to replay), ${STEPS} steps`);
    // Step lines as they happen; violations in full once, in the report below.
    const r = await runChaos({ seed: SEED, steps: STEPS, maxSeconds: MAX_SECONDS, log: (l) => { if (!l.startsWith('VIOLATION')) console.log(l); } });
    if (r.violations.length > 0 || r.aborted) console.error(formatReport(r));
    const summary = `seed ${SEED} (CHAOS_SEED=${SEED} replays it); full report with kernel dumps and fault history above\n`
      + r.violations.map((v) => `step ${v.step}: ${v.violations.join(' | ')}  <=  ${v.stepFaults.join('; ')}`).join('\n');
    expect(r.aborted, summary).toBeUndefined();
    expect(r.violations.length, summary).toBe(0);
  }, 150_000);
});
