/**
 * `ImageStandardization`: the generator's `standardize` as a tfjs-layers
 * layer (rescale, per-image samplewise steps, featurewise mean and std, ZCA),
 * with the fitted statistics as non-trainable weights. Put it first in a model
 * and the normalization is saved, loaded and served with the model.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { ShapeError } from '../errors.js';
import type { DataFormat } from '../options/args.js';
import { STD_EPSILON } from '../standardize/kernel.js';

export interface ImageStandardizationArgs extends LayerArgs {
  /** Multiply the input first (null: no rescale). */
  rescale: number | null;
  samplewiseCenter: boolean;
  samplewiseStdNormalization: boolean;
  featurewiseCenter: boolean;
  featurewiseStdNormalization: boolean;
  zcaWhitening: boolean;
  dataFormat: DataFormat;
  /** Channels of the featurewise statistics. */
  channels: number;
  /** Features of one flattened image (size of the ZCA matrix), or 0 without ZCA. */
  features: number;
}

/** Initial weight values, used when the layer is built from a fitted generator (not when loaded from a file). */
export interface StandardizationValues {
  mean: Float32Array | null;
  std: Float32Array | null;
  /** d x d, in the data format's flattening order (Keras's). */
  zca: Float32Array | null;
}

export class ImageStandardization extends tfl.layers.Layer {
  static className = 'ImageStandardization';
  private readonly settings: Omit<ImageStandardizationArgs, keyof LayerArgs>;
  private meanWeight: tfl.LayerVariable | null = null;
  private stdWeight: tfl.LayerVariable | null = null;
  private zcaWeight: tfl.LayerVariable | null = null;

  constructor(args: ImageStandardizationArgs, private initial: StandardizationValues | null = null) {
    super(args);
    const { rescale, samplewiseCenter, samplewiseStdNormalization, featurewiseCenter, featurewiseStdNormalization, zcaWhitening, dataFormat, channels, features } = args;
    this.settings = { rescale, samplewiseCenter, samplewiseStdNormalization, featurewiseCenter, featurewiseStdNormalization, zcaWhitening, dataFormat, channels, features };
    this.trainable = false;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = this.settings;
    const zeros = tfl.initializers.zeros();
    if (s.featurewiseCenter) this.meanWeight = this.addWeight('mean', [s.channels], 'float32', zeros, undefined, false);
    if (s.featurewiseStdNormalization) this.stdWeight = this.addWeight('std', [s.channels], 'float32', zeros, undefined, false);
    if (s.zcaWhitening) this.zcaWeight = this.addWeight('zca_whitening_matrix', [s.features, s.features], 'float32', zeros, undefined, false);
    if (this.initial) {
      const { mean, std, zca } = this.initial;
      // The variables take their own reference to the values; tidy frees the tensors written.
      tf.tidy(() => {
        if (this.meanWeight && mean) this.meanWeight.write(tf.tensor1d(mean));
        if (this.stdWeight && std) this.stdWeight.write(tf.tensor1d(std));
        if (this.zcaWeight && zca) this.zcaWeight.write(tf.tensor2d(zca, [s.features, s.features]));
      });
      this.initial = null;
    }
    super.build(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const s = this.settings;
      const input = Array.isArray(inputs) ? inputs[0]! : inputs;
      this.checkInput(input.shape);
      let x = tf.cast(input, 'float32');
      if (s.rescale !== null) x = tf.mul(x, s.rescale);
      const perImage = [1, 2, 3];
      if (s.samplewiseCenter) x = tf.sub(x, tf.mean(x, perImage, true));
      if (s.samplewiseStdNormalization) x = tf.div(x, tf.add(tf.sqrt(tf.mean(tf.square(x), perImage, true)), STD_EPSILON));
      const broadcast = s.dataFormat === 'channelsFirst' ? [1, s.channels, 1, 1] : [1, 1, 1, s.channels];
      if (this.meanWeight) x = tf.sub(x, tf.reshape(this.meanWeight.read(), broadcast));
      if (this.stdWeight) x = tf.div(x, tf.add(tf.reshape(this.stdWeight.read(), broadcast), STD_EPSILON));
      if (this.zcaWeight) {
        const shape = x.shape;
        x = tf.reshape(tf.matMul(tf.reshape(x, [-1, s.features]), this.zcaWeight.read()), shape);
      }
      return x;
    });
  }

  /** The statistics' channel count (and, with ZCA, feature count) must be the input's: broadcasting would hide a mismatch. */
  private checkInput(shape: readonly number[]): void {
    const s = this.settings;
    const channels = shape[s.dataFormat === 'channelsFirst' ? 1 : 3];
    const perChannel = s.featurewiseCenter || s.featurewiseStdNormalization;
    const features = shape.slice(1).reduce((a, b) => a * b, 1);
    if (shape.length !== 4 || (perChannel && channels !== s.channels) || (s.zcaWhitening && features !== s.features)) {
      const expected = s.zcaWhitening ? `${s.features} values per image` : `${s.channels} channels`;
      throw new ShapeError('inputs', `a batch of images (rank 4, ${s.dataFormat}) with ${expected}, as the statistics were fitted on`, shape);
    }
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.settings };
  }
}

tf.serialization.registerClass(ImageStandardization);
