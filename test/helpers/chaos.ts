// The chaos run: a seeded sequence of operator faults against the real ipmpd in throw-away
// namespaces, with the invariant checked at every quiet point. Used by
// test/integration/chaos.test.ts (short) and bench/chaos.ts (long).
import { renderIpmpstatJson } from '../../src/cli/ipmpstat-render.js';
import { request } from '../../src/control/client.js';
import type { StatusSnapshot } from '../../src/control/status.js';
import {
  applyFault, describeFault, planStep, renderConfig, repairFault, recreateVeth, startDaemon, tmpName,
  type ChaosContext, type PlanState, type StepPlan,
} from './faults.js';
import { inspect, kernelViolations, renderSnapshot, takeSnapshot, type ChaosConfig, type KernelSnapshot } from './invariant.js';
import { ip } from './netns.js';
import { Rng } from './prng.js';
import { buildTopology, ROUTER4, type Topology } from './topology.js';

export const SUBNET = '192.0.2.0/24';

/** The configuration variants a run switches between with SIGHUP; variant 0 is the start. */
export function chaosVariants(nics = 3): ChaosConfig[] {
  const members = Array.from({ length: nics }, (_, i) => ({ name: `eth${i}`, test: `192.0.2.${10 + i}/24` }));
  const base = { group: 'chaos', members, defaultRouters: [ROUTER4], subnets: [SUBNET], fdtMs: 600 };
  const d100 = { address: '192.0.2.100', prefixLen: 24, home: 'eth0' };
  const d101 = { address: '192.0.2.101', prefixLen: 24, home: 'eth1' };
  const d102 = { address: '192.0.2.102', prefixLen: 24, home: `eth${Math.min(2, nics - 1)}` };
  return [
    { ...base, data: [d100, d101] },
    { ...base, data: [d100, d101, d102] }, // one address added
    { ...base, data: [d100] }, // one address removed
  ];
}

/** Pure: the fault plan of a whole run. Same seed, same plan. */
export function planRun(seed: number, steps: number, nics = 3): StepPlan[] {
  const rng = new Rng(seed);
  const state: PlanState = { held: [], variant: 0, memberCount: nics, variants: chaosVariants(nics) };
  const out: StepPlan[] = [];
  for (let s = 1; s <= steps; s++) out.push(planStep(rng, state, s));
  return out;
}

export interface ChaosOptions {
  seed: number;
  steps: number;
  /** Stop early (between steps) after this long. */
  maxSeconds: number;
  nics?: number;
  /** Bound of one quiet-point wait. */
  quietTimeoutMs?: number;
  stopOnFirstViolation?: boolean;
  /** Progress output (one line per step), e.g. console.log. */
  log?: (line: string) => void;
}

export interface ChaosViolation {
  step: number;
  seed: number;
  violations: string[];
  /** Faults of this step, then the whole history up to it. */
  stepFaults: string[];
  history: string[];
  /** The dump the violations were found in. */
  dump: string;
  ipmpstat: string;
  daemonLog: string[];
  /** Whether the quiet point was reached before the check (else it ran at the timeout). */
  quiet: boolean;
}

export interface ChaosResult {
  seed: number;
  stepsPlanned: number;
  stepsRun: number;
  seconds: number;
  violations: ChaosViolation[];
  history: string[];
  /** Violating steps per fault kind (a step with two faults counts for both). */
  violationsByKind: Record<string, number>;
  faultsByKind: Record<string, number>;
  quietWaitsTimedOut: number;
  /** What was unsettled at each quiet-point timeout. */
  quietTimeouts: string[];
  aborted?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface DaemonView {
  /** `ipmpstat -a -j`, exactly as the CLI prints it (or the error). */
  addresses: string;
  /** Per member "name link/probe/state", as `ipmpstat -i` shows them. */
  interfaces: string[];
  /** Members the daemon is still deciding about: link up but probes failed or unknown. */
  pending: string[];
}

/**
 * The daemon's view: the status request `ipmpstat` makes, rendered the way `ipmpstat -a -j`
 * renders it. Made from this process: spawning node for every poll costs ~200 ms a reading.
 */
async function daemonView(ctx: ChaosContext): Promise<DaemonView> {
  try {
    const reply = await request(ctx.d.socketPath, { cmd: 'status' }, 2000);
    if (!reply.ok) return { addresses: `error: ${reply.error.message}`, interfaces: [], pending: [] };
    const snap = reply.result as StatusSnapshot;
    return {
      addresses: renderIpmpstatJson(snap, 'a'),
      interfaces: snap.interfaces.map((i) => `${i.interface} link ${i.link}/probe ${i.probe}/state ${i.state}`),
      pending: snap.interfaces.filter((i) => i.link === 'up' && (i.probe === 'failed' || i.probe === 'unknown'))
        .map((i) => `${i.interface} (link up, probe ${i.probe})`),
    };
  } catch (e) {
    return { addresses: `error: ${(e as Error).message}`, interfaces: [], pending: [] };
  }
}

export interface Quiet { quiet: boolean; ms: number; reason: string }

/**
 * Quiet point: polls the kernel and the daemon's status until two consecutive readings
 * ~200 ms apart are identical, (a)+(b) hold and no member is still being decided on (link
 * up, probes failed or unknown: a repair or failback is on its way), or `timeoutMs` passes.
 * Never a bare sleep. `reason` says what was still unsettled at a timeout.
 */
export async function waitQuiet(ctx: ChaosContext, timeoutMs = 5000): Promise<Quiet> {
  const started = Date.now();
  let prev: string | undefined;
  for (;;) {
    const snap: KernelSnapshot = takeSnapshot(ctx.t.host);
    const view = await daemonView(ctx);
    const key = JSON.stringify([snap, view]);
    const broken = kernelViolations(snap, ctx.config);
    const same = key === prev;
    if (same && broken.length === 0 && view.pending.length === 0) return { quiet: true, ms: Date.now() - started, reason: '' };
    if (Date.now() - started > timeoutMs) {
      const why = [...(same ? [] : ['state still changing']), ...broken, ...view.pending.map((p) => `undecided: ${p}`)];
      return { quiet: false, ms: Date.now() - started, reason: why.join('; ') };
    }
    prev = key;
    await sleep(200);
  }
}

function daemonExited(ctx: ChaosContext): string | undefined {
  const c = ctx.d.child;
  if (c && (c.exitCode !== null || c.signalCode !== null)) {
    return `ipmpd exited unexpectedly (code ${c.exitCode}, signal ${c.signalCode}): ${ctx.d.stderrText.trim().slice(-300)}`;
  }
  return undefined;
}

/** Puts the lab back to a clean state after a violation: known kernel state, fresh daemon. */
async function heal(ctx: ChaosContext, held: StepPlan['faults'], repaired: WeakSet<object>, allDataAddresses: readonly string[]): Promise<string[]> {
  for (const f of held.splice(0)) {
    repaired.add(f); // the next step's planned repair of it is skipped
    await repairFault(ctx, f).catch(() => undefined); // what is left is put right below
  }
  await ctx.d.stop('SIGKILL').catch(() => undefined);
  ctx.d.cleanup();
  const t = ctx.t;
  const names = ctx.config.members.map((m) => m.name);
  // Whatever a failed repair left: renamed NICs back, missing veths recreated, all up.
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const links = takeSnapshot(t.host).links.map((l) => l.name);
    if (!links.includes(name)) {
      if (links.includes(tmpName(i))) ip(t.host, 'link', 'set', tmpName(i), 'name', name);
      else recreateVeth(t, name, t.port(i));
    }
    ip(t.host, 'link', 'set', name, 'up');
    ip(t.sw, 'link', 'set', t.port(i), 'master', 'br0', 'up');
  }
  for (const l of takeSnapshot(t.host).links) {
    for (const a of l.inet) if (allDataAddresses.includes(a.split('/')[0] as string)) ip(t.host, 'addr', 'del', a, 'dev', l.name);
  }
  try { ip(t.host, 'route', 'flush', 'proto', '73'); } catch { /* none left */ }
  ctx.pending.length = 0;
  await startDaemon(ctx);
  await waitQuiet(ctx);
  const after = await inspect(t, ctx.config);
  return [...ctx.pending.splice(0), ...after.violations];
}

/** One chaos run on a fresh 3-NIC lab (deleted at the end, failure or not). */
export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const nics = o.nics ?? 3;
  const log = o.log ?? ((): void => {});
  const variants = chaosVariants(nics);
  const plan = planRun(o.seed, o.steps, nics);
  const names = variants[0]!.members.map((m) => m.name);
  const allDataAddresses = [...new Set(variants.flatMap((v) => v.data.map((d) => d.address)))];
  const result: ChaosResult = {
    seed: o.seed, stepsPlanned: o.steps, stepsRun: 0, seconds: 0, violations: [], history: [],
    violationsByKind: {}, faultsByKind: {}, quietWaitsTimedOut: 0, quietTimeouts: [],
  };
  const started = Date.now();
  let t: Topology | undefined;
  let ctx: ChaosContext | undefined;
  try {
    t = buildTopology(nics);
    ctx = { t, d: undefined as never, config: variants[0]!, variants, pending: [] };
    const c: ChaosContext = ctx;
    const firstStart = await startDaemon(c);
    if (!firstStart) throw new Error(c.pending.join('; '));
    const held: StepPlan['faults'] = [];
    const repaired = new WeakSet<object>();

    const check = async (step: number, stepFaults: string[], kinds: string[]): Promise<{ ok: boolean; q: Quiet }> => {
      const q = await waitQuiet(c, o.quietTimeoutMs ?? 5000);
      if (!q.quiet) {
        result.quietWaitsTimedOut++;
        result.quietTimeouts.push(`step ${step}: not quiet after ${q.ms} ms: ${q.reason}`);
      }
      const exited = daemonExited(c);
      const found = await inspect(t!, c.config);
      const violations = [...c.pending.splice(0), ...(exited ? [exited] : []), ...found.violations];
      if (violations.length === 0) return { ok: true, q };
      const v: ChaosViolation = {
        step, seed: o.seed, violations, stepFaults, history: [...result.history],
        dump: renderSnapshot(found.snapshot),
        ipmpstat: exited ? '(ipmpd not running)' : await daemonView(c).then((x) => `${x.addresses.replace(/\s+/g, ' ').trim()}\n  ipmpstat -i: ${x.interfaces.join(', ')}`),
        daemonLog: c.d.logs.filter((l) => l.level >= 30).slice(-15).map((l) => `${l.level} ${l.msg}`),
        quiet: q.quiet,
      };
      result.violations.push(v);
      for (const k of new Set(kinds)) result.violationsByKind[k] = (result.violationsByKind[k] ?? 0) + 1;
      log(formatViolation(v));
      return { ok: false, q };
    };

    // Step 0: the start-up placement itself.
    result.history.push('step 0: start ipmpd (configuration variant 0)');
    if (!(await check(0, ['start'], ['start'])).ok) {
      const still = await heal(c, held, repaired, allDataAddresses);
      if (still.length) throw new Error(`lab not healthy after a clean start: ${still.join('; ')}`);
    }

    for (const p of plan) {
      if ((Date.now() - started) / 1000 > o.maxSeconds) break;
      if (o.stopOnFirstViolation && result.violations.length > 0) break;
      const lines: string[] = [];
      const faultStart = Date.now();
      for (const f of p.repairs) {
        if (repaired.has(f)) continue;
        lines.push(describeFault(f, names, variants, true));
        await repairFault(c, f);
      }
      held.length = 0;
      const kinds: string[] = [];
      for (const f of p.faults) {
        const what = describeFault(f, names, variants);
        const seen = await applyFault(c, f);
        lines.push(seen ? `${what} ${seen}` : what);
        kinds.push(f.kind);
        result.faultsByKind[f.kind] = (result.faultsByKind[f.kind] ?? 0) + 1;
        if (f.hold) held.push(f);
      }
      const entry = `step ${p.step}: ${lines.join('; ')}`;
      result.history.push(entry);
      result.stepsRun = p.step;
      const stepStart = Date.now();
      const { ok, q } = await check(p.step, lines, kinds);
      log(`${entry}  [${ok ? 'ok' : 'VIOLATED'}, faults ${stepStart - faultStart} ms, checked in ${Date.now() - stepStart} ms${q.quiet ? '' : `; not quiet: ${q.reason}`}]`);
      if (!ok) {
        result.history.push(`step ${p.step}: heal (held faults repaired, addresses and proto 73 routes flushed, ipmpd restarted)`);
        const still = await heal(c, held, repaired, allDataAddresses);
        if (still.length) {
          result.aborted = `lab still violates the invariant after healing at step ${p.step}: ${still.join('; ')}`;
          break;
        }
      }
      // Debug logs of a long run would grow without bound; keep the recent ones.
      if (c.d.logs.length > 4000) c.d.logs.splice(0, c.d.logs.length - 2000);
    }
  } catch (e) {
    result.aborted = `harness error: ${(e as Error).stack ?? String(e)}`;
  } finally {
    if (ctx?.d) {
      await ctx.d.stop().catch(() => undefined);
      ctx.d.cleanup();
    }
    t?.destroy();
    result.seconds = (Date.now() - started) / 1000;
  }
  return result;
}

export function formatViolation(v: ChaosViolation): string {
  return [
    `VIOLATION at step ${v.step} (seed ${v.seed}${v.quiet ? '' : ', checked at the quiet-point timeout'}):`,
    ...v.violations.map((x) => `  - ${x}`),
    `  faults of this step: ${v.stepFaults.join('; ')}`,
    '  kernel dump:',
    ...v.dump.split('\n').map((l) => `    ${l}`),
    `  ipmpstat -a -j: ${v.ipmpstat}`,
    '  ipmpd log (info and above, last 15):',
    ...v.daemonLog.map((l) => `    ${l}`),
  ].join('\n');
}

/** Report for a failing run: seed, replay command, every violation, the full fault history. */
export function formatReport(r: ChaosResult): string {
  return [
    `chaos: seed ${r.seed} (replay: CHAOS_SEED=${r.seed}), ${r.stepsRun}/${r.stepsPlanned} steps in ${r.seconds.toFixed(1)} s, `
      + `${r.violations.length} violating step(s), ${r.quietWaitsTimedOut} quiet-point timeouts`,
    ...(r.aborted ? [`ABORTED: ${r.aborted}`] : []),
    ...r.violations.map(formatViolation),
    ...(r.quietTimeouts.length ? ['quiet-point timeouts:', ...r.quietTimeouts.map((q) => `  ${q}`)] : []),
    'fault history:',
    ...r.history.map((h) => `  ${h}`),
  ].join('\n');
}

export { renderConfig };
