/**
 * The constructor options the page offers, in the order shown, with what
 * each means in Keras. Defaults are the library's own (`new
 * ImageDataGenerator().getConfig()`), not repeated here.
 */
import type { ImageDataGeneratorArgs } from '../../src/browser.js';

export type OptionName = Exclude<keyof ImageDataGeneratorArgs, 'preprocessingFunction' | 'dtype'>;

export interface OptionSpec {
  name: OptionName;
  /** flag: a checkbox; choice: a select of `choices`; value: a text field read as a literal (number, list, 1/255, None). */
  kind: 'flag' | 'choice' | 'value';
  choices?: readonly (string | number)[];
  help: string;
  /** A Keras argument (its name is the snake_case of `name`); false for this library's own options. */
  keras: boolean;
  group: 'Geometry' | 'Colour' | 'Sampling' | 'Standardization' | 'Other';
}

export const OPTION_SPECS: readonly OptionSpec[] = [
  { name: 'rotationRange', kind: 'value', group: 'Geometry', keras: true, help: 'Degrees; each image is rotated by a uniform draw in [-r, r].' },
  { name: 'widthShiftRange', kind: 'value', group: 'Geometry', keras: true, help: 'Below 1: a fraction of the width; an integer n >= 1: whole pixels in (-n, n); a list: one of its values, either sign.' },
  { name: 'heightShiftRange', kind: 'value', group: 'Geometry', keras: true, help: 'As widthShiftRange, for rows.' },
  { name: 'shearRange', kind: 'value', group: 'Geometry', keras: true, help: 'Shear angle in degrees, counter-clockwise, drawn in [-s, s].' },
  { name: 'zoomRange', kind: 'value', group: 'Geometry', keras: true, help: 'z means [1 - z, 1 + z]; or [lower, upper]. Above 1 zooms out.' },
  { name: 'horizontalFlip', kind: 'flag', group: 'Geometry', keras: true, help: 'Flip left-right with probability 1/2.' },
  { name: 'verticalFlip', kind: 'flag', group: 'Geometry', keras: true, help: 'Flip upside down with probability 1/2.' },
  { name: 'channelShiftRange', kind: 'value', group: 'Colour', keras: true, help: 'Adds one uniform draw in [-c, c] to every channel, clipped to the image\'s range.' },
  { name: 'brightnessRange', kind: 'value', group: 'Colour', keras: true, help: '[lower, upper] brightness factor (PIL ImageEnhance); empty: none.' },
  { name: 'fillMode', kind: 'choice', choices: ['nearest', 'constant', 'reflect', 'wrap'], group: 'Sampling', keras: true, help: 'How points outside the image are filled.' },
  { name: 'cval', kind: 'value', group: 'Sampling', keras: true, help: 'The fill value when fillMode is constant.' },
  { name: 'interpolationOrder', kind: 'choice', choices: [0, 1, 2, 3, 4, 5], group: 'Sampling', keras: true, help: 'Spline order: 0 nearest, 1 bilinear, 2 to 5 B-splines (scipy.ndimage).' },
  { name: 'rescale', kind: 'value', group: 'Standardization', keras: true, help: 'Multiplies the data first (e.g. 1/255); empty or 0: none.' },
  { name: 'samplewiseCenter', kind: 'flag', group: 'Standardization', keras: true, help: 'Subtract each image\'s own mean.' },
  { name: 'samplewiseStdNormalization', kind: 'flag', group: 'Standardization', keras: true, help: 'Divide each image by its own std (turns samplewiseCenter on).' },
  { name: 'featurewiseCenter', kind: 'flag', group: 'Standardization', keras: true, help: 'Subtract the per-channel mean fitted on the images (fit panel).' },
  { name: 'featurewiseStdNormalization', kind: 'flag', group: 'Standardization', keras: true, help: 'Divide by the fitted per-channel std (turns featurewiseCenter on).' },
  { name: 'zcaWhitening', kind: 'flag', group: 'Standardization', keras: true, help: 'ZCA whitening (fitted; needs small images: d x d for d values per image).' },
  { name: 'zcaEpsilon', kind: 'value', group: 'Standardization', keras: true, help: 'Added to the singular values in ZCA.' },
  { name: 'dataFormat', kind: 'choice', choices: ['channelsLast', 'channelsFirst'], group: 'Other', keras: true, help: 'Image layout the generator works in (NHWC or NCHW); the page converts its images.' },
  { name: 'validationSplit', kind: 'value', group: 'Other', keras: true, help: 'Fraction kept for subset "validation"; does not change the grid.' },
  { name: 'zcaMaxBytes', kind: 'value', group: 'Other', keras: false, help: 'Not Keras: memory budget for fitting ZCA, bytes.' },
  { name: 'rng', kind: 'choice', choices: ['default', 'numpy'], group: 'Other', keras: false, help: 'Not Keras: numpy reproduces Keras\'s random stream exactly.' },
];

export const BY_NAME: ReadonlyMap<string, OptionSpec> = new Map(OPTION_SPECS.map((s) => [s.name as string, s]));

/** A camelCase name or value in Keras's snake_case (`rotationRange` -> `rotation_range`, `channelsLast` -> `channels_last`). */
export const toSnake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The inverse of `toSnake`. */
export const toCamel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
