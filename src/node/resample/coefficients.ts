/**
 * The filter taps of Pillow's convolution resize (`Image.resize` with any
 * filter but NEAREST), computed as Pillow 12 computes them: for each output
 * column, the source range the filter (widened by the downscale factor)
 * covers around the column's centre, the filter sampled at the source pixel
 * centres, normalized to sum 1 and rounded to 22-bit fixed point.
 */

export type Filter = 'box' | 'bilinear' | 'hamming' | 'bicubic' | 'lanczos';

/** Fraction bits of the fixed-point taps: 32 bits less 8 for the value and 2 for overshoot. */
export const PRECISION_BITS = 22;

const sinc = (x: number): number => {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
};

/** Pillow's hamming window mixes float32 constants into its double arithmetic. */
const F054 = Math.fround(0.54);
const F046 = Math.fround(0.46);

const FILTERS: Record<Filter, { support: number; at: (x: number) => number }> = {
  box: { support: 0.5, at: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, at: (x) => (Math.abs(x) < 1 ? 1 - Math.abs(x) : 0) },
  hamming: {
    support: 1,
    at: (x) => {
      const a = Math.abs(x);
      if (a === 0) return 1;
      if (a >= 1) return 0;
      const px = a * Math.PI;
      return (Math.sin(px) / px) * (F054 + F046 * Math.cos(px));
    },
  },
  bicubic: {
    support: 2,
    at: (x) => {
      const a = Math.abs(x); // Keys' cubic with a = -0.5
      if (a < 1) return (1.5 * a - 2.5) * a * a + 1;
      if (a < 2) return (((a - 5) * a + 8) * a - 4) * -0.5;
      return 0;
    },
  },
  lanczos: { support: 3, at: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

/** One axis's taps: output i reads `count[i]` source pixels from `first[i]` with weights `taps[i * stride ...]` (zeros past `count[i]`). */
export interface Coefficients {
  first: Int32Array;
  count: Int32Array;
  /** Fixed-point weights, `stride` per output pixel; a multiple of 4 so SIMD code may read taps in fours. */
  taps: Int32Array;
  stride: number;
}

/** One axis's weights as Pillow's precompute_coeffs gives them: doubles, normalized to sum 1 (`stride` per output pixel). */
export interface Weights {
  first: Int32Array;
  count: Int32Array;
  weights: Float64Array;
  stride: number;
}

/**
 * The weights resizing source range [in0, in1) of an axis of `inSize`
 * pixels to `outSize` pixels. in0 and in1 are float32, as Pillow takes the
 * box. 16-bit images use them as they are; 8-bit ones in fixed point.
 */
export function weights(inSize: number, in0: number, in1: number, outSize: number, filter: Filter): Weights {
  const f = FILTERS[filter];
  in0 = Math.fround(in0);
  in1 = Math.fround(in1);
  const scale = Math.fround(in1 - in0) / outSize; // float32 difference, double quotient
  const filterScale = Math.max(scale, 1);
  const support = f.support * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const inverse = 1 / filterScale;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const w = new Float64Array(outSize * stride);
  for (let i = 0; i < outSize; i++) {
    const centre = in0 + (i + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(centre - support + 0.5));
    const n = Math.min(inSize, Math.trunc(centre + support + 0.5)) - lo;
    let sum = 0;
    for (let k = 0; k < n; k++) sum += w[i * stride + k] = f.at((k + lo - centre + 0.5) * inverse);
    if (sum !== 0) for (let k = 0; k < n; k++) w[i * stride + k]! /= sum;
    first[i] = lo;
    count[i] = Math.max(n, 0);
  }
  return { first, count, weights: w, stride };
}

/** `weights` as 8-bit Pillow uses them: rounded half away from zero to 22 fraction bits, `stride` a multiple of 4. */
export function coefficients(inSize: number, in0: number, in1: number, outSize: number, filter: Filter): Coefficients {
  const { first, count, weights: w, stride: ksize } = weights(inSize, in0, in1, outSize, filter);
  const stride = (ksize + 3) & ~3;
  const taps = new Int32Array(outSize * stride);
  for (let i = 0; i < outSize; i++) {
    for (let k = 0; k < count[i]!; k++) {
      const v = w[i * ksize + k]!;
      taps[i * stride + k] = Math.trunc(v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
    }
  }
  return { first, count, taps, stride };
}
