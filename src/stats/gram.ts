/**
 * Streaming second moments for ZCA: the Gram matrix S = sum y y^T of the
 * flattened images y = x - shift and the feature sums. The centred matrix
 * G = (X - mu)^T (X - mu) for any per-feature centre mu follows exactly from
 * S, the sums and n, so batches of any size stream in one pass; the ZCA
 * matrix then comes from G (linalg/).
 *
 * Two engines: WebAssembly (float32 products over tiles of at most 256 rows,
 * each added into float64, both cores; shift = the first batch's per-feature
 * mean, so the products are of centred-size numbers) and plain TypeScript
 * (float64 throughout, one core) where wasm is unavailable.
 */
import { MemoryBudgetError } from '../errors.js';
import { WASM_MEMORY_LIMIT, WasmLinalg } from '../linalg/wasmLinalg.js';
import { zcaMatrix } from '../linalg/zca.js';

export interface GramAccumulator {
  readonly features: number;
  /** Samples added so far. */
  readonly count: number;
  /** Adds `n` flattened samples (`data` is n x d, row-major), each multiplied by `scale`. */
  add(data: Float32Array, n: number, scale: number): void;
  /** Keras's ZCA matrix (d x d, float32) for the per-feature centre `mu`; call once, last. */
  whitening(mu: Float64Array, epsilon: number): Float32Array;
  /** Releases memory and threads; safe to call more than once. */
  close(): Promise<void>;
}

export type GramEngine = 'auto' | 'wasm' | 'js';

/** Bytes the wasm engine needs: S (which becomes G), the eigenvectors, three d x d of workspace, W as float32. */
export const wasmGramBytes = (d: number) => 44 * d * d;
/** Bytes the TypeScript engine needs: S, the centred copy that becomes the eigenvectors, and W. */
export const jsGramBytes = (d: number) => 24 * d * d;

/**
 * A Gram accumulator for `features` values per sample, refusing with
 * MemoryBudgetError (before allocating) when its engine would need more than
 * `maxBytes`. 'auto' takes wasm when available.
 */
export async function openGram(features: number, maxBytes: number, engine: GramEngine = 'auto'): Promise<GramAccumulator> {
  const wasmFits = wasmGramBytes(features) < WASM_MEMORY_LIMIT - 64 * 2 ** 20;
  const kernels = engine !== 'js' && wasmFits ? await WasmLinalg.open() : null;
  if (engine === 'wasm' && kernels === null) throw new Error('the WebAssembly linear algebra is not available here (needs wasm SIMD and shared WebAssembly memory)');
  const bytes = kernels ? wasmGramBytes(features) : jsGramBytes(features);
  if (bytes > maxBytes) {
    await kernels?.close();
    throw new MemoryBudgetError(features, bytes, maxBytes);
  }
  return kernels ? new WasmGram(kernels, features) : new JsGram(features);
}

/** G = S - m sums^T - sums m^T + n m m^T with m = mu - shift, written in full into g (may alias s). */
function centre(s: Float64Array, sums: Float64Array, shift: ArrayLike<number>, mu: Float64Array, n: number, g: Float64Array, d: number): void {
  const m = Float64Array.from(mu, (v, i) => v - shift[i]!);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      const v = s[i * d + j]! - m[i]! * sums[j]! - sums[i]! * m[j]! + n * m[i]! * m[j]!;
      g[i * d + j] = v;
      g[j * d + i] = v;
    }
  }
}

/** TypeScript engine: float64 throughout, lower triangle of S. */
class JsGram implements GramAccumulator {
  count = 0;
  private readonly s: Float64Array;
  private readonly sums: Float64Array;

  constructor(readonly features: number) {
    this.s = new Float64Array(features * features);
    this.sums = new Float64Array(features);
  }

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
        for (let j = 0; j <= i; j++) this.s[base + j]! += xi * row[j]!;
      }
    }
    this.count += n;
  }

  whitening(mu: Float64Array, epsilon: number): Float32Array {
    const d = this.features;
    centre(this.s, this.sums, new Float64Array(d), mu, this.count, this.s, d);
    return zcaMatrix(this.s, d, this.count, epsilon);
  }

  async close(): Promise<void> {}
}

/** Rows per float32 tile: their products are summed in float32, then added into float64. */
const TILE_ROWS = 64;

/** WebAssembly engine (wasm/linalg.c): gram_pack + gram_add per tile, zca_matrix at the end. */
class WasmGram implements GramAccumulator {
  count = 0;
  private readonly g: number;
  private readonly sums: number;
  private readonly shift: number;
  private readonly staging: number;
  private readonly packed: number;
  private shifted = false;

  constructor(
    private readonly kernels: WasmLinalg,
    readonly features: number,
  ) {
    const d = features;
    this.g = kernels.alloc(d * d * 8);
    this.sums = kernels.alloc(d * 8);
    this.shift = kernels.alloc(d * 4);
    this.staging = kernels.alloc(TILE_ROWS * d * 4);
    this.packed = kernels.alloc(TILE_ROWS * (d + 8) * 4);
  }

  add(data: Float32Array, n: number, scale: number): void {
    const d = this.features;
    if (!this.shifted) {
      const shift = this.kernels.f32(this.shift, d);
      const mean = new Float64Array(d);
      for (let t = 0; t < n; t++) for (let i = 0; i < d; i++) mean[i]! += data[t * d + i]! * scale;
      for (let i = 0; i < d; i++) shift[i] = mean[i]! / n;
      this.shifted = true;
    }
    const { gram_pack, gram_add } = this.kernels.exports;
    for (let t0 = 0; t0 < n; t0 += TILE_ROWS) {
      const rows = Math.min(TILE_ROWS, n - t0);
      this.kernels.f32(this.staging, rows * d).set(data.subarray(t0 * d, (t0 + rows) * d));
      gram_pack(this.staging, rows, d, this.shift, scale, this.packed, this.sums);
      gram_add(this.packed, rows, d, this.g);
    }
    this.count += n;
  }

  whitening(mu: Float64Array, epsilon: number): Float32Array {
    const d = this.features;
    const k = this.kernels;
    const g = k.f64(this.g, d * d);
    centre(g, k.f64(this.sums, d), k.f32(this.shift, d), mu, this.count, g, d);
    const values = k.alloc(d * 8);
    const vectors = k.alloc(d * d * 8);
    const work = k.alloc(k.exports.eigen_work_doubles(d) * 8);
    const out = k.alloc(d * d * 4);
    k.exports.zca_matrix(this.g, d, this.count, epsilon, out, values, vectors, work);
    return k.f32(out, d * d).slice();
  }

  close(): Promise<void> {
    return this.kernels.close();
  }
}
