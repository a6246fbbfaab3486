/**
 * Decoding and resizing image files to float32 HWC values in 0..255, as
 * Keras's `load_img` + `img_to_array` give them: JPEGs with 'nearest'
 * resizing through libjpeg-turbo (optional dependency, PIL's exact nearest
 * resize), everything else through sharp (libvips; prebuilt binaries from npm).
 */
import { readFile } from 'node:fs/promises';
import { CorruptFileError, InvalidArgumentError } from '../errors.js';
import { rawDecoderFor } from './rawFormats.js';

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

/**
 * Keras's `load_img` with interpolation 'nearest' from RGB pixels: PIL's
 * NEAREST resize (output x reads source floor(box0 + (x + 0.5) * boxWidth / width)),
 * keepAspectRatio's centred crop box, and PIL's luma for grayscale.
 */
function resizeNearestInto(rgb: Uint8Array, inW: number, inH: number, out: Float32Array, offset: number, o: DecodeOptions): void {
  const [height, width] = o.targetSize;
  let [x0, y0, boxW, boxH] = [0, 0, inW, inH];
  if (o.keepAspectRatio) {
    const cropH = Math.min(inH, Math.floor((inW * height) / width));
    const cropW = Math.min(inW, Math.floor((inH * width) / height));
    [x0, y0, boxW, boxH] = [Math.floor((inW - cropW) / 2), Math.floor((inH - cropH) / 2), cropW, cropH];
  }
  const c = CHANNELS[o.colorMode];
  const cols = Int32Array.from({ length: width }, (_, x) => 3 * Math.min(inW - 1, Math.floor(x0 + ((x + 0.5) * boxW) / width)));
  for (let y = 0; y < height; y++) {
    const row = Math.min(inH - 1, Math.floor(y0 + ((y + 0.5) * boxH) / height)) * inW * 3;
    let d = offset + y * width * c;
    for (let x = 0; x < width; x++, d += c) {
      const s = row + cols[x]!;
      if (c === 1) {
        out[d] = Math.trunc((rgb[s]! * 19595 + rgb[s + 1]! * 38470 + rgb[s + 2]! * 7471 + 0x8000) / 65536);
        continue;
      }
      out[d] = rgb[s]!;
      out[d + 1] = rgb[s + 1]!;
      out[d + 2] = rgb[s + 2]!;
      if (c === 4) out[d + 3] = 255;
    }
  }
}

/** The libjpeg-turbo path for JPEGs with 'nearest' resizing; false when it does not apply. */
async function decodeJpegNearest(path: string, out: Float32Array, offset: number, o: DecodeOptions): Promise<boolean> {
  if (o.interpolation !== 'nearest') return false;
  const turbo = await loadTurbo();
  if (!turbo) return false;
  const bytes = await readFile(path).catch((e: Error) => {
    throw new CorruptFileError(path, `cannot be read (${e.message})`);
  });
  if (!isJpeg(bytes)) return false;
  if (!endsWithEoi(bytes)) throw new CorruptFileError(path, 'is a truncated JPEG (no end-of-image marker)');
  let decoded: { data: Buffer; width: number; height: number };
  try {
    decoded = await turbo.decompress(bytes, { format: turbo.FORMAT_RGB });
  } catch (e) {
    throw new CorruptFileError(path, `cannot be decoded as a JPEG (${(e as Error).message})`);
  }
  resizeNearestInto(decoded.data, decoded.width, decoded.height, out, offset, o);
  return true;
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
export async function decodeInto(path: string, out: Float32Array, offset: number, o: DecodeOptions): Promise<void> {
  if (await decodeJpegNearest(path, out, offset, o)) return;
  const sharp = await loadSharp();
  const [height, width] = o.targetSize;
  let pixels: Buffer;
  try {
    const raw = rawDecoderFor(path);
    let source: ReturnType<Sharp>;
    if (raw) {
      const decoded = raw(await readFile(path));
      source = sharp(decoded.data, { raw: { width: decoded.width, height: decoded.height, channels: decoded.channels } });
    } else {
      source = sharp(path, { failOn: 'truncated' });
    }
    let image = source.resize(width, height, {
      fit: o.keepAspectRatio ? 'cover' : 'fill',
      kernel: KERNELS[o.interpolation] as never,
    });
    image = o.colorMode === 'grayscale' ? image.grayscale().removeAlpha() : o.colorMode === 'rgb' ? image.removeAlpha().toColourspace('srgb') : image.ensureAlpha().toColourspace('srgb');
    const result = await image.raw().toBuffer({ resolveWithObject: true });
    pixels = result.data;
    if (result.info.channels !== CHANNELS[o.colorMode]) {
      // A grayscale source converted to srgb may still report one band; expand it.
      const c = CHANNELS[o.colorMode];
      const expanded = Buffer.alloc(width * height * c, 255);
      for (let p = 0; p < width * height; p++) {
        for (let k = 0; k < Math.min(c, 3); k++) expanded[p * c + k] = pixels[p * result.info.channels]!;
      }
      pixels = expanded;
    }
  } catch (e) {
    throw new CorruptFileError(path, `cannot be decoded as an image (${(e as Error).message.split('\n')[0]})`);
  }
  for (let i = 0; i < pixels.length; i++) out[offset + i] = pixels[i]!;
}

/** Decodes a whole image file at its own size: float32 HWC, 0..255, 1, 3 or 4 channels as stored. */
export async function decodeFile(path: string): Promise<{ data: Float32Array; shape: [number, number, number] }> {
  const sharp = await loadSharp();
  try {
    const raw = rawDecoderFor(path);
    if (raw) {
      const d = raw(await readFile(path));
      return { data: Float32Array.from(d.data), shape: [d.height, d.width, d.channels] };
    }
    const { data, info } = await sharp(path, { failOn: 'truncated' }).raw().toBuffer({ resolveWithObject: true });
    return { data: Float32Array.from(data), shape: [info.height, info.width, info.channels] };
  } catch (e) {
    throw new CorruptFileError(path, `cannot be decoded as an image (${(e as Error).message.split('\n')[0]})`);
  }
}
