/**
 * The base of every flow: batching, endless epochs with a reshuffle per
 * epoch, random access to any batch of any epoch, sync and async iteration,
 * and a `tf.data.Dataset` view. Sources only say how to build a batch from a
 * list of sample indices.
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import { InvalidArgumentError } from '../errors.js';
import type { RandomGenerator } from '../random/random.js';
import { type RandomMode, RandomStreams } from '../random/streams.js';

/**
 * One batch. `xs` is the image tensor (or `[images, ...misc]` when misc arrays
 * were given); `ys` and `sampleWeight` are present when given to the flow.
 * The caller owns these tensors and must dispose them.
 */
export type Batch = {
  xs: tf.Tensor | tf.Tensor[];
  ys?: tf.Tensor;
  sampleWeight?: tf.Tensor1D;
};

export interface BatchIteratorArgs {
  /** Number of samples in one epoch. */
  samples: number;
  /** Samples per batch; the last batch of an epoch may be smaller. Keras: `batch_size`. */
  batchSize: number;
  /** Reshuffle the sample order at every epoch. Keras: `shuffle`. */
  shuffle: boolean;
  /** Seed of the iterator's own random streams (integer in [0, 2^32)). */
  seed: number;
  /** Which random scheme: our default, or Keras's NumPy-seeded one. */
  randomMode: RandomMode;
}

export abstract class BatchIterator implements IterableIterator<Batch>, AsyncIterable<Batch> {
  readonly samples: number;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  private readonly streams: RandomStreams;
  private cursor = { epoch: 0, batch: 0 };
  private order: { epoch: number; indices: Int32Array } | null = null;

  protected constructor(args: BatchIteratorArgs) {
    if (!Number.isInteger(args.batchSize) || args.batchSize < 1) {
      throw new InvalidArgumentError('batchSize', 'a positive integer', args.batchSize);
    }
    if (typeof args.shuffle !== 'boolean') throw new InvalidArgumentError('shuffle', 'a boolean', args.shuffle);
    this.samples = args.samples;
    this.batchSize = args.batchSize;
    this.shuffle = args.shuffle;
    this.seed = args.seed;
    this.streams = new RandomStreams(args.randomMode, args.seed, args.samples, this.length, args.shuffle);
  }

  /** Batches per epoch: ceil(samples / batchSize). Keras: `len(iterator)`. */
  get length(): number {
    return Math.ceil(this.samples / this.batchSize);
  }

  /** The epoch that `next()` is in (0-based). */
  get epoch(): number {
    return this.cursor.epoch;
  }

  /** The next batch; the stream is endless, moving to a reshuffled epoch after the last batch. */
  next(): IteratorResult<Batch, never> {
    const value = this.batch(this.cursor.batch, this.cursor.epoch);
    this.cursor = this.cursor.batch + 1 < this.length
      ? { epoch: this.cursor.epoch, batch: this.cursor.batch + 1 }
      : { epoch: this.cursor.epoch + 1, batch: 0 };
    return { value, done: false };
  }

  [Symbol.iterator](): this {
    return this;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Batch, never> {
    for (;;) yield this.next().value;
  }

  /** Goes back to the first batch of epoch 0, so the stream repeats exactly. */
  reset(): void {
    this.cursor = { epoch: 0, batch: 0 };
  }

  /**
   * Batch `index` of `epoch` (default: the current epoch), without moving the
   * cursor. Deterministic for a given seed. Keras: `iterator[index]`.
   */
  batch(index: number, epoch = this.cursor.epoch): Batch {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new InvalidArgumentError('index', `an integer batch index in [0, ${this.length})`, index);
    }
    if (!Number.isInteger(epoch) || epoch < 0) throw new InvalidArgumentError('epoch', 'an integer >= 0', epoch);
    const start = index * this.batchSize;
    const indices = this.indexOrder(epoch).subarray(start, Math.min(start + this.batchSize, this.samples));
    return this.makeBatch(indices, () => this.streams.batchGenerator(epoch, index));
  }

  /** The sample order of `epoch`: a seeded permutation when shuffling, else 0..samples-1. */
  indexOrder(epoch: number): Int32Array {
    if (this.order?.epoch !== epoch) {
      this.order = { epoch, indices: this.streams.epochOrder(epoch) };
    }
    return this.order.indices;
  }

  /**
   * A `tf.data.Dataset` of `{xs, ys}` batches for `model.fitDataset`. Each
   * dataset iterator starts at epoch 0 and runs `epochs` epochs (default:
   * endless, so pass `batchesPerEpoch: iterator.length` to `fitDataset`; use
   * `{epochs: 1}` for `validationData`).
   */
  toDataset(options: { epochs?: number } = {}): tfd.Dataset<Batch> {
    const epochs = options.epochs ?? Infinity;
    if (!(epochs === Infinity || (Number.isInteger(epochs) && epochs > 0))) {
      throw new InvalidArgumentError('epochs', 'a positive integer or Infinity', epochs);
    }
    const self = this;
    return tfd.generator<Batch>(function* () {
      for (let epoch = 0; epoch < epochs; epoch++) {
        for (let i = 0; i < self.length; i++) yield self.batch(i, epoch);
      }
    });
  }

  /**
   * Builds the batch of the given samples (already in batch order);
   * `random()` gives the generator for this batch's random transforms.
   */
  protected abstract makeBatch(indices: Int32Array, random: () => RandomGenerator): Batch;
}
