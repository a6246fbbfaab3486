/**
 * Decoding and resizing image files with sharp (libvips, prebuilt binaries
 * from npm), to float32 HWC values in 0..255 as Keras's `load_img` +
 * `img_to_array` give them.
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
