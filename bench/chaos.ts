// Long chaos run (`npm run bench chaos`): the seeded operator-fault sequence of
// test/integration/chaos.test.ts, 2,000 steps by default (BENCH_CHAOS_STEPS), seed from
// CHAOS_SEED (default: a fresh random seed, printed, so every run explores a new sequence and
// any run can be replayed). BENCH_CHAOS_MAX_SECONDS bounds the time (default 4 h),
// BENCH_CHAOS_VERBOSE=1 prints every step. Writes bench/results/chaos.json (seed, steps,
// seconds, violations count, per-kind counts) and bench/results/chaos-details.json (each
// violation with its step, faults, kernel dump, ipmpd log and the history before it; the full
// fault history).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatReport, formatViolation, runChaos } from '../test/helpers/chaos.js';
import { seedFromEnv } from '../test/helpers/prng.js';
import { resultsDir, writeResult } from './lib.js';

const STEPS = Number(process.env.BENCH_CHAOS_STEPS ?? 2000);
const MAX_SECONDS = Number(process.env.BENCH_CHAOS_MAX_SECONDS ?? 4 * 3600);
/** Violations kept in full in chaos-details.json. */
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
  if (r.violations.length > 0 || r.aborted) console.log(formatReport({ ...r, violations: [], history: [] }));
  // Everything needed to replay and diagnose, in a file of its own (the summary below is printed).
  const detailsFile = join(resultsDir(), 'chaos-details.json');
  mkdirSync(resultsDir(), { recursive: true });
  writeFileSync(detailsFile, `${JSON.stringify({
    seed: r.seed,
    violations: r.violations.slice(0, KEEP).map((v) => ({ ...v, history: v.history.slice(-20), report: formatViolation(v) })),
    violationsLeftOut: Math.max(0, r.violations.length - KEEP),
    quietTimeouts: r.quietTimeouts,
    history: r.history,
  }, null, 2)}\n`);
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
    firstViolations: Object.fromEntries(r.violations.slice(0, 20).map((v) => [`step ${v.step}`, `${v.violations.join(' | ')} <= ${v.stepFaults.join('; ')}`])),
    detailsFile,
  };
  writeResult('chaos', result);
  return result;
}
