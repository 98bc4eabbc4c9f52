// A small seeded PRNG (mulberry32) for the chaos test: the same seed gives the same fault
// sequence on every machine. Not for anything cryptographic.

/** Default seed of the chaos runs when CHAOS_SEED is not set. */
export const DEFAULT_CHAOS_SEED = 0x5eed1;

export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    // mulberry32 (Tommy Ettinger), 32-bit state.
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`Rng.int: bad bound ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: empty list');
    return items[this.int(items.length)] as T;
  }

  /** Index chosen with the given non-negative weights. */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0);
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i] as number;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
}

/**
 * The seed from CHAOS_SEED (decimal or 0x hex), else `fallback`. `CHAOS_SEED=random` draws
 * one; the caller prints whatever seed it used so any run can be replayed.
 */
export function seedFromEnv(fallback: number = DEFAULT_CHAOS_SEED, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CHAOS_SEED?.trim();
  if (!raw) return fallback >>> 0;
  if (raw === 'random') return (Math.random() * 2 ** 32) >>> 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`CHAOS_SEED must be an integer 0…2^32-1 (or "random"), got ${raw}`);
  return n;
}
