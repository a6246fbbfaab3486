/**
 * Grayscale images wider than 8 bits as Keras's grayscale `load_img` keeps
 * them: Pillow opens 16-bit grayscale PNGs and TIFFs as 'I;16', and PGMs
 * with maxval above 255 and 32-bit integer TIFFs as 'I', modes that
 * color_mode='grayscale' does not convert, so `img_to_array` gives their
 * values (0..65535 for 'I;16', any int32 for 'I'). A Grey16 holding a
 * Uint16Array is 'I;16', one holding an Int32Array is 'I'. Resizing is
 * Pillow 12's `Image.resize` for these modes, to the bit:
 * - a box of whole pixels the size of the output is a crop; NEAREST is the
 *   scale-only affine transform (as for 8 bits);
 * - the other filters are Pillow's 16bpc passes (ImagingResampleHorizontal_16bpc
 *   and ..._Vertical_16bpc; _32bpc for 'I'): double weights normalized to
 *   sum 1 (no fixed point), each pass's sum rounded half away from zero,
 *   clipped to 0..65535 for 'I;16' (Pillow 12.3 saturates overshoot of
 *   bicubic and lanczos) and kept as it is for 'I' (checked against Pillow by
 *   test/png-decode.test.ts);
 * - images more than 100 times taller than wide are shrunk in height first.
 * Converting either to 'L', 'RGB' or 'RGBA' clips each value to 0..255 (`clip8`).
 */
import { weights, type Weights } from './resample/coefficients.js';
import { type Box, type Resample, nearestAxis } from './resample/resize.js';

export interface Grey16 {
  /** Uint16Array: Pillow's 'I;16'; Int32Array: its 'I'. */
  data: Uint16Array | Int32Array;
  width: number;
  height: number;
}

/** Pillow's 'I;16' or 'I' to 8 bits ('L', and each band of 'RGB'/'RGBA'): each value clipped to 0..255. */
export function clip8(img: Grey16): Uint8Array {
  return Uint8Array.from(img.data, (v) => (v < 0 ? 0 : v > 255 ? 255 : v));
}

/** An empty image of the same mode as `like`. */
const blank = (like: Grey16, n: number): Uint16Array | Int32Array => (like.data instanceof Uint16Array ? new Uint16Array(n) : new Int32Array(n));

/** One output sample: the double sum rounded half away from zero (ROUND_UP); the typed array clips it for 'I;16'. */
function store(ss: number, wide: boolean): number {
  const s = Math.trunc(ss >= 0 ? ss + 0.5 : ss - 0.5);
  return wide ? s : s <= 0 ? 0 : s < 65535 ? s : 65535;
}

/** One convolution pass: `src` resampled to `width` columns (horizontal) or `height` rows (vertical). */
function pass(src: Grey16, width: number, height: number, t: Weights, horizontal: boolean): Grey16 {
  const out = blank(src, width * height);
  const wide = out instanceof Int32Array;
  const inW = src.width;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = horizontal ? x : y;
      const k0 = i * t.stride;
      let ss = 0;
      for (let k = 0; k < t.count[i]!; k++) {
        const v = horizontal ? src.data[y * inW + t.first[i]! + k]! : src.data[(t.first[i]! + k) * inW + x]!;
        ss += v * t.weights[k0 + k]!;
      }
      out[y * width + x] = store(ss, wide);
    }
  }
  return { data: out, width, height };
}

function nearest(src: Grey16, width: number, height: number, box: Box): Grey16 {
  const out = blank(src, width * height); // positions outside the source stay 0
  const cols = nearestAxis(box[0], box[2], width, src.width);
  const rows = nearestAxis(box[1], box[3], height, src.height);
  for (let y = 0; y < height; y++) {
    if (rows[y]! < 0) continue;
    for (let x = 0; x < width; x++) if (cols[x]! >= 0) out[y * width + x] = src.data[rows[y]! * src.width + cols[x]!]!;
  }
  return { data: out, width, height };
}

function core(src: Grey16, width: number, height: number, resample: Resample, box: Box): Grey16 {
  const b = box.map(Math.fround) as Box;
  if (Number.isInteger(b[0]) && Math.fround(b[2] - b[0]) === width && Number.isInteger(b[1]) && Math.fround(b[3] - b[1]) === height) {
    const out = blank(src, width * height);
    for (let y = 0; y < height; y++) out.set(src.data.subarray((y + b[1]) * src.width + b[0], (y + b[1]) * src.width + b[0] + width), y * width);
    return { data: out, width, height };
  }
  if (resample === 'nearest') return nearest(src, width, height, b);
  const needH = width !== src.width || b[0] !== 0 || b[2] !== width;
  const needV = height !== src.height || b[1] !== 0 || b[3] !== height;
  let img = src;
  if (needH) img = pass(img, width, img.height, weights(src.width, b[0], b[2], width, resample), true);
  if (needV) img = pass(img, img.width, height, weights(src.height, b[1], b[3], height, resample), false);
  return img === src ? { ...src, data: src.data.slice() } : img;
}

/** Pillow's `img.resize((width, height), resample, box)` for an 'I;16' or 'I' image; `box` defaults to the whole image. */
export function resizeGrey16(src: Grey16, width: number, height: number, resample: Resample, box?: Box): Grey16 {
  const b: Box = box ?? [0, 0, src.width, src.height];
  if (width === src.width && height === src.height && b[0] === 0 && b[1] === 0 && b[2] === src.width && b[3] === src.height) {
    return { ...src, data: src.data.slice() };
  }
  if (src.height > src.width * 100 && height < src.height) {
    const tall = core(src, src.width, height, resample, [0, b[1], src.width, b[3]]);
    return core(tall, width, height, resample, [b[0], 0, b[2], height]);
  }
  return core(src, width, height, resample, b);
}

/**
 * Keras's grayscale `load_img` + `img_to_array` of an 'I;16' or 'I' image
 * into `out` at `offset`: resized (within `box`, keep_aspect_ratio's crop,
 * when given) when the size differs.
 */
export function grey16Into(src: Grey16, out: Float32Array, offset: number, o: { targetSize: [number, number]; interpolation: Resample }, box: Box | undefined): void {
  const [height, width] = o.targetSize;
  const img = src.width !== width || src.height !== height ? resizeGrey16(src, width, height, o.interpolation, box) : src;
  out.set(img.data, offset);
}
