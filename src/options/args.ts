/**
 * The options of `ImageDataGenerator`: their types, Keras defaults,
 * validation and the flag overrides Keras applies in its constructor.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors.js';
import { checkKeys } from './keys.js';
import { type RandomMode, checkRandomMode } from '../random/streams.js';
import { warn } from '../warnings.js';

export type DataFormat = 'channelsLast' | 'channelsFirst';
export type FillMode = 'constant' | 'nearest' | 'reflect' | 'wrap';
/** Spline order of the affine warp, as scipy.ndimage counts it (see `interpolationOrder`). */
export type InterpolationOrder = 0 | 1 | 2 | 3 | 4 | 5;
/** A shift range: a fraction of the image size (< 1), pixels (>= 1), or a list of pixel values. */
export type ShiftRange = number | number[];
/**
 * A user function run first in `standardize`, once per image (rank 3, in the
 * generator's data format). It must return a tensor of the same shape. Keras:
 * `preprocessing_function`.
 */
export type PreprocessingFunction = (image: tf.Tensor3D) => tf.Tensor3D;

/** Constructor arguments; every field is optional and defaults as in Keras. */
export interface ImageDataGeneratorArgs {
  /** Subtract the per-channel dataset mean (fitted by `fit`). Keras: `featurewise_center`. Default false. */
  featurewiseCenter?: boolean;
  /** Subtract each image's own mean. Keras: `samplewise_center`. Default false. */
  samplewiseCenter?: boolean;
  /** Divide by the per-channel dataset std (+1e-6). Turns featurewiseCenter on. Keras: `featurewise_std_normalization`. Default false. */
  featurewiseStdNormalization?: boolean;
  /** Divide each image by its own std (+1e-6). Turns samplewiseCenter on. Keras: `samplewise_std_normalization`. Default false. */
  samplewiseStdNormalization?: boolean;
  /** ZCA whitening. Turns featurewiseCenter on and featurewiseStdNormalization off. Keras: `zca_whitening`. Default false. */
  zcaWhitening?: boolean;
  /** Added to the singular values in ZCA. Keras: `zca_epsilon`. Default 1e-6. */
  zcaEpsilon?: number;
  /** Memory budget for fitting ZCA, bytes; a larger fit is refused before allocating. Not a Keras option. Default 2 GiB. */
  zcaMaxBytes?: number;
  /** Random rotation range, degrees. Keras: `rotation_range`. Default 0. */
  rotationRange?: number;
  /** Random horizontal shift. Keras: `width_shift_range`. Default 0. */
  widthShiftRange?: ShiftRange;
  /** Random vertical shift. Keras: `height_shift_range`. Default 0. */
  heightShiftRange?: ShiftRange;
  /** Random brightness factor range [lo, hi]. Keras: `brightness_range`. Default null. */
  brightnessRange?: [number, number] | null;
  /** Shear angle range, degrees, counter-clockwise. Keras: `shear_range`. Default 0. */
  shearRange?: number;
  /** Zoom range: z means [1-z, 1+z]. Keras: `zoom_range`. Default 0. */
  zoomRange?: number | [number, number];
  /** Random channel shift range, in data units. Keras: `channel_shift_range`. Default 0. */
  channelShiftRange?: number;
  /** How points outside the input are filled. Keras: `fill_mode`. Default 'nearest'. */
  fillMode?: FillMode;
  /** Fill value for fillMode 'constant'. Keras: `cval`. Default 0. */
  cval?: number;
  /** Random horizontal flips. Keras: `horizontal_flip`. Default false. */
  horizontalFlip?: boolean;
  /** Random vertical flips. Keras: `vertical_flip`. Default false. */
  verticalFlip?: boolean;
  /** Multiply the data by this factor first (null or 0: none). Keras: `rescale`. Default null. */
  rescale?: number | null;
  /** See `PreprocessingFunction`. Keras: `preprocessing_function`. Default null. */
  preprocessingFunction?: PreprocessingFunction | null;
  /** Layout of images: NHWC or NCHW. Keras: `data_format`. Default 'channelsLast'. */
  dataFormat?: DataFormat;
  /** Fraction of the data reserved for `subset: 'validation'`, strictly in (0, 1). Keras: `validation_split`. Default 0. */
  validationSplit?: number;
  /**
   * Spline order of the affine warp, an integer 0 to 5, sampled exactly as
   * `scipy.ndimage.affine_transform` does: 0 nearest pixel (rounding half up),
   * 1 bilinear, 2 to 5 B-splines of that degree (quadratic, cubic, quartic,
   * quintic) through the pixels, after scipy's spline prefilter with the fill
   * mode's boundary handling; smoother, may overshoot the input range, and
   * costlier as the order grows ((order + 1)^2 taps per value plus a
   * prefilter pass per image). Keras: `interpolation_order`. Default 1.
   */
  interpolationOrder?: InterpolationOrder;
  /** Output dtype; tfjs computes in float32. Keras: `dtype`. Default 'float32'. */
  dtype?: 'float32';
  /**
   * Random scheme. 'default': a fast seeded generator per iterator. 'numpy':
   * reproduces Keras exactly (NumPy's MT19937, seeded as Keras seeds it, and
   * Keras 3's shift axes). Not a Keras option. Default 'default'.
   */
  rng?: RandomMode;
}

/** The options after defaults, validation and Keras's overrides. */
export interface ImageDataGeneratorConfig
  extends Required<Omit<ImageDataGeneratorArgs, 'zoomRange' | 'brightnessRange' | 'rescale' | 'preprocessingFunction'>> {
  zoomRange: [number, number];
  brightnessRange: [number, number] | null;
  rescale: number | null;
  preprocessingFunction: PreprocessingFunction | null;
}

export const DEFAULTS: Readonly<ImageDataGeneratorConfig> = Object.freeze({
  featurewiseCenter: false,
  samplewiseCenter: false,
  featurewiseStdNormalization: false,
  samplewiseStdNormalization: false,
  zcaWhitening: false,
  zcaEpsilon: 1e-6,
  zcaMaxBytes: 2 ** 31,
  rotationRange: 0,
  widthShiftRange: 0,
  heightShiftRange: 0,
  brightnessRange: null,
  shearRange: 0,
  zoomRange: [1, 1] as [number, number],
  channelShiftRange: 0,
  fillMode: 'nearest' as FillMode,
  cval: 0,
  horizontalFlip: false,
  verticalFlip: false,
  rescale: null,
  preprocessingFunction: null,
  dataFormat: 'channelsLast' as DataFormat,
  validationSplit: 0,
  interpolationOrder: 1 as InterpolationOrder,
  dtype: 'float32' as const,
  rng: 'default' as RandomMode,
});

const BOOLEAN_KEYS = [
  'featurewiseCenter', 'samplewiseCenter', 'featurewiseStdNormalization', 'samplewiseStdNormalization',
  'zcaWhitening', 'horizontalFlip', 'verticalFlip',
] as const;
const NON_NEGATIVE_KEYS = ['zcaEpsilon', 'zcaMaxBytes', 'rotationRange', 'shearRange', 'channelShiftRange'] as const;
const KNOWN_KEYS = Object.fromEntries(Object.keys(DEFAULTS).map((k) => [k, true] as const));

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkShiftRange(name: string, v: unknown): ShiftRange {
  if (isNumber(v)) return v;
  if (Array.isArray(v) && v.length > 0 && v.every(isNumber)) return [...v];
  throw new InvalidArgumentError(name, 'a finite number or a non-empty array of finite numbers', v);
}

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** A range parameters are drawn from uniformly: lo + (hi - lo) * u must be finite, as must both ends. */
function checkDrawable(name: string, lo: number, hi: number, given: unknown): void {
  if (!Number.isFinite(hi - lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new InvalidArgumentError(name, 'a range whose width is finite (a value drawn from it must be a finite number)', given);
  }
}

function checkRange2(name: string, v: unknown, expected: string): [number, number] {
  if (Array.isArray(v) && v.length === 2 && v.every(isNumber)) return [v[0]!, v[1]!];
  throw new InvalidArgumentError(name, expected, v);
}

/**
 * Validates `args`, fills in defaults and applies Keras's overrides, warning
 * (through the warning channel) for each flag it changes.
 */
export function resolveConfig(args: ImageDataGeneratorArgs = {}): ImageDataGeneratorConfig {
  if (args === null || typeof args !== 'object') {
    throw new InvalidArgumentError('args', 'an options object', args);
  }
  checkKeys(args, KNOWN_KEYS, '');
  const given = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as ImageDataGeneratorArgs;
  const c = { ...DEFAULTS, ...given } as ImageDataGeneratorConfig & { zoomRange: unknown };

  for (const key of BOOLEAN_KEYS) {
    if (typeof c[key] !== 'boolean') throw new InvalidArgumentError(key, 'a boolean', c[key]);
  }
  for (const key of NON_NEGATIVE_KEYS) {
    if (!isNumber(c[key]) || c[key] < 0) throw new InvalidArgumentError(key, 'a finite number >= 0', c[key]);
  }
  c.widthShiftRange = checkShiftRange('widthShiftRange', c.widthShiftRange);
  c.heightShiftRange = checkShiftRange('heightShiftRange', c.heightShiftRange);
  if (!isNumber(c.cval) || Math.abs(c.cval) > FLOAT32_MAX) throw new InvalidArgumentError('cval', 'a finite number within float32 range (the images are float32)', c.cval);

  const zoom: unknown = given.zoomRange ?? 0;
  c.zoomRange = isNumber(zoom)
    ? [1 - zoom, 1 + zoom]
    : checkRange2('zoomRange', zoom, 'a number or an array of two numbers [lower, upper]');
  if (c.brightnessRange !== null) {
    c.brightnessRange = checkRange2('brightnessRange', c.brightnessRange, 'null or an array of two numbers [lower, upper]');
    if (!c.brightnessRange.every((b) => Math.abs(b) <= FLOAT32_MAX)) {
      throw new InvalidArgumentError('brightnessRange', 'factors within float32 range (PIL applies them in single precision)', c.brightnessRange);
    }
  }
  checkDrawable('rotationRange', -c.rotationRange, c.rotationRange, c.rotationRange);
  checkDrawable('shearRange', -c.shearRange, c.shearRange, c.shearRange);
  checkDrawable('channelShiftRange', -c.channelShiftRange, c.channelShiftRange, c.channelShiftRange);
  for (const key of ['widthShiftRange', 'heightShiftRange'] as const) {
    const range = c[key];
    if (typeof range === 'number') checkDrawable(key, -range, range, range);
  }
  checkDrawable('zoomRange', c.zoomRange[0], c.zoomRange[1], given.zoomRange);
  if (c.brightnessRange !== null) checkDrawable('brightnessRange', c.brightnessRange[0], c.brightnessRange[1], c.brightnessRange);
  if (!['constant', 'nearest', 'reflect', 'wrap'].includes(c.fillMode)) {
    throw new InvalidArgumentError('fillMode', "'constant', 'nearest', 'reflect' or 'wrap'", c.fillMode);
  }
  if (c.dataFormat !== 'channelsLast' && c.dataFormat !== 'channelsFirst') {
    throw new InvalidArgumentError(
      'dataFormat',
      "'channelsLast' (channel after row and column) or 'channelsFirst' (channel before row and column)",
      c.dataFormat,
    );
  }
  if (!isNumber(c.validationSplit) || (c.validationSplit !== 0 && !(c.validationSplit > 0 && c.validationSplit < 1))) {
    throw new InvalidArgumentError('validationSplit', 'a number strictly between 0 and 1 (or 0 for none)', c.validationSplit);
  }
  if (!Number.isInteger(c.interpolationOrder) || c.interpolationOrder < 0 || c.interpolationOrder > 5) {
    throw new InvalidArgumentError('interpolationOrder', 'an integer 0 to 5 (0 nearest, 1 bilinear, 2-5 spline)', c.interpolationOrder);
  }
  if (c.rescale !== null && (!isNumber(c.rescale) || Math.abs(c.rescale) > FLOAT32_MAX)) {
    throw new InvalidArgumentError('rescale', 'null or a finite number within float32 range (the images are float32)', c.rescale);
  }
  if (c.rescale === 0) c.rescale = null;
  if (c.preprocessingFunction !== null && typeof c.preprocessingFunction !== 'function') {
    throw new InvalidArgumentError('preprocessingFunction', 'null or a function (image: tf.Tensor3D) => tf.Tensor3D', c.preprocessingFunction);
  }
  if (c.dtype !== 'float32') throw new InvalidArgumentError('dtype', "'float32'", c.dtype);
  checkRandomMode(c.rng);

  applyKerasOverrides(c);
  return c;
}

/** Keras's constructor overrides, in Keras's order, each with Keras's warning. */
function applyKerasOverrides(c: ImageDataGeneratorConfig): void {
  // Keras tests the arguments as given, so zca + std without center warns twice about center.
  const fcRequested = c.featurewiseCenter;
  const fsRequested = c.featurewiseStdNormalization;
  if (c.zcaWhitening) {
    if (!fcRequested) {
      c.featurewiseCenter = true;
      warn('option-override', '`zcaWhitening` is on, which turns `featurewiseCenter` on.');
    }
    if (c.featurewiseStdNormalization) {
      c.featurewiseStdNormalization = false;
      warn('option-override', '`zcaWhitening` is on, which turns `featurewiseStdNormalization` off.');
    }
  }
  if (fsRequested && !fcRequested) {
    c.featurewiseCenter = true;
    warn('option-override', '`featurewiseStdNormalization` is on, which turns `featurewiseCenter` on.');
  }
  if (c.samplewiseStdNormalization && !c.samplewiseCenter) {
    c.samplewiseCenter = true;
    warn('option-override', '`samplewiseStdNormalization` is on, which turns `samplewiseCenter` on.');
  }
}
