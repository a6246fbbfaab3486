import { describe, expect, it } from 'vitest';
import { Xoshiro128, checkSeed } from '../src/random/random.js';

describe('Xoshiro128', () => {
  it('is deterministic per key list and differs across keys', () => {
    const draw = (keys: number[]) => { const r = new Xoshiro128(keys); return Array.from({ length: 8 }, () => r.nextUint32()); };
    expect(draw([1, 2])).toEqual(draw([1, 2]));
    expect(draw([1, 2])).not.toEqual(draw([1, 3]));
    expect(draw([1, 2])).not.toEqual(draw([2, 1]));
  });

  it('random() is uniform on [0, 1): mean, variance and range over 200,000 draws', () => {
    const r = new Xoshiro128([42]);
    let s = 0, s2 = 0, min = 1, max = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const v = r.random();
      s += v; s2 += v * v; min = Math.min(min, v); max = Math.max(max, v);
    }
    expect(Math.abs(s / n - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(s2 / n - (s / n) ** 2 - 1 / 12)).toBeLessThan(0.002);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
  });

  it('interval(max) covers 0..max evenly and never exceeds it', () => {
    const r = new Xoshiro128([7]);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[r.interval(5)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it('permutation(n) is a permutation and every position is uniform', () => {
    const r = new Xoshiro128([3]);
    const firstCounts = new Array(5).fill(0);
    for (let t = 0; t < 20_000; t++) {
      const p = r.permutation(5);
      expect([...p].sort()).toEqual([0, 1, 2, 3, 4]);
      firstCounts[p[0]!]++;
    }
    for (const c of firstCounts) expect(Math.abs(c - 4000)).toBeLessThan(300);
  });

  it('seeds must be integers in [0, 2^32)', () => {
    expect(checkSeed(0)).toBe(0);
    expect(() => checkSeed(1.5)).toThrow(/`seed`/);
    expect(() => checkSeed(2 ** 32)).toThrow(/`seed`/);
  });
});
