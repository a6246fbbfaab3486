/**
 * Keras's last standardize step, `flat(x) @ W`, as a float32 matrix product
 * of our own (wasm/linalg.c's sgemm: W packed into column panels once, 4 x 8
 * register blocks of f32x4, both cores on Node) on the process-wide wasm
 * linalg instance. It keeps the last matrix it was given packed (another one
 * is packed in its place, about 0.1 s at d = 3072) and buffers for the
 * largest batch so far.
 */
import { WasmLinalg } from './wasmLinalg.js';

interface Packed {
  matrix: Float32Array;
  at: number;
  /** Allocation mark after the packed matrix: the batch buffers start here. */
  afterMatrix: number;
  rows: number;
  a: number;
  c: number;
}

let base: number | undefined;
let packed: Packed | null = null;

/**
 * Replaces each of the `count` rows (d values each) of `rows` by the row
 * times `matrix` (d x d, row-major). Returns false, changing nothing, where
 * the wasm module is unavailable (the caller then multiplies another way).
 */
export function applyWhitening(rows: Float32Array, count: number, matrix: Float32Array, d: number): boolean {
  const kernels = WasmLinalg.shared();
  if (kernels === null) return false;
  const { exports } = kernels;
  base ??= kernels.mark();
  if (packed === null || packed.matrix !== matrix) {
    kernels.release(base);
    const at = kernels.alloc(exports.sgemm_packed_floats(d, d) * 4);
    const staging = kernels.mark();
    const source = kernels.alloc(d * d * 4);
    kernels.f32(source, d * d).set(matrix);
    exports.sgemm_pack_b(source, d, d, at);
    kernels.release(staging);
    packed = { matrix, at, afterMatrix: kernels.mark(), rows: 0, a: 0, c: 0 };
  }
  const p = packed;
  if (count > p.rows) {
    kernels.release(p.afterMatrix);
    p.rows = count;
    p.a = kernels.alloc(count * d * 4);
    p.c = kernels.alloc(count * d * 4);
  }
  kernels.f32(p.a, count * d).set(rows.subarray(0, count * d));
  exports.sgemm(p.a, count, d, p.at, d, p.c);
  rows.set(kernels.f32(p.c, count * d));
  return true;
}
