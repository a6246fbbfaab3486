/**
 * Streaming second moments for ZCA: S = sum y y^T and the sums of y for the
 * flattened images y = x - c, where c is a provisional per-feature centre (the
 * first batch's mean). The centred matrix G = (X - mu)^T (X - mu) for any
 * per-feature centre mu then follows from S, the sums and n with a rank-one
 * correction of small numbers, so batches of any size stream in one pass and
 * no digits cancel; the ZCA matrix comes from G (linalg/).
 *
 * S is kept in the units of the values given (before `scale`, the generator's
 * rescale), and scale^2 is applied to G at the end: integer pixels then stay
 * integers. Two engines:
 *  - WebAssembly (wasm/linalg.c, both cores): a tile of integer values within
 *    2047 of an integral centre (8- to 11-bit pixels) is multiplied and added
 *    exactly in integers (i32x4.dot_i16x8_s), any other tile in float64;
 *  - plain TypeScript (float64, one core) where wasm is unavailable.
 */
import { MemoryBudgetError } from '../errors.js';
import { WASM_MEMORY_LIMIT, WasmLinalg } from '../linalg/wasmLinalg.js';
import { zcaMatrix } from '../linalg/zca.js';

export interface GramAccumulator {
  readonly features: number;
  /** Samples added so far. */
  readonly count: number;
  /** Adds `n` flattened samples (`data` is n x d, row-major). */
  add(data: Float32Array, n: number): void;
  /** A float64 copy of the sums so far (a partial fit's share of G). */
  snapshot(): GramSums;
  /** Starts from `sums` (of this many features), before any `add`. */
  restore(sums: GramSums): void;
  /** Keras's ZCA matrix (d x d, float32) for the per-feature centre `mu` (in scaled units); call once, last. */
  whitening(mu: Float64Array, epsilon: number): Float32Array;
  /** Releases memory and threads; safe to call more than once. */
  close(): Promise<void>;
}

export type GramEngine = 'auto' | 'wasm' | 'js';

/**
 * What an accumulator holds, as plain data: `count` samples, their provisional
 * centre c, sum (x - c) and S = sum (x - c)(x - c)^T (d x d, symmetric), all
 * in the units before `scale`. Sums of disjoint parts merge exactly (mergeGramSums).
 */
export interface GramSums {
  count: number;
  centre: Float64Array;
  sums: Float64Array;
  s: Float64Array;
}

/**
 * The sums of the union of disjoint parts: each part's S and sums are moved
 * onto the first non-empty part's centre by the same rank-one correction as
 * `centre` (exact for integral centres and pixels), then added. Empty parts
 * (count 0) are skipped; all parts must have the same features.
 */
export function mergeGramSums(parts: readonly GramSums[], d: number): GramSums {
  const filled = parts.filter((p) => p.count > 0);
  const c = filled[0]?.centre.slice() ?? new Float64Array(d);
  const out: GramSums = { count: 0, centre: c, sums: new Float64Array(d), s: new Float64Array(d * d) };
  const moved = new Float64Array(d * d);
  for (const p of filled) {
    centre(p.s, p.sums, p.centre, c, 1, p.count, moved, d);
    for (let i = 0; i < d * d; i++) out.s[i]! += moved[i]!;
    for (let i = 0; i < d; i++) out.sums[i]! += p.sums[i]! - p.count * (c[i]! - p.centre[i]!);
    out.count += p.count;
  }
  return out;
}

/** S with its lower triangle (the part the engines keep) copied into the upper one. */
function symmetric(s: Float64Array, d: number): Float64Array {
  const out = s.slice();
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) out[j * d + i] = out[i * d + j]!;
  return out;
}

/** Rows per wasm tile: integer tiles take all of them, float64 tiles half (to stay in the L1 cache). */
const TILE_ROWS = 256;
const F64_TILE_ROWS = 128;

/**
 * Bytes the wasm engine needs: S (which becomes G), the eigenvectors, three
 * d x d of workspace, W as float32. Not counted: its two tiles, 2 KB per
 * feature (1.5% more at d = 3072).
 */
export const wasmGramBytes = (d: number) => 44 * d * d;
/** Bytes the TypeScript engine needs: S, the centred copy that becomes the eigenvectors, and W. */
export const jsGramBytes = (d: number) => 24 * d * d;

/**
 * A Gram accumulator for `features` values per sample, each to be multiplied
 * by `scale`; refuses with MemoryBudgetError (before allocating) when its
 * engine would need more than `maxBytes`. 'auto' takes wasm when available.
 */
export async function openGram(features: number, scale: number, maxBytes: number, engine: GramEngine = 'auto'): Promise<GramAccumulator> {
  const wasmFits = wasmGramBytes(features) < WASM_MEMORY_LIMIT - 64 * 2 ** 20;
  const kernels = engine !== 'js' && wasmFits ? await WasmLinalg.open() : null;
  if (engine === 'wasm' && kernels === null) throw new Error('the WebAssembly linear algebra is not available here (needs wasm SIMD and shared WebAssembly memory)');
  const bytes = kernels ? wasmGramBytes(features) : jsGramBytes(features);
  if (bytes > maxBytes) {
    await kernels?.close();
    throw new MemoryBudgetError(features, bytes, maxBytes);
  }
  return kernels ? new WasmGram(kernels, features, scale) : new JsGram(features, scale);
}

/**
 * The provisional centre: the batch's per-feature mean, rounded to integers
 * when every value in the batch is an integer (integer pixels then stay
 * integers after centring).
 */
function provisionalCentre(data: Float32Array, n: number, d: number): Float64Array {
  const c = new Float64Array(d);
  let integral = true;
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < d; i++) {
      const v = data[t * d + i]!;
      c[i]! += v;
      integral &&= Number.isInteger(v);
    }
  }
  for (let i = 0; i < d; i++) c[i] = integral ? Math.round(c[i]! / n) : c[i]! / n;
  return c;
}

/**
 * G = scale^2 (S - m sums^T - sums m^T + n m m^T) with m = mu / scale - c,
 * written in full into g (may alias s; only the lower triangle of s is read).
 */
function centre(s: Float64Array, sums: Float64Array, c: Float64Array, mu: Float64Array, scale: number, n: number, g: Float64Array, d: number): void {
  const m = Float64Array.from(mu, (v, i) => v / scale - c[i]!);
  const s2 = scale * scale;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      const v = s2 * (s[i * d + j]! - m[i]! * sums[j]! - sums[i]! * m[j]! + n * m[i]! * m[j]!);
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
  private centreOf: Float64Array | null = null;

  constructor(
    readonly features: number,
    private readonly scale: number,
  ) {
    this.s = new Float64Array(features * features);
    this.sums = new Float64Array(features);
  }

  add(data: Float32Array, n: number): void {
    const d = this.features;
    if (n === 0) return;
    const c = (this.centreOf ??= provisionalCentre(data, n, d));
    const row = new Float64Array(d);
    for (let t = 0; t < n; t++) {
      for (let i = 0; i < d; i++) row[i] = data[t * d + i]! - c[i]!;
      for (let i = 0; i < d; i++) {
        const yi = row[i]!;
        this.sums[i]! += yi;
        if (yi === 0) continue;
        const base = i * d;
        for (let j = 0; j <= i; j++) this.s[base + j]! += yi * row[j]!;
      }
    }
    this.count += n;
  }

  snapshot(): GramSums {
    const d = this.features;
    return { count: this.count, centre: this.centreOf?.slice() ?? new Float64Array(d), sums: this.sums.slice(), s: symmetric(this.s, d) };
  }

  restore(sums: GramSums): void {
    this.count = sums.count;
    this.centreOf = sums.count > 0 ? sums.centre.slice() : null;
    this.sums.set(sums.sums);
    this.s.set(sums.s);
  }

  whitening(mu: Float64Array, epsilon: number): Float32Array {
    const d = this.features;
    centre(this.s, this.sums, this.centreOf ?? new Float64Array(d), mu, this.scale, this.count, this.s, d);
    return zcaMatrix(this.s, d, this.count, epsilon);
  }

  async close(): Promise<void> {}
}

/** WebAssembly engine (wasm/linalg.c): gram_pack_int or gram_pack_f64, then gram_add, per tile; zca_matrix at the end. */
class WasmGram implements GramAccumulator {
  count = 0;
  private readonly s: number;
  private readonly sums: number;
  private readonly centreAt: number;
  private readonly staging: number;
  private readonly packed: number;
  /** Null until the first batch; then whether the centre is integral (integer tiles possible). */
  private integral: boolean | null = null;

  constructor(
    private readonly kernels: WasmLinalg,
    readonly features: number,
    private readonly scale: number,
  ) {
    const d = features;
    this.s = kernels.alloc(d * d * 8);
    this.sums = kernels.alloc(d * 8);
    this.centreAt = kernels.alloc(d * 8);
    this.staging = kernels.alloc(TILE_ROWS * d * 4);
    this.packed = kernels.alloc(F64_TILE_ROWS * (d + 8) * 8);
  }

  add(data: Float32Array, n: number): void {
    const d = this.features;
    if (n === 0) return;
    if (this.integral === null) {
      const c = provisionalCentre(data, n, d);
      this.kernels.f64(this.centreAt, d).set(c);
      this.integral = c.every(Number.isInteger);
    }
    const { gram_pack_int, gram_pack_f64, gram_add } = this.kernels.exports;
    for (let t0 = 0; t0 < n; t0 += TILE_ROWS) {
      const rows = Math.min(TILE_ROWS, n - t0);
      this.kernels.f32(this.staging, rows * d).set(data.subarray(t0 * d, (t0 + rows) * d));
      if (this.integral && gram_pack_int(this.staging, rows, d, this.centreAt, this.packed, this.sums)) {
        gram_add(this.packed, 1, rows, d, this.s);
        continue;
      }
      for (let r0 = 0; r0 < rows; r0 += F64_TILE_ROWS) {
        const part = Math.min(F64_TILE_ROWS, rows - r0);
        gram_pack_f64(this.staging + r0 * d * 4, part, d, this.centreAt, this.packed, this.sums);
        gram_add(this.packed, 0, part, d, this.s);
      }
    }
    this.count += n;
  }

  snapshot(): GramSums {
    const d = this.features;
    const k = this.kernels;
    return { count: this.count, centre: k.f64(this.centreAt, d).slice(), sums: k.f64(this.sums, d).slice(), s: symmetric(k.f64(this.s, d * d), d) };
  }

  restore(sums: GramSums): void {
    const d = this.features;
    const k = this.kernels;
    this.count = sums.count;
    k.f64(this.centreAt, d).set(sums.centre);
    k.f64(this.sums, d).set(sums.sums);
    k.f64(this.s, d * d).set(sums.s);
    this.integral = sums.count > 0 ? sums.centre.every(Number.isInteger) : null;
  }

  whitening(mu: Float64Array, epsilon: number): Float32Array {
    const d = this.features;
    const k = this.kernels;
    const g = k.f64(this.s, d * d);
    centre(g, k.f64(this.sums, d), k.f64(this.centreAt, d), mu, this.scale, this.count, g, d);
    const values = k.alloc(d * 8);
    const vectors = k.alloc(d * d * 8);
    const work = k.alloc(k.exports.eigen_work_doubles(d) * 8);
    const out = k.alloc(d * d * 4);
    k.exports.zca_matrix(this.s, d, this.count, epsilon, out, values, vectors, work);
    return k.f32(out, d * d).slice();
  }

  close(): Promise<void> {
    return this.kernels.close();
  }
}
