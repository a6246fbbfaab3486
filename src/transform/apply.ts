/**
 * Applies transform parameters to NHWC images held in typed arrays, with
 * Keras's semantics: the affine warp samples like
 * `scipy.ndimage.affine_transform` (fill modes; orders 0 and 1 here, 2 to 5
 * in spline.ts), then channel
 * shift, horizontal and vertical flip, and brightness (PIL's 8-bit path).
 * Flips are folded into the warp's write position.
 */
import { InvalidArgumentError } from '../errors.js';
import type { FillMode, InterpolationOrder } from '../options/args.js';
import { wasmPixels } from '../pixels/wasmPixels.js';
import { applyChannelAffine } from '../standardize/kernel.js';
import { type Affine, affineFor } from './matrix.js';
import type { TransformParams } from './params.js';
import { type SplineOrder, splineCoefficients, splineWarpTs } from './spline.js';

/** How the warp samples: Keras's `fill_mode`, `cval` and `interpolation_order`. */
export interface SamplingOptions {
  fillMode: FillMode;
  cval: number;
  interpolationOrder: InterpolationOrder;
}

/** An image inside a flat NHWC array. */
export interface ImageView {
  data: Float32Array;
  offset: number;
  height: number;
  width: number;
  channels: number;
}

const OUTSIDE = Number.NaN;

/** Maps a real sampling coordinate into [.., n-1] per scipy's boundary rules; NaN means "use cval". */
function mapCoordinate(c: number, n: number, mode: FillMode): number {
  if (c >= 0 && c <= n - 1) return c;
  switch (mode) {
    case 'constant':
      return OUTSIDE;
    case 'nearest':
      return c < 0 ? 0 : n - 1;
    case 'reflect': {
      const period = 2 * n;
      if (c < 0) {
        if (c < -period) c += period * Math.trunc(-c / period);
        return c < -n ? c + period : -c - 1;
      }
      c -= period * Math.trunc(c / period);
      return c >= n ? period - c - 1 : c;
    }
    case 'wrap': {
      const p = n - 1;
      if (p === 0) return 0;
      return c < 0 ? c + p * (Math.trunc(-c / p) + 1) : c - p * Math.trunc(c / p);
    }
  }
}

/** A tap index brought inside [0, n-1]: mirrored for reflect, clamped otherwise. */
function tapIndex(i: number, n: number, reflect: boolean): number {
  if (i >= 0 && i < n) return i;
  if (reflect) return i < 0 ? Math.min(-i - 1, n - 1) : Math.max(2 * n - i - 1, 0);
  return i < 0 ? 0 : n - 1;
}

/** The TypeScript warp; wasm/pixels.c does the same arithmetic (see pixels/wasmPixels.ts). */
export function warpTs(src: ImageView, dst: ImageView, a: Affine, s: SamplingOptions, flipH: boolean, flipV: boolean): void {
  const { height: h, width: w, channels: ch } = src;
  const [m00, m01, m10, m11] = a.matrix;
  const [o0, o1] = a.offset;
  if (s.interpolationOrder >= 2) {
    const order = s.interpolationOrder as SplineOrder;
    splineWarpTs(splineCoefficients(src, order, s.fillMode), dst, a, order, s.fillMode, s.cval, flipH, flipV);
    return;
  }
  const mode = s.fillMode;
  const reflect = mode === 'reflect';
  const bilinear = s.interpolationOrder === 1;
  const sd = src.data;
  const dd = dst.data;
  const base = src.offset;
  const rowStride = w * ch;
  for (let r = 0; r < h; r++) {
    const outRow = dst.offset + (flipV ? h - 1 - r : r) * rowStride;
    for (let c = 0; c < w; c++) {
      const out = outRow + (flipH ? w - 1 - c : c) * ch;
      let cr = 0 + r * m00 + c * m01 + o0;
      let cc = 0 + r * m10 + c * m11 + o1;
      if (bilinear) {
        const fr = Math.floor(cr);
        const fc = Math.floor(cc);
        let r0: number, r1: number, c0: number, c1: number;
        if (fr >= 0 && fr < h - 1 && fc >= 0 && fc < w - 1) {
          // Fast path: all four taps inside, no boundary rule applies.
          r0 = base + fr * rowStride;
          r1 = r0 + rowStride;
          c0 = fc * ch;
          c1 = c0 + ch;
        } else {
          cr = mapCoordinate(cr, h, mode);
          cc = mapCoordinate(cc, w, mode);
          if (Number.isNaN(cr) || Number.isNaN(cc)) {
            for (let k = 0; k < ch; k++) dd[out + k] = s.cval;
            continue;
          }
          const gr = Math.floor(cr);
          const gc = Math.floor(cc);
          r0 = base + tapIndex(gr, h, reflect) * rowStride;
          r1 = base + tapIndex(gr + 1, h, reflect) * rowStride;
          c0 = tapIndex(gc, w, reflect) * ch;
          c1 = tapIndex(gc + 1, w, reflect) * ch;
        }
        const tr = cr - Math.floor(cr);
        const tc = cc - Math.floor(cc);
        const w00 = (1 - tr) * (1 - tc), w01 = (1 - tr) * tc, w10 = tr * (1 - tc), w11 = tr * tc;
        const p00 = r0 + c0, p01 = r0 + c1, p10 = r1 + c0, p11 = r1 + c1;
        for (let k = 0; k < ch; k++) {
          dd[out + k] = sd[p00 + k]! * w00 + sd[p01 + k]! * w01 + sd[p10 + k]! * w10 + sd[p11 + k]! * w11;
        }
        continue;
      }
      cr = mapCoordinate(cr, h, mode);
      cc = mapCoordinate(cc, w, mode);
      if (Number.isNaN(cr) || Number.isNaN(cc)) {
        for (let k = 0; k < ch; k++) dd[out + k] = s.cval;
        continue;
      }
      const at = base + tapIndex(Math.floor(cr + 0.5), h, reflect) * rowStride + tapIndex(Math.floor(cc + 0.5), w, reflect) * ch;
      for (let k = 0; k < ch; k++) dd[out + k] = sd[at + k]!;
    }
  }
}

function copyFlipped(src: ImageView, dst: ImageView, flipH: boolean, flipV: boolean): void {
  const { height: h, width: w, channels: ch } = src;
  const rowStride = w * ch;
  if (!flipH) {
    for (let r = 0; r < h; r++) {
      const from = src.offset + r * rowStride;
      dst.data.set(src.data.subarray(from, from + rowStride), dst.offset + (flipV ? h - 1 - r : r) * rowStride);
    }
    return;
  }
  for (let r = 0; r < h; r++) {
    const from = src.offset + r * rowStride;
    const to = dst.offset + (flipV ? h - 1 - r : r) * rowStride;
    for (let c = 0; c < w; c++) {
      for (let k = 0; k < ch; k++) dst.data[to + (w - 1 - c) * ch + k] = src.data[from + c * ch + k]!;
    }
  }
}

function range(v: ImageView): [number, number] {
  let lo = Infinity, hi = -Infinity;
  const end = v.offset + v.height * v.width * v.channels;
  for (let i = v.offset; i < end; i++) {
    const x = v.data[i]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

/** Keras `apply_channel_shift`: add `intensity` (float32 arithmetic), clip to the image's own range. */
function channelShift(v: ImageView, intensity: number): void {
  const [lo, hi] = range(v);
  const add = Math.fround(intensity);
  const end = v.offset + v.height * v.width * v.channels;
  for (let i = v.offset; i < end; i++) v.data[i] = Math.min(hi, Math.max(lo, v.data[i]! + add));
}

/**
 * Keras `apply_brightness_shift(x, b, scale=False)`: through an 8-bit PIL
 * image (min-max scaled to 0..255 first when the data leaves that range),
 * `ImageEnhance.Brightness` in single precision, and back. Alpha is kept.
 */
function brightness(v: ImageView, factor: number): void {
  const ch = v.channels;
  if (ch !== 1 && ch !== 3 && ch !== 4) {
    throw new InvalidArgumentError('brightnessRange', 'images with 1, 3 or 4 channels (an 8-bit L, RGB or RGBA image)', `${ch} channels`);
  }
  const [lo, hi] = range(v);
  const rescale = lo < 0 || hi > 255;
  const span = Math.fround(hi - lo);
  const b = Math.fround(factor);
  const end = v.offset + v.height * v.width * ch;
  for (let i = v.offset; i < end; i++) {
    let x = v.data[i]!;
    if (rescale) x = span !== 0 ? Math.fround(Math.fround(Math.fround(x - lo) / span) * 255) : Math.fround(x - lo);
    let u = Math.trunc(x);
    if (ch !== 4 || (i - v.offset) % 4 !== 3) {
      const y = Math.fround(u * b);
      u = y <= 0 ? 0 : y >= 255 ? 255 : Math.trunc(y);
    }
    v.data[i] = rescale ? Math.fround(Math.fround(Math.fround(u / 255) * span) + lo) : u;
  }
}

/**
 * Writes the transformed `src` image into `dst` (a different image slot);
 * then, when given, `then` (a `channelAffine`: the elementwise
 * standardization) on the result, fused into the warp where possible.
 */
export function applyTransformTo(src: ImageView, dst: ImageView, p: TransformParams, sampling: SamplingOptions, then: Float64Array | null = null): void {
  const affine = affineFor(p, src.height, src.width);
  const kernel = wasmPixels();
  // Channel shift and brightness read the warped image's range, so the affine must wait for them.
  const fuse = kernel !== null && affine !== null && p.channelShiftIntensity === null && p.brightness === null;
  if (affine && kernel) kernel.warp(src, dst, affine, sampling, p.flipHorizontal, p.flipVertical, fuse ? then : null);
  else if (affine) warpTs(src, dst, affine, sampling, p.flipHorizontal, p.flipVertical);
  else copyFlipped(src, dst, p.flipHorizontal, p.flipVertical);
  if (p.channelShiftIntensity !== null) channelShift(dst, p.channelShiftIntensity);
  if (p.brightness !== null) brightness(dst, p.brightness);
  if (then && !fuse) applyChannelAffine(dst.data, dst.offset, dst.height * dst.width * dst.channels, dst.channels, then);
}
