/**
 * Seeded random numbers. `RandomGenerator` turns a stream of uint32 words
 * into the draws this library needs, using NumPy's legacy algorithms for each
 * (53-bit doubles, bounded integers by masked rejection, Fisher-Yates
 * shuffles), so any word source with NumPy's stream gives NumPy's draws.
 */
import { InvalidArgumentError } from '../errors.js';

export abstract class RandomGenerator {
  /** The next uniformly distributed 32-bit word. */
  abstract nextUint32(): number;

  /** Uniform double in [0, 1) with 53 random bits (NumPy `random_sample`). */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform double in [low, high) (NumPy `uniform`). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /** Uniform integer in [0, max], max < 2^32 (NumPy's `random_interval`). */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do value = (this.nextUint32() & mask) >>> 0;
    while (value > max);
    return value;
  }

  /** A random permutation of 0..n-1 (NumPy `permutation(n)`: Fisher-Yates from the end). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }
}

/** xoshiro128** (Blackman and Vigna): small, fast, and good enough for augmentation. */
export class Xoshiro128 extends RandomGenerator {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Seeds from any list of 32-bit integers (a seed and stream keys), mixed by SplitMix32. */
  constructor(keys: readonly number[]) {
    super();
    let h = 0x6a09e667;
    for (const k of keys) h = splitMix32(h ^ k);
    this.s0 = h = splitMix32(h);
    this.s1 = h = splitMix32(h);
    this.s2 = h = splitMix32(h);
    this.s3 = splitMix32(h);
  }

  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

function splitMix32(a: number): number {
  let t = (a + 0x9e3779b9) | 0;
  t = Math.imul(t ^ (t >>> 16), 0x21f0aaad);
  t = Math.imul(t ^ (t >>> 15), 0x735a2d97);
  return (t ^ (t >>> 15)) >>> 0;
}

/** Validates a user seed: an integer in [0, 2^32), as NumPy requires. */
export function checkSeed(seed: unknown, argument = 'seed'): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InvalidArgumentError(argument, 'an integer in [0, 2^32)', seed);
  }
  return seed;
}

/** A fresh seed for unseeded use. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x100000000);
}
