/**
 * Keras's `Normalization` layer for tfjs (class name and config as Keras
 * serializes them), so converted Keras models that contain one load:
 * `(x - mean) / max(sqrt(variance), 1e-7)`, or the inverse with `invert`.
 * Mean and variance come from the config, from the model's weights
 * (`mean`, `variance`), or from `adapt(data)` with our float64 streaming
 * statistics.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { InvalidArgumentError } from '../errors.js';
import { type ArrayInput, toDense } from '../input/dense.js';
import { ChannelMoments } from '../stats/channelMoments.js';

const KERAS_EPSILON = 1e-7;

export interface NormalizationArgs extends Omit<LayerArgs, 'dtype'> {
  /** Axis or axes that keep their own statistics (Keras default -1: the last). */
  axis?: number | number[] | null;
  /** Fixed mean (scalar or per kept index); with `variance`, no weights are used. */
  mean?: number | number[] | null;
  variance?: number | number[] | null;
  /** Map normalized values back to the original scale. Default false. */
  invert?: boolean;
  /** Keras 3 serializes a dtype policy object here; only a string is used. */
  dtype?: unknown;
}

/** Data for `adapt`: one array or tensor, or an (async) iterable of batches. */
export type AdaptInput = ArrayInput | Iterable<ArrayInput> | AsyncIterable<ArrayInput>;

export class Normalization extends tfl.layers.Layer {
  static className = 'Normalization';
  private readonly axis: number[];
  private readonly invert: boolean;
  private readonly fixed: { mean: number[]; variance: number[] } | null;
  private keep: number[] = [];
  private broadcast: number[] = [];
  private meanWeight: tfl.LayerVariable | null = null;
  private varianceWeight: tfl.LayerVariable | null = null;

  constructor(args: NormalizationArgs = {}) {
    const { axis, mean, variance, invert, dtype, ...rest } = args;
    super({ ...rest, ...(typeof dtype === 'string' ? { dtype: dtype as tf.DataType } : {}) });
    this.axis = axis === undefined ? [-1] : axis === null ? [] : Array.isArray(axis) ? [...axis] : [axis];
    this.invert = invert ?? false;
    if ((mean == null) !== (variance == null)) {
      throw new InvalidArgumentError(mean == null ? 'mean' : 'variance', 'both mean and variance, or neither', null);
    }
    const list = (v: number | number[]) => (Array.isArray(v) ? v.flat(Infinity) as number[] : [v]);
    this.fixed = mean == null ? null : { mean: list(mean), variance: list(variance!) };
    this.trainable = false;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const rank = shape.length;
    this.keep = this.axis.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
    for (const a of this.keep) {
      if (a < 1 || a >= rank || shape[a] == null) {
        throw new InvalidArgumentError('axis', `axes in [1, ${rank}) with a known size for inputs of shape [${shape}]`, this.axis);
      }
    }
    const statShape = this.keep.map((a) => shape[a] as number);
    this.broadcast = shape.map((d, i) => (this.keep.includes(i) ? (d as number) : 1));
    if (this.fixed === null) {
      this.meanWeight = this.addWeight('mean', statShape, 'float32', tfl.initializers.zeros(), undefined, false);
      this.varianceWeight = this.addWeight('variance', statShape, 'float32', tfl.initializers.ones(), undefined, false);
    }
    super.build(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = tf.cast(Array.isArray(inputs) ? inputs[0]! : inputs, 'float32');
      const [mean, variance] = this.fixed
        ? [tf.tensor(this.fixed.mean), tf.tensor(this.fixed.variance)]
        : [this.meanWeight!.read(), this.varianceWeight!.read()];
      const size = this.broadcast.reduce((a, b) => a * b, 1);
      const shaped = (t: tf.Tensor) => (t.size === size ? tf.reshape(t, this.broadcast) : t);
      const scale = tf.maximum(tf.sqrt(shaped(variance)), KERAS_EPSILON);
      return this.invert ? tf.add(shaped(mean), tf.mul(x, scale)) : tf.div(tf.sub(x, shaped(mean)), scale);
    });
  }

  /**
   * Computes mean and (population) variance over every axis but the kept
   * ones, in float64, streaming over batches. Keras: `adapt(data)`.
   */
  async adapt(data: AdaptInput): Promise<void> {
    if (this.fixed) throw new InvalidArgumentError('mean', 'null when calling adapt() (this layer has a fixed mean and variance)', this.fixed.mean);
    const batches = Array.isArray(data) || data instanceof tf.Tensor || !(Symbol.iterator in Object(data) || Symbol.asyncIterator in Object(data))
      ? [data as ArrayInput]
      : (data as Iterable<ArrayInput> | AsyncIterable<ArrayInput>);
    let moments: ChannelMoments | null = null;
    let seen = 0;
    for await (const batch of batches) {
      const dense = toDense(batch, 'data');
      if (!this.built) this.build([null, ...dense.shape.slice(1)]);
      const rank = dense.shape.length;
      // Move the kept axes last, so each kept index is one "channel".
      const order = [...Array.from({ length: rank }, (_, i) => i).filter((i) => !this.keep.includes(i)), ...this.keep];
      // tidy returns the tensor, not its data: tidy walks a returned typed array element by element.
      const moved = tf.tidy(() => tf.transpose(tf.tensor(dense.data, dense.shape), order));
      const values = moved.dataSync() as Float32Array;
      moved.dispose();
      const channels = this.keep.reduce((n, a) => n * dense.shape[a]!, 1);
      moments ??= new ChannelMoments(channels);
      moments.add({ data: values, shape: [dense.shape[0]!, 1, values.length / channels / dense.shape[0]!, channels] }, 1, seen, 'data');
      seen += dense.shape[0]!;
    }
    if (!moments) throw new InvalidArgumentError('data', 'at least one batch', 'none');
    this.meanWeight!.write(tf.tensor(Float32Array.from(moments.mean), this.meanWeight!.shape as number[]));
    this.varianceWeight!.write(tf.tensor(Float32Array.from(moments.variance()), this.varianceWeight!.shape as number[]));
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      axis: this.axis,
      invert: this.invert,
      mean: this.fixed?.mean ?? null,
      variance: this.fixed?.variance ?? null,
    };
  }
}

tf.serialization.registerClass(Normalization);
