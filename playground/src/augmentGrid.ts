/**
 * The grid's numbers: TILES augmentations of the chosen images, the first
 * epoch of one flow() (in `parts` batches, which workers compute side by
 * side), with the transform each tile was drawn with.
 */
import type { ImageDataGenerator, TransformParams } from '../../src/browser.js';
import { SIZE, stackImages } from './images.js';
import { fromFormat, toFormat } from './layout.js';

export const TILES = 16;

export interface GridBatch {
  /** Images (NHWC) after the generator's transforms and standardization. */
  data: Float32Array;
  /** Per image, the parameters flow() drew (null: the generator does not augment). */
  params: TransformParams[] | null;
}

/** TILES images cycling through `images` (each SIZE x SIZE x 3, NHWC), stacked. */
export function tileInputs(images: readonly Float32Array[]): Float32Array {
  return stackImages(Array.from({ length: TILES }, (_, t) => images[t % images.length]!));
}

/**
 * Batch `part` of `generator.flow(tiles, null, {batchSize: TILES / parts,
 * shuffle: false, seed})`: tiles part * TILES / parts onwards (`parts`
 * divides TILES). `tiles` is in the generator's data format (`toFormat`).
 */
export function augmentTiles(generator: ImageDataGenerator, tiles: { data: Float32Array; shape: number[] }, seed: number, part = 0, parts = 1): GridBatch {
  const format = generator.config.dataFormat;
  const flow = generator.flow(tiles, null, { batchSize: TILES / parts, shuffle: false, seed });
  const { xs } = flow.batch(part);
  try {
    return { data: fromFormat(xs.dataSync() as Float32Array, TILES / parts, SIZE, format), params: flow.transforms(part) };
  } finally {
    xs.dispose();
  }
}

/** One image (SIZE x SIZE x 3, NHWC) through `applyTransform(params)` and `standardize`, as NHWC. */
export function replayTile(generator: ImageDataGenerator, image: Float32Array, params: Partial<TransformParams>): Float32Array {
  const format = generator.config.dataFormat;
  const one = toFormat(image, 1, SIZE, format);
  const transformed = generator.applyTransform({ data: one.data, shape: one.shape.slice(1) }, params);
  const standardized = generator.standardize(transformed);
  try {
    return fromFormat(standardized.dataSync() as Float32Array, 1, SIZE, format);
  } finally {
    transformed.dispose();
    standardized.dispose();
  }
}
