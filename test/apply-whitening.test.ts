/**
 * Applying the ZCA matrix with our own float32 matrix product
 * (linalg/applyWhitening.ts, wasm/linalg.c's sgemm) against float64.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../src/index.js';
import { applyWhitening } from '../src/linalg/applyWhitening.js';
import { testData } from './helpers/generators.js';

/** rows (count x d) times w (d x d) in float64, and the sum of |products| per output (the float32 error scale). */
function reference(rows: ArrayLike<number>, count: number, w: ArrayLike<number>, d: number): { exact: Float64Array; magnitude: Float64Array } {
  const exact = new Float64Array(count * d);
  const magnitude = new Float64Array(count * d);
  for (let i = 0; i < count; i++) for (let k = 0; k < d; k++) {
    const a = rows[i * d + k]!;
    for (let j = 0; j < d; j++) {
      exact[i * d + j]! += a * w[k * d + j]!;
      magnitude[i * d + j]! += Math.abs(a * w[k * d + j]!);
    }
  }
  return { exact, magnitude };
}

const smallIntegers = (length: number, seed: number) => Float32Array.from(testData(length, seed), (v) => Math.floor(v * 17) - 8);

describe('applyWhitening (wasm float32 product)', () => {
  // Integers in [-8, 8]: every product and partial sum is exact in float32, so the result must equal the exact one.
  it.each([
    [1, 5], [3, 8], [5, 75], [32, 300], [33, 3072],
  ])('%i rows of %i values, small integers: exact', (count, d) => {
    const rows = smallIntegers(count * d, count + d);
    const w = smallIntegers(d * d, 7 * d);
    const { exact } = reference(rows, count, w, d);
    expect(applyWhitening(rows, count, w, d)).toBe(true);
    // Counted, not compared with toEqual: a diff of 100,000 numbers would take minutes to print.
    expect(exact.filter((v, i) => rows[i] !== v).length).toBe(0);
  });

  it('real-valued rows and matrix: within float32 summation error of float64', () => {
    const count = 40, d = 768;
    const rows = Float32Array.from(testData(count * d, 3), (v) => (v - 0.5) * 255);
    const w = Float32Array.from(testData(d * d, 4), (v) => v - 0.5);
    const { exact, magnitude } = reference(rows, count, w, d);
    applyWhitening(rows, count, w, d);
    // Sums of 256 terms in registers, then chunk by chunk: far inside d * 2^-24 of the |products|.
    for (let i = 0; i < exact.length; i++) expect(Math.abs(rows[i]! - exact[i]!)).toBeLessThan(1e-5 * magnitude[i]!);
  });

  it('the same bits on one thread (before the second starts) and on two, and after another matrix was packed', async () => {
    const count = 32, d = 3072;
    const x = Float32Array.from(testData(count * d, 5), (v) => v * 255);
    const w = Float32Array.from(testData(d * d, 6), (v) => v - 0.5);
    const first = x.slice();
    applyWhitening(first, count, w, d);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the second thread is serving by now
    applyWhitening(x.slice(), 2, smallIntegers(d * d, 8), d); // pack another matrix, then come back
    const later = x.slice();
    applyWhitening(later, count, w, d);
    expect(Buffer.from(later.buffer).equals(Buffer.from(first.buffer))).toBe(true);
  });
});

describe('standardize with ZCA uses it', () => {
  it('standardize(batch) is (x - mean) @ W within float32 error, leaks no tensors, and alternating generators keep their own W', async () => {
    const n = 300, shape = [n, 4, 4, 3] as const, d = 48;
    const make = (seed: number) => Float32Array.from(testData(n * d, seed), (v) => Math.round(v * 255));
    const a = await new ImageDataGenerator({ zcaWhitening: true }).fit({ data: make(1), shape: [...shape] });
    const b = await new ImageDataGenerator({ zcaWhitening: true }).fit({ data: make(2), shape: [...shape] });
    const x = make(3).subarray(0, 20 * d);
    const before = tf.memory().numTensors;
    for (const g of [a, b, a]) {
      // zcaWhitening turns featurewiseCenter on, as in Keras; the centred pixels are float32.
      const { mean, zcaWhiteningMatrix } = g.toJSON().statistics;
      const centred = Float32Array.from(x, (v, i) => v - mean!.values[i % 3]!);
      const { exact, magnitude } = reference(centred, 20, zcaWhiteningMatrix!.values, d);
      const out = g.standardize({ data: x, shape: [20, 4, 4, 3] });
      const got = out.dataSync();
      out.dispose();
      for (let i = 0; i < exact.length; i++) expect(Math.abs(got[i]! - exact[i]!)).toBeLessThan(1e-5 * magnitude[i]!);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
