/**
 * A small deterministic pseudo-random generator for data synthesis and sampling on the CPU.
 *
 * Generator: xoshiro128** (Blackman and Vigna, "Scrambled linear pseudorandom number generators",
 * ACM TOMS 2021), 128-bit state, period 2^128 - 1, seeded through splitmix32 so that any 32-bit
 * seed (including 0) gives a well-mixed, non-zero state. Normal deviates use the Box-Muller
 * transform, caching the second value of each pair.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = 0;
  private hasSpare = false;

  /** @param seed any number; only its low 32 bits (after truncation to an integer) are used. */
  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      // splitmix32 (Steele, Lea and Flood 2014, 32-bit variant)
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Next raw 32-bit output as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform on [lo, hi) (default [0, 1)), with 32 bits of resolution. */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * (this.nextUint32() / 4294967296);
  }

  /** Normal N(mean, std^2) by Box-Muller: sqrt(-2 ln u1) * (cos, sin)(2 pi u2), u1 in (0, 1]. */
  normal(mean = 0, std = 1): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return mean + std * this.spare;
    }
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    this.hasSpare = true;
    return mean + std * r * Math.cos(2 * Math.PI * u2);
  }

  /** The full generator state, for checkpoints: restoring it with setState replays the stream. */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.hasSpare ? 1 : 0, this.spare];
  }

  setState(state: readonly number[]): void {
    if (state.length !== 6) throw new RangeError('Rng.setState: expected 6 numbers');
    [this.s0, this.s1, this.s2, this.s3] = state.slice(0, 4).map((v) => v | 0);
    this.hasSpare = state[4] === 1;
    this.spare = state[5];
  }

  /** Uniform integer in {0, ..., n - 1}; n must be a positive integer below 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
      throw new RangeError(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    return Math.floor(this.uniform() * n);
  }

  /**
   * `n` distinct indices of {0, ..., count - 1} in ascending order, drawn without replacement
   * (a partial Fisher-Yates shuffle: n draws); all of them when n ≥ count (no draws).
   */
  sample(count: number, n: number): number[] {
    const all = Array.from({ length: count }, (_, i) => i);
    if (n >= count) return all;
    for (let i = 0; i < n; i++) {
      const k = i + this.int(count - i);
      [all[i], all[k]] = [all[k], all[i]];
    }
    return all.slice(0, n).sort((a, b) => a - b);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Combines a seed and stream keys (e.g. split number, item index) into one 32-bit seed, so that
 * independent streams can be drawn from one user seed: deriveSeed(seed, 2, 7) names stream (2, 7).
 * Each part is folded in with the murmur3 32-bit finaliser.
 */
export function deriveSeed(...parts: number[]): number {
  let h = 0x6a09e667;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x5bd1e995);
    h ^= h >>> 15;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}
