/**
 * Transform parameters: their type, Keras defaults, and how they are drawn.
 * Drawing (here) and applying (`apply.ts`) are separate, so any augmentation
 * can be replayed from its parameters.
 */
import { InvalidArgumentError } from '../errors.js';
import type { ImageDataGeneratorConfig, ShiftRange } from '../options/args.js';
import type { RandomGenerator } from '../random/random.js';

/** One image's transform. Keras: the dict from `get_random_transform`. */
export interface TransformParams {
  /** Rotation, degrees. */
  theta: number;
  /** Shift along columns (horizontal), pixels. */
  tx: number;
  /** Shift along rows (vertical), pixels. */
  ty: number;
  /** Shear angle, degrees. */
  shear: number;
  /** Zoom factor along columns. */
  zx: number;
  /** Zoom factor along rows. */
  zy: number;
  flipHorizontal: boolean;
  flipVertical: boolean;
  /** Added to every channel, then clipped to the image's range; null: none. */
  channelShiftIntensity: number | null;
  /** Brightness factor (PIL `ImageEnhance.Brightness`); null: none. */
  brightness: number | null;
}

export const IDENTITY: Readonly<TransformParams> = Object.freeze({
  theta: 0, tx: 0, ty: 0, shear: 0, zx: 1, zy: 1,
  flipHorizontal: false, flipVertical: false, channelShiftIntensity: null, brightness: null,
});

/** Fills missing keys with Keras's defaults and validates types. */
export function completeParams(params: Partial<TransformParams>, argument = 'params'): TransformParams {
  if (params === null || typeof params !== 'object') throw new InvalidArgumentError(argument, 'an object of transform parameters', params);
  const p = { ...IDENTITY, ...params };
  for (const key of Object.keys(params)) {
    if (!(key in IDENTITY)) throw new InvalidArgumentError(`${argument}.${key}`, `one of ${Object.keys(IDENTITY).join(', ')}`, key, 'Unknown transform parameter.');
  }
  for (const key of ['theta', 'tx', 'ty', 'shear', 'zx', 'zy'] as const) {
    if (!Number.isFinite(p[key])) throw new InvalidArgumentError(`${argument}.${key}`, 'a finite number', p[key]);
  }
  for (const key of ['channelShiftIntensity', 'brightness'] as const) {
    if (p[key] !== null && !Number.isFinite(p[key])) throw new InvalidArgumentError(`${argument}.${key}`, 'null or a finite number', p[key]);
  }
  return { ...p, flipHorizontal: Boolean(p.flipHorizontal), flipVertical: Boolean(p.flipVertical) };
}

/**
 * One shift draw, as Keras: an integer n >= 1 picks from 0..n-1 with a random
 * sign, a list picks an element with a random sign, a float r is uniform in
 * [-r, r); the result is a fraction of `size` when every value is below 1.
 */
function drawShift(range: ShiftRange, size: number, rng: RandomGenerator): number {
  const values = Array.isArray(range) ? range : [range];
  if (!Array.isArray(range) && range === 0) return 0;
  let shift: number;
  if (Array.isArray(range)) {
    shift = range[rng.interval(range.length - 1)]! * (rng.interval(1) === 0 ? -1 : 1);
  } else if (Number.isInteger(range) && range > 0) {
    shift = rng.interval(range - 1) * (rng.interval(1) === 0 ? -1 : 1);
  } else {
    shift = rng.uniform(-range, range);
  }
  return Math.max(...values) < 1 ? shift * size : shift;
}

/**
 * Draws one image's parameters in Keras's order (rotation, shifts, shear,
 * zoom, two flip draws, channel shift, brightness). `kerasShiftAxes` copies
 * Keras 3, which draws `tx` from heightShiftRange scaled by the height and
 * `ty` from widthShiftRange scaled by the width; otherwise `tx` (columns) comes
 * from widthShiftRange and the width, `ty` (rows) from heightShiftRange and the height.
 */
export function drawTransform(
  config: Readonly<ImageDataGeneratorConfig>,
  height: number,
  width: number,
  rng: RandomGenerator,
  kerasShiftAxes: boolean,
): TransformParams {
  const c = config;
  const theta = c.rotationRange ? rng.uniform(-c.rotationRange, c.rotationRange) : 0;
  const [txRange, txSize, tyRange, tySize] = kerasShiftAxes
    ? [c.heightShiftRange, height, c.widthShiftRange, width]
    : [c.widthShiftRange, width, c.heightShiftRange, height];
  const tx = drawShift(txRange, txSize, rng);
  const ty = drawShift(tyRange, tySize, rng);
  const shear = c.shearRange ? rng.uniform(-c.shearRange, c.shearRange) : 0;
  const [lo, hi] = c.zoomRange;
  const [zx, zy] = lo === 1 && hi === 1 ? [1, 1] : [rng.uniform(lo, hi), rng.uniform(lo, hi)];
  const flipHorizontal = rng.random() < 0.5 && c.horizontalFlip;
  const flipVertical = rng.random() < 0.5 && c.verticalFlip;
  const channelShiftIntensity = c.channelShiftRange !== 0 ? rng.uniform(-c.channelShiftRange, c.channelShiftRange) : null;
  const brightness = c.brightnessRange ? rng.uniform(c.brightnessRange[0], c.brightnessRange[1]) : null;
  return { theta, tx, ty, shear, zx, zy, flipHorizontal, flipVertical, channelShiftIntensity, brightness };
}
