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

/** A batch's inputs: the images, or the images followed by the misc arrays given with them. */
export type BatchInputs = tf.Tensor4D | [tf.Tensor4D, ...tf.Tensor[]];
/** A batch's labels: one tensor, one per output (data frames' 'multi_output'), or none. */
export type BatchLabels = tf.Tensor | tf.Tensor[] | undefined;

/**
 * One batch. `xs` is the image tensor ([n, h, w, c], or [n, c, h, w] for
 * channelsFirst), or `[images, ...misc]` when misc arrays were given; `ys`
 * holds the labels, undefined when the flow has none; `sampleWeight` is
 * there when the flow was given weights. The types follow what the flow was
 * asked for (`flow(x)` gives `Batch<tf.Tensor4D, undefined>`, `flow(x, y)`
 * `Batch<tf.Tensor4D, tf.Tensor>`). The caller owns these tensors and must
 * dispose them.
 */
export type Batch<X extends BatchInputs = BatchInputs, Y extends BatchLabels = BatchLabels> = {
  xs: X;
  ys: Y;
  sampleWeight?: tf.Tensor1D;
};

/** What a flow builds besides the images: `ys` and `sampleWeight`, each there when the flow has it. */
export type BatchLabelParts = Partial<Omit<Batch, 'xs'>>;

/** Batches prepared ahead at most: each holds a whole batch in memory. */
const MAX_PREFETCH = 64;

abstract class ScheduledIterator<B extends Batch> {
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
  abstract batch(index: number, epoch?: number): B | Promise<B>;

  /**
   * A `tf.data.Dataset` of `{xs, ys}` batches for `model.fitDataset`. Each
   * dataset iterator starts at epoch 0 and runs `epochs` epochs (default:
   * endless, so pass `batchesPerEpoch: iterator.length` to `fitDataset`; use
   * `{epochs: 1}` for `validationData`).
   */
  toDataset(options: { epochs?: number } = {}): tfd.Dataset<B> {
    const epochs = options.epochs ?? Infinity;
    if (!(epochs === Infinity || (Number.isInteger(epochs) && epochs > 0))) {
      throw new InvalidArgumentError('epochs', 'a positive integer or Infinity', epochs);
    }
    const self = this;
    return tfd.generator<B>(async function* () {
      // A flow of length 0 is an empty dataset (its endless epochs hold no batch).
      for (let epoch = 0; epoch < epochs && self.length > 0; epoch++) {
        for (let i = 0; i < self.length; i++) yield await self.batch(i, epoch);
      }
    } as unknown as () => Iterator<B>);
  }
}

/** Batches built synchronously in memory. */
export abstract class BatchIterator<B extends Batch = Batch> extends ScheduledIterator<B> implements IterableIterator<B>, AsyncIterable<B> {
  /** The next batch; the stream is endless, moving to a reshuffled epoch after the last batch. */
  next(): IteratorResult<B, never> {
    const position = this.schedule.take();
    return { value: this.build(position, this.schedule.upcoming), done: false };
  }

  [Symbol.iterator](): this {
    return this;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<B, never> {
    for (;;) yield this.next().value;
  }

  /** Goes back to the first batch of epoch 0, so the stream repeats exactly. */
  reset(): void {
    this.schedule.reset();
  }

  batch(index: number, epoch?: number): B {
    return this.build(this.schedule.position(index, epoch), null);
  }

  private build(position: Position, upcoming: Position | null): B {
    return this.makeBatch(this.schedule.indices(position), () => this.schedule.random(position), position, upcoming);
  }

  /**
   * Builds the batch of the given samples (already in batch order) at
   * `position`; `random()` gives the generator for its random transforms.
   * `upcoming` is the position `next()` will serve after this one (null for
   * random access), for work that can start early.
   */
  protected abstract makeBatch(indices: Int32Array, random: () => RandomGenerator, position: Position, upcoming: Position | null): B;
}

/**
 * Batches that need I/O. `prepare` works on typed arrays (it may run ahead:
 * up to `prefetch` batches are prepared while the caller trains); tensors are
 * made only when a batch is handed out, so nothing leaks when a prefetched
 * batch is dropped by `reset()`.
 */
export abstract class AsyncBatchIterator<Prepared, B extends Batch = Batch> extends ScheduledIterator<B> implements AsyncIterableIterator<B> {
  private queue: Promise<Prepared>[] = [];

  protected constructor(args: ScheduleArgs, private readonly prefetch: number) {
    super(args);
    if (!Number.isInteger(prefetch) || prefetch < 0 || prefetch > MAX_PREFETCH) throw new InvalidArgumentError('prefetch', `an integer from 0 to ${MAX_PREFETCH}`, prefetch);
  }

  /** The next batch; endless, reshuffled every epoch. */
  async next(): Promise<IteratorResult<B, never>> {
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

  async batch(index: number, epoch?: number): Promise<B> {
    return this.toBatch(await this.prepareAt(this.schedule.position(index, epoch)));
  }

  private prepareAt(position: Position): Promise<Prepared> {
    return this.prepare(this.schedule.indices(position), () => this.schedule.random(position));
  }

  /** Loads and processes the given samples into typed arrays. */
  protected abstract prepare(indices: Int32Array, random: () => RandomGenerator): Promise<Prepared>;

  /** Makes the tensors of a prepared batch. */
  protected abstract toBatch(prepared: Prepared): B;
}
