import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../src/linalg/symmetricEigen.js';
import { testData } from './helpers/generators.js';

/** A = Q diag(lambda) Q^T with Q a product of two Householder reflections of random vectors. */
function withSpectrum(lambda: number[], seed: number): Float64Array {
  const d = lambda.length;
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) q[i * d + i] = 1;
  for (let r = 0; r < 2; r++) {
    const v = Array.from(testData(d, seed + r), (x) => x - 0.5);
    const norm2 = v.reduce((a, b) => a + b * b, 0);
    // q = q (I - 2 v v^T / |v|^2)
    for (let i = 0; i < d; i++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += q[i * d + k]! * v[k]!;
      for (let k = 0; k < d; k++) q[i * d + k]! -= (2 * dot * v[k]!) / norm2;
    }
  }
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += q[i * d + k]! * lambda[k]! * q[j * d + k]!;
    a[i * d + j] = s;
  }
  return a;
}

function check(a: Float64Array, d: number) {
  const original = a.slice();
  const { values, vectors: u } = symmetricEigen(a, d);
  let orth = 0, rec = 0, norm = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let o = 0, r = 0;
    for (let k = 0; k < d; k++) { o += u[k * d + i]! * u[k * d + j]!; r += u[i * d + k]! * values[k]! * u[j * d + k]!; }
    orth = Math.max(orth, Math.abs(o - (i === j ? 1 : 0)));
    rec += (r - original[i * d + j]!) ** 2;
    norm += original[i * d + j]! ** 2;
  }
  return { values, orth, rec: Math.sqrt(rec / norm) };
}

describe('symmetricEigen (float64)', () => {
  it('random symmetric matrix: orthogonal U, exact reconstruction, ascending eigenvalues', () => {
    const d = 60;
    const r = testData(d * d, 11);
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) a[i * d + j] = a[j * d + i] = r[i * d + j]! - 0.5;
    const { values, orth, rec } = check(a, d);
    expect(orth).toBeLessThan(1e-12);
    expect(rec).toBeLessThan(1e-13);
    for (let k = 1; k < d; k++) expect(values[k]!).toBeGreaterThanOrEqual(values[k - 1]!);
  });

  it('covariance-like spectrum spanning 9 orders of magnitude: eigenvalues to 1e-9 of the largest', () => {
    const d = 48;
    const lambda = Array.from({ length: d }, (_, k) => 10 ** (3 - (9 * k) / (d - 1)));
    const { values, orth, rec } = check(withSpectrum(lambda, 5), d);
    const sorted = [...lambda].sort((a, b) => a - b);
    for (let k = 0; k < d; k++) expect(Math.abs(values[k]! - sorted[k]!)).toBeLessThan(1e-9 * 1e3);
    expect(orth).toBeLessThan(1e-12);
    expect(rec).toBeLessThan(1e-13);
  });

  it('rank-deficient input (n < d): the null space comes out as (near) zero eigenvalues', () => {
    const d = 30;
    const lambda = Array.from({ length: d }, (_, k) => (k < 20 ? 0 : k));
    const { values } = check(withSpectrum(lambda, 8), d);
    for (let k = 0; k < 20; k++) expect(Math.abs(values[k]!)).toBeLessThan(1e-12 * 30);
  });
});
