/**
 * Keras's ZCA whitening matrix from the centred Gram matrix G = X^T X:
 * with G = U diag(lambda) U^T, W = U diag(sqrt(n) / (sqrt(lambda) + eps)) U^T
 * over the top min(n, d) eigenpairs. That equals Keras's
 * `u * (sqrt(n) / (s + eps)) @ u.T` from the thin SVD of X^T, whose singular
 * values are s = sqrt(lambda) and which has only min(n, d) of them.
 */
import { symmetricEigen } from './symmetricEigen.js';

export function zcaMatrix(gram: Float64Array, d: number, n: number, epsilon: number): Float32Array {
  const { values, vectors: u } = symmetricEigen(gram, d);
  const keep = Math.min(n, d);
  const factor = new Float64Array(d);
  // Eigenvalues ascend, so the kept ones are the last `keep`.
  for (let k = d - keep; k < d; k++) factor[k] = Math.sqrt(n) / (Math.sqrt(Math.max(values[k]!, 0)) + epsilon);
  const w = new Float32Array(d * d);
  const scaled = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) scaled[k] = u[i * d + k]! * factor[k]!;
    for (let j = i; j < d; j++) {
      let sum = 0;
      for (let k = d - keep; k < d; k++) sum += scaled[k]! * u[j * d + k]!;
      w[i * d + j] = sum;
      w[j * d + i] = sum;
    }
  }
  return w;
}
