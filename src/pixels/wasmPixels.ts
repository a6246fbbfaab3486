/**
 * The per-pixel kernels of wasm/pixels.c: the warp (bit-identical to the
 * TypeScript warp in transform/apply.ts, transform/spline.ts for orders 2 to
 * 5, followed by the standardization's
 * per-channel affine; same float64 operations in the same order, about two
 * and a half times as fast) and the per-channel affine alone (bit-identical to
 * standardize/kernel.ts's pass, about three times as fast).
 * Compiled synchronously on first use (24 KB); where that is refused (a
 * browser's main thread may refuse), callers keep the TypeScript passes.
 */
import { align16, lazyInstance, reserve } from '../io/wasmModules.js';
import type { FillMode } from '../options/args.js';
import type { ImageView, SamplingOptions } from '../transform/apply.js';
import type { Affine } from '../transform/matrix.js';
import { type SplineOrder, polePowers, reflectStart, splinePad } from '../transform/spline.js';
import { pixelsWasmBase64 } from './wasm/pixelsModule.js';

interface PixelExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  affine(x: number, count: number, ch: number, ab: number): void;
  warp(src: number, dst: number, h: number, w: number, ch: number, m00: number, m01: number, m10: number, m11: number,
    o0: number, o1: number, mode: number, cval: number, order: number, flipH: number, flipV: number, ab: number): void;
  spline_prefilter(src: number, coef: number, h: number, w: number, ch: number, pad: number, order: number, reflect: number,
    powers: number, keep: number): void;
  spline_warp(coef: number, dst: number, h: number, w: number, ch: number, pad: number, m00: number, m01: number, m10: number,
    m11: number, o0: number, o1: number, mode: number, cval: number, order: number, flipH: number, flipV: number, ab: number): void;
}

const MODES: Record<FillMode, number> = { constant: 0, nearest: 1, reflect: 2, wrap: 3 };

export class WasmPixels {
  private readonly base: number;

  constructor(private readonly exports: PixelExports) {
    this.base = align16(exports.__heap_base.value as number);
  }

  /**
   * Warps `src` into `dst` (same size), flips folded into the write position;
   * then `x * a[c] + b[c]` on every value when `then` (a `channelAffine`) is given.
   */
  warp(src: ImageView, dst: ImageView, a: Affine, s: SamplingOptions, flipH: boolean, flipV: boolean, then: Float64Array | null = null): void {
    if (s.interpolationOrder >= 2) {
      this.splineWarp(src, dst, a, s, flipH, flipV, then);
      return;
    }
    const size = src.height * src.width * src.channels;
    const from = this.base;
    const to = from + size * 4;
    const ab = to + size * 4;
    const buffer = reserve(this.exports.memory, ab + src.channels * 16);
    const heap = new Float32Array(buffer);
    heap.set(src.data.subarray(src.offset, src.offset + size), from / 4);
    if (then) new Float64Array(buffer, ab, then.length).set(then);
    const [m00, m01, m10, m11] = a.matrix;
    const [o0, o1] = a.offset;
    this.exports.warp(from, to, src.height, src.width, src.channels, m00, m01, m10, m11, o0, o1,
      MODES[s.fillMode], s.cval, s.interpolationOrder, flipH ? 1 : 0, flipV ? 1 : 0, then ? ab : 0);
    dst.data.set(heap.subarray(to / 4, to / 4 + size), dst.offset);
  }

  /**
   * Orders 2 to 5 (transform/spline.ts's arithmetic): the image's spline
   * prefilter into a float64 coefficient array (padded for 'nearest'), then
   * the evaluation; the pole powers come from spline.ts, so both paths use
   * the same Math.pow values.
   */
  private splineWarp(src: ImageView, dst: ImageView, a: Affine, s: SamplingOptions, flipH: boolean, flipV: boolean,
    then: Float64Array | null): void {
    const { height: h, width: w, channels: ch } = src;
    const order = s.interpolationOrder as SplineOrder;
    const pad = splinePad(s.fillMode);
    const H = h + 2 * pad, W = w + 2 * pad;
    const size = h * w * ch;
    const from = this.base;
    const to = from + size * 4;
    const coef = align16(to + size * 4);
    const keep = coef + H * W * ch * 8; // also the slack spline_warp reads past the coefficients
    const powers = keep + Math.max(H, W) * ch * 8;
    const ab = powers + 32;
    const buffer = reserve(this.exports.memory, ab + ch * 16);
    new Float32Array(buffer).set(src.data.subarray(src.offset, src.offset + size), from / 4);
    new Float64Array(buffer, powers, 4).set(polePowers(order, s.fillMode, H, W));
    if (then) new Float64Array(buffer, ab, then.length).set(then);
    const e = this.exports;
    e.spline_prefilter(from, coef, h, w, ch, pad, order, reflectStart(s.fillMode) ? 1 : 0, powers, keep);
    const [m00, m01, m10, m11] = a.matrix;
    const [o0, o1] = a.offset;
    e.spline_warp(coef, to, h, w, ch, pad, m00, m01, m10, m11, o0, o1, MODES[s.fillMode], s.cval, order,
      flipH ? 1 : 0, flipV ? 1 : 0, then ? ab : 0);
    dst.data.set(new Float32Array(buffer, to, size), dst.offset);
  }

  /**
   * dst[d0 + k] = src[s0 + k] * a[c] + b[c] for `count` values (whole pixels
   * of `channels`), `ab` a `channelAffine`; in chunks that stay in cache.
   */
  affine(src: Float32Array, s0: number, dst: Float32Array, d0: number, count: number, channels: number, ab: Float64Array): void {
    const chunk = CHUNK_PIXELS * channels;
    const at = this.base;
    const abAt = at + chunk * 4;
    const buffer = reserve(this.exports.memory, abAt + ab.length * 8);
    new Float64Array(buffer, abAt, ab.length).set(ab);
    const heap = new Float32Array(buffer, at, chunk);
    for (let k = 0; k < count; k += chunk) {
      const n = Math.min(chunk, count - k);
      heap.set(src.subarray(s0 + k, s0 + k + n));
      this.exports.affine(at, n, channels, abAt);
      dst.set(n === chunk ? heap : heap.subarray(0, n), d0 + k);
    }
  }
}

/** Pixels per chunk of the affine pass: 48 KB of RGB values, within a core's L1/L2. */
const CHUNK_PIXELS = 4096;

/** The wasm pixel kernels, or null where they cannot be compiled here. */
export const wasmPixels: () => WasmPixels | null = lazyInstance<PixelExports, WasmPixels>(pixelsWasmBase64, (exports) => new WasmPixels(exports));
