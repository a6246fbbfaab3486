/**
 * The batch schedule every flow shares: batches per epoch, the cursor of
 * `next()`, a seeded sample order per epoch, and the random generator of each
 * batch. Sources (arrays, files) only say how to build a batch from indices.
 */
import { InvalidArgumentError } from '../errors.js';
import type { RandomGenerator } from '../random/random.js';
import { type RandomMode, RandomStreams } from '../random/streams.js';

export interface ScheduleArgs {
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

/** A position in the endless stream of batches. */
export interface Position {
  epoch: number;
  batch: number;
}

export class EpochSchedule {
  readonly samples: number;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  private readonly streams: RandomStreams;
  private cursor: Position = { epoch: 0, batch: 0 };
  private order: { epoch: number; indices: Int32Array } | null = null;

  constructor(args: ScheduleArgs) {
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

  /** Batches per epoch: ceil(samples / batchSize). */
  get length(): number {
    return Math.ceil(this.samples / this.batchSize);
  }

  get epoch(): number {
    return this.cursor.epoch;
  }

  /**
   * The position `next()` serves now; the cursor moves on (to a new epoch
   * after the last batch). A flow over no images has length 0 and no batch to
   * serve: Keras's `next()` yields an empty batch there, here it throws.
   */
  take(): Position {
    if (this.length === 0) {
      throw new InvalidArgumentError('next()', 'a flow with at least one image', 'a flow of length 0 (no images)', 'A batch is never empty; check `length` (or `samples`) before taking batches.');
    }
    const position = this.cursor;
    this.cursor = position.batch + 1 < this.length ? { epoch: position.epoch, batch: position.batch + 1 } : { epoch: position.epoch + 1, batch: 0 };
    return position;
  }

  /** The position the next `take()` returns. */
  get upcoming(): Position {
    return this.cursor;
  }

  /** Back to the first batch of epoch 0. */
  reset(): void {
    this.cursor = { epoch: 0, batch: 0 };
  }

  /** Checks a random-access position (`epoch` defaults to the current one). */
  position(index: number, epoch = this.cursor.epoch): Position {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new InvalidArgumentError('index', `an integer batch index in [0, ${this.length})`, index);
    }
    if (!Number.isInteger(epoch) || epoch < 0) throw new InvalidArgumentError('epoch', 'an integer >= 0', epoch);
    return { epoch, batch: index };
  }

  /** The sample indices of a batch, in batch order. */
  indices({ epoch, batch }: Position): Int32Array {
    const start = batch * this.batchSize;
    return this.indexOrder(epoch).subarray(start, Math.min(start + this.batchSize, this.samples));
  }

  /** The sample order of `epoch`: a seeded permutation when shuffling, else 0..samples-1. */
  indexOrder(epoch: number): Int32Array {
    if (this.order?.epoch !== epoch) this.order = { epoch, indices: this.streams.epochOrder(epoch) };
    return this.order.indices;
  }

  /** The generator for the random transforms of a batch. */
  random({ epoch, batch }: Position): RandomGenerator {
    return this.streams.batchGenerator(epoch, batch);
  }
}
