/**
 * The canonical CPU image batch (float32, NHWC) and the only place where
 * `channelsFirst` data is converted: on the way in and on the way out.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors.js';
import type { DataFormat } from '../options/args.js';
import { warn } from '../warnings.js';
import { type ArrayInput, toDense } from './dense.js';

/** A batch of images: float32 values in NHWC order. */
export interface ImageBatch {
  data: Float32Array;
  shape: [n: number, height: number, width: number, channels: number];
}

/** Any accepted image input (a batch of rank 4, or one image of rank 3 where allowed). */
export type ImageInput = ArrayInput;

/** Reorders a (n, a, b, c) array to (n, b, c, a) or back, as in NCHW <-> NHWC. */
function moveAxis(src: Float32Array, n: number, outer: number, inner: number, toLast: boolean): Float32Array {
  const out = new Float32Array(src.length);
  const per = outer * inner;
  for (let s = 0; s < n; s++) {
    const base = s * per;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        if (toLast) out[base + i * outer + o] = src[base + o * inner + i]!;
        else out[base + o * inner + i] = src[base + i * outer + o]!;
      }
    }
  }
  return out;
}

export interface ToImageBatchOptions {
  /** Argument name for errors. */
  argument: string;
  dataFormat: DataFormat;
  /** Accept a single image (rank 3) as a batch of one. */
  allowRank3: boolean;
  /** Warn, as Keras does, when the channel axis holds other than 1, 3 or 4 channels. */
  warnChannels?: boolean;
}

/** Converts an image input to the canonical batch; `rank` says what the caller passed. */
export function toImageBatch(input: ImageInput, options: ToImageBatchOptions): { batch: ImageBatch; rank: 3 | 4 } {
  const { data, shape } = toDense(input, options.argument);
  const rank = shape.length;
  if (rank !== 4 && !(options.allowRank3 && rank === 3)) {
    const expected = options.allowRank3 ? 'rank 3 (one image) or rank 4 (a batch)' : 'rank 4 (a batch of images)';
    throw new ShapeError(options.argument, `${expected}, ${describeLayout(options.dataFormat, options.allowRank3)}`, shape);
  }
  const dims = rank === 3 ? [1, ...shape] : shape;
  if (dims.slice(1).includes(0)) {
    throw new ShapeError(options.argument, `images with at least one row, column and channel, ${describeLayout(options.dataFormat, options.allowRank3)}`, shape);
  }
  const channelsFirst = options.dataFormat === 'channelsFirst';
  const [n, a, b, c] = dims as [number, number, number, number];
  const channels = channelsFirst ? a : c;
  if (options.warnChannels && channels !== 1 && channels !== 3 && channels !== 4) {
    const axis = (channelsFirst ? 1 : 3) - (rank === 3 ? 1 : 0);
    warn(
      'channel-count',
      `\`${options.argument}\` should hold images in the '${options.dataFormat}' format (channels on axis ${axis}), ` +
        `with 1, 3 or 4 channels; received shape [${shape}] (${channels} channels).`,
    );
  }
  const batch: ImageBatch = channelsFirst
    ? { data: moveAxis(data, n, a, b * c, true), shape: [n, b, c, a] }
    : { data, shape: [n, a, b, c] };
  return { batch, rank: rank as 3 | 4 };
}

function describeLayout(format: DataFormat, allowRank3: boolean): string {
  const batch = format === 'channelsFirst' ? '[n, channels, height, width]' : '[n, height, width, channels]';
  const image = format === 'channelsFirst' ? '[channels, height, width]' : '[height, width, channels]';
  return allowRank3 ? `shaped ${image} or ${batch}` : `shaped ${batch}`;
}

/** The tensor shape of an NHWC batch as the user sees it. */
export function userShape(shape: ImageBatch['shape'], format: DataFormat, rank: 3 | 4): number[] {
  const [n, h, w, c] = shape;
  const full = format === 'channelsFirst' ? [n, c, h, w] : [n, h, w, c];
  return rank === 3 ? full.slice(1) : full;
}

/**
 * Whether the active backend copies a typed array into the tensors made from
 * it (wasm does), so the array may be written again at once. cpu and
 * tfjs-node keep the array itself.
 */
const tensorCopiesData = () => tf.getBackend() === 'wasm';

/** A Float32Array on a SharedArrayBuffer, which worker threads can write. */
export const sharedArray = (length: number) => new Float32Array(new SharedArrayBuffer(length * 4));

/**
 * Batch buffers on SharedArrayBuffers that worker threads write into
 * directly, given back once the batch's tensor exists and taken again for a
 * later batch (a fresh buffer costs page faults in the workers).
 */
export class SharedBuffers {
  private readonly free: Float32Array[] = [];

  take(length: number): Float32Array {
    const i = this.free.findIndex((b) => b.length === length);
    return i >= 0 ? this.free.splice(i, 1)[0]! : sharedArray(length);
  }

  give(buffer: Float32Array): void {
    if (this.free.length < 8) this.free.push(buffer);
  }
}

/** How many released arrays a flow keeps. */
const KEPT_ARRAYS = 4;

/**
 * The arrays a flow hands to its batch tensors. Where the backend copies an
 * array into its tensor (wasm), the array is written again for a later batch
 * at once: a fresh array per batch costs page faults (a 224x224 batch is
 * 19 MB). Other backends keep the array and hand that very array out from
 * `data()` and `dataSync()` (cpu does), so a user may still hold it after
 * disposing the batch: there every batch gets an array of its own.
 */
export class BatchArrays {
  private readonly free: Float32Array[] = [];

  /** An array of `length` values that no tensor uses: a released one or a new one. */
  take(length: number): Float32Array {
    const i = this.free.findIndex((a) => a.length === length);
    return i >= 0 ? this.free.splice(i, 1)[0]! : new Float32Array(length);
  }

  /**
   * The tensor of an NHWC batch (`fromImageBatch`). `batch.data` comes from
   * `take()`, or is `shared`: an array the caller writes again for later
   * batches (the worker threads' buffers), which the tensor then gets a copy
   * of where the backend would keep the array itself.
   */
  tensor(batch: ImageBatch, format: DataFormat, rank: 3 | 4, shared = false): tf.Tensor {
    const copies = tensorCopiesData();
    const data = shared && !copies ? batch.data.slice() : batch.data;
    const tensor = fromImageBatch({ data, shape: batch.shape }, format, rank);
    // Channels-first batches are transposed into a new array, so the tensor never holds this one.
    if (!shared && (copies || format === 'channelsFirst')) this.release(data);
    return tensor;
  }

  private release(array: Float32Array): void {
    this.free.push(array);
    if (this.free.length > KEPT_ARRAYS) this.free.shift();
  }
}

/** Creates the output tensor from an NHWC batch, in the user's format and rank. Takes ownership of `batch.data`. */
export function fromImageBatch(batch: ImageBatch, format: DataFormat, rank: 3 | 4): tf.Tensor {
  const [n, h, w, c] = batch.shape;
  const values = format === 'channelsFirst' ? moveAxis(batch.data, n, c, h * w, false) : batch.data;
  return tf.tensor(values, userShape(batch.shape, format, rank), 'float32');
}
