/**
 * Pillow 12's `Image.resize(size, resample, box)` for 8-bit images of 1, 3 or
 * 4 channels ('L', 'RGB', 'RGBA'), to the bit:
 * - a box of whole pixels the size of the output is a crop;
 * - NEAREST steps the source coordinate by repeated double addition from
 *   box0 + step / 2 and truncates (so at exact integer boundaries it may take
 *   the pixel one lower than floor of the exact product); positions outside
 *   the image are 0;
 * - the other filters are a horizontal then a vertical fixed-point
 *   convolution, each rounded and clipped to 8 bits; RGBA is premultiplied
 *   by alpha before and divided after, as Pillow's 'RGBa' round trip does;
 * - images more than 100 times taller than wide are shrunk in height first.
 * The convolution passes come from a `SeparableKernel`: the TypeScript
 * reference here, or the wasm kernel (bit-identical).
 */
import type { RawImage } from '../rawFormats.js';
import { type Coefficients, type Filter, PRECISION_BITS, coefficients } from './coefficients.js';

export type Resample = 'nearest' | Filter;

/** [left, upper, right, lower] in source pixels (float32, as Pillow takes it). */
export type Box = [number, number, number, number];

/**
 * Pillow's ImagingResampleInner: `h` (or null for no horizontal pass) over the
 * source rows `v` reads (all rows when `v` is null), then `v` (or null) over
 * the result. At least one of them is given.
 */
export interface SeparableKernel {
  separable(src: RawImage, width: number, height: number, h: Coefficients | null, v: Coefficients | null): RawImage;
}

const HALF = 1 << (PRECISION_BITS - 1);

const clip8 = (s: number): number => {
  const v = s >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/** Rows `from .. from + rows` of `src`, each resampled to `width` pixels. */
function horizontal(src: RawImage, from: number, rows: number, width: number, c: Coefficients): RawImage {
  const { data, width: inW, channels: ch } = src;
  const out = new Uint8Array(width * rows * ch);
  const acc = new Int32Array(ch);
  for (let y = 0; y < rows; y++) {
    const line = (y + from) * inW * ch;
    for (let x = 0; x < width; x++) {
      acc.fill(HALF);
      const k0 = x * c.stride;
      const s0 = line + c.first[x]! * ch;
      for (let k = 0; k < c.count[x]!; k++) {
        const w = c.taps[k0 + k]!;
        for (let b = 0; b < ch; b++) acc[b]! += data[s0 + k * ch + b]! * w;
      }
      for (let b = 0; b < ch; b++) out[(y * width + x) * ch + b] = clip8(acc[b]!);
    }
  }
  return { data: out, width, height: rows, channels: ch };
}

/** `src` resampled to `height` rows (every byte of a row independently). */
function vertical(src: RawImage, height: number, c: Coefficients, base: number): RawImage {
  const { data, width, channels: ch } = src;
  const row = width * ch;
  const out = new Uint8Array(row * height);
  for (let y = 0; y < height; y++) {
    const k0 = y * c.stride;
    const s0 = (c.first[y]! - base) * row;
    for (let i = 0; i < row; i++) {
      let acc = HALF;
      for (let k = 0; k < c.count[y]!; k++) acc += data[s0 + k * row + i]! * c.taps[k0 + k]!;
      out[y * row + i] = clip8(acc);
    }
  }
  return { data: out, width, height, channels: ch };
}

/** The TypeScript convolution passes (the reference the wasm kernel is tested against). */
export const tsKernel: SeparableKernel = {
  separable(src, width, height, h, v) {
    if (!h) return vertical(src, height, v!, 0);
    const from = v ? v.first[0]! : 0;
    const to = v ? v.first[height - 1]! + v.count[height - 1]! : src.height;
    const img = horizontal(src, from, to - from, width, h);
    return v ? vertical(img, height, v, from) : img;
  },
};

/** Pillow's ImagingResample: the two convolution passes, each only where the axis changes. */
function convolve(src: RawImage, width: number, height: number, filter: Filter, box: Box, kernel: SeparableKernel): RawImage {
  const needH = width !== src.width || box[0] !== 0 || box[2] !== width;
  const needV = height !== src.height || box[1] !== 0 || box[3] !== height;
  const v = coefficients(src.height, box[1], box[3], height, filter);
  const h = needH ? coefficients(src.width, box[0], box[2], width, filter) : null;
  if (!needH && !needV) return { ...src, data: src.data.slice() };
  return kernel.separable(src, width, height, h, needV ? v : null);
}

/**
 * NEAREST's source index along one axis (ImagingScaleAffine): from
 * box0 + step / 2 by repeated double addition, truncated; -1 outside the image.
 */
export function nearestAxis(from: number, to: number, n: number, limit: number): Int32Array {
  const a = Math.fround(Math.fround(to) - Math.fround(from)) / n;
  const at = new Int32Array(n);
  let pos = Math.fround(from) + a * 0.5;
  for (let i = 0; i < n; i++, pos += a) {
    const p = pos < 0 ? -1 : Math.trunc(pos);
    at[i] = p < limit ? p : -1;
  }
  return at;
}

/** Pillow's scale-only affine transform with NEAREST (ImagingScaleAffine). */
function nearest(src: RawImage, width: number, height: number, box: Box): RawImage {
  const { data, width: inW, height: inH, channels: ch } = src;
  const out = new Uint8Array(width * height * ch); // positions outside the source stay 0
  const cols = nearestAxis(box[0], box[2], width, inW);
  const rows = nearestAxis(box[1], box[3], height, inH);
  for (let y = 0; y < height; y++) {
    if (rows[y]! < 0) continue;
    const line = rows[y]! * inW * ch;
    let d = y * width * ch;
    for (let x = 0; x < width; x++, d += ch) {
      if (cols[x]! < 0) continue;
      const s = line + cols[x]! * ch;
      if (ch === 3) {
        out[d] = data[s]!;
        out[d + 1] = data[s + 1]!;
        out[d + 2] = data[s + 2]!;
      } else if (ch === 1) out[d] = data[s]!;
      else for (let b = 0; b < ch; b++) out[d + b] = data[s + b]!;
    }
  }
  return { data: out, width, height, channels: ch };
}

/** Source columns and rows of a pixel selection; -1 where the output pixel is 0 (outside the source). */
export interface PixelSelection {
  cols: Int32Array;
  rows: Int32Array;
}

const counting = (from: number, n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => from + i);

/**
 * Which source pixel each output pixel of `pillowResize(src, width, height,
 * 'nearest', box)` is, for any mode (NEAREST, a crop and a same-size resize
 * only select pixels): the same choices, without producing the image, so a
 * caller can convert and store each pixel in one pass. Null for the images
 * Pillow resizes in two passes (more than 100 times taller than wide).
 */
export function nearestSelection(inW: number, inH: number, width: number, height: number, box?: Box): PixelSelection | null {
  const b: Box = box ?? [0, 0, inW, inH];
  if (width === inW && height === inH && b[0] === 0 && b[1] === 0 && b[2] === inW && b[3] === inH) {
    return { cols: counting(0, width), rows: counting(0, height) };
  }
  if (inH > inW * 100 && height < inH) return null;
  const f = b.map(Math.fround) as Box;
  if (Number.isInteger(f[0]) && Math.fround(f[2] - f[0]) === width && Number.isInteger(f[1]) && Math.fround(f[3] - f[1]) === height) {
    return { cols: counting(f[0], width), rows: counting(f[1], height) };
  }
  return { cols: nearestAxis(f[0], f[2], width, inW), rows: nearestAxis(f[1], f[3], height, inH) };
}

function crop(src: RawImage, x0: number, y0: number, width: number, height: number): RawImage {
  const ch = src.channels;
  const out = new Uint8Array(width * height * ch);
  for (let y = 0; y < height; y++) {
    const s = ((y + y0) * src.width + x0) * ch;
    out.set(src.data.subarray(s, s + width * ch), y * width * ch);
  }
  return { data: out, width, height, channels: ch };
}

/** Pillow's C-level resize (`ImagingObject.resize`). */
function coreResize(src: RawImage, width: number, height: number, resample: Resample, box: Box, kernel: SeparableKernel): RawImage {
  const b = box.map(Math.fround) as Box;
  if (Number.isInteger(b[0]) && Math.fround(b[2] - b[0]) === width && Number.isInteger(b[1]) && Math.fround(b[3] - b[1]) === height) {
    return crop(src, b[0], b[1], width, height);
  }
  return resample === 'nearest' ? nearest(src, width, height, b) : convolve(src, width, height, resample, b, kernel);
}

/** RGBA to Pillow's premultiplied 'RGBa': each colour (c * a + 127) / 255 as MULDIV255 rounds it. */
function premultiply(img: RawImage): RawImage {
  const d = img.data.slice();
  for (let p = 0; p < d.length; p += 4) {
    const a = d[p + 3]!;
    for (let b = 0; b < 3; b++) {
      const t = d[p + b]! * a + 128;
      d[p + b] = ((t >> 8) + t) >> 8;
    }
  }
  return { ...img, data: d };
}

/** 'RGBa' back to 'RGBA': each colour 255 * c / a, truncated and clipped (alpha 0 and 255 unchanged). In place. */
function unpremultiply(img: RawImage): RawImage {
  const d = img.data;
  for (let p = 0; p < d.length; p += 4) {
    const a = d[p + 3]!;
    if (a === 0 || a === 255) continue;
    for (let b = 0; b < 3; b++) d[p + b] = Math.min(255, Math.trunc((255 * d[p + b]!) / a));
  }
  return img;
}

/**
 * Pillow's `img.resize((width, height), resample, box)` for an 8-bit 'L'
 * (1 channel), 'RGB' (3) or 'RGBA' (4) image; `box` defaults to the whole image.
 */
export function pillowResize(src: RawImage, width: number, height: number, resample: Resample, box?: Box, kernel: SeparableKernel = tsKernel): RawImage {
  const b: Box = box ?? [0, 0, src.width, src.height];
  if (width === src.width && height === src.height && b[0] === 0 && b[1] === 0 && b[2] === src.width && b[3] === src.height) {
    return { ...src, data: src.data.slice() };
  }
  if (src.channels === 4 && resample !== 'nearest') return unpremultiply(resizeBands(premultiply(src), width, height, resample, b, kernel));
  return resizeBands(src, width, height, resample, b, kernel);
}

/** The rest of `Image.resize` once the mode needs no premultiplication round trip. */
function resizeBands(src: RawImage, width: number, height: number, resample: Resample, b: Box, kernel: SeparableKernel): RawImage {
  if (src.height > src.width * 100 && height < src.height) {
    const tall = coreResize(src, src.width, height, resample, [0, b[1], src.width, b[3]], kernel);
    return coreResize(tall, width, height, resample, [b[0], 0, b[2], height], kernel);
  }
  return coreResize(src, width, height, resample, b, kernel);
}
