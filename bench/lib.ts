// Benchmark helpers: sample statistics, result files under bench/results/, and throw-away
// network namespaces (benchmarks never touch the host namespace).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Stats {
  n: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
}

/** Nearest-rank percentile of an ascending array (q in 0..100). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export const median = (samples: readonly number[]): number => percentile([...samples].sort((a, b) => a - b), 50);

export function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return {
    n: s.length,
    min: s[0] ?? Number.NaN,
    max: s.at(-1) ?? Number.NaN,
    mean: s.length ? sum / s.length : Number.NaN,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
  };
}

/** Rounds numbers in a result to 4 significant digits for printing. */
function tidy(v: unknown): unknown {
  if (typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v)) return Number(v.toPrecision(4));
  if (Array.isArray(v)) return v.map(tidy);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tidy(x)]));
  return v;
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('bench: cannot find the package root');
    dir = parent;
  }
}

export const resultsDir = (): string => join(repoRoot(), 'bench', 'results');

/** Writes bench/results/<name>.json and prints a readable summary plus the JSON. */
export function writeResult(name: string, result: Record<string, unknown>): string {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  const doc = { name, date: new Date().toISOString(), node: process.version, ...(tidy(result) as Record<string, unknown>) };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`\n== ${name} ==`);
  for (const [k, v] of Object.entries(doc)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      console.log(`  ${k}:`);
      for (const [k2, v2] of Object.entries(v)) console.log(`    ${k2}: ${typeof v2 === 'object' ? JSON.stringify(v2) : String(v2)}`);
    } else {
      console.log(`  ${k}: ${String(v)}`);
    }
  }
  console.log(`  -> ${file}`);
  console.log(JSON.stringify(doc));
  return file;
}

export const sh = (cmd: string, args: string[]): string =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * Test runs delete every ipmpdt-* namespace at start, so benchmarks use their own prefix
 * to survive a concurrent test run.
 */
export const BENCH_NS_PREFIX = 'ipmpdb-';

/** Runs `fn` with fresh namespaces named ipmpdb-<id>-<role>; always deletes them. */
export async function withNamespaces<T>(roles: string[], fn: (ns: Record<string, string>) => Promise<T>): Promise<T> {
  const id = randomBytes(3).toString('hex');
  const made: string[] = [];
  try {
    const ns: Record<string, string> = {};
    for (const role of roles) {
      const name = `${BENCH_NS_PREFIX}${id}-${role}`;
      sh('ip', ['netns', 'add', name]);
      made.push(name);
      sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
      ns[role] = name;
    }
    return await fn(ns);
  } finally {
    for (const name of made) {
      try {
        sh('ip', ['netns', 'del', name]);
      } catch (e) {
        console.error(`bench: could not delete namespace ${name}: ${(e as Error).message}`);
      }
    }
  }
}

export const nsPath = (name: string): string => `/run/netns/${name}`;

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
