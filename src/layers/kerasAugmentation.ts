/**
 * Keras's random augmentation layers for tfjs, with Keras's class names and
 * config fields, so converted Keras models that contain them load:
 * RandomFlip, RandomRotation, RandomTranslation, RandomZoom, RandomContrast,
 * RandomBrightness. As in Keras they are the identity at inference; with
 * `training: true` they augment each image with this library's kernels
 * (channels-last images, rank 3 or 4).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { InvalidArgumentError } from '../errors.js';
import type { FillMode } from '../options/args.js';
import { type RandomGenerator, Xoshiro128, randomSeed } from '../random/random.js';
import { type ImageView, type SamplingOptions, applyTransformTo } from '../transform/apply.js';
import { IDENTITY, type TransformParams } from '../transform/params.js';

type Factor = number | [number, number];

export interface KerasAugmentationArgs extends Omit<LayerArgs, 'dtype'> {
  seed?: number | null;
  /** Keras 3 serializes a dtype policy object here; only a string is used. */
  dtype?: unknown;
  /** Keras 3 `data_format`; only 'channels_last' is supported. */
  dataFormat?: string | null;
}

/** A factor as Keras reads it: f means [-f, f], a pair is [lower, upper]. */
function bounds(factor: Factor | null | undefined, name: string, symmetric = true): [number, number] {
  if (factor == null) return [0, 0];
  if (typeof factor === 'number' && Number.isFinite(factor)) return symmetric ? [-Math.abs(factor), Math.abs(factor)] : [0, factor];
  if (Array.isArray(factor) && factor.length === 2 && factor.every(Number.isFinite)) return [factor[0], factor[1]];
  throw new InvalidArgumentError(name, 'a number or a pair [lower, upper]', factor);
}

abstract class KerasAugmentationLayer extends tfl.layers.Layer {
  protected readonly seed: number | null;
  private readonly rng: RandomGenerator;
  private readonly dataFormat: string | null;

  constructor(args: KerasAugmentationArgs) {
    const { seed, dtype, dataFormat, ...rest } = args;
    super({ ...rest, ...(typeof dtype === 'string' ? { dtype: dtype as tf.DataType } : {}) });
    if (dataFormat != null && dataFormat !== 'channels_last' && dataFormat !== 'channelsLast') {
      throw new InvalidArgumentError('data_format', "'channels_last' (the tfjs layout)", dataFormat);
    }
    this.dataFormat = dataFormat ?? null;
    this.seed = seed ?? null;
    this.rng = new Xoshiro128([this.seed ?? randomSeed()]);
    this.trainable = false;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean } = {}): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (!kwargs.training) return tf.clone(x);
    if (x.rank !== 3 && x.rank !== 4) throw new InvalidArgumentError('inputs', 'images of rank 3 or 4 (channels last)', x.shape);
    const [n, height, width, channels] = (x.rank === 3 ? [1, ...x.shape] : x.shape) as number[];
    const src = Float32Array.from(x.dataSync() as ArrayLike<number>);
    const out = new Float32Array(src.length);
    const size = height! * width! * channels!;
    for (let i = 0; i < n!; i++) {
      const view = (data: Float32Array): ImageView => ({ data, offset: i * size, height: height!, width: width!, channels: channels! });
      this.augment(view(src), view(out), this.rng);
    }
    return tf.tensor(out, x.shape, 'float32');
  }

  /** Writes one augmented image from `src` into `dst`. */
  protected abstract augment(src: ImageView, dst: ImageView, rng: RandomGenerator): void;

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), seed: this.seed, ...(this.dataFormat ? { dataFormat: this.dataFormat } : {}) };
  }
}

/** Shared by the geometric layers: Keras's fill_mode, interpolation and fill_value. */
interface GeometryArgs extends KerasAugmentationArgs {
  fillMode?: FillMode;
  interpolation?: 'nearest' | 'bilinear';
  fillValue?: number;
}

abstract class GeometricLayer extends KerasAugmentationLayer {
  protected readonly sampling: SamplingOptions;
  private readonly geometry: { fillMode: FillMode; interpolation: string; fillValue: number };

  constructor(args: GeometryArgs) {
    super(args);
    const fillMode = args.fillMode ?? 'reflect';
    const interpolation = args.interpolation ?? 'bilinear';
    if (!['constant', 'nearest', 'reflect', 'wrap'].includes(fillMode)) {
      throw new InvalidArgumentError('fill_mode', "'constant', 'nearest', 'reflect' or 'wrap'", fillMode);
    }
    if (interpolation !== 'nearest' && interpolation !== 'bilinear') {
      throw new InvalidArgumentError('interpolation', "'nearest' or 'bilinear'", interpolation);
    }
    this.geometry = { fillMode, interpolation, fillValue: args.fillValue ?? 0 };
    this.sampling = { fillMode, cval: this.geometry.fillValue, interpolationOrder: interpolation === 'nearest' ? 0 : 1 };
  }

  protected augment(src: ImageView, dst: ImageView, rng: RandomGenerator): void {
    applyTransformTo(src, dst, { ...IDENTITY, ...this.draw(src, rng) }, this.sampling);
  }

  protected abstract draw(image: ImageView, rng: RandomGenerator): Partial<TransformParams>;

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.geometry };
  }
}

export class RandomFlip extends KerasAugmentationLayer {
  static className = 'RandomFlip';
  private readonly mode: string;
  constructor(args: KerasAugmentationArgs & { mode?: string }) {
    super(args);
    this.mode = args.mode ?? 'horizontal_and_vertical';
    if (!['horizontal', 'vertical', 'horizontal_and_vertical'].includes(this.mode)) {
      throw new InvalidArgumentError('mode', "'horizontal', 'vertical' or 'horizontal_and_vertical'", this.mode);
    }
  }
  protected augment(src: ImageView, dst: ImageView, rng: RandomGenerator): void {
    const flipHorizontal = this.mode !== 'vertical' && rng.random() < 0.5;
    const flipVertical = this.mode !== 'horizontal' && rng.random() < 0.5;
    applyTransformTo(src, dst, { ...IDENTITY, flipHorizontal, flipVertical }, { fillMode: 'nearest', cval: 0, interpolationOrder: 0 });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}

export class RandomRotation extends GeometricLayer {
  static className = 'RandomRotation';
  private readonly factor: Factor;
  /** `factor` is a fraction of a full turn: 0.1 means up to 36 degrees either way. */
  constructor(args: GeometryArgs & { factor: Factor }) {
    super(args);
    this.factor = args.factor;
    bounds(this.factor, 'factor');
  }
  protected draw(_: ImageView, rng: RandomGenerator): Partial<TransformParams> {
    const [lo, hi] = bounds(this.factor, 'factor');
    return { theta: rng.uniform(lo, hi) * 360 };
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor };
  }
}

export class RandomTranslation extends GeometricLayer {
  static className = 'RandomTranslation';
  private readonly heightFactor: Factor;
  private readonly widthFactor: Factor;
  /** Factors are fractions of the height and width; positive moves down and right. */
  constructor(args: GeometryArgs & { heightFactor: Factor; widthFactor: Factor }) {
    super(args);
    this.heightFactor = args.heightFactor;
    this.widthFactor = args.widthFactor;
    bounds(this.heightFactor, 'height_factor');
    bounds(this.widthFactor, 'width_factor');
  }
  protected draw(image: ImageView, rng: RandomGenerator): Partial<TransformParams> {
    const [hl, hh] = bounds(this.heightFactor, 'height_factor');
    const [wl, wh] = bounds(this.widthFactor, 'width_factor');
    // Output pixel (r, c) samples input (r + ty, c + tx), so a downward move is a negative ty.
    return { ty: -rng.uniform(hl, hh) * image.height, tx: -rng.uniform(wl, wh) * image.width };
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}

export class RandomZoom extends GeometricLayer {
  static className = 'RandomZoom';
  private readonly heightFactor: Factor;
  private readonly widthFactor: Factor | null;
  /** Zoom 1 + factor: positive zooms out, negative in; without widthFactor the aspect ratio is kept. */
  constructor(args: GeometryArgs & { heightFactor: Factor; widthFactor?: Factor | null }) {
    super(args);
    this.heightFactor = args.heightFactor;
    this.widthFactor = args.widthFactor ?? null;
    bounds(this.heightFactor, 'height_factor');
    bounds(this.widthFactor, 'width_factor');
  }
  protected draw(_: ImageView, rng: RandomGenerator): Partial<TransformParams> {
    const [hl, hh] = bounds(this.heightFactor, 'height_factor');
    const zy = 1 + rng.uniform(hl, hh);
    if (this.widthFactor === null) return { zx: zy, zy };
    const [wl, wh] = bounds(this.widthFactor, 'width_factor');
    return { zx: 1 + rng.uniform(wl, wh), zy };
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}

interface ValueRangeArgs extends KerasAugmentationArgs {
  factor: Factor;
  valueRange?: [number, number];
}

abstract class ValueLayer extends KerasAugmentationLayer {
  protected readonly factor: Factor;
  protected readonly valueRange: [number, number];
  constructor(args: ValueRangeArgs) {
    super(args);
    this.factor = args.factor;
    bounds(this.factor, 'factor');
    this.valueRange = args.valueRange ?? [0, 255];
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor, valueRange: this.valueRange };
  }
}

export class RandomContrast extends ValueLayer {
  static className = 'RandomContrast';
  /** Per image, each channel becomes (x - its mean) * c + mean with c in [1 - f, 1 + f], clipped to valueRange. */
  protected augment(src: ImageView, dst: ImageView, rng: RandomGenerator): void {
    const [lo, hi] = bounds(this.factor, 'factor');
    const c = 1 + rng.uniform(lo, hi);
    const { channels, offset } = src;
    const pixels = src.height * src.width;
    for (let k = 0; k < channels; k++) {
      let sum = 0;
      for (let p = 0; p < pixels; p++) sum += src.data[offset + p * channels + k]!;
      const mean = sum / pixels;
      for (let p = 0; p < pixels; p++) {
        const i = offset + p * channels + k;
        dst.data[i] = Math.min(this.valueRange[1], Math.max(this.valueRange[0], (src.data[i]! - mean) * c + mean));
      }
    }
  }
}

export class RandomBrightness extends ValueLayer {
  static className = 'RandomBrightness';
  /** Adds delta * (range width) with delta in the factor's bounds, clipped to valueRange. */
  protected augment(src: ImageView, dst: ImageView, rng: RandomGenerator): void {
    const [lo, hi] = bounds(this.factor, 'factor');
    const delta = rng.uniform(lo, hi) * (this.valueRange[1] - this.valueRange[0]);
    const end = src.offset + src.height * src.width * src.channels;
    for (let i = src.offset; i < end; i++) dst.data[i] = Math.min(this.valueRange[1], Math.max(this.valueRange[0], src.data[i]! + delta));
  }
}

for (const cls of [RandomFlip, RandomRotation, RandomTranslation, RandomZoom, RandomContrast, RandomBrightness]) {
  tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
}
