/**
 * The iterators every flow returns. `BatchIterator` serves batches built in
 * memory (sync `next()`, plus async iteration); `AsyncBatchIterator` serves
 * batches that need I/O (files), with bounded prefetch. Both give random
 * access to any batch of any epoch and a `tf.data.Dataset` view.
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import { InvalidArgumentError } from '../errors.js';
import type { RandomGenerator } from '../random/random.js';
import { EpochSchedule, type Position, type ScheduleArgs } from './schedule.js';

/**
 * One batch. `xs` is the image tensor (or `[images, ...misc]` when misc arrays
 * were given); `ys` and `sampleWeight` are present when the flow has them.
 * The caller owns these tensors and must dispose them.
 */
export type Batch = {
  xs: tf.Tensor | tf.Tensor[];
  ys?: tf.Tensor | tf.Tensor[];
  sampleWeight?: tf.Tensor1D;
};

abstract class ScheduledIterator {
  protected readonly schedule: EpochSchedule;
  /** Number of images the flow serves per epoch. */
  readonly samples: number;
  /** Keras: `batch_size`. */
  readonly batchSize: number;
  /** Whether each epoch is reshuffled. Keras: `shuffle`. */
  readonly shuffle: boolean;
  /** Seed of the shuffling and the random transforms. Keras: `seed`. */
  readonly seed: number;
  /** Batches per epoch: ceil(samples / batchSize). Keras: `len(iterator)`. */
  readonly length: number;

  protected constructor(args: ScheduleArgs) {
    const schedule = (this.schedule = new EpochSchedule(args));
    ({ samples: this.samples, batchSize: this.batchSize, shuffle: this.shuffle, seed: this.seed, length: this.length } = schedule);
  }

  /** The epoch that `next()` is in (0-based). */
  get epoch(): number {
    return this.schedule.epoch;
  }
  /** The sample order of `epoch`. */
  indexOrder(epoch: number): Int32Array {
    return this.schedule.indexOrder(epoch);
  }

  /** Batch `index` of `epoch` (default: the current epoch), without moving the cursor. Keras: `iterator[index]`. */
  abstract batch(index: number, epoch?: number): Batch | Promise<Batch>;

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
    return tfd.generator<Batch>(async function* () {
      for (let epoch = 0; epoch < epochs; epoch++) {
        for (let i = 0; i < self.length; i++) yield await self.batch(i, epoch);
      }
    } as unknown as () => Iterator<Batch>);
  }
}

/** Batches built synchronously in memory. */
export abstract class BatchIterator extends ScheduledIterator implements IterableIterator<Batch>, AsyncIterable<Batch> {
  /** The next batch; the stream is endless, moving to a reshuffled epoch after the last batch. */
  next(): IteratorResult<Batch, never> {
    const position = this.schedule.take();
    return { value: this.build(position, this.schedule.upcoming), done: false };
  }

  [Symbol.iterator](): this {
    return this;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Batch, never> {
    for (;;) yield this.next().value;
  }

  /** Goes back to the first batch of epoch 0, so the stream repeats exactly. */
  reset(): void {
    this.schedule.reset();
  }

  batch(index: number, epoch?: number): Batch {
    return this.build(this.schedule.position(index, epoch), null);
  }

  private build(position: Position, upcoming: Position | null): Batch {
    return this.makeBatch(this.schedule.indices(position), () => this.schedule.random(position), position, upcoming);
  }

  /**
   * Builds the batch of the given samples (already in batch order) at
   * `position`; `random()` gives the generator for its random transforms.
   * `upcoming` is the position `next()` will serve after this one (null for
   * random access), for work that can start early.
   */
  protected abstract makeBatch(indices: Int32Array, random: () => RandomGenerator, position: Position, upcoming: Position | null): Batch;
}

/**
 * Batches that need I/O. `prepare` works on typed arrays (it may run ahead:
 * up to `prefetch` batches are prepared while the caller trains); tensors are
 * made only when a batch is handed out, so nothing leaks when a prefetched
 * batch is dropped by `reset()`.
 */
export abstract class AsyncBatchIterator<Prepared> extends ScheduledIterator implements AsyncIterableIterator<Batch> {
  private queue: Promise<Prepared>[] = [];

  protected constructor(args: ScheduleArgs, private readonly prefetch: number) {
    super(args);
    if (!Number.isInteger(prefetch) || prefetch < 0) throw new InvalidArgumentError('prefetch', 'an integer >= 0', prefetch);
  }

  /** The next batch; endless, reshuffled every epoch. */
  async next(): Promise<IteratorResult<Batch, never>> {
    while (this.queue.length <= this.prefetch) {
      const pending = this.prepareAt(this.schedule.take());
      pending.catch(() => undefined); // a failure surfaces when this batch is awaited, not as an unhandled rejection
      this.queue.push(pending);
    }
    const prepared = await this.queue.shift()!;
    return { value: this.toBatch(prepared), done: false };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Goes back to the first batch of epoch 0 (prefetched batches are dropped). */
  reset(): void {
    this.queue = [];
    this.schedule.reset();
  }

  async batch(index: number, epoch?: number): Promise<Batch> {
    return this.toBatch(await this.prepareAt(this.schedule.position(index, epoch)));
  }

  private prepareAt(position: Position): Promise<Prepared> {
    return this.prepare(this.schedule.indices(position), () => this.schedule.random(position));
  }

  /** Loads and processes the given samples into typed arrays. */
  protected abstract prepare(indices: Int32Array, random: () => RandomGenerator): Promise<Prepared>;

  /** Makes the tensors of a prepared batch. */
  protected abstract toBatch(prepared: Prepared): Batch;
}
