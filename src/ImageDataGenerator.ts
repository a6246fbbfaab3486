/**
 * Keras's `ImageDataGenerator` for TensorFlow.js: `fit` learns featurewise
 * statistics, `standardize` applies them (the same at training and at
 * prediction time), `flow` yields normalized batches, and `toJSON`/`fromJSON`
 * carry the fitted state to wherever the model is served.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ImageDataGeneratorError, InvalidArgumentError, NotFittedError, ShapeError } from './errors.js';
import type { ArrayInput } from './input/dense.js';
import { type ImageBatch, type ImageInput, fromImageBatch, toImageBatch } from './input/imageBatch.js';
import {
  type FittedStatistics, type GeneratorState, checkEnvelope, decodeStatistics, encodeState,
} from './io/jsonState.js';
import { ArrayIterator, type FlowInput, type FlowOptions } from './iterators/ArrayIterator.js';
import { type ImageDataGeneratorArgs, type ImageDataGeneratorConfig, type PreprocessingFunction, resolveConfig } from './options/args.js';
import { argsFromKerasConfig } from './options/keras.js';
import { ChannelMoments } from './stats/channelMoments.js';
import { type ElementwiseSteps, standardizeImages } from './standardize/kernel.js';

/** Data for `fit`: one rank-4 array, or an (async) iterable of rank-4 batches streamed in one pass. */
export type FitInput = ImageInput | Iterable<ImageInput> | AsyncIterable<ImageInput>;

function isStream(x: FitInput): x is Iterable<ImageInput> | AsyncIterable<ImageInput> {
  // A nested number array holds arrays; an array of batches holds tensors or {data, shape} objects.
  if (Array.isArray(x)) return x.length > 0 && typeof x[0] === 'object' && !Array.isArray(x[0]);
  if (x instanceof tf.Tensor) return false;
  return typeof x === 'object' && x !== null && (Symbol.iterator in x || Symbol.asyncIterator in x);
}

async function* batchesOf(x: FitInput): AsyncGenerator<ImageInput> {
  if (isStream(x)) yield* x;
  else yield x;
}

/** The augmentation options that are switched on (Keras draws a random transform for each). */
function augmentationOptions(c: ImageDataGeneratorConfig): string[] {
  const on: string[] = [];
  if (c.rotationRange) on.push('rotationRange');
  if (c.widthShiftRange !== 0) on.push('widthShiftRange');
  if (c.heightShiftRange !== 0) on.push('heightShiftRange');
  if (c.shearRange) on.push('shearRange');
  if (c.zoomRange[0] !== 1 || c.zoomRange[1] !== 1) on.push('zoomRange');
  if (c.channelShiftRange) on.push('channelShiftRange');
  if (c.brightnessRange) on.push('brightnessRange');
  if (c.horizontalFlip) on.push('horizontalFlip');
  if (c.verticalFlip) on.push('verticalFlip');
  return on;
}

export class ImageDataGenerator {
  /** The options after defaults, validation and Keras's overrides. */
  readonly config: Readonly<ImageDataGeneratorConfig>;
  private stats: FittedStatistics = { mean: null, std: null };

  constructor(args: ImageDataGeneratorArgs = {}) {
    this.config = Object.freeze(resolveConfig(args));
  }

  /** Builds a generator from Keras's Python keyword arguments (`{featurewise_center: true, data_format: 'channels_last', ...}`). */
  static fromKerasConfig(config: Record<string, unknown>): ImageDataGenerator {
    return new ImageDataGenerator(argsFromKerasConfig(config));
  }

  /** The options (camelCase), as accepted by the constructor. */
  getConfig(): ImageDataGeneratorConfig {
    return { ...this.config, zoomRange: [...this.config.zoomRange], brightnessRange: this.config.brightnessRange && [...this.config.brightnessRange] };
  }

  /** Fitted per-channel mean (length C), or null. Keras: `mean` (shape [1,1,C] or [C,1,1]). */
  get mean(): Float32Array | null {
    return this.stats.mean && this.stats.mean.slice();
  }

  /** Fitted per-channel population std (length C), or null. Keras: `std`. */
  get std(): Float32Array | null {
    return this.stats.std && this.stats.std.slice();
  }

  /**
   * Computes the featurewise statistics the options ask for: per-channel mean
   * and population std over (sample, row, column), after `rescale`,
   * accumulated in float64. `x` is a rank-4 array or an (async) iterable of
   * rank-4 batches (for data larger than memory); both give the same result.
   * Replaces any earlier fit. Keras: `fit(x)`.
   */
  async fit(x: FitInput): Promise<this> {
    const { dataFormat, rescale, featurewiseCenter, featurewiseStdNormalization, zcaWhitening } = this.config;
    if (zcaWhitening) {
      throw new ImageDataGeneratorError('`zcaWhitening`: fitting the ZCA matrix is not implemented yet in this version.');
    }
    let moments: ChannelMoments | null = null;
    let first: ImageBatch['shape'] | null = null;
    let seen = 0;
    let index = 0;
    for await (const input of batchesOf(x)) {
      const argument = isStream(x) ? `x (batch ${index})` : 'x';
      const { batch } = toImageBatch(input, { argument, dataFormat, allowRank3: false, warnChannels: first === null });
      if (first === null) {
        first = batch.shape;
      } else if (batch.shape.slice(1).some((d, i) => d !== first![i + 1])) {
        throw new ShapeError(argument, `images of the same size and channels as the first batch ([${first.slice(1)}] in NHWC)`, batch.shape);
      }
      moments ??= new ChannelMoments(batch.shape[3]);
      moments.add(batch, rescale ?? 1, seen, argument);
      seen += batch.shape[0];
      index++;
    }
    if (moments === null || seen === 0) throw new InvalidArgumentError('x', 'at least one image', 'no images');
    this.stats = {
      mean: featurewiseCenter ? Float32Array.from(moments.mean) : null,
      std: featurewiseStdNormalization ? Float32Array.from(moments.variance(), Math.sqrt) : null,
    };
    return this;
  }

  /**
   * Applies the normalization steps, in Keras's order: preprocessingFunction,
   * rescale, samplewise center and std, featurewise center and std. Accepts one
   * image (rank 3) or a batch (rank 4) and returns a new float32 tensor of the
   * same shape; samplewise statistics are per image. Throws `NotFittedError`
   * if a featurewise step is on but was never fitted. Keras: `standardize(x)`.
   */
  standardize(x: ImageInput): tf.Tensor {
    const { batch, rank } = toImageBatch(x, { argument: 'x', dataFormat: this.config.dataFormat, allowRank3: true });
    const size = batch.shape[1] * batch.shape[2] * batch.shape[3];
    const out = this.standardizeSamples(batch, (i) => i * size, batch.shape[0]);
    return fromImageBatch({ data: out, shape: batch.shape }, this.config.dataFormat, rank);
  }

  /**
   * Yields batches of standardized images (and labels, misc arrays and sample
   * weights when given), endlessly, reshuffled every epoch. Keras: `flow(x, y)`.
   */
  flow(x: FlowInput, y?: ArrayInput | null, options: FlowOptions = {}): ArrayIterator {
    const augmenting = augmentationOptions(this.config);
    if (augmenting.length > 0) {
      throw new ImageDataGeneratorError(
        `Random augmentation (${augmenting.join(', ')}) is not implemented in this version, and flow() will not ` +
          'silently skip it: remove these options to flow normalized, unaugmented batches.',
      );
    }
    const process = (images: ImageBatch, indices: Int32Array) => {
      const size = images.shape[1] * images.shape[2] * images.shape[3];
      return this.standardizeSamples(images, (i) => indices[i]! * size, indices.length);
    };
    return new ArrayIterator(x, y, options, this.config.dataFormat, this.config.validationSplit, process);
  }

  /** Options and fitted statistics as plain JSON data. */
  toJSON(): GeneratorState {
    return encodeState(this.config, this.stats);
  }

  /**
   * Rebuilds a generator from `toJSON()` output; its `standardize` gives
   * identical results. If the saved generator had a preprocessing function,
   * pass the same function again in `options`.
   */
  static fromJSON(state: unknown, options: { preprocessingFunction?: PreprocessingFunction } = {}): ImageDataGenerator {
    const { config, statistics } = checkEnvelope(state);
    const { preprocessingFunction: hadFunction, ...stored } = config;
    if (hadFunction && !options.preprocessingFunction) {
      throw new InvalidArgumentError(
        'options.preprocessingFunction',
        'the preprocessing function the generator was saved with (functions are not serialized)',
        options.preprocessingFunction,
      );
    }
    const generator = new ImageDataGenerator({ ...(stored as ImageDataGeneratorArgs), preprocessingFunction: options.preprocessingFunction ?? null });
    generator.stats = decodeStatistics(statistics, generator.config.dataFormat);
    return generator;
  }

  /** The elementwise steps for images with `channels` channels; throws if a needed statistic is missing. */
  private elementwiseSteps(channels: number, shape: readonly number[]): ElementwiseSteps {
    const c = this.config;
    const { mean, std } = this.stats;
    if (c.featurewiseCenter && !mean) throw new NotFittedError('featurewiseCenter', 'mean');
    if (c.featurewiseStdNormalization && !std) throw new NotFittedError('featurewiseStdNormalization', 'std');
    if (c.zcaWhitening) throw new NotFittedError('zcaWhitening', 'zcaWhiteningMatrix');
    const fitted = mean ?? std;
    if (fitted && fitted.length !== channels) {
      throw new ShapeError('x', `${fitted.length} channels, as in the data the generator was fitted on`, shape);
    }
    return {
      rescale: c.rescale,
      samplewiseCenter: c.samplewiseCenter,
      samplewiseStdNormalization: c.samplewiseStdNormalization,
      mean: c.featurewiseCenter ? mean : null,
      std: c.featurewiseStdNormalization ? std : null,
    };
  }

  /** Standardizes `count` images of `images` (image i at `start(i)`) into a new NHWC array. */
  private standardizeSamples(images: ImageBatch, start: (i: number) => number, count: number): Float32Array {
    const [, h, w, c] = images.shape;
    const size = h * w * c;
    const steps = this.elementwiseSteps(c, images.shape);
    const out = new Float32Array(count * size);
    const fn = this.config.preprocessingFunction;
    if (fn === null) {
      standardizeImages(images.data, start, out, count, size, c, steps);
      return out;
    }
    for (let i = 0; i < count; i++) {
      const image = images.data.subarray(start(i), start(i) + size);
      out.set(this.preprocess(fn, image, [h, w, c]), i * size);
    }
    standardizeImages(out, (i) => i * size, out, count, size, c, steps);
    return out;
  }

  /** Runs the user's preprocessing function on one NHWC image, in the user's data format. */
  private preprocess(fn: PreprocessingFunction, image: Float32Array, hwc: [number, number, number]): Float32Array {
    const format = this.config.dataFormat;
    return tf.tidy(() => {
      const input = fromImageBatch({ data: image.slice(), shape: [1, ...hwc] }, format, 3) as tf.Tensor3D;
      const result = fn(input);
      if (!(result instanceof tf.Tensor) || !tf.util.arraysEqual(result.shape, input.shape)) {
        throw new ShapeError('preprocessingFunction', `to return a tf.Tensor of shape [${input.shape}]`, result instanceof tf.Tensor ? result.shape : []);
      }
      return toImageBatch(result, { argument: 'preprocessingFunction result', dataFormat: format, allowRank3: true }).batch.data.slice();
    });
  }
}
