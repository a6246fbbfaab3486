/**
 * Where an iterator's random numbers come from. Every draw is a function of
 * (seed, epoch, batch), so any batch can be rebuilt on its own.
 *
 * - 'default': xoshiro128** keyed by (seed, stream, epoch, batch).
 * - 'numpy': Keras's own scheme on NumPy's MT19937: before batch b of epoch e,
 *   `np.random.seed(seed + e * batchesPerEpoch + b)`; at b = 0 the epoch's
 *   permutation is drawn first, then the batch's transforms.
 */
import { InvalidArgumentError } from '../errors.js';
import { MT19937 } from './mt19937.js';
import { type RandomGenerator, Xoshiro128 } from './random.js';

export type RandomMode = 'default' | 'numpy';

const STREAM = { shuffle: 1, transform: 2, single: 3, fitImage: 4 } as const;

export function checkRandomMode(mode: unknown, argument = 'rng'): RandomMode {
  if (mode !== 'default' && mode !== 'numpy') throw new InvalidArgumentError(argument, "'default' or 'numpy'", mode);
  return mode;
}

/** A generator for one standalone draw (`getRandomTransform(shape, seed)`), like `np.random.seed(seed)` in numpy mode. */
export function singleGenerator(mode: RandomMode, seed: number): RandomGenerator {
  return mode === 'numpy' ? new MT19937(seed) : new Xoshiro128([seed, STREAM.single]);
}

/**
 * In fits keyed per image, the image with key `key` (its index, or a file's
 * `fileKey`) is transformed in round `round` by
 * `getRandomTransform(shape, fitImageSeed(seed, round, key))`.
 */
export function fitImageSeed(seed: number, round: number, key: number): number {
  return new Xoshiro128([seed, STREAM.fitImage, round, key]).nextUint32();
}

export class RandomStreams {
  constructor(
    readonly mode: RandomMode,
    readonly seed: number,
    private readonly samples: number,
    private readonly batchesPerEpoch: number,
    private readonly shuffle: boolean,
  ) {}

  private numpyBatch(epoch: number, batch: number): MT19937 {
    return new MT19937((this.seed + epoch * this.batchesPerEpoch + batch) % 0x100000000);
  }

  /** The sample order of `epoch`. */
  epochOrder(epoch: number): Int32Array {
    if (!this.shuffle) return Int32Array.from({ length: this.samples }, (_, i) => i);
    const rng = this.mode === 'numpy' ? this.numpyBatch(epoch, 0) : new Xoshiro128([this.seed, STREAM.shuffle, epoch]);
    return rng.permutation(this.samples);
  }

  /** The generator the transforms of batch `batch` of `epoch` are drawn from. */
  batchGenerator(epoch: number, batch: number): RandomGenerator {
    if (this.mode === 'default') return new Xoshiro128([this.seed, STREAM.transform, epoch, batch]);
    const rng = this.numpyBatch(epoch, batch);
    if (batch === 0 && this.shuffle) rng.permutation(this.samples);
    return rng;
  }
}
