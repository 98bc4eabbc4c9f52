// Long chaos run (`npm run bench chaos`): the seeded operator-fault sequence of
// test/integration/chaos.test.ts, 2,000 steps by default (BENCH_CHAOS_STEPS), seed from
// CHAOS_SEED (default: a fresh random seed, printed, so every run explores a new sequence and
// any run can be replayed). Writes bench/results/chaos.json: violations, steps, seconds, and
// each violation with its step, faults, kernel dump and the fault history before it.
import { formatReport, formatViolation, runChaos } from '../test/helpers/chaos.js';
import { seedFromEnv } from '../test/helpers/prng.js';
import { writeResult } from './lib.js';

const STEPS = Number(process.env.BENCH_CHAOS_STEPS ?? 2000);
const MAX_SECONDS = Number(process.env.BENCH_CHAOS_MAX_SECONDS ?? 4 * 3600);
/** Violations kept in full in the JSON (each carries the history before it). */
const KEEP = 50;

export async function run(): Promise<Record<string, unknown>> {
  if (!Number.isInteger(STEPS) || STEPS < 1) throw new Error(`BENCH_CHAOS_STEPS must be a positive integer, got ${process.env.BENCH_CHAOS_STEPS}`);
  const seed = seedFromEnv((Math.random() * 2 ** 32) >>> 0);
  console.log(`chaos: seed ${seed} (CHAOS_SEED=${seed} to replay), ${STEPS} steps, at most ${MAX_SECONDS} s`);
  const verbose = process.env.BENCH_CHAOS_VERBOSE === '1';
  const r = await runChaos({
    seed, steps: STEPS, maxSeconds: MAX_SECONDS,
    log: (l) => { if (verbose || l.startsWith('VIOLATION')) console.log(l); },
  });
  if (r.violations.length > 0 || r.aborted) console.log(formatReport({ ...r, violations: [] }));
  const result = {
    seed: r.seed,
    steps: r.stepsRun,
    stepsPlanned: r.stepsPlanned,
    seconds: r.seconds,
    secondsPerStep: r.stepsRun ? r.seconds / r.stepsRun : 0,
    violations: r.violations.length,
    quietWaitsTimedOut: r.quietWaitsTimedOut,
    aborted: r.aborted ?? null,
    faultsByKind: r.faultsByKind,
    violationsByKind: r.violationsByKind,
    violationSummary: r.violations.map((v) => `step ${v.step}: ${v.violations.join(' | ')} <= ${v.stepFaults.join('; ')}`),
    violationDetails: r.violations.slice(0, KEEP).map((v) => ({ ...v, history: v.history.slice(-20), report: formatViolation(v) })),
    history: r.history,
  };
  writeResult('chaos', result);
  return result;
}
