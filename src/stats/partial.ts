/**
 * Partial statistics: a fit's sums before finalizing (float64 moments per
 * channel, with ZCA the Gram sums), as data that merges, saves and loads.
 */
import { InvalidArgumentError, PartialMismatchError } from '../errors.js';
import type { StoredConfig } from '../io/jsonState.js';
import { ChannelMoments } from './channelMoments.js';
import { type GramSums, mergeGramSums } from './gram.js';

/** How the images were fitted (Keras's `augment` and `rounds`): partials merge only with the same. */
export interface PartialFitOptions {
  augment: boolean;
  rounds: number;
}

/** What a partial holds. */
export interface PartialContents {
  /** The generator's options, as `toJSON()` stores them. */
  config: StoredConfig;
  fitOptions: PartialFitOptions;
  /** One image's shape in NHWC order; null when the fit saw no batch at all. */
  imageShape: [number, number, number] | null;
  /** Images fitted (each augmented copy counts). */
  images: number;
  /** Values per channel (images x rows x columns). */
  count: number;
  /** Per-channel mean, after `rescale` (length C, empty when imageShape is null). */
  mean: Float64Array;
  /** Per-channel sum of squared deviations from the mean. */
  m2: Float64Array;
  /** With ZCA: the Gram sums over the flattened NHWC images (null when zcaWhitening is off or nothing was seen). */
  gram: GramSums | null;
}

/** The sums of a fit that was not finalized: merge partials with `ImageDataGenerator.mergePartials`. */
export class PartialStatistics implements PartialContents {
  readonly config: StoredConfig;
  readonly fitOptions: PartialFitOptions;
  readonly imageShape: [number, number, number] | null;
  readonly images: number;
  readonly count: number;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  readonly gram: GramSums | null;

  constructor(contents: PartialContents) {
    ({
      config: this.config, fitOptions: this.fitOptions, imageShape: this.imageShape, images: this.images, count: this.count,
      mean: this.mean, m2: this.m2, gram: this.gram,
    } = contents);
  }

  /** Population variance per channel, float64 (NaN for an empty partial). */
  variance(): Float64Array {
    return this.m2.map((v) => v / this.count);
  }

  /**
   * One partial holding the sums of all of `partials` (disjoint parts of one
   * data set): equal to the partial of the whole, up to float64 rounding.
   * Throws PartialMismatchError naming the first option, fit option, image
   * shape or data format that differs; partials without images merge with any shape.
   */
  static merge(partials: readonly PartialStatistics[]): PartialStatistics {
    if (!Array.isArray(partials) || partials.length === 0) throw new InvalidArgumentError('partials', 'a non-empty array of partial statistics', partials);
    partials.forEach((p, i) => {
      if (!(p instanceof PartialStatistics)) throw new InvalidArgumentError(`partials[${i}]`, 'partial statistics from `generator.fitPartial` or `loadPartial`', p);
    });
    const first = partials[0]!;
    // Partials without images constrain nothing (a shard may be empty).
    const shaped = partials.findIndex((p) => p.images > 0);
    partials.forEach((p, i) => checkSameFit(first, p, i, shaped < 0 ? null : partials[shaped]!.imageShape, shaped));
    if (shaped < 0) return first;
    const filled = partials.filter((p) => p.images > 0);
    const imageShape = partials[shaped]!.imageShape!;
    const moments = new ChannelMoments(imageShape[2]);
    for (const p of filled) moments.merge(p.count, p.mean, p.m2);
    const grams = filled.flatMap((p) => (p.gram ? [p.gram] : []));
    return new PartialStatistics({
      config: first.config,
      fitOptions: first.fitOptions,
      imageShape,
      images: filled.reduce((n, p) => n + p.images, 0),
      count: moments.count,
      mean: moments.mean,
      m2: moments.m2,
      gram: grams.length > 0 ? mergeGramSums(grams, imageShape[0] * imageShape[1] * imageShape[2]) : null,
    });
  }
}

/** Throws PartialMismatchError when `p` (partials[index]) was fitted otherwise than `first`, or on images of another shape than `shape` (of partials[shaped]). */
function checkSameFit(first: PartialStatistics, p: PartialStatistics, index: number, shape: readonly number[] | null, shaped: number): void {
  const keys = new Set([...Object.keys(first.config), ...Object.keys(p.config)]);
  const format = first.config.dataFormat;
  for (const key of ['dataFormat', ...keys]) {
    const [a, b] = [(first.config as Record<string, unknown>)[key], (p.config as Record<string, unknown>)[key]];
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new PartialMismatchError(index, 0, `config.${key}`, a, b);
  }
  for (const key of ['augment', 'rounds'] as const) {
    if (first.fitOptions[key] !== p.fitOptions[key]) throw new PartialMismatchError(index, 0, `fitOptions.${key}`, first.fitOptions[key], p.fitOptions[key]);
  }
  const own = p.imageShape;
  if (p.images === 0 || own === null || shape === null) return;
  if (own.some((d, i) => d !== shape[i])) {
    const inFormat = ([h, w, c]: readonly number[]) => (format === 'channelsFirst' ? [c, h, w] : [h, w, c]);
    throw new PartialMismatchError(index, shaped, 'imageShape', inFormat(shape), inFormat(own));
  }
}
