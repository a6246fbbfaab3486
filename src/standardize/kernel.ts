/**
 * The elementwise part of `standardize` (rescale, samplewise and featurewise
 * steps) as one fused pass over typed arrays. Per image and channel the steps
 * reduce to `out = x * a[c] + b[c]`, with a and b computed in float64 from the
 * image's own statistics and the fitted ones.
 */

import { wasmPixels } from '../pixels/wasmPixels.js';

/** Keras's hard-coded epsilon added to every std before dividing. */
export const STD_EPSILON = 1e-6;

/** What the elementwise steps need; `mean`/`std` are per channel (featurewise). */
export interface ElementwiseSteps {
  rescale: number | null;
  samplewiseCenter: boolean;
  samplewiseStdNormalization: boolean;
  mean: Float32Array | null;
  std: Float32Array | null;
}

/** True when the steps change nothing, so an in-place pass can be skipped. */
export function isIdentity(s: ElementwiseSteps): boolean {
  return s.rescale === null && !s.samplewiseCenter && !s.samplewiseStdNormalization && s.mean === null && s.std === null;
}

/** The steps, or null when they change nothing. */
export const nonIdentity = (s: ElementwiseSteps): ElementwiseSteps | null => (isIdentity(s) ? null : s);

/**
 * The per-channel `x * a[c] + b[c]` of the steps when they need no
 * statistics of the image itself (no samplewise step), as one array: a for
 * each channel, then b for each channel. Null with a samplewise step, or
 * without steps.
 */
export function channelAffine(steps: ElementwiseSteps | null, channels: number): Float64Array | null {
  if (steps === null || steps.samplewiseCenter) return null;
  return affineOf(steps, channels, steps.rescale ?? 1, 0, new Float64Array(2 * channels));
}

/** Fills `ab` (a per channel, then b) for an image whose own steps give `scale` and `shift`. */
function affineOf(steps: ElementwiseSteps, channels: number, scale: number, shift: number, ab: Float64Array): Float64Array {
  for (let c = 0; c < channels; c++) {
    const m = steps.mean ? steps.mean[c]! : 0;
    const inv = steps.std ? 1 / (steps.std[c]! + STD_EPSILON) : 1;
    ab[c] = scale * inv;
    ab[channels + c] = (shift - m) * inv;
  }
  return ab;
}

/** Applies a `channelAffine` in place to `size` values (whole pixels) of `data` from `offset`. */
export function applyChannelAffine(data: Float32Array, offset: number, size: number, channels: number, ab: Float64Array): void {
  applyAffine(data, offset, data, offset, size, channels, ab);
}

function applyAffine(src: Float32Array, s0: number, dst: Float32Array, d0: number, size: number, channels: number, ab: Float64Array): void {
  const kernel = wasmPixels();
  if (kernel) kernel.affine(src, s0, dst, d0, size, channels, ab);
  else affineTs(src, s0, dst, d0, size, channels, ab);
}

/** The TypeScript pass (where wasm is unavailable); wasm/pixels.c's `affine` does the same arithmetic. */
export function affineTs(src: Float32Array, s0: number, dst: Float32Array, d0: number, size: number, channels: number, ab: Float64Array): void {
  if (channels === 3) affine3(src, s0, dst, d0, size, ab[0]!, ab[1]!, ab[2]!, ab[3]!, ab[4]!, ab[5]!);
  else affineN(src, s0, dst, d0, size, channels, ab);
}

/**
 * Standardizes `count` NHWC images of `size` values with `channels`
 * channels from `src` (image i at `srcStart(i)`) into `dst` (image i at
 * `i * size`). `src` and `dst` may be the same array when `srcStart(i)` is
 * `i * size`.
 */
export function standardizeImages(
  src: Float32Array,
  srcStart: (i: number) => number,
  dst: Float32Array,
  count: number,
  size: number,
  channels: number,
  steps: ElementwiseSteps,
): void {
  const fixed = channelAffine(steps, channels);
  const ab = fixed ?? new Float64Array(2 * channels);
  const r = steps.rescale ?? 1;
  for (let i = 0; i < count; i++) {
    const s0 = srcStart(i);
    if (!fixed) {
      // Keras: x -= mean(x); x /= std(x) + 1e-6, over the whole (rescaled) image.
      let sum = 0;
      for (let k = 0; k < size; k++) sum += src[s0 + k]!;
      const mean = sum / size;
      let scale = r;
      let shift = -mean * r;
      if (steps.samplewiseStdNormalization) {
        let sq = 0;
        for (let k = 0; k < size; k++) {
          const d = src[s0 + k]! - mean;
          sq += d * d;
        }
        const inv = 1 / (Math.abs(r) * Math.sqrt(sq / size) + STD_EPSILON);
        scale *= inv;
        shift *= inv;
      }
      affineOf(steps, channels, scale, shift, ab);
    }
    applyAffine(src, s0, dst, i * size, size, channels, ab);
  }
}

/** out = x * a[c] + b[c] over one RGB image; kept small so V8 optimizes it on its own. */
function affine3(
  src: Float32Array, s0: number, dst: Float32Array, d0: number, size: number,
  a0: number, a1: number, a2: number, b0: number, b1: number, b2: number,
): void {
  for (let k = 0; k < size; k += 3) {
    dst[d0 + k] = src[s0 + k]! * a0 + b0;
    dst[d0 + k + 1] = src[s0 + k + 1]! * a1 + b1;
    dst[d0 + k + 2] = src[s0 + k + 2]! * a2 + b2;
  }
}

/** out = x * a[c] + b[c] over one image with any channel count. */
function affineN(src: Float32Array, s0: number, dst: Float32Array, d0: number, size: number, channels: number, ab: Float64Array): void {
  for (let k = 0; k < size; k += channels) {
    for (let c = 0; c < channels; c++) dst[d0 + k + c] = src[s0 + k + c]! * ab[c]! + ab[channels + c]!;
  }
}
