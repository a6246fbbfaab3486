/**
 * `flow()` over in-memory arrays (Keras: `NumpyArrayIterator`): images,
 * optional labels, misc arrays and sample weights, with Keras's subset split.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { type ArrayInput, type DenseArray, toDense } from '../input/dense.js';
import { BatchArrays, type ImageBatch, type ImageInput, SharedBuffers, sharedArray, toImageBatch } from '../input/imageBatch.js';
import { type ImageFormat, type SaveTarget, checkSaveTarget, saveBatchImages } from '../io/imageFiles.js';
import type { DataFormat } from '../options/args.js';
import { type RandomGenerator, checkSeed, randomSeed } from '../random/random.js';
import type { RandomMode } from '../random/streams.js';
import type { ElementwiseSteps } from '../standardize/kernel.js';
import type { SamplingOptions } from '../transform/apply.js';
import type { TransformParams } from '../transform/params.js';
import { type OptionKeys, checkKeys, flag } from '../options/keys.js';
import { AugmentPool } from './augmentPool.js';
import { type Batch, type BatchInputs, BatchIterator, type BatchLabelParts } from './BatchIterator.js';
import type { Position } from './schedule.js';

/** Options of `flow()`; names and defaults as Keras. */
export interface FlowOptions {
  /** Default 32. Keras: `batch_size`. */
  batchSize?: number;
  /** Reshuffle every epoch. Default true. Keras: `shuffle`. */
  shuffle?: boolean;
  /** Per-sample weights (length n), yielded as `sampleWeight`. Keras: `sample_weight`. */
  sampleWeight?: ArrayInput | null;
  /** Seed for shuffling (integer in [0, 2^32)); random when omitted. Keras: `seed`. */
  seed?: number;
  /** 'validation': the first floor(n * validationSplit) samples; 'training': the rest. Keras: `subset`. */
  subset?: 'training' | 'validation' | null;
  /** Skip the check that both subsets contain the same label values. Keras: `ignore_class_split`. Default false. */
  ignoreClassSplit?: boolean;
  /** Also augment the 'validation' subset (Keras does; we do not by default). Default false. */
  augmentValidation?: boolean;
  /** Node only: write every yielded image here (an existing directory) to look at the augmentation. Keras: `save_to_dir`. */
  saveToDir?: string | null;
  /** File name prefix for saved images. Keras: `save_prefix`. Default ''. */
  savePrefix?: string;
  /** 'png' (default) or 'jpeg'. Keras: `save_format`. */
  saveFormat?: ImageFormat;
  /**
   * Node: worker threads that apply the random transforms, besides the
   * calling thread (default: one per core less one; 0: none; same batches
   * either way). One pool serves every flow of the process and keeps the size
   * of its first use. They read the images from a SharedArrayBuffer: pass
   * `data` in one, or the flow makes a shared copy when it first augments.
   */
  workers?: number;
}

const FLOW_OPTIONS: OptionKeys<FlowOptions> = {
  batchSize: true, shuffle: true, sampleWeight: true, seed: true, subset: true, ignoreClassSplit: true,
  augmentValidation: true, saveToDir: true, savePrefix: true, saveFormat: true, workers: true,
};

interface Threads {
  pool: AugmentPool;
  /** The flow's images, on a SharedArrayBuffer. */
  source: Float32Array;
  /** Shared batch arrays the workers write into, taken per batch and given back once its tensor exists. */
  buffers: SharedBuffers;
}

/** A batch whose transforms are under way in the worker threads. */
interface Ahead extends Position {
  rng: RandomGenerator;
  out: Float32Array;
  job: { wait(): void };
  /** The rest of the standardization when the workers did the elementwise part, else null. */
  finish: ((data: Float32Array, count: number) => Float32Array) | null;
}

function shareCopy(data: Float32Array): Float32Array {
  const shared = sharedArray(data.length);
  shared.set(data);
  return shared;
}

/**
 * Images, or Keras's `[images, misc]` / `[images, [misc...]]`: one misc array
 * or a list of them, batched alongside the images. As in Keras, a JavaScript
 * array in second place is a list of misc arrays (wrap a single nested-array
 * misc input in a list), except a flat list of numbers, which is one 1-D array.
 */
export type FlowInput = ImageInput | [ImageInput, ArrayInput | ArrayInput[]];

/**
 * Turns source images at `indices` into the batch values (NHWC): random
 * transforms drawn from `random` when it is given, then standardization.
 * `owned`: `images` is a fresh batch (indices 0..n-1) that may be changed in
 * place; `out`: write into this array (the right length) instead of a new one.
 */
export type SampleProcessor = (images: ImageBatch, indices: Int32Array, random: RandomGenerator | null, owned?: boolean, out?: Float32Array) => Float32Array;

/** What the generator tells a flow about itself. */
export interface FlowContext {
  dataFormat: DataFormat;
  validationSplit: number;
  randomMode: RandomMode;
  process: SampleProcessor;
  /**
   * Standardization in two parts, for images transformed elsewhere: the
   * elementwise `steps` (per image, anywhere; null when they change nothing)
   * and `finish` (the whole batch, here: ZCA). Null when a
   * preprocessingFunction must run first.
   */
  split(shape: ImageBatch['shape']): { steps: ElementwiseSteps | null; finish(data: Float32Array, count: number): Float32Array } | null;
  /** How to draw and sample the generator's random transforms; null when it has no augmentation. */
  augmentation: { draw(height: number, width: number, random: RandomGenerator): TransformParams; sampling: SamplingOptions } | null;
}

interface ArraySource {
  images: ImageBatch;
  labels: DenseArray | null;
  misc: DenseArray[];
  sampleWeight: DenseArray | null;
}

const nestingDepth = (v: unknown): number => (Array.isArray(v) ? 1 + nestingDepth(v[0]) : 0);

function isImagesWithMisc(x: FlowInput): x is [ImageInput, ArrayInput | ArrayInput[]] {
  if (!Array.isArray(x) || x.length !== 2 || x[1] === null || typeof x[1] !== 'object') return false;
  // A nested-array batch of two images has rank-3 elements; an images-with-misc pair has rank-4 images first.
  return !Array.isArray(x[0]) || nestingDepth(x[0]) === 4;
}

/** The misc arrays of `[images, misc]`: Keras's `x[1]`, one array or a list of them. */
function miscList(misc: ArrayInput | ArrayInput[]): ArrayInput[] {
  if (!Array.isArray(misc)) return [misc];
  // Keras reads a list in second place as a list of arrays; a flat list of numbers can only be one 1-D array.
  return misc.length > 0 && misc.every((m) => typeof m === 'number') ? [misc as number[]] : (misc as ArrayInput[]);
}

function sliceRows(d: DenseArray, start: number, end: number): DenseArray {
  const row = d.data.length / d.shape[0]!;
  return { data: d.data.subarray(start * row, end * row), shape: [end - start, ...d.shape.slice(1)] };
}

function gatherRows(d: DenseArray, indices: Int32Array): tf.Tensor {
  const row = d.data.length / d.shape[0]!;
  const out = new Float32Array(indices.length * row);
  for (let i = 0; i < indices.length; i++) out.set(d.data.subarray(indices[i]! * row, (indices[i]! + 1) * row), i * row);
  return tf.tensor(out, [indices.length, ...d.shape.slice(1)], 'float32');
}

const distinctValues = (d: DenseArray) => [...new Set(d.data)].sort((a, b) => a - b);

/** Validates flow arguments and applies the subset split, as Keras's NumpyArrayIterator does. */
function prepareSource(
  x: FlowInput,
  y: ArrayInput | null | undefined,
  options: FlowOptions,
  dataFormat: DataFormat,
  validationSplit: number,
): ArraySource {
  const [imagesInput, miscInputs] = isImagesWithMisc(x) ? [x[0], miscList(x[1])] : [x, []];
  let { batch: images } = toImageBatch(imagesInput, { argument: 'x', dataFormat, allowRank3: false, warnChannels: true });
  const n = images.shape[0];
  const withLength = (input: ArrayInput, argument: string): DenseArray => {
    const d = toDense(input, argument);
    if (d.shape.length === 0 || d.shape[0] !== n) {
      throw new ShapeError(argument, `first dimension ${n}, the number of images in \`x\``, d.shape);
    }
    return d;
  };
  let labels = y == null ? null : withLength(y, 'y');
  let misc = miscInputs.map((m, i) => withLength(m, `x[1][${i}]`));
  let sampleWeight = options.sampleWeight == null ? null : withLength(options.sampleWeight, 'sampleWeight');
  if (sampleWeight && sampleWeight.shape.length !== 1) {
    throw new ShapeError('sampleWeight', `a 1-D array of length ${n}`, sampleWeight.shape);
  }

  const subset = options.subset ?? null;
  const ignoreClassSplit = flag(options, 'ignoreClassSplit', false);
  if (subset !== null) {
    if (subset !== 'training' && subset !== 'validation') {
      throw new InvalidArgumentError('subset', "'training', 'validation' or null", subset);
    }
    if (validationSplit === 0) {
      throw new InvalidArgumentError('validationSplit', 'a value in (0, 1) when `subset` is given', validationSplit, 'Set it in the ImageDataGenerator options.');
    }
    const split = Math.floor(n * validationSplit);
    if (labels && !ignoreClassSplit) {
      const a = distinctValues(sliceRows(labels, 0, split));
      const b = distinctValues(sliceRows(labels, split, n));
      if (a.length !== b.length || a.some((v, i) => v !== b[i])) {
        throw new InvalidArgumentError(
          'y',
          'the same label values in the training and validation subsets',
          `validation values [${a}] and training values [${b}]`,
          'If your arrays are sorted by label, shuffle them first, or pass `ignoreClassSplit: true`.',
        );
      }
    }
    const [start, end] = subset === 'validation' ? [0, split] : [split, n];
    const rows = (d: DenseArray) => sliceRows(d, start, end);
    images = rows(images) as ImageBatch;
    labels = labels && rows(labels);
    misc = misc.map(rows);
    sampleWeight = sampleWeight && rows(sampleWeight);
  }
  // No images (or an empty subset): as in Keras, an iterator of length 0 (whose next() throws).
  return { images, labels, misc, sampleWeight };
}

export class ArrayIterator<B extends Batch = Batch> extends BatchIterator<B> {
  private readonly source: ArraySource;
  /** Whether batches get random transforms (not for the validation subset unless asked). */
  private readonly augment: boolean;
  private readonly save: SaveTarget | null;
  /** Pixel arrays of the batches made on this thread, reused once their tensors no longer need them. */
  private readonly arrays = new BatchArrays();
  private readonly workers: number;
  private threads: Threads | null | undefined;
  /** The batch whose transforms the worker threads are writing now. */
  private ahead: Ahead | null = null;

  /** Use `generator.flow(...)`. */
  constructor(
    x: FlowInput,
    y: ArrayInput | null | undefined,
    options: FlowOptions,
    private readonly context: FlowContext,
  ) {
    checkKeys(options, FLOW_OPTIONS, 'options');
    const source = prepareSource(x, y, options, context.dataFormat, context.validationSplit);
    super({
      samples: source.images.shape[0],
      batchSize: options.batchSize ?? 32,
      shuffle: options.shuffle ?? true,
      seed: options.seed === undefined ? randomSeed() : checkSeed(options.seed),
      randomMode: context.randomMode,
    });
    this.source = source;
    this.augment = options.subset !== 'validation' || flag(options, 'augmentValidation', false);
    this.save = checkSaveTarget(options, source.images.shape[3]);
    const workers = options.workers ?? AugmentPool.defaultSize();
    if (!Number.isInteger(workers) || workers < 0) throw new InvalidArgumentError('workers', 'an integer >= 0', options.workers);
    this.workers = workers;
  }

  /**
   * The random transforms `batch(index, epoch)` applies, one per image in
   * batch order (the same draws as `next()` at that position); replay one with
   * `generator.applyTransform`. Null when the flow does not augment.
   */
  transforms(index: number, epoch?: number): TransformParams[] | null {
    const augmentation = this.context.augmentation;
    if (!this.augment || augmentation === null) return null;
    const position = this.schedule.position(index, epoch);
    const rng = this.schedule.random(position);
    const [, h, w] = this.source.images.shape;
    return Array.from(this.schedule.indices(position), () => augmentation.draw(h, w, rng));
  }

  /** The worker threads and their shared arrays, made on first use; null without workers or augmentation, or outside Node. */
  private workerThreads(): Threads | null {
    if (this.threads !== undefined) return this.threads;
    const pool = this.context.augmentation && this.workers > 0 ? AugmentPool.get(this.workers) : null;
    if (!pool) return (this.threads = null);
    const data = this.source.images.data;
    const source = data.buffer instanceof SharedArrayBuffer && data.byteOffset === 0 ? data : shareCopy(data);
    return (this.threads = { pool, source, buffers: new SharedBuffers() });
  }

  /** Starts the worker threads on the transforms of batch `position`, drawing its parameters now, in batch order. */
  private transformAhead(position: Position, indices: Int32Array, rng: RandomGenerator): Ahead {
    const { pool, source, buffers } = this.threads!;
    const { draw, sampling } = this.context.augmentation!;
    const [, h, w, c] = this.source.images.shape;
    const out = buffers.take(indices.length * h * w * c);
    const params = Array.from(indices, () => draw(h, w, rng));
    // The workers also run the elementwise standardization of each image they transform.
    const split = this.context.split([indices.length, h, w, c]);
    const job = pool.start(source, [h, w, c], Int32Array.from(indices, (i) => i * h * w * c), params, sampling, split?.steps ?? null, out);
    return { ...position, rng, out, job, finish: split?.finish ?? null };
  }

  protected makeBatch(indices: Int32Array, random: () => RandomGenerator, position: Position, upcoming: Position | null): B {
    const { images } = this.source;
    const [, h, w, c] = images.shape;
    const shape: ImageBatch['shape'] = [indices.length, h, w, c];
    let rng: RandomGenerator | null;
    let pixels: Float32Array;
    let shared: Float32Array | null = null;
    if (this.augment && this.workerThreads()) {
      // The workers may already be writing this batch (started by the previous next()).
      let ahead = this.ahead;
      this.ahead = null;
      if (ahead && (ahead.epoch !== position.epoch || ahead.batch !== position.batch)) {
        ahead.job.wait();
        this.threads!.buffers.give(ahead.out);
        ahead = null;
      }
      ahead ??= this.transformAhead(position, indices, random());
      ahead.job.wait();
      // While this batch is finished here, the workers write the next one into another buffer.
      if (upcoming) this.ahead = this.transformAhead(upcoming, this.schedule.indices(upcoming), this.schedule.random(upcoming));
      rng = ahead.rng;
      shared = ahead.out;
      pixels = ahead.finish ? ahead.finish(shared, indices.length) : this.context.process({ data: shared, shape }, Int32Array.from(indices, (_, i) => i), null, true);
    } else {
      rng = this.augment || this.save ? random() : null;
      pixels = this.context.process(images, indices, this.augment ? rng : null, false, this.arrays.take(indices.length * h * w * c));
    }
    // Keras names array-flow files with a hash in 0..9999.
    if (this.save) saveBatchImages(this.save, pixels, indices, images.shape.slice(1), rng!, 9999);
    const imageTensor = this.arrays.tensor({ data: pixels, shape }, this.context.dataFormat, 4, pixels === shared) as tf.Tensor4D;
    if (shared) this.threads!.buffers.give(shared);
    const { labels, misc, sampleWeight } = this.source;
    const batch: BatchLabelParts & { xs: BatchInputs } = { xs: misc.length > 0 ? [imageTensor, ...misc.map((m) => gatherRows(m, indices))] : imageTensor };
    if (labels) batch.ys = gatherRows(labels, indices);
    if (sampleWeight) batch.sampleWeight = gatherRows(sampleWeight, indices) as tf.Tensor1D;
    return batch as B;
  }
}
