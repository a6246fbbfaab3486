/**
 * Keras's `ImageDataGenerator` for TensorFlow.js: `fit` learns featurewise
 * statistics, `standardize` applies them (the same at training and at
 * prediction time), `flow` yields normalized batches, and `toJSON`/`fromJSON`
 * carry the fitted state to wherever the model is served.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { DisposedError, InvalidArgumentError, NotFittedError, ShapeError } from './errors.js';
import { type ArrayInput, toDense } from './input/dense.js';
import { type ImageBatch, type ImageInput, fromImageBatch, toImageBatch, userShape } from './input/imageBatch.js';
import { asFileError, fromArtifacts, handlerError, toArtifacts } from './io/artifacts.js';
import {
  type FittedStatistics, type GeneratorState, STATE_FORMAT, STATE_VERSION, checkEnvelope, decodeStatistics, encodeState, featureOrder,
  permuteMatrix, statisticShape,
} from './io/jsonState.js';
import { nodeFs } from './io/nodeFs.js';
import { INSTEAD, requireNode } from './platform.js';
import { parseNpy } from './io/npy.js';
import { ArrayIterator, type FlowContext, type FlowInput, type FlowOptions, type SampleProcessor } from './iterators/ArrayIterator.js';
import { ImageStandardization } from './layers/ImageStandardization.js';
import { applyWhitening } from './linalg/applyWhitening.js';
import type { Batch } from './iterators/BatchIterator.js';
import type { DataFrameBatch, DataFrameClassMode, DataFrameFlowOptions, DataFrameIterator, Row } from './node/DataFrameIterator.js';
import type { ClassMode, DirectoryBatch, DirectoryFlowOptions, DirectoryIterator } from './node/DirectoryIterator.js';
import { type ImageDataGeneratorArgs, type ImageDataGeneratorConfig, type PreprocessingFunction, resolveConfig } from './options/args.js';
import { argsFromKerasConfig, asKerasConfigError, renameArgument } from './options/keras.js';
import { type OptionKeys, checkKeys, flag } from './options/keys.js';
import { type RandomGenerator, checkSeed, randomSeed } from './random/random.js';
import { fitImageSeed, singleGenerator } from './random/streams.js';
import { ChannelMoments } from './stats/channelMoments.js';
import { checkFiniteStatistics } from './stats/finite.js';
import { type GramAccumulator, openGram } from './stats/gram.js';
import { type PartialFitOptions, PartialStatistics } from './stats/partial.js';
import { type ElementwiseSteps, channelAffine, isIdentity, nonIdentity, standardizeImages } from './standardize/kernel.js';
import { applyTransformTo } from './transform/apply.js';
import { type TransformParams, completeParams, drawTransform } from './transform/params.js';

/** A statistic fitted in Python: `.npy` bytes, a `.npy` file path (Node), or any array form. */
export type KerasArray = Uint8Array | ArrayBuffer | string | ArrayInput;

/** Statistics exported from a Keras `ImageDataGenerator` (see README, "Statistics fitted in Python"). */
export interface KerasStatistics {
  /** The keyword arguments the Python generator was built with (snake_case). */
  config: Record<string, unknown>;
  /** `datagen.mean`: shape (1,1,C), (C,1,1) or (C,). */
  mean?: KerasArray | null;
  /** `datagen.std`. */
  std?: KerasArray | null;
  /** `datagen.zca_whitening_matrix`: (d, d). */
  zcaWhiteningMatrix?: KerasArray | null;
  /** One image's shape in the data format, required with the ZCA matrix (Keras does not record it). */
  imageShape?: number[];
}

async function readKerasArray(value: KerasArray, argument: string): Promise<{ data: Float32Array; shape: number[] }> {
  if (typeof value === 'string') {
    requireNode(`fromKeras with a .npy file path (\`${argument}\`)`, INSTEAD.npy);
    const fs = nodeFs(argument, '.npy bytes or an array outside Node.js', 'a file path');
    const bytes = await fs.promises.readFile(value).catch(() => {
      throw new InvalidArgumentError(argument, 'a readable .npy file', value);
    });
    return parseNpy(bytes, `${argument} (${value})`);
  }
  if (value instanceof ArrayBuffer) return parseNpy(new Uint8Array(value), argument);
  if (value instanceof Uint8Array) return parseNpy(value, argument);
  return toDense(value, argument);
}

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

/** Keys of an array's images for per-image augmentation seeds: firstIndex + position; null (one stream) without firstIndex. */
function indexKeys(firstIndex: unknown): ((i: number) => number) | null {
  if (firstIndex === undefined) return null;
  if (!Number.isSafeInteger(firstIndex) || (firstIndex as number) < 0) throw new InvalidArgumentError('firstIndex', 'a non-negative integer', firstIndex);
  return (i) => (firstIndex as number) + i;
}

/** A tf.io handler for `target`, or null when it names a plain directory (or file://) for Node files. */
function ioHandler(target: string | tf.io.IOHandler, argument: string): tf.io.IOHandler | null {
  if (typeof target !== 'string') {
    if (target === null || typeof target !== 'object') throw new InvalidArgumentError(argument, 'a directory path, a tf.io URL or a tf.io handler', target);
    return target;
  }
  if (target === '') throw new InvalidArgumentError(argument, 'a directory path, a tf.io URL or a tf.io handler', target);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(target) || target.startsWith('file://')) return null;
  const handlers = argument === 'dest' ? tf.io.getSaveHandlers(target) : tf.io.getLoadHandlers(target);
  if (handlers.length === 0) throw new InvalidArgumentError(argument, 'a directory path or a tf.io URL with a registered handler', target);
  return handlers[0]!;
}

const stripFileScheme = (path: string) => path.replace(/^file:\/\//, '');

/** A one-line terminal progress display: images done, images/s and ETA. */
function progressLine(stream: { write(s: string): void }, total: number): (done: number) => void {
  const t0 = Date.now();
  return (done) => {
    const seconds = (Date.now() - t0) / 1000;
    const rate = done / Math.max(seconds, 1e-3);
    const eta = (total - done) / Math.max(rate, 1e-9);
    stream.write(`\rfit: ${done}/${total} images  ${Math.round(rate)} images/s  ETA ${eta.toFixed(0)} s${done === total ? '\n' : ''}`);
  };
}

/** Whether any random augmentation option is on. */
function hasAugmentation(c: ImageDataGeneratorConfig): boolean {
  return Boolean(
    c.rotationRange || c.widthShiftRange !== 0 || c.heightShiftRange !== 0 || c.shearRange ||
      c.zoomRange[0] !== 1 || c.zoomRange[1] !== 1 || c.channelShiftRange || c.brightnessRange ||
      c.horizontalFlip || c.verticalFlip,
  );
}

/** Options of `fit` beyond the data. Keras: `fit(x, augment, rounds, seed)`. */
export interface FitOptions {
  /** Fit on randomly augmented copies of the data. Default false. */
  augment?: boolean;
  /** With `augment`, how many augmented passes over the data. Default 1. */
  rounds?: number;
  /** Seed for the augmentation draws. */
  seed?: number;
  /**
   * With `augment`: x's first image's index in the whole data set; image i is
   * then augmented with seed `fitImageSeed(seed, round, firstIndex + i)`, not
   * Keras's one stream, so fits of parts merge to the whole's (firstIndex 0).
   */
  firstIndex?: number;
}

const FIT_OPTIONS: OptionKeys<FitOptions> = { augment: true, rounds: true, seed: true, firstIndex: true };

/** What one pass over the data summed, before its statistics are finalized; `gram` holds memory until closed. */
interface FitPass {
  moments: ChannelMoments | null;
  gram: GramAccumulator | null;
  /** One image's shape (NHWC), null when no batch came. */
  shape: [number, number, number] | null;
  /** Images fitted (each augmented copy counts). */
  images: number;
  fitOptions: PartialFitOptions;
}

/** Options of `fitFromDirectory`: how to read the folder, as `flowFromDirectory`, and how to fit. */
export type FitFromDirectoryOptions = Pick<
  DirectoryFlowOptions,
  'targetSize' | 'colorMode' | 'classes' | 'followLinks' | 'interpolation' | 'keepAspectRatio' | 'onBadImage' | 'batchSize' | 'maxPixels' | 'workers' | 'shard'
> & Omit<FitOptions, 'firstIndex'> & {
  /** Called after each batch with the images done and the total. Default: a progress line on a terminal. */
  onProgress?: (done: number, total: number) => void;
};

const FIT_FROM_DIRECTORY_OPTIONS: OptionKeys<FitFromDirectoryOptions> = {
  augment: true, rounds: true, seed: true, shard: true, targetSize: true, colorMode: true, classes: true, followLinks: true, interpolation: true,
  keepAspectRatio: true, onBadImage: true, batchSize: true, maxPixels: true, workers: true, onProgress: true,
};

export class ImageDataGenerator {
  /** The options after defaults, validation and Keras's overrides. */
  readonly config: Readonly<ImageDataGeneratorConfig>;
  private stats: FittedStatistics = { mean: null, std: null, zca: null };
  /** The ZCA matrix as a tensor, made on first use and kept (one tensor) until the statistics change. */
  private zcaTensor: tf.Tensor2D | null = null;
  /** Set by `dispose()`: the statistics are gone for good. */
  private disposed = false;
  /** Whether any augmentation option is on (flow draws transforms only then). */
  private readonly augments: boolean;

  constructor(args: ImageDataGeneratorArgs = {}) {
    this.config = Object.freeze(resolveConfig(args));
    this.augments = hasAugmentation(this.config);
  }

  /** Builds a generator from Keras's Python keyword arguments (`{featurewise_center: true, data_format: 'channels_last', ...}`). */
  static fromKerasConfig(config: Record<string, unknown>): ImageDataGenerator {
    const args = argsFromKerasConfig(config);
    try {
      return new ImageDataGenerator(args);
    } catch (e) {
      // Name the Keras argument the user wrote (`config.zoom_range`), not our option.
      throw asKerasConfigError(e);
    }
  }

  /**
   * Builds a generator from statistics fitted in Python by Keras: its config
   * dict plus `mean`, `std` and `zca_whitening_matrix` as `.npy` files or
   * arrays. Its `standardize` then matches Keras's.
   */
  static async fromKeras(stats: KerasStatistics): Promise<ImageDataGenerator> {
    if (stats === null || typeof stats !== 'object') throw new InvalidArgumentError('stats', '{config, mean?, std?, zcaWhiteningMatrix?}', stats);
    const generator = ImageDataGenerator.fromKerasConfig(stats.config);
    const format = generator.config.dataFormat;
    const state = generator.toJSON();
    for (const name of ['mean', 'std'] as const) {
      const value = stats[name];
      if (value == null) continue;
      const { data, shape } = await readKerasArray(value, name);
      const channels = data.length;
      const accepted = [[channels], statisticShape(channels, format)];
      if (!accepted.some((s) => s.length === shape.length && s.every((d, i) => d === shape[i]))) {
        throw new ShapeError(name, `shape (${channels},) or (${statisticShape(channels, format)}) for '${format}'`, shape);
      }
      state.statistics[name] = { shape: statisticShape(channels, format), values: Array.from(data) };
    }
    if (stats.zcaWhiteningMatrix != null) {
      const { data, shape } = await readKerasArray(stats.zcaWhiteningMatrix, 'zcaWhiteningMatrix');
      const imageShape: unknown = stats.imageShape;
      if (!Array.isArray(imageShape) || imageShape.length !== 3 || !imageShape.every((n) => Number.isInteger(n) && n > 0)) {
        throw new InvalidArgumentError('imageShape', `one image's shape in '${format}' order (three positive integers), needed with the ZCA matrix`, imageShape);
      }
      const d = (imageShape as number[]).reduce((a, b) => a * b, 1);
      if (shape.length !== 2 || shape[0] !== d || shape[1] !== d) {
        throw new ShapeError(
          'zcaWhiteningMatrix',
          `shape [${d}, ${d}] for \`imageShape\` [${imageShape}] (d = the values in one image)`,
          shape,
          'Pass as `imageShape` the shape of the images the matrix was fitted on.',
        );
      }
      state.statistics.zcaWhiteningMatrix = { shape, imageShape: imageShape as number[], values: Array.from(data) };
    }
    try {
      return ImageDataGenerator.fromJSON(state);
    } catch (e) {
      // Name the argument the user passed (`mean`, `zcaWhiteningMatrix`), not the internal state's path.
      const path = e instanceof InvalidArgumentError ? /^state\.statistics\.(\w+)(\.imageShape)?/.exec(e.argument) : null;
      if (path) throw renameArgument(e as InvalidArgumentError, path[2] ? 'imageShape' : path[1]!);
      throw e;
    }
  }

  /** The options (camelCase), as accepted by the constructor. */
  getConfig(): ImageDataGeneratorConfig {
    return { ...this.config, zoomRange: [...this.config.zoomRange], brightnessRange: this.config.brightnessRange && [...this.config.brightnessRange] };
  }

  /** Fitted per-channel mean (length C), or null. Keras: `mean` (shape [1,1,C] or [C,1,1]). */
  get mean(): Float32Array | null {
    this.checkLive('mean');
    return this.stats.mean && this.stats.mean.slice();
  }

  /** Fitted per-channel population std (length C), or null. Keras: `std`. */
  get std(): Float32Array | null {
    this.checkLive('std');
    return this.stats.std && this.stats.std.slice();
  }

  /**
   * Computes the featurewise statistics the options ask for: per-channel mean
   * and population std over (sample, row, column), after `rescale`,
   * accumulated in float64. `x` is a rank-4 array or an (async) iterable of
   * rank-4 batches (for data larger than memory); both give the same result.
   * With `augment`, fits on `rounds` randomly transformed copies (rescaled
   * first, as Keras). Replaces any earlier fit. Keras: `fit(x, augment, rounds, seed)`.
   */
  async fit(x: FitInput, options: FitOptions = {}): Promise<this> {
    this.checkLive('fit');
    checkKeys(options, FIT_OPTIONS, 'options');
    await this.finish(await this.pass(batchesOf(x), isStream(x), options, indexKeys(options.firstIndex)), 'x');
    return this;
  }

  /**
   * Fits like `fit` (or, given a folder, `fitFromDirectory`) but returns the
   * sums, leaving this generator unfitted. Partials of disjoint parts merge
   * (`mergePartials`) to the fit of the whole; `savePartial` saves one.
   */
  async fitPartial(directory: string, options?: FitFromDirectoryOptions): Promise<PartialStatistics>;
  async fitPartial(x: FitInput, options?: FitOptions): Promise<PartialStatistics>;
  async fitPartial(x: FitInput | string, options: FitOptions | FitFromDirectoryOptions = {}): Promise<PartialStatistics> {
    this.checkLive('fitPartial');
    let pass: FitPass;
    if (typeof x === 'string') {
      pass = await this.directoryPass(x, options as FitFromDirectoryOptions);
    } else {
      checkKeys(options, FIT_OPTIONS, 'options');
      pass = await this.pass(batchesOf(x), isStream(x), options as FitOptions, indexKeys((options as FitOptions).firstIndex));
    }
    try {
      const { moments, gram, shape, images, fitOptions } = pass;
      return new PartialStatistics({
        config: encodeState(this.config, { mean: null, std: null, zca: null }).config,
        fitOptions,
        imageShape: shape,
        images,
        count: moments?.count ?? 0,
        mean: moments?.mean ?? new Float64Array(0),
        m2: moments?.m2 ?? new Float64Array(0),
        gram: gram && gram.snapshot(),
      });
    } finally {
      await pass.gram?.close();
    }
  }

  /**
   * A generator fitted on all the data of `partials` (same options, fit
   * options, image shape and data format, else `PartialMismatchError`), as one
   * fit of it all. As in `fromJSON`, pass a preprocessing function again.
   */
  static async mergePartials(partials: readonly PartialStatistics[], options: { preprocessingFunction?: PreprocessingFunction } = {}): Promise<ImageDataGenerator> {
    const merged = PartialStatistics.merge(partials);
    const generator = ImageDataGenerator.fromJSON({ format: STATE_FORMAT, formatVersion: STATE_VERSION, config: merged.config, statistics: { mean: null, std: null } }, options);
    const shape = merged.imageShape;
    const moments = shape && new ChannelMoments(shape[2]);
    moments?.merge(merged.count, merged.mean, merged.m2);
    let gram: GramAccumulator | null = null;
    if (shape && merged.gram) {
      gram = await openGram(shape[0] * shape[1] * shape[2], generator.gramScale(merged.fitOptions.augment), generator.config.zcaMaxBytes);
      gram.restore(merged.gram);
    }
    await generator.finish({ moments, gram, shape, images: merged.images, fitOptions: merged.fitOptions }, 'partials');
    return generator;
  }

  /** Gram sums are kept before `rescale` in plain fits; augmented fits rescale before transforming. */
  private gramScale(augment: boolean): number {
    return augment ? 1 : (this.config.rescale ?? 1);
  }

  /**
   * One pass over `source` into float64 moments (and Gram sums with ZCA).
   * With augment and `keyOf` (the key of the pass's i-th image), image i of
   * round r is transformed with the seed fitImageSeed(seed, r, keyOf(i));
   * without `keyOf`, all draws come from one stream, in Keras's order.
   */
  private async pass(source: AsyncIterable<ImageInput>, streamed: boolean, options: FitOptions, keyOf: ((i: number) => number) | null): Promise<FitPass> {
    const rounds = options.rounds ?? 1;
    if (!Number.isInteger(rounds) || rounds < 1) throw new InvalidArgumentError('rounds', 'a positive integer', rounds);
    const augment = flag(options, 'augment', false);
    const seed = options.seed === undefined ? randomSeed() : checkSeed(options.seed);
    const stream = augment && keyOf === null ? singleGenerator(this.config.rng, seed) : null;
    const randomFor = (round: number, i: number) => stream ?? singleGenerator(this.config.rng, fitImageSeed(seed, round, keyOf!(i)));
    const { dataFormat, rescale, zcaWhitening } = this.config;
    const result: FitPass = { moments: null, gram: null, shape: null, images: 0, fitOptions: { augment, rounds } };
    let seen = 0;
    let index = 0;
    try {
      for await (const input of source) {
        const argument = streamed ? `x (batch ${index})` : 'x';
        const { batch } = toImageBatch(input, { argument, dataFormat, allowRank3: false, warnChannels: result.shape === null });
        const [n, h, w, c] = batch.shape;
        if (result.shape === null) {
          result.shape = [h, w, c];
        } else if (batch.shape.slice(1).some((d, i) => d !== result.shape![i])) {
          throw new ShapeError(argument, `images of the same size and channels as the first batch ([${result.shape}] in NHWC)`, batch.shape);
        }
        const moments = (result.moments ??= new ChannelMoments(c));
        // Plain fits pass the images with rescale as a factor; augmented ones rescale before transforming.
        if (zcaWhitening) result.gram ??= await openGram(h * w * c, this.gramScale(augment), this.config.zcaMaxBytes);
        const accumulate = (data: Float32Array, scale: number) => {
          moments.add({ data, shape: batch.shape }, scale, seen, argument);
          result.gram?.add(data, n);
          result.images += n;
        };
        if (!augment) {
          accumulate(batch.data, rescale ?? 1);
        } else {
          const scaled = { data: rescale ? batch.data.map((v) => v * rescale) : batch.data, shape: batch.shape };
          for (let r = 0; r < rounds; r++) {
            let i = 0;
            accumulate(this.transformSamples(scaled, (k) => k * h * w * c, n, () => this.draw(h, w, randomFor(r, seen + i++))), 1);
          }
        }
        seen += n;
        index++;
      }
      return result;
    } catch (e) {
      await result.gram?.close();
      throw e;
    }
  }

  /** Finalizes a pass (or a merge) into this generator's statistics; closes its Gram accumulator. */
  private async finish(pass: FitPass, argument: string): Promise<void> {
    const { moments, gram, shape } = pass;
    try {
      if (moments === null || shape === null || pass.images === 0) throw new InvalidArgumentError(argument, 'at least one image', 'no images');
      const { featurewiseCenter, featurewiseStdNormalization, zcaEpsilon } = this.config;
      const fitted: FittedStatistics = {
        mean: featurewiseCenter ? Float32Array.from(moments.mean) : null,
        std: featurewiseStdNormalization ? Float32Array.from(moments.variance(), Math.sqrt) : null,
        zca: gram && {
          // Keras centres with the per-channel mean before the SVD.
          matrix: gram.whitening(Float64Array.from({ length: gram.features }, (_, f) => moments.mean[f % shape[2]]!), zcaEpsilon),
          imageShape: shape,
        },
      };
      checkFiniteStatistics(fitted, zcaEpsilon);
      this.setStatistics(fitted);
    } finally {
      await gram?.close();
    }
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
  flow(x: [ImageInput, ArrayInput | ArrayInput[]], y?: null, options?: FlowOptions): ArrayIterator<Batch<[tf.Tensor4D, ...tf.Tensor[]], undefined>>;
  flow(x: [ImageInput, ArrayInput | ArrayInput[]], y: ArrayInput, options?: FlowOptions): ArrayIterator<Batch<[tf.Tensor4D, ...tf.Tensor[]], tf.Tensor>>;
  flow(x: ImageInput, y?: null, options?: FlowOptions): ArrayIterator<Batch<tf.Tensor4D, undefined>>;
  flow(x: ImageInput, y: ArrayInput, options?: FlowOptions): ArrayIterator<Batch<tf.Tensor4D, tf.Tensor>>;
  flow(x: FlowInput, y?: ArrayInput | null, options?: FlowOptions): ArrayIterator;
  flow(x: FlowInput, y?: ArrayInput | null, options: FlowOptions = {}): ArrayIterator {
    return new ArrayIterator(x, y, options, this.flowContext());
  }

  /**
   * Node: batches from a folder with one sub-folder per class, decoded and
   * resized by sharp in parallel and prefetched, then augmented and
   * standardized. Iterate with `for await` or `toDataset()`. Keras: `flow_from_directory`.
   */
  async flowFromDirectory<M extends ClassMode | undefined = undefined>(directory: string, options: DirectoryFlowOptions & { classMode?: M } = {}): Promise<DirectoryIterator<DirectoryBatch<M>>> {
    const { DirectoryIterator } = await requireNode('flowFromDirectory', INSTEAD.files).directoryIterator();
    return DirectoryIterator.create(directory, options, this.flowContext()) as Promise<DirectoryIterator<DirectoryBatch<M>>>;
  }

  /**
   * Node: batches from images listed in records (or a CSV file), with labels
   * from other columns, decoded in parallel and prefetched, then augmented and
   * standardized. Keras: `flow_from_dataframe`.
   */
  async flowFromDataFrame<M extends DataFrameClassMode | undefined = undefined>(rows: Row[] | string, options: DataFrameFlowOptions & { classMode?: M } = {}): Promise<DataFrameIterator<DataFrameBatch<M>>> {
    const { DataFrameIterator } = await requireNode('flowFromDataFrame', INSTEAD.files).dataFrameIterator();
    return DataFrameIterator.create(rows, options, this.flowContext()) as Promise<DataFrameIterator<DataFrameBatch<M>>>;
  }

  /**
   * Node: fits the featurewise statistics (and ZCA) on every image of a
   * class-folder tree in one streaming pass, in bounded memory. Shows a
   * progress line on a terminal; `onProgress` receives (done, total). With
   * `augment`, each file's transforms are seeded by (seed, round, the hash of
   * its relative path), so they do not depend on batches or shards; `shard`
   * fits only part of the files (use `fitPartial` for that, then merge).
   */
  async fitFromDirectory(directory: string, options: FitFromDirectoryOptions = {}): Promise<this> {
    this.checkLive('fit');
    await this.finish(await this.directoryPass(directory, options), 'directory');
    return this;
  }

  /**
   * The pass of `fitFromDirectory`. With augment, each file's transforms are
   * seeded by its key (the hash of its relative path, iterators/shard.ts), so a
   * file is augmented alike in every shard, batch size and worker count.
   */
  private async directoryPass(directory: string, options: FitFromDirectoryOptions): Promise<FitPass> {
    checkKeys(options, FIT_FROM_DIRECTORY_OPTIONS, 'options');
    const { DirectoryIterator } = await requireNode('fitFromDirectory', INSTEAD.files).directoryIterator();
    const { augment, rounds, seed, onProgress, ...flowOptions } = options;
    const files = await DirectoryIterator.create(directory, { ...flowOptions, classMode: null, shuffle: false }, this.flowContext());
    const stderr = (globalThis as { process?: { stderr?: { isTTY?: boolean; write(s: string): void } } }).process?.stderr;
    const report = onProgress ?? (stderr?.isTTY ? progressLine(stderr, files.samples) : () => {});
    // The keys of the images yielded so far, in order (bad files skipped are not among them).
    const keys: number[] = [];
    const batches = (async function* () {
      let done = 0;
      for await (const { data, shape, samples } of files.rawBatches()) {
        for (const s of samples) keys.push(files.keys[s]!);
        yield { data, shape };
        done += shape[0];
        report(done, files.samples);
      }
    })();
    return this.pass(batches, true, { augment, rounds, seed }, (i) => keys[i]!);
  }

  /**
   * Draws random transform parameters for an image of shape `imgShape`
   * ([h, w, c], or [c, h, w] for channelsFirst). With `rng: 'numpy'` and a
   * seed it returns exactly what Keras returns. Keras: `get_random_transform`.
   */
  getRandomTransform(imgShape: readonly number[], seed?: number): TransformParams {
    if (!Array.isArray(imgShape) || imgShape.length !== 3 || !imgShape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new InvalidArgumentError('imgShape', 'three positive integers (one image)', imgShape);
    }
    const [h, w] = this.config.dataFormat === 'channelsFirst' ? imgShape.slice(1) : imgShape;
    const random = singleGenerator(this.config.rng, seed === undefined ? randomSeed() : checkSeed(seed));
    return this.draw(h!, w!, random);
  }

  /** Applies `params` (missing keys: Keras defaults) to one image (rank 3). Keras: `apply_transform`. */
  applyTransform(x: ImageInput, params: Partial<TransformParams>): tf.Tensor3D {
    const { batch, rank } = toImageBatch(x, { argument: 'x', dataFormat: this.config.dataFormat, allowRank3: true });
    if (rank !== 3) throw new ShapeError('x', 'rank 3 (one image); use applyTransformBatch for a batch', userShape(batch.shape, this.config.dataFormat, rank));
    const p = completeParams(params);
    return this.transformedTensor(batch, () => p, 3) as tf.Tensor3D;
  }

  /** Applies `paramsList[i]` to image i of a batch (rank 4), in one pass. */
  applyTransformBatch(x: ImageInput, paramsList: Partial<TransformParams>[]): tf.Tensor4D {
    const { batch } = toImageBatch(x, { argument: 'x', dataFormat: this.config.dataFormat, allowRank3: false });
    if (!Array.isArray(paramsList) || paramsList.length !== batch.shape[0]) {
      throw new InvalidArgumentError('paramsList', `an array of ${batch.shape[0]} parameter objects, one per image`, paramsList);
    }
    const list = paramsList.map((p, i) => completeParams(p, `paramsList[${i}]`));
    let i = 0;
    return this.transformedTensor(batch, () => list[i++]!, 4) as tf.Tensor4D;
  }

  /** Draws and applies a random transform to one image (rank 3). Keras: `random_transform`. */
  randomTransform(x: ImageInput, seed?: number): tf.Tensor3D {
    const { batch, rank } = toImageBatch(x, { argument: 'x', dataFormat: this.config.dataFormat, allowRank3: true });
    if (rank !== 3) throw new ShapeError('x', 'rank 3 (one image)', userShape(batch.shape, this.config.dataFormat, rank));
    const params = this.getRandomTransform(userShape(batch.shape, this.config.dataFormat, 3), seed);
    return this.transformedTensor(batch, () => params, 3) as tf.Tensor3D;
  }

  /**
   * The standardization as a tfjs-layers layer (`ImageStandardization`,
   * registered for serialization) holding the fitted statistics as
   * non-trainable weights. Put it first in a model: the model then takes raw
   * images, and `model.save()` / `tf.loadLayersModel()` carry the
   * normalization along (import this package before loading). With a
   * `preprocessingFunction`, pass a registered tfjs layer doing the same work
   * as `preprocessingLayer`; the result is then a small Sequential of both.
   */
  toLayer(args: { inputShape?: number[]; name?: string; preprocessingLayer?: tfl.layers.Layer } = {}): tfl.layers.Layer {
    const c = this.config;
    if (c.preprocessingFunction && !args.preprocessingLayer) {
      throw new InvalidArgumentError(
        'preprocessingFunction',
        'null for toLayer(), or a `preprocessingLayer` (a registered tfjs layer) doing the same work',
        c.preprocessingFunction,
        'A JavaScript function cannot be saved inside a model.',
      );
    }
    if (args.preprocessingLayer) {
      const className = (args.preprocessingLayer.constructor as { className?: string }).className;
      if (!className || !(className in tf.serialization.SerializationMap.getMap().classNameMap)) {
        throw new InvalidArgumentError('preprocessingLayer', 'a layer class registered with tf.serialization.registerClass', className ?? args.preprocessingLayer);
      }
      const { preprocessingLayer, ...rest } = args;
      const first = rest.inputShape ? [tfl.layers.inputLayer({ inputShape: rest.inputShape })] : [];
      return tfl.sequential({ layers: [...first, preprocessingLayer, this.standardizationLayer({ name: rest.name })], ...(rest.name ? { name: `${rest.name}_with_preprocessing` } : {}) });
    }
    return this.standardizationLayer(args);
  }

  private standardizationLayer(args: { inputShape?: number[]; name?: string }): ImageStandardization {
    const c = this.config;
    this.requireFitted();
    const { mean, std, zca } = this.stats;
    const zcaKerasOrder = c.zcaWhitening && zca ? permuteMatrix(zca.matrix, featureOrder(zca.imageShape, c.dataFormat), false) : null;
    return new ImageStandardization(
      {
        ...(args.inputShape ? { inputShape: args.inputShape } : {}),
        ...(args.name ? { name: args.name } : {}),
        rescale: c.rescale,
        samplewiseCenter: c.samplewiseCenter,
        samplewiseStdNormalization: c.samplewiseStdNormalization,
        featurewiseCenter: c.featurewiseCenter,
        featurewiseStdNormalization: c.featurewiseStdNormalization,
        zcaWhitening: c.zcaWhitening,
        dataFormat: c.dataFormat,
        channels: mean?.length ?? std?.length ?? 0,
        features: zca ? zca.matrix.length ** 0.5 : 0,
      },
      { mean: c.featurewiseCenter ? mean : null, std: c.featurewiseStdNormalization ? std : null, zca: zcaKerasOrder },
    );
  }

  /** Options and fitted statistics as plain JSON data. */
  toJSON(): GeneratorState {
    this.checkLive('toJSON');
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
    generator.setStatistics(decodeStatistics(statistics, generator.config.dataFormat));
    return generator;
  }

  /**
   * Saves options and fitted statistics. `dest` is a directory path in Node
   * (`generator.json` + the weights file it names, committed by one atomic
   * rename, so concurrent saves leave the last one whole), a tf.io URL such
   * as `indexeddb://name`, or any tf.io save handler (e.g.
   * `tf.io.withSaveHandler`). Writes nothing that `load` would refuse;
   * file-system failures throw `FileSystemError` naming the path.
   */
  async save(dest: string | tf.io.IOHandler): Promise<void> {
    const { manifest, weights } = toArtifacts(this.toJSON());
    // Decode what would be written as `load` does: its errors are thrown here, before writing.
    const check = fromArtifacts(manifest, weights, { manifest: 'the manifest to save', weights: 'the weights to save' });
    ImageDataGenerator.fromJSON(check, { preprocessingFunction: this.config.preprocessingFunction ?? undefined });
    const handler = ioHandler(dest, 'dest');
    if (handler === null) return requireNode('save to a directory path', INSTEAD.save).writeGeneratorFiles(stripFileScheme(dest as string), manifest, weights);
    if (!handler.save) throw new InvalidArgumentError('dest', 'a tf.io handler with a save method', dest);
    const weightSpecs = manifest.weights.map((w) => ({ name: w.name, shape: w.shape, dtype: w.dtype }));
    const target = typeof dest === 'string' ? dest : 'the tf.io handler';
    await Promise.resolve()
      .then(() => handler.save!({ modelTopology: manifest as unknown as object, weightSpecs, weightData: weights.slice().buffer, format: manifest.format }))
      .catch((e: unknown) => {
        throw handlerError(e, 'dest', target, 'save to');
      });
  }

  /**
   * Loads a generator saved with `save` (a directory path in Node, a tf.io URL
   * or load handler). Verifies format version, sizes, checksum and shapes;
   * problems throw `CorruptFileError` naming the file.
   */
  static async load(src: string | tf.io.IOHandler, options: { preprocessingFunction?: PreprocessingFunction } = {}): Promise<ImageDataGenerator> {
    const handler = ioHandler(src, 'src');
    let state: GeneratorState;
    let file: string;
    if (handler === null) {
      const node = requireNode('load from a directory path', INSTEAD.load);
      const dir = stripFileScheme(src as string);
      state = await node.readGeneratorFiles(dir);
      file = `${dir}/${node.manifestFile}`;
    } else {
      if (!handler.load) throw new InvalidArgumentError('src', 'a tf.io handler with a load method', src);
      file = typeof src === 'string' ? src : 'the tf.io handler';
      const a = await Promise.resolve()
        .then(() => handler.load!())
        .catch((e: unknown) => {
          throw handlerError(e, 'src', file, 'load from');
        });
      const weights = a.weightData === undefined ? new Uint8Array(0) : new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData));
      state = fromArtifacts(a.modelTopology, weights, { manifest: `${file} (manifest)`, weights: `${file} (weights)` });
    }
    try {
      return ImageDataGenerator.fromJSON(state, options);
    } catch (e) {
      return asFileError(e, file);
    }
  }

  /**
   * Frees what the generator owns: its fitted statistics and the ZCA matrix
   * tensor it keeps for `standardize` and `flow`. Tensors it returns
   * (`standardize`, batches of `flow`) belong to the caller, and a layer from
   * `toLayer()` holds its own copy of the statistics (freed by
   * `model.dispose()`), so both outlive the generator. Afterwards every call
   * that needs the statistics throws `DisposedError`. Safe to call twice.
   */
  dispose(): void {
    this.setStatistics({ mean: null, std: null, zca: null });
    this.disposed = true;
  }

  private checkLive(operation: string): void {
    if (this.disposed) throw new DisposedError(operation);
  }

  /** Throws `NotFittedError` for a featurewise or ZCA step whose statistic is missing (`DisposedError` after `dispose()`). */
  private requireFitted(): void {
    this.checkLive('standardize, flow or toLayer');
    const c = this.config;
    const { mean, std, zca } = this.stats;
    if (c.featurewiseCenter && !mean) throw new NotFittedError('featurewiseCenter', 'mean');
    if (c.featurewiseStdNormalization && !std) throw new NotFittedError('featurewiseStdNormalization', 'std');
    if (c.zcaWhitening && !zca) throw new NotFittedError('zcaWhitening', 'zcaWhiteningMatrix');
  }

  /** The elementwise steps for images with `channels` channels; throws if a needed statistic is missing. */
  private elementwiseSteps(channels: number, shape: readonly number[]): ElementwiseSteps {
    this.requireFitted();
    const c = this.config;
    const { mean, std } = this.stats;
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

  /**
   * Standardizes `count` images of `images` (image i at `start(i)`) into `into`
   * or a new NHWC array, or into `images.data` itself when `inPlace` (then image i must be at i * size).
   */
  private standardizeSamples(images: ImageBatch, start: (i: number) => number, count: number, inPlace = false, into?: Float32Array): Float32Array {
    const [, h, w, c] = images.shape;
    const size = h * w * c;
    const steps = this.elementwiseSteps(c, images.shape);
    const out = inPlace ? images.data : (into ?? new Float32Array(count * size));
    const fn = this.config.preprocessingFunction;
    if (fn === null) {
      if (!(inPlace && isIdentity(steps))) standardizeImages(images.data, start, out, count, size, c, steps);
      return this.whiten(out, count, images.shape);
    }
    for (let i = 0; i < count; i++) {
      const image = images.data.subarray(start(i), start(i) + size);
      out.set(this.preprocess(fn, image.slice(), [h, w, c]), i * size);
    }
    standardizeImages(out, (i) => i * size, out, count, size, c, steps);
    return this.whiten(out, count, images.shape);
  }

  /**
   * Keras's last standardize step, `flat(x) @ W`, as one float32 matrix product
   * for the batch: our wasm kernel where it runs, else the tf backend's matMul.
   */
  private whiten(flat: Float32Array, count: number, shape: readonly number[]): Float32Array {
    this.checkLive('standardize or flow');
    const zca = this.stats.zca;
    if (!this.config.zcaWhitening || zca === null || count === 0) return flat;
    const d = zca.imageShape[0] * zca.imageShape[1] * zca.imageShape[2];
    // The same size in another shape (Keras accepts it) would whiten pixels with another pixel's row of W.
    if (flat.length !== count * d || !zca.imageShape.every((size, axis) => shape[axis + 1] === size)) {
      throw new ShapeError('x', `images of shape [${zca.imageShape}] (NHWC), the shape the ZCA matrix was fitted on`, shape);
    }
    if (applyWhitening(flat, count, zca.matrix, d)) return flat;
    this.zcaTensor ??= tf.tensor2d(zca.matrix, [d, d]);
    const w = this.zcaTensor;
    // tidy returns the tensor, not its data: tidy walks a returned typed array element by element.
    const product = tf.tidy(() => tf.matMul(tf.tensor2d(flat, [count, d]), w));
    flat.set(product.dataSync() as Float32Array);
    product.dispose();
    return flat;
  }

  /** Replaces the fitted statistics (and drops the cached ZCA tensor). */
  private setStatistics(stats: FittedStatistics): void {
    this.zcaTensor?.dispose();
    this.zcaTensor = null;
    this.stats = stats;
  }

  /** Runs the user's preprocessing function on one NHWC image, in the user's data format. */
  private preprocess(fn: PreprocessingFunction, image: Float32Array, hwc: [number, number, number]): Float32Array {
    const format = this.config.dataFormat;
    let pixels = image;
    // The pixels leave tidy through a variable: tidy walks a returned typed array element by element.
    tf.tidy(() => {
      const input = fromImageBatch({ data: image, shape: [1, ...hwc] }, format, 3) as tf.Tensor3D;
      const result = fn(input);
      if (!(result instanceof tf.Tensor) || !tf.util.arraysEqual(result.shape, input.shape)) {
        throw new ShapeError('preprocessingFunction', `to return a tf.Tensor of shape [${input.shape}]`, result instanceof tf.Tensor ? result.shape : []);
      }
      pixels = toImageBatch(result, { argument: 'preprocessingFunction result', dataFormat: format, allowRank3: true }).batch.data.slice();
    });
    return pixels;
  }

  /** What a flow needs from the generator: layout, split, random scheme and the per-sample pipeline. */
  private flowContext(): FlowContext {
    const { dataFormat, validationSplit, rng: randomMode } = this.config;
    // Workers transform images and standardize each; ZCA stays a batch product here. A user's preprocessingFunction must run first.
    const split = (shape: ImageBatch['shape']) =>
      this.config.preprocessingFunction
        ? null
        : { steps: nonIdentity(this.elementwiseSteps(shape[3], shape)), finish: (data: Float32Array, count: number) => this.whiten(data, count, shape) };
    const process: SampleProcessor = (images, indices, random, owned = false, out) => {
      const size = images.shape[1] * images.shape[2] * images.shape[3];
      const start = (i: number) => indices[i]! * size;
      if (random === null || !this.augments) return this.standardizeSamples(images, start, indices.length, owned, out);
      const params = () => this.draw(images.shape[1], images.shape[2], random);
      // Steps that need no per-image statistics run inside the warp, as in the worker threads.
      const parts = split(images.shape);
      const then = parts && channelAffine(parts.steps, images.shape[3]);
      const data = this.transformSamples(images, start, indices.length, params, out, then);
      return then ? parts!.finish(data, indices.length) : this.standardizeSamples({ data, shape: images.shape }, (i) => i * size, indices.length, true);
    };
    const augmentation = this.augments
      ? { draw: (height: number, width: number, random: RandomGenerator) => this.draw(height, width, random), sampling: { fillMode: this.config.fillMode, cval: this.config.cval, interpolationOrder: this.config.interpolationOrder } }
      : null;
    return { dataFormat, validationSplit, randomMode, process, split, augmentation };
  }

  /** One random transform for an image of `height` x `width`, from `random`. */
  private draw(height: number, width: number, random: RandomGenerator): TransformParams {
    return drawTransform(this.config, height, width, random, this.config.rng === 'numpy');
  }

  /**
   * Transforms `count` images (image i at `start(i)`) into `into` or a new
   * NHWC array, then applies `then` (a `channelAffine`) when given;
   * `params()` is called once per image, in order.
   */
  private transformSamples(images: ImageBatch, start: (i: number) => number, count: number, params: () => TransformParams, into?: Float32Array, then: Float64Array | null = null): Float32Array {
    const [, height, width, channels] = images.shape;
    const size = height * width * channels;
    const out = into ?? new Float32Array(count * size);
    for (let i = 0; i < count; i++) {
      applyTransformTo(
        { data: images.data, offset: start(i), height, width, channels },
        { data: out, offset: i * size, height, width, channels },
        params(),
        this.config,
        then,
      );
    }
    return out;
  }

  private transformedTensor(batch: ImageBatch, params: () => TransformParams, rank: 3 | 4): tf.Tensor {
    const size = batch.shape[1] * batch.shape[2] * batch.shape[3];
    const data = this.transformSamples(batch, (i) => i * size, batch.shape[0], params);
    return fromImageBatch({ data, shape: batch.shape }, this.config.dataFormat, rank);
  }
}
