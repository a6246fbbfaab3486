/**
 * Streaming per-channel mean and variance over (sample, row, column), in
 * float64. Each block is summarised exactly (two passes over the block) and
 * blocks are combined with Chan et al.'s pairwise update, so fitting an array
 * in one piece or as a stream of batches gives the same statistics.
 */
import { NonFiniteDataError } from '../errors.js';
import type { ImageBatch } from '../input/imageBatch.js';

export class ChannelMoments {
  /** Values seen per channel (samples x rows x columns). */
  count = 0;
  readonly mean: Float64Array;
  /** Sum of squared deviations from the mean, per channel. */
  readonly m2: Float64Array;

  constructor(readonly channels: number) {
    this.mean = new Float64Array(channels);
    this.m2 = new Float64Array(channels);
  }

  /**
   * Adds an NHWC batch whose values are multiplied by `scale` (the
   * generator's rescale). `firstSample` numbers the batch's samples in errors.
   */
  add(batch: ImageBatch, scale = 1, firstSample = 0, argument = 'x'): void {
    const { data } = batch;
    const c = this.channels;
    const perChannel = data.length / c;
    if (perChannel === 0) return;
    const sum = new Float64Array(c);
    for (let i = 0; i < data.length; i += c) {
      for (let k = 0; k < c; k++) sum[k]! += data[i + k]!;
    }
    for (let k = 0; k < c; k++) {
      if (!Number.isFinite(sum[k]!)) throwFirstNonFinite(batch, firstSample, argument);
    }
    const blockMean = sum.map((s) => s / perChannel);
    const sq = new Float64Array(c);
    for (let i = 0; i < data.length; i += c) {
      for (let k = 0; k < c; k++) {
        const d = data[i + k]! - blockMean[k]!;
        sq[k]! += d * d;
      }
    }
    this.merge(perChannel, blockMean.map((m) => m * scale), sq.map((v) => v * scale * scale));
  }

  /** Adds the moments of `count` other values per channel (their mean and m2), by Chan et al.'s pairwise update. */
  merge(count: number, mean: Float64Array, m2: Float64Array): void {
    if (count === 0) return;
    const total = this.count + count;
    for (let k = 0; k < this.channels; k++) {
      const delta = mean[k]! - this.mean[k]!;
      this.mean[k]! += (delta * count) / total;
      this.m2[k]! += m2[k]! + (delta * delta * this.count * count) / total;
    }
    this.count = total;
  }

  /** Population variance per channel (NumPy's `np.var`, ddof 0). */
  variance(): Float64Array {
    return this.m2.map((v) => v / this.count);
  }
}

function throwFirstNonFinite(batch: ImageBatch, firstSample: number, argument: string): never {
  const per = batch.shape[1] * batch.shape[2] * batch.shape[3];
  const at = batch.data.findIndex((v) => !Number.isFinite(v));
  throw new NonFiniteDataError(argument, firstSample + Math.floor(at / per), batch.data[at]!);
}
