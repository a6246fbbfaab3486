/**
 * The base of the file flows (Keras's `BatchFromFilesMixin`): images decoded
 * and resized in parallel, batches prefetched, bad files reported or
 * skipped, then the generator's augmentation and standardization. Subclasses
 * list the files and say how to label a batch.
 */
import { availableParallelism } from 'node:os';
import type * as tf from '@tensorflow/tfjs-core';
import { CorruptFileError, InvalidArgumentError } from '../errors.js';
import { BatchArrays, type ImageBatch, SharedBuffers } from '../input/imageBatch.js';
import { type ImageFormat, type SaveTarget, checkSaveTarget, saveBatchImages } from '../io/imageFiles.js';
import type { FlowContext } from '../iterators/ArrayIterator.js';
import { AsyncBatchIterator, type Batch, type BatchLabelParts } from '../iterators/BatchIterator.js';
import { type OptionKeys, flag } from '../options/keys.js';
import { type RandomGenerator, checkSeed, randomSeed } from '../random/random.js';
import { channelAffine } from '../standardize/kernel.js';
import { warn } from '../warnings.js';
import type { TransformParams } from '../transform/params.js';
import { type DecodeJob, decodeBatch, failureError } from './decodeBatch.js';
import { CHANNELS, type ColorMode, DEFAULT_MAX_PIXELS, type DecodeOptions, type Interpolation, checkInterpolation } from './decodeImage.js';
import { decodePool } from './workerPool.js';
import { type Shard, checkShard } from '../iterators/shard.js';

/** Options shared by `flowFromDirectory` and `flowFromDataFrame`; names and defaults as Keras. */
export interface FileFlowOptions {
  /** [height, width] every image is resized to. Default [256, 256]. Keras: `target_size`. */
  targetSize?: [number, number];
  /** 'rgb' (default), 'rgba' or 'grayscale'. Keras: `color_mode`. */
  colorMode?: ColorMode;
  /** Default 32. */
  batchSize?: number;
  /** Default true. */
  shuffle?: boolean;
  seed?: number;
  /** 'validation' or 'training' part of the data, with the generator's validationSplit. */
  subset?: 'training' | 'validation' | null;
  /** Resampling filter: 'nearest' (default), 'bilinear', 'bicubic', 'lanczos'. */
  interpolation?: Interpolation;
  /** Centre-crop to the target aspect ratio before resizing. Default false. */
  keepAspectRatio?: boolean;
  /** 'error' (default): a bad file throws, naming it. 'skip': unreadable files are left out, one warning each. */
  onBadImage?: 'error' | 'skip';
  /** Batches decoded ahead while the caller trains. Default 2. */
  prefetch?: number;
  /** Also augment the validation subset. Default false. */
  augmentValidation?: boolean;
  /** Worker threads that decode, resize and augment (default: one per core; 0: on the main thread). */
  workers?: number;
  /** Write every yielded image here (an existing directory) to look at the augmentation. Keras: `save_to_dir`. */
  saveToDir?: string | null;
  /** File name prefix for saved images. Keras: `save_prefix`. Default ''. */
  savePrefix?: string;
  /** 'png' (default) or 'jpeg'. Keras: `save_format`. */
  saveFormat?: ImageFormat;
  /**
   * Largest image accepted, in pixels (width x height, read from the file's
   * header before decoding); larger ones are bad images (ImageTooLargeError).
   * Default 89,478,485, PIL's `Image.MAX_IMAGE_PIXELS` (PIL warns above it);
   * Infinity for no limit.
   */
  maxPixels?: number;
  /** Only the files of shard `index` of `count` (iterators/shard.ts), taken after `subset`. Default: all. */
  shard?: Shard | null;
}

export const FILE_FLOW_OPTIONS: OptionKeys<FileFlowOptions> = {
  targetSize: true, colorMode: true, batchSize: true, shuffle: true, seed: true, subset: true, interpolation: true,
  keepAspectRatio: true, onBadImage: true, prefetch: true, augmentValidation: true, workers: true, saveToDir: true,
  savePrefix: true, saveFormat: true, maxPixels: true, shard: true,
};

/** Decoded and processed pixels of a batch and the samples they belong to (bad files left out). */
interface Prepared {
  pixels: Float32Array;
  samples: Int32Array;
  /** The shared buffer the workers decoded into, returned to the pool once its tensor exists. */
  shared?: Float32Array;
}


export interface CheckedFileOptions {
  decode: DecodeOptions;
  subset: 'training' | 'validation' | null;
  split: [number, number] | null;
  onBadImage: 'error' | 'skip';
  schedule: { batchSize: number; shuffle: boolean; seed: number; prefetch: number };
  augment: boolean;
  save: SaveTarget | null;
  workers: number;
  shard: Shard | null;
}

/** Validates the shared options. */
export function checkFileOptions(o: FileFlowOptions, validationSplit: number): CheckedFileOptions {
  const targetSize = o.targetSize ?? [256, 256];
  if (!Array.isArray(targetSize) || targetSize.length !== 2 || !targetSize.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InvalidArgumentError('targetSize', '[height, width], two positive integers', targetSize);
  }
  const colorMode = o.colorMode ?? 'rgb';
  if (!(colorMode in CHANNELS)) throw new InvalidArgumentError('colorMode', "'rgb', 'rgba' or 'grayscale'", colorMode);
  const onBadImage = o.onBadImage ?? 'error';
  if (onBadImage !== 'error' && onBadImage !== 'skip') throw new InvalidArgumentError('onBadImage', "'error' or 'skip'", onBadImage);
  const subset = o.subset ?? null;
  if (subset !== null && subset !== 'training' && subset !== 'validation') {
    throw new InvalidArgumentError('subset', "'training', 'validation' or null", subset);
  }
  if (subset !== null && validationSplit === 0) {
    throw new InvalidArgumentError('validationSplit', 'a value in (0, 1) when `subset` is given', validationSplit);
  }
  const maxPixels = o.maxPixels === undefined ? DEFAULT_MAX_PIXELS : o.maxPixels;
  if (!(maxPixels === Infinity || (Number.isInteger(maxPixels) && maxPixels > 0))) throw new InvalidArgumentError('maxPixels', 'a positive integer or Infinity', maxPixels);
  if (targetSize[0]! * targetSize[1]! > maxPixels) {
    throw new InvalidArgumentError('targetSize', `at most \`maxPixels\` (${maxPixels}) pixels`, targetSize, 'Raise `maxPixels` if the size is meant.');
  }
  const batchSize = o.batchSize ?? 32;
  if (Number.isInteger(batchSize) && batchSize * targetSize[0]! * targetSize[1]! * CHANNELS[colorMode] > MAX_BATCH_VALUES) {
    throw new InvalidArgumentError('batchSize', `a batch of at most ${MAX_BATCH_VALUES} values (batchSize x height x width x channels)`, batchSize);
  }
  return {
    decode: { targetSize: [targetSize[0]!, targetSize[1]!], colorMode, interpolation: checkInterpolation(o.interpolation ?? 'nearest'), keepAspectRatio: flag(o, 'keepAspectRatio', false), maxPixels },
    subset,
    split: subset === 'validation' ? [0, validationSplit] : subset === 'training' ? [validationSplit, 1] : null,
    onBadImage,
    schedule: { batchSize, shuffle: o.shuffle ?? true, seed: o.seed === undefined ? randomSeed() : checkSeed(o.seed), prefetch: o.prefetch ?? 2 },
    augment: subset !== 'validation' || flag(o, 'augmentValidation', false),
    save: checkSaveTarget(o, CHANNELS[colorMode]),
    workers: checkWorkers(o.workers),
    shard: checkShard(o.shard),
  };
}

/** The most values one batch array may hold (a Float32Array of 8 GiB). */
const MAX_BATCH_VALUES = 2 ** 31;

function checkWorkers(workers: unknown): number {
  if (workers === undefined) return availableParallelism();
  if (!Number.isInteger(workers) || (workers as number) < 0) throw new InvalidArgumentError('workers', 'an integer >= 0', workers);
  return workers as number;
}

/**
 * With onBadImage 'skip': decodes every file once (in the worker threads when
 * there are any); returns which ones decode, warning once per bad file.
 */
export async function readableFiles(paths: string[], checked: CheckedFileOptions): Promise<boolean[]> {
  if (paths.length === 0) return [];
  const jobs: DecodeJob[] = [];
  for (let start = 0; start < paths.length; start += 64) {
    jobs.push({ paths: paths.slice(start, start + 64), decode: checked.decode, params: null, sampling: null, standardize: null });
  }
  const ok: boolean[] = [];
  const parallel = Math.max(1, checked.workers);
  for (let k = 0; k < jobs.length; k += parallel) {
    const chunks = await Promise.all(jobs.slice(k, k + parallel).map((job) => (checked.workers > 0 ? decodePool(checked.workers).run(job) : decodeBatch(job))));
    for (const e of chunks.flatMap((c) => c.errors)) {
      if (e?.fatal) throw failureError(e);
      if (e) warn('bad-image', `Skipping ${e.file}: ${e.problem}`);
      ok.push(e === null);
    }
  }
  if (!ok.some(Boolean)) throw new InvalidArgumentError('files', 'at least one readable image', `${paths.length} unreadable files`);
  return ok;
}

export abstract class FileBatchIterator<B extends Batch = Batch> extends AsyncBatchIterator<Prepared, B> {
  /** Sample paths including the directory. Keras: `filepaths`. */
  readonly filepaths: string[];
  /** One image's NHWC shape. */
  readonly imageShape: [number, number, number];
  private readonly reported = new Set<string>();
  private readonly buffers = new SharedBuffers();
  /** Arrays for the tensors of batches written in the shared buffers, where the backend keeps the array. */
  private readonly arrays = new BatchArrays();

  protected constructor(
    filepaths: string[],
    private readonly checked: CheckedFileOptions,
    private readonly context: FlowContext,
  ) {
    super({ samples: filepaths.length, ...checked.schedule, randomMode: context.randomMode }, checked.schedule.prefetch);
    this.filepaths = filepaths;
    const { targetSize, colorMode } = checked.decode;
    this.imageShape = [targetSize[0], targetSize[1], CHANNELS[colorMode]];
  }

  /** The decoded (not augmented, not standardized) images of one epoch, in file order, as NHWC batches with their sample indices. */
  async *rawBatches(): AsyncGenerator<ImageBatch & { samples: Int32Array }> {
    for (let start = 0; start < this.samples; start += this.batchSize) {
      const { pixels, samples } = await this.load(Int32Array.from({ length: Math.min(this.batchSize, this.samples - start) }, (_, i) => start + i), null, null);
      yield { data: pixels, shape: [samples.length, ...this.imageShape], samples };
    }
  }

  protected async prepare(indices: Int32Array, random: () => RandomGenerator): Promise<Prepared> {
    const augmentation = this.checked.augment ? this.context.augmentation : null;
    const rng = augmentation || this.checked.save ? random() : null;
    // Parameters are drawn here, in batch order, so workers or not, a seed gives the same batches.
    const params = augmentation ? Array.from(indices, () => augmentation.draw(this.imageShape[0], this.imageShape[1], rng!)) : null;
    // The elementwise standardization runs in the decoding threads when it needs no per-image statistics.
    const split = this.context.split([indices.length, ...this.imageShape]);
    const then = split && channelAffine(split.steps, this.imageShape[2]);
    const { pixels, samples, shared } = await this.load(indices, params, then);
    const images: ImageBatch = { data: pixels, shape: [samples.length, ...this.imageShape] };
    const processed = then ? split!.finish(pixels, samples.length) : this.context.process(images, Int32Array.from({ length: samples.length }, (_, i) => i), null, true);
    // Keras names file-flow images with a hash in 0..9,999,999.
    if (this.checked.save) saveBatchImages(this.checked.save, processed, samples, this.imageShape, rng!, 9_999_999);
    return { pixels: processed, samples, shared };
  }

  protected toBatch({ pixels, samples, shared }: Prepared): B {
    const xs = this.arrays.tensor({ data: pixels, shape: [samples.length, ...this.imageShape] }, this.context.dataFormat, 4, pixels === shared);
    if (shared) this.buffers.give(shared);
    return { xs, ...this.labels(samples, xs) } as B;
  }

  /** The labels (and sample weights) of the given samples; `xs` is the batch, for classMode 'input'. */
  protected abstract labels(samples: Int32Array, xs: tf.Tensor): BatchLabelParts;

  /**
   * Decodes (and, with `params`, transforms; with `then`, standardizes) the
   * given samples, split across the worker threads; bad files throw or (with
   * 'skip') are left out.
   */
  private async load(indices: Int32Array, params: TransformParams[] | null, then: Float64Array | null): Promise<Prepared> {
    const size = this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
    const parts = Math.max(1, Math.min(this.checked.workers, indices.length));
    const per = Math.ceil(indices.length / parts);
    const sampling = this.context.augmentation?.sampling ?? null;
    const workers = this.checked.workers;
    // Workers write straight into one shared batch buffer; on the main thread decodeBatch allocates.
    const shared = workers > 0 ? this.buffers.take(indices.length * size) : null;
    const chunks = await Promise.all(Array.from({ length: parts }, (_, k) => {
      const slice = [k * per, Math.min((k + 1) * per, indices.length)] as const;
      const job = {
        paths: Array.from(indices.subarray(...slice), (s) => this.filepaths[s]!),
        decode: this.checked.decode,
        params: params && params.slice(...slice),
        sampling,
        standardize: then,
      };
      return shared ? decodePool(workers).run(job, shared.subarray(slice[0] * size, slice[1] * size)) : decodeBatch(job);
    }));
    const errors = chunks.flatMap((c) => c.errors);
    const pixels = shared ?? chunks[0]!.pixels;
    // Failures are reported in batch order.
    const ok = errors.map((e) => {
      if (e === null) return true;
      if (e.fatal || this.checked.onBadImage === 'error') throw failureError(e);
      if (!this.reported.has(e.file)) {
        this.reported.add(e.file);
        warn('bad-image', `Skipping ${e.file}: ${e.problem}`);
      }
      return false;
    });
    if (ok.every(Boolean)) return shared ? { pixels, samples: indices, shared } : { pixels, samples: indices };
    if (shared) this.buffers.give(shared);
    // Files that were readable when listed have gone (as Keras's load_img would, this raises): never an empty batch.
    if (!ok.some(Boolean)) {
      const first = errors[0]!;
      throw new CorruptFileError(first.file, `${first.problem}; none of the ${indices.length} files of this batch could be read, and a batch is never empty`);
    }
    const samples = indices.filter((_, i) => ok[i]);
    const packed = new Float32Array(samples.length * size);
    let k = 0;
    indices.forEach((_, i) => {
      if (ok[i]) packed.set(pixels.subarray(i * size, (i + 1) * size), size * k++);
    });
    return { pixels: packed, samples };
  }
}
