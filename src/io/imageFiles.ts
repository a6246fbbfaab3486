/**
 * Images to PNG/JPEG bytes the way Keras's `array_to_img(x, scale=True)`
 * does it (min-max scaled to 0..255, truncated to 8 bits), and writing them
 * for `saveToDir`. Encoding is pure JavaScript (io/imageEncode.ts, reached
 * through the Node support so that page bundles leave the codecs out); writing
 * needs Node.
 */
import { InvalidArgumentError } from '../errors.js';
import { INSTEAD, requireNode } from '../platform.js';
import { type NodeFs, nodeFs } from './nodeFs.js';
import type { RandomGenerator } from '../random/random.js';
import type { ImageView } from '../transform/apply.js';

export type ImageFormat = 'png' | 'jpeg' | 'jpg';

export function checkImageFormat(format: unknown, argument: string): ImageFormat {
  if (format !== 'png' && format !== 'jpeg' && format !== 'jpg') throw new InvalidArgumentError(argument, "'png', 'jpeg' or 'jpg'", format);
  return format;
}

/** Keras `array_to_img(x, scale=True)`: x - min, / max, * 255, to uint8 (HWC). */
export function toUint8(v: ImageView): Uint8Array {
  const size = v.height * v.width * v.channels;
  const src = v.data.subarray(v.offset, v.offset + size);
  let lo = Infinity, hi = -Infinity;
  for (const x of src) { if (x < lo) lo = x; if (x > hi) hi = x; }
  const span = hi - lo;
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = span !== 0 ? Math.trunc(((src[i]! - lo) / span) * 255) : 0;
  return out;
}

/** Node's fs for writing images, or a clear error elsewhere (saving files is Node-only). */
export function nodeFsForWriting(argument: string): NodeFs {
  return nodeFs(argument, 'to be used in Node.js >= 20.16 (writing files needs node:fs)', 'another runtime');
}

/** Checks that `dir` is an existing directory (Keras does not create it either). */
export function checkDirectory(dir: unknown, argument: string): string {
  if (typeof dir !== 'string' || dir === '') throw new InvalidArgumentError(argument, 'a directory path', dir);
  requireNode(argument, INSTEAD.saveToDir);
  if (!nodeFsForWriting(argument).statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InvalidArgumentError(argument, 'an existing directory', dir, 'Create it first.');
  }
  return dir;
}

/** Where `saveToDir` writes: Keras's `save_to_dir`, `save_prefix`, `save_format`. */
export interface SaveTarget {
  dir: string;
  prefix: string;
  format: ImageFormat;
}

/** Validates the saveToDir options for images of `channels` channels; null when saving is off. */
export function checkSaveTarget(o: { saveToDir?: string | null; savePrefix?: string; saveFormat?: ImageFormat }, channels: number): SaveTarget | null {
  if (o.saveToDir == null) return null;
  if (channels < 1 || channels > 4) {
    throw new InvalidArgumentError('saveToDir', 'images with 1 to 4 channels (an image file holds at most 4)', `${channels} channels`);
  }
  return { dir: checkDirectory(o.saveToDir, 'saveToDir'), prefix: String(o.savePrefix ?? ''), format: checkImageFormat(o.saveFormat ?? 'png', 'saveFormat') };
}

/**
 * Keras's debugging output: each image of an NHWC batch as
 * `{prefix}_{sample index}_{random 0..hashMax}.{format}`, min-max scaled to 8 bits.
 */
export function saveBatchImages(target: SaveTarget, pixels: Float32Array, samples: ArrayLike<number>, imageShape: readonly number[], rng: RandomGenerator, hashMax: number): void {
  const [height, width, channels] = imageShape as [number, number, number];
  const size = height * width * channels;
  const { encodeImage } = requireNode('saveToDir', INSTEAD.saveToDir);
  const fs = nodeFsForWriting('saveToDir');
  for (let i = 0; i < samples.length; i++) {
    const bytes = encodeImage(toUint8({ data: pixels, offset: i * size, height, width, channels }), height, width, channels, target.format);
    fs.writeFileSync(`${target.dir}/${target.prefix}_${samples[i]}_${rng.interval(hashMax)}.${target.format}`, bytes);
  }
}
