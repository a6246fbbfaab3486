/**
 * Decoding and resizing image files to float32 HWC values in 0..255, as
 * Keras's `load_img` + `img_to_array` give them. With 'nearest' (Keras's
 * default) files are decoded at full size (JPEGs through libjpeg-turbo when
 * installed, BMP and Netpbm by our decoders, the rest through sharp) and
 * resized with PIL's exact nearest rule; other filters use sharp's resize
 * (libvips; prebuilt binaries from npm).
 */
import { readFile } from 'node:fs/promises';
import { CorruptFileError, InvalidArgumentError } from '../errors.js';
import { type RawImage, rawDecoderFor } from './rawFormats.js';

export type ColorMode = 'rgb' | 'rgba' | 'grayscale';
export type Interpolation = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos' | 'box' | 'hamming';

const KERNELS: Record<Interpolation, string | null> = {
  nearest: 'nearest', bilinear: 'linear', bicubic: 'cubic', lanczos: 'lanczos3', box: null, hamming: null,
};

export const CHANNELS: Record<ColorMode, number> = { rgb: 3, rgba: 4, grayscale: 1 };

type Sharp = typeof import('sharp').default;
let sharpModule: Promise<Sharp> | null = null;

async function loadSharp(): Promise<Sharp> {
  sharpModule ??= import('sharp').then((m) => m.default).catch((e: Error) => {
    sharpModule = null;
    throw new InvalidArgumentError('sharp', 'the sharp package installed (npm install sharp) to read image files', e.message.split('\n')[0]);
  });
  return sharpModule;
}

type JpegTurbo = typeof import('@julusian/jpeg-turbo');
let turboModule: Promise<JpegTurbo | null> | null = null;

/** libjpeg-turbo bindings, when installed (optional): decodes JPEGs ~2.5x faster than sharp here. */
function loadTurbo(): Promise<JpegTurbo | null> {
  turboModule ??= import('@julusian/jpeg-turbo').then((m) => ((m as { default?: JpegTurbo }).default ?? m) as JpegTurbo, () => null);
  return turboModule;
}

const isJpeg = (b: Uint8Array) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8;

/** A JPEG that does not end with its EOI marker (FF D9), ignoring trailing padding, is truncated. */
function endsWithEoi(b: Uint8Array): boolean {
  let end = b.length;
  while (end > 2 && (b[end - 1] === 0x00 || b[end - 1] === 0x0a || b[end - 1] === 0x0d)) end--;
  return b[end - 2] === 0xff && b[end - 1] === 0xd9;
}

/** Widens 1- or 2-band pixels (grey, grey + alpha) to RGB or RGBA. */
function toColour(img: RawImage): RawImage {
  if (img.channels === 3 || img.channels === 4) return img;
  const alpha = img.channels === 2;
  const c = alpha ? 4 : 3;
  const data = new Uint8Array(img.width * img.height * c);
  for (let p = 0; p < img.width * img.height; p++) {
    const v = img.data[p * img.channels]!;
    data[p * c] = data[p * c + 1] = data[p * c + 2] = v;
    if (alpha) data[p * c + 3] = img.data[p * 2 + 1]!;
  }
  return { data, width: img.width, height: img.height, channels: c };
}

/**
 * A file's full-resolution 8-bit RGB or RGBA pixels. Corrupt, truncated or
 * empty files throw CorruptFileError naming the file.
 */
async function decodePixels(path: string): Promise<RawImage> {
  const bytes = await readFile(path).catch((e: Error) => {
    throw new CorruptFileError(path, `cannot be read (${e.message})`);
  });
  const raw = rawDecoderFor(path);
  const turbo = !raw && isJpeg(bytes) ? await loadTurbo() : null;
  const sharp = raw || turbo ? null : await loadSharp();
  try {
    if (raw) return toColour(raw(bytes));
    if (turbo) {
      if (!endsWithEoi(bytes)) throw new Error('truncated JPEG (no end-of-image marker)');
      const d = await turbo.decompress(bytes, { format: turbo.FORMAT_RGB });
      return { data: d.data, width: d.width, height: d.height, channels: 3 };
    }
    const { data, info } = await sharp!(bytes, { failOn: 'truncated' }).raw().toBuffer({ resolveWithObject: true });
    return toColour({ data, width: info.width, height: info.height, channels: info.channels });
  } catch (e) {
    throw new CorruptFileError(path, `cannot be decoded as an image (${(e as Error).message.split('\n')[0]})`);
  }
}

/**
 * Keras's `load_img` with interpolation 'nearest': PIL's NEAREST resize (output
 * x reads source floor(box0 + (x + 0.5) * boxWidth / width)), keepAspectRatio's
 * centred crop box, PIL's luma for grayscale, the source alpha (or 255) for rgba.
 */
function resizeNearestInto(src: RawImage, out: Float32Array, offset: number, o: DecodeOptions): void {
  const { data, width: inW, height: inH, channels: sc } = src;
  const [height, width] = o.targetSize;
  let [x0, y0, boxW, boxH] = [0, 0, inW, inH];
  if (o.keepAspectRatio) {
    const cropH = Math.min(inH, Math.floor((inW * height) / width));
    const cropW = Math.min(inW, Math.floor((inH * width) / height));
    [x0, y0, boxW, boxH] = [Math.floor((inW - cropW) / 2), Math.floor((inH - cropH) / 2), cropW, cropH];
  }
  const c = CHANNELS[o.colorMode];
  const cols = Int32Array.from({ length: width }, (_, x) => sc * Math.min(inW - 1, Math.floor(x0 + ((x + 0.5) * boxW) / width)));
  for (let y = 0; y < height; y++) {
    const row = Math.min(inH - 1, Math.floor(y0 + ((y + 0.5) * boxH) / height)) * inW * sc;
    let d = offset + y * width * c;
    for (let x = 0; x < width; x++, d += c) {
      const s = row + cols[x]!;
      if (c === 1) {
        out[d] = Math.trunc((data[s]! * 19595 + data[s + 1]! * 38470 + data[s + 2]! * 7471 + 0x8000) / 65536);
        continue;
      }
      out[d] = data[s]!;
      out[d + 1] = data[s + 1]!;
      out[d + 2] = data[s + 2]!;
      if (c === 4) out[d + 3] = sc === 4 ? data[s + 3]! : 255;
    }
  }
}

export function checkInterpolation(value: unknown): Interpolation {
  if (typeof value !== 'string' || !(value in KERNELS)) {
    throw new InvalidArgumentError('interpolation', Object.keys(KERNELS).map((k) => `'${k}'`).join(', '), value);
  }
  if (KERNELS[value as Interpolation] === null) {
    throw new InvalidArgumentError('interpolation', "'nearest', 'bilinear', 'bicubic' or 'lanczos' (sharp has no box or hamming filter)", value);
  }
  return value as Interpolation;
}

export interface DecodeOptions {
  targetSize: [number, number];
  colorMode: ColorMode;
  interpolation: Interpolation;
  keepAspectRatio: boolean;
}

/** Decodes `path` into `out` at `offset` ([h, w, c] float32, 0..255). Corrupt, truncated or empty files throw CorruptFileError. */
/** Decodes `path` into `out` at `offset` ([h, w, c] float32, 0..255). Corrupt, truncated or empty files throw CorruptFileError. */
export async function decodeInto(path: string, out: Float32Array, offset: number, o: DecodeOptions): Promise<void> {
  if (o.interpolation === 'nearest') {
    resizeNearestInto(await decodePixels(path), out, offset, o);
    return;
  }
  const src = await decodePixels(path);
  const sharp = await loadSharp();
  const [height, width] = o.targetSize;
  let rgb: Buffer;
  try {
    rgb = await sharp(src.data, { raw: { width: src.width, height: src.height, channels: src.channels as 3 | 4 } })
      .resize(width, height, { fit: o.keepAspectRatio ? 'cover' : 'fill', kernel: KERNELS[o.interpolation] as never })
      .ensureAlpha()
      .raw()
      .toBuffer();
  } catch (e) {
    throw new CorruptFileError(path, `cannot be resized (${(e as Error).message.split('\n')[0]})`);
  }
  // Resized RGBA at the target size; the nearest rule with an identity box then picks the channels.
  resizeNearestInto({ data: rgb, width, height, channels: 4 }, out, offset, { ...o, keepAspectRatio: false });
}

/** Decodes a whole image file at its own size: float32 HWC, 0..255, RGB or RGBA as stored. */
export async function decodeFile(path: string): Promise<{ data: Float32Array; shape: [number, number, number] }> {
  const img = await decodePixels(path);
  return { data: Float32Array.from(img.data), shape: [img.height, img.width, img.channels] };
}
