/**
 * Interpolation orders 2 to 5, as `scipy.ndimage.affine_transform` does them
 * (SciPy 1.17; `prefilter=True`), in float64 with scipy's operations in
 * scipy's order, so the float32 results differ from scipy's by rounding only:
 *
 * 1. Prefilter: each channel becomes B-spline coefficients by the recursive
 *    filter of Unser et al. (gain, then per pole a causal and an anticausal
 *    pass), along rows (axis 0) and then columns. How a line's first
 *    coefficients start depends on how the mode extends the image: 'reflect'
 *    (half-sample symmetric) and 'nearest' start the reflect way, 'constant'
 *    and the legacy 'wrap' (which have no exact start) the mirror
 *    (whole-sample symmetric) way. 'nearest' first pads the image by 12
 *    copies of its edge on every side (scipy's `_prepad_for_spline_filter`).
 * 2. Evaluation: each output pixel's input position (row, col) =
 *    offset + matrix * (r, c) is mapped by the fill mode (constant: outside
 *    [0, n-1] is `cval`; reflect; legacy wrap; nearest: not mapped, taps
 *    clamp), then `order + 1` taps per axis around it are weighted by the
 *    B-spline of that order; taps past an edge are mirrored (constant, wrap),
 *    reflected (reflect) or clamped (nearest). The sum runs over rows, then
 *    columns within a row, each term `coefficient * rowWeight * colWeight`.
 *
 * wasm/pixels.c has the same arithmetic (spline_prefilter, spline_warp).
 */
import type { FillMode } from '../options/args.js';
import type { ImageView } from './apply.js';
import type { Affine } from './matrix.js';

export type SplineOrder = 2 | 3 | 4 | 5;

/** Poles of the B-spline prefilter of each order (the roots inside the unit circle). */
export const SPLINE_POLES: Readonly<Record<SplineOrder, readonly number[]>> = {
  2: [-0.171572875253809902396622551580603843], // sqrt(8) - 3
  3: [-0.267949192431122706472553658494127633], // sqrt(3) - 2
  4: [-0.361341225900220177092212841325675255, -0.013725429297339121360331226939128204],
  5: [-0.430575347099973791851434783493520110, -0.043096288203264653822712376822550182],
};

/** scipy pads 'nearest' images by this many edge copies before filtering. */
export function splinePad(mode: FillMode): number {
  return mode === 'nearest' ? 12 : 0;
}

/** Whether the prefilter starts lines the reflect way (else the mirror way). */
export function reflectStart(mode: FillMode): boolean {
  return mode === 'nearest' || mode === 'reflect';
}

/**
 * The powers of each pole the line starts need, for lines of `rows` and
 * `cols` values: z^n (reflect start) or z^(n-1) (mirror start), as
 * [axis 0 pole 0, axis 0 pole 1, axis 1 pole 0, axis 1 pole 1].
 * Math.pow, computed once here so the wasm kernel gets the same values.
 */
export function polePowers(order: SplineOrder, mode: FillMode, rows: number, cols: number): Float64Array {
  const poles = SPLINE_POLES[order];
  const out = new Float64Array(4);
  const less = reflectStart(mode) ? 0 : 1;
  poles.forEach((z, p) => {
    out[p] = Math.pow(z, rows - less);
    out[2 + p] = Math.pow(z, cols - less);
  });
  return out;
}

/** B-spline coefficients of an image, HWC float64, with `pad` extra rows and columns on each side. */
export interface SplineCoefficients {
  data: Float64Array;
  height: number;
  width: number;
  channels: number;
  pad: number;
}

/**
 * Filters `lanes` independent lines at once in place: line k holds
 * c[at + i * step + k] for i in [0, n). Each line sees exactly the operations
 * a single-line filter would. `keep` holds `lanes` scratch values.
 */
function filterLines(c: Float64Array, at: number, n: number, step: number, lanes: number, poles: readonly number[],
  powers: ArrayLike<number>, reflect: boolean, keep: Float64Array): void {
  if (n < 2) return;
  let gain = 1;
  for (const z of poles) gain *= (1 - z) * (1 - 1 / z);
  const end = at + n * step;
  for (let i = at; i < end; i += step) for (let k = 0; k < lanes; k++) c[i + k] = c[i + k]! * gain;
  const lastRow = at + (n - 1) * step;
  for (let p = 0; p < poles.length; p++) {
    const z = poles[p]!;
    const zn = powers[p]!;
    // Causal start: c[0] from the whole line as the extension continues it.
    if (reflect) {
      for (let k = 0; k < lanes; k++) {
        keep[k] = c[at + k]!;
        c[at + k] = c[at + k]! + zn * c[lastRow + k]!;
      }
      // The last term reads c[0] as accumulated so far, as scipy's loop does.
      let zi = z;
      for (let i = 1; i < n; i++) {
        const fwd = at + i * step, back = at + (n - 1 - i) * step;
        for (let k = 0; k < lanes; k++) c[at + k] = c[at + k]! + zi * (c[fwd + k]! + zn * c[back + k]!);
        zi *= z;
      }
      const scale = z / (1 - zn * zn);
      for (let k = 0; k < lanes; k++) c[at + k] = c[at + k]! * scale + keep[k]!;
    } else {
      for (let k = 0; k < lanes; k++) c[at + k] = c[at + k]! + zn * c[lastRow + k]!;
      let zi = z;
      for (let i = 1; i < n - 1; i++) {
        const fwd = at + i * step, back = at + (n - 1 - i) * step;
        for (let k = 0; k < lanes; k++) c[at + k] = c[at + k]! + zi * (c[fwd + k]! + zn * c[back + k]!);
        zi *= z;
      }
      const div = 1 - zn * zn;
      for (let k = 0; k < lanes; k++) c[at + k] = c[at + k]! / div;
    }
    for (let i = at + step; i < end; i += step) for (let k = 0; k < lanes; k++) c[i + k] = c[i + k]! + z * c[i - step + k]!;
    // Anticausal start, then the backward pass.
    const prev = lastRow - step;
    if (reflect) {
      const scale = z / (z - 1);
      for (let k = 0; k < lanes; k++) c[lastRow + k] = c[lastRow + k]! * scale;
    } else {
      const div = z * z - 1;
      for (let k = 0; k < lanes; k++) c[lastRow + k] = (z * c[prev + k]! + c[lastRow + k]!) * z / div;
    }
    for (let i = prev; i >= at; i -= step) for (let k = 0; k < lanes; k++) c[i + k] = z * (c[i + step + k]! - c[i + k]!);
  }
}

/** Prefilters `src` for `order` and `mode`: scipy's `spline_filter` of each (padded) channel, in float64. */
export function splineCoefficients(src: ImageView, order: SplineOrder, mode: FillMode): SplineCoefficients {
  const { height: h, width: w, channels: ch } = src;
  const pad = splinePad(mode);
  const H = h + 2 * pad, W = w + 2 * pad;
  const c = new Float64Array(H * W * ch);
  const rowStride = W * ch;
  // Copy in, the padding repeating the nearest edge value (np.pad mode 'edge').
  for (let r = 0; r < H; r++) {
    const from = src.offset + Math.min(h - 1, Math.max(0, r - pad)) * w * ch;
    for (let col = 0; col < W; col++) {
      const f = from + Math.min(w - 1, Math.max(0, col - pad)) * ch;
      const t = r * rowStride + col * ch;
      for (let k = 0; k < ch; k++) c[t + k] = src.data[f + k]!;
    }
  }
  const poles = SPLINE_POLES[order];
  const powers = polePowers(order, mode, H, W);
  const reflect = reflectStart(mode);
  const keep = new Float64Array(Math.max(rowStride, 1));
  // Axis 0: every column of every channel at once; then axis 1, row by row.
  filterLines(c, 0, H, rowStride, rowStride, poles, powers, reflect, keep);
  const colPowers = powers.subarray(2);
  for (let r = 0; r < H; r++) filterLines(c, r * rowStride, W, ch, ch, poles, colPowers, reflect, keep);
  return { data: c, height: H, width: W, channels: ch, pad };
}

/**
 * scipy's map_coordinate: a position outside [0, n-1] brought back by `mode`
 * ('mirror' for taps in constant and wrap modes); -1 means outside (constant).
 */
export function splineMapCoordinate(x: number, n: number, mode: FillMode | 'mirror'): number {
  if (x < 0) {
    switch (mode) {
      case 'mirror': {
        if (n <= 1) return 0;
        const p = 2 * n - 2;
        x = p * Math.trunc(-x / p) + x;
        return x <= 1 - n ? x + p : -x;
      }
      case 'reflect': {
        if (n <= 1) return 0;
        const p = 2 * n;
        if (x < -p) x = p * Math.trunc(-x / p) + x;
        return x < -n ? x + p : (x > -1e-15 ? 1e-15 : -x) - 1;
      }
      case 'wrap': {
        if (n <= 1) return 0;
        const p = n - 1;
        return x + p * (Math.trunc(-x / p) + 1);
      }
      case 'nearest':
        return 0;
      case 'constant':
        return -1;
    }
  } else if (x > n - 1) {
    switch (mode) {
      case 'mirror': {
        if (n <= 1) return 0;
        const p = 2 * n - 2;
        x -= p * Math.trunc(x / p);
        return x >= n ? p - x : x;
      }
      case 'reflect': {
        if (n <= 1) return 0;
        const p = 2 * n;
        x -= p * Math.trunc(x / p);
        return x >= n ? p - x - 1 : x;
      }
      case 'wrap': {
        if (n <= 1) return 0;
        const p = n - 1;
        return x - p * Math.trunc(x / p);
      }
      case 'nearest':
        return n - 1;
      case 'constant':
        return -1;
    }
  }
  return x;
}

/** The B-spline weights of the `order + 1` taps around position x (scipy's get_spline_interpolation_weights). */
export function splineWeights(x: number, order: SplineOrder, out: Float64Array): void {
  x -= Math.floor(order & 1 ? x : x + 0.5);
  let y: number, z: number, t: number;
  switch (order) {
    case 2:
      out[1] = 0.75 - x * x;
      y = 0.5 - x;
      out[0] = 0.5 * y * y;
      break;
    case 3:
      y = x;
      z = 1 - x;
      out[1] = (y * y * (y - 2) * 3 + 4) / 6;
      out[2] = (z * z * (z - 2) * 3 + 4) / 6;
      out[0] = z * z * z / 6;
      break;
    case 4:
      t = x * x;
      out[2] = t * (t * 0.25 - 0.625) + 115 / 192;
      y = 1 + x;
      out[1] = y * (y * (y * (5 - y) / 6 - 1.25) + 5 / 24) + 55 / 96;
      z = 1 - x;
      out[3] = z * (z * (z * (5 - z) / 6 - 1.25) + 5 / 24) + 55 / 96;
      y = 0.5 - x;
      t = y * y;
      out[0] = t * t / 24;
      break;
    case 5:
      y = x;
      t = y * y;
      out[2] = t * (t * (0.25 - y / 12) - 0.5) + 0.55;
      z = 1 - x;
      t = z * z;
      out[3] = t * (t * (0.25 - z / 12) - 0.5) + 0.55;
      y += 1;
      out[1] = y * (y * (y * (y * (y / 24 - 0.375) + 1.25) - 1.75) + 0.625) + 0.425;
      z += 1;
      out[4] = z * (z * (z * (z * (z / 24 - 0.375) + 1.25) - 1.75) + 0.625) + 0.425;
      y = 1 - x;
      t = y * y;
      out[0] = y * t * t / 120;
      break;
  }
  // The weights sum to one: the last is what the others leave.
  let last = 1;
  for (let i = 0; i < order; i++) last -= out[i]!;
  out[order] = last;
}

/**
 * A mapped tap as an index: scipy's mapping keeps taps inside, except where
 * float64 loses the position (|x| near 2^53) or it is NaN; those land on the
 * edge here rather than outside the array.
 */
function inside(v: number, n: number): number {
  return v >= 0 ? (v <= n - 1 ? v : n - 1) : 0;
}

/**
 * The tap positions (in the coefficient array's rows or columns) and weights
 * along one axis for mapped position x; `n` the axis length with padding.
 */
function axisTaps(x: number, n: number, order: SplineOrder, tapMode: FillMode | 'mirror', taps: Int32Array, weights: Float64Array): void {
  const start = Math.floor(order & 1 ? x : x + 0.5) - (order >> 1);
  const edge = !(start >= 0 && start + order < n);
  for (let i = 0; i <= order; i++) taps[i] = edge ? inside(splineMapCoordinate(start + i, n, tapMode), n) : start + i;
  splineWeights(x, order, weights);
}

/**
 * Writes `coef` warped by `a` into `dst` (flips folded into the write
 * position) with scipy's spline evaluation; `fillMode` and `cval` as for
 * the coefficients' image.
 */
export function splineWarpTs(coef: SplineCoefficients, dst: ImageView, a: Affine, order: SplineOrder, mode: FillMode, cval: number,
  flipH: boolean, flipV: boolean): void {
  const { height: H, width: W, channels: ch, pad, data } = coef;
  const h = H - 2 * pad, w = W - 2 * pad;
  const [m00, m01, m10, m11] = a.matrix;
  const [o0, o1] = a.offset;
  const tapMode: FillMode | 'mirror' = mode === 'constant' || mode === 'wrap' ? 'mirror' : mode;
  const rowTaps = new Int32Array(order + 1), colTaps = new Int32Array(order + 1);
  const rowW = new Float64Array(order + 1), colW = new Float64Array(order + 1);
  const dd = dst.data;
  const rowStride = W * ch;
  for (let r = 0; r < h; r++) {
    const outRow = dst.offset + (flipV ? h - 1 - r : r) * w * ch;
    for (let c = 0; c < w; c++) {
      const out = outRow + (flipH ? w - 1 - c : c) * ch;
      // scipy's order: offset first, then each output coordinate's term.
      let x0 = o0;
      x0 += r * m00;
      x0 += c * m01;
      let x1 = o1;
      x1 += r * m10;
      x1 += c * m11;
      x0 += pad;
      x1 += pad;
      if (mode !== 'nearest') {
        x0 = splineMapCoordinate(x0, H, mode);
        x1 = splineMapCoordinate(x1, W, mode);
        if (!(x0 > -1) || !(x1 > -1)) {
          for (let k = 0; k < ch; k++) dd[out + k] = cval;
          continue;
        }
      }
      axisTaps(x0, H, order, tapMode, rowTaps, rowW);
      axisTaps(x1, W, order, tapMode, colTaps, colW);
      for (let k = 0; k < ch; k++) {
        let t = 0;
        for (let i = 0; i <= order; i++) {
          const row = rowTaps[i]! * rowStride + k;
          const wr = rowW[i]!;
          for (let j = 0; j <= order; j++) {
            let v = data[row + colTaps[j]! * ch]!;
            v *= wr;
            v *= colW[j]!;
            t += v;
          }
        }
        dd[out + k] = t;
      }
    }
  }
}
