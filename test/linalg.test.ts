import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { symmetricEigen } from '../src/linalg/symmetricEigen.js';
import { WasmLinalg } from '../src/linalg/wasmLinalg.js';
import { zcaMatrix } from '../src/linalg/zca.js';
import { openGram } from '../src/stats/gram.js';
import { testData } from './helpers/generators.js';

type Solver = (a: Float64Array, d: number) => { values: Float64Array; vectors: Float64Array };

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

function check(solve: Solver, a: Float64Array, d: number) {
  const original = a.slice();
  const { values, vectors: u } = solve(a, d);
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

let kernels: WasmLinalg;
let serialKernels: WasmLinalg;
beforeAll(async () => {
  kernels = (await WasmLinalg.open())!;
  serialKernels = (await WasmLinalg.open({ threads: false }))!;
});
afterAll(async () => {
  await kernels.close();
  await serialKernels.close();
});

const solvers: [string, Solver][] = [
  ['TypeScript (Householder + QL)', symmetricEigen],
  ['wasm (blocked Householder + divide and conquer), two threads', (a, d) => kernels.eigen(a, d)],
  ['wasm, one thread', (a, d) => serialKernels.eigen(a, d)],
];

const randomSymmetric = (d: number, seed: number) => {
  const r = testData(d * d, seed);
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) a[i * d + j] = a[j * d + i] = r[i * d + j]! - 0.5;
  return a;
};

describe.each(solvers)('symmetric eigensolver (float64): %s', (_, solve) => {
  it('random symmetric matrix: orthogonal U, exact reconstruction, ascending eigenvalues', () => {
    const d = 60;
    const { values, orth, rec } = check(solve, randomSymmetric(d, 11), d);
    expect(orth).toBeLessThan(1e-12);
    expect(rec).toBeLessThan(1e-13);
    for (let k = 1; k < d; k++) expect(values[k]!).toBeGreaterThanOrEqual(values[k - 1]!);
  });

  it('covariance-like spectrum spanning 9 orders of magnitude: eigenvalues to 1e-9 of the largest', () => {
    const d = 48;
    const lambda = Array.from({ length: d }, (_, k) => 10 ** (3 - (9 * k) / (d - 1)));
    const { values, orth, rec } = check(solve, withSpectrum(lambda, 5), d);
    const sorted = [...lambda].sort((a, b) => a - b);
    for (let k = 0; k < d; k++) expect(Math.abs(values[k]! - sorted[k]!)).toBeLessThan(1e-9 * 1e3);
    expect(orth).toBeLessThan(1e-12);
    expect(rec).toBeLessThan(1e-13);
  });

  it('rank-deficient input (n < d): the null space comes out as (near) zero eigenvalues', () => {
    const d = 30;
    const lambda = Array.from({ length: d }, (_, k) => (k < 20 ? 0 : k));
    const { values } = check(solve, withSpectrum(lambda, 8), d);
    for (let k = 0; k < 20; k++) expect(Math.abs(values[k]!)).toBeLessThan(1e-12 * 30);
  });
});

describe('wasm eigensolver at sizes where divide and conquer merges and deflates', () => {
  it.each([
    ['random, d = 300', () => randomSymmetric(300, 3), null],
    // Many equal eigenvalues: the merges deflate most of each problem.
    ['three distinct eigenvalues, d = 200', null, Array.from({ length: 200 }, (_, k) => [1, 2, 5][k % 3]!)],
    // Image covariance: a few large eigenvalues, a long tail down to 1e-7 of the largest, in clusters.
    ['spectrum spanning 7 decades with clusters, d = 256', null, Array.from({ length: 256 }, (_, k) => 10 ** (-7 * Math.floor(k / 4) / 63) * (1 + 1e-9 * k))],
  ] as const)('%s: orthogonality, reconstruction and eigenvalues', (_, random, lambda) => {
    const d = lambda ? lambda.length : 300;
    const a = lambda ? withSpectrum([...lambda], 21) : random!();
    const { values, orth, rec } = check((m, n) => kernels.eigen(m, n), a, d);
    expect(orth).toBeLessThan(1e-12);
    expect(rec).toBeLessThan(1e-13);
    const reference = lambda ? Float64Array.from(lambda).sort() : symmetricEigen(a.slice(), d).values;
    const scale = Math.max(...Array.from(reference, Math.abs));
    for (let k = 0; k < d; k++) expect(Math.abs(values[k]! - reference[k]!)).toBeLessThan(1e-13 * scale * Math.sqrt(d));
  });

  it('one thread and two threads agree, and two runs with two threads are bit-identical', () => {
    const d = 400;
    const a = randomSymmetric(d, 9);
    const one = serialKernels.eigen(a, d);
    const two = kernels.eigen(a, d);
    const again = kernels.eigen(a, d);
    expect(Buffer.from(again.vectors.buffer).equals(Buffer.from(two.vectors.buffer))).toBe(true);
    for (let k = 0; k < d; k++) expect(Math.abs(one.values[k]! - two.values[k]!)).toBeLessThan(1e-12);
  });
});

describe('Gram accumulation and ZCA matrix: wasm (exact integer tiles) and TypeScript (float64)', () => {
  // 8x8x3 "images": smooth random fields with correlated channels, sensor noise, quantized to 8 bits.
  const n = 1500, side = 8, d = side * side * 3;
  const noise = testData(n * 6, 17);
  const sensor = testData(n * d, 23);
  const data = new Float32Array(n * d);
  for (let t = 0; t < n; t++) {
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
      const base = 0.5 + 0.2 * Math.sin(x * noise[t * 6]! * 2 + noise[t * 6 + 1]! * 6) * Math.cos(y * noise[t * 6 + 2]! * 2 + noise[t * 6 + 3]! * 6);
      for (let c = 0; c < 3; c++) {
        const jitter = sensor[t * d + (y * side + x) * 3 + c]! * 0.02;
        data[t * d + (y * side + x) * 3 + c] = Math.round((base * (1 - 0.1 * c) + jitter) * 255) / 255;
      }
    }
  }
  const channelMean = [0, 1, 2].map((c) => { let s = 0; for (let i = c; i < data.length; i += 3) s += data[i]!; return s / (n * side * side); });
  const mu = Float64Array.from({ length: d }, (_, f) => channelMean[f % 3]!);
  // float64 reference: the centred Gram matrix by definition, then W from the TypeScript eigensolver.
  const g = new Float64Array(d * d);
  for (let t = 0; t < n; t++) for (let i = 0; i < d; i++) {
    const xi = data[t * d + i]! - mu[i]!;
    for (let j = 0; j < d; j++) g[i * d + j]! += xi * (data[t * d + j]! - mu[j]!);
  }
  const reference = zcaMatrix(g, d, n, 1e-6);

  // The values are k / 255: not integers, so the wasm engine takes its float64 tiles. W itself is float32 (1e-7).
  it.each([['wasm', 1e-7], ['js', 1e-7]] as const)('%s engine, streamed in uneven batches: W within %s relative Frobenius of the float64 reference', async (engine, tolerance) => {
    const gram = await openGram(d, 1, 2 ** 31, engine);
    for (const [from, to] of [[0, 7], [7, 700], [700, 1500]] as const) gram.add(data.subarray(from * d, to * d), to - from);
    expect(gram.count).toBe(n);
    const w = gram.whitening(mu, 1e-6);
    await gram.close();
    let num = 0, den = 0;
    for (let i = 0; i < d * d; i++) { num += (w[i]! - reference[i]!) ** 2; den += reference[i]! ** 2; }
    expect(Math.sqrt(num / den)).toBeLessThan(tolerance);
  });
});

describe('WasmLinalg.open() reuses the last small closed instance', () => {
  it('hands it back emptied (the same results as a fresh one); a large one is not kept', async () => {
    const a = randomSymmetric(64, 12);
    const first = (await WasmLinalg.open())!;
    const fresh = first.eigen(a, 64);
    const empty = first.mark();
    first.alloc(1 << 20);
    await first.close();
    const again = (await WasmLinalg.open())!;
    expect(again).toBe(first);
    expect(again.mark()).toBe(empty); // the 1 MB block was released
    const reused = again.eigen(a, 64);
    expect(Buffer.from(reused.vectors.buffer).equals(Buffer.from(fresh.vectors.buffer))).toBe(true);
    again.alloc(80 * 2 ** 20);
    await again.close();
    const other = (await WasmLinalg.open())!;
    expect(other).not.toBe(again);
    await other.close();
  });
});
