/**
 * Streaming second moments for ZCA: the Gram matrix S = sum x x^T of the
 * flattened images and the feature sums, in float64. The centred matrix
 * G = (X - mu)^T (X - mu) for any per-feature centre mu follows exactly
 * from S, the sums and n, so batches of any size stream in one pass.
 */
import { MemoryBudgetError } from '../errors.js';

export class GramAccumulator {
  count = 0;
  /** Upper triangle of sum x x^T (row-major d x d; the lower part is unused). */
  private readonly s: Float64Array;
  private readonly sums: Float64Array;

  constructor(readonly features: number, maxBytes: number) {
    // S, the centred copy that becomes the eigenvectors, and W: three d x d float64 matrices.
    const bytes = 3 * features * features * 8;
    if (bytes > maxBytes) throw new MemoryBudgetError(features, bytes, maxBytes);
    this.s = new Float64Array(features * features);
    this.sums = new Float64Array(features);
  }

  /** Adds `n` flattened samples (`data` is n x d, row-major), each multiplied by `scale`. */
  add(data: Float32Array, n: number, scale: number): void {
    const d = this.features;
    const row = new Float64Array(d);
    for (let t = 0; t < n; t++) {
      for (let i = 0; i < d; i++) row[i] = data[t * d + i]! * scale;
      for (let i = 0; i < d; i++) {
        const xi = row[i]!;
        this.sums[i]! += xi;
        if (xi === 0) continue;
        const base = i * d;
        for (let j = i; j < d; j++) this.s[base + j]! += xi * row[j]!;
      }
    }
    this.count += n;
  }

  /** The full symmetric G = sum (x - mu)(x - mu)^T for the per-feature centre `mu`. */
  centred(mu: Float64Array): Float64Array {
    const d = this.features;
    const n = this.count;
    const g = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const v = this.s[i * d + j]! - mu[i]! * this.sums[j]! - this.sums[i]! * mu[j]! + n * mu[i]! * mu[j]!;
        g[i * d + j] = v;
        g[j * d + i] = v;
      }
    }
    return g;
  }
}
