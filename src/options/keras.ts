/**
 * Mapping between Keras's Python keyword arguments (snake_case,
 * 'channels_last') and our camelCase options, so a config dict pasted from
 * Python works unchanged.
 */
import { InvalidArgumentError } from '../errors.js';
import type { ImageDataGeneratorArgs } from './args.js';

const KERAS_TO_ARGS: Record<string, keyof ImageDataGeneratorArgs> = {
  featurewise_center: 'featurewiseCenter',
  samplewise_center: 'samplewiseCenter',
  featurewise_std_normalization: 'featurewiseStdNormalization',
  samplewise_std_normalization: 'samplewiseStdNormalization',
  zca_whitening: 'zcaWhitening',
  zca_epsilon: 'zcaEpsilon',
  rotation_range: 'rotationRange',
  width_shift_range: 'widthShiftRange',
  height_shift_range: 'heightShiftRange',
  brightness_range: 'brightnessRange',
  shear_range: 'shearRange',
  zoom_range: 'zoomRange',
  channel_shift_range: 'channelShiftRange',
  fill_mode: 'fillMode',
  cval: 'cval',
  horizontal_flip: 'horizontalFlip',
  vertical_flip: 'verticalFlip',
  rescale: 'rescale',
  preprocessing_function: 'preprocessingFunction',
  data_format: 'dataFormat',
  validation_split: 'validationSplit',
  interpolation_order: 'interpolationOrder',
  dtype: 'dtype',
};

const DATA_FORMATS: Record<string, string> = { channels_last: 'channelsLast', channels_first: 'channelsFirst' };

/**
 * Converts a Keras `ImageDataGenerator(**kwargs)` dict to our options.
 * Python `None` (JSON null) means "Keras default".
 */
export function argsFromKerasConfig(config: Record<string, unknown>): ImageDataGeneratorArgs {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new InvalidArgumentError('config', 'a Keras ImageDataGenerator keyword-argument object', config);
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const name = Object.hasOwn(KERAS_TO_ARGS, key) ? KERAS_TO_ARGS[key] : undefined;
    if (name === undefined) {
      const camel = Object.entries(KERAS_TO_ARGS).find(([, arg]) => arg === key)?.[0];
      const hint = camel ? `Unknown Keras argument; did you mean \`${camel}\`?` : 'Unknown Keras argument.';
      throw new InvalidArgumentError(`config.${key}`, `a Keras ImageDataGenerator argument (${Object.keys(KERAS_TO_ARGS).join(', ')})`, key, hint);
    }
    if (value === null && name !== 'preprocessingFunction') continue;
    if (name === 'preprocessingFunction') {
      if (value !== null) {
        throw new InvalidArgumentError('config.preprocessing_function', 'null (a Python function cannot be imported; pass `preprocessingFunction` in JavaScript)', value);
      }
      continue;
    }
    if (name === 'dataFormat') {
      if (typeof value !== 'string' || !Object.hasOwn(DATA_FORMATS, value)) {
        throw new InvalidArgumentError('config.data_format', "'channels_last' (channel after row and column) or 'channels_first' (channel before row and column)", value);
      }
      args[name] = DATA_FORMATS[value];
      continue;
    }
    args[name] = value;
  }
  return args as ImageDataGeneratorArgs;
}

/**
 * Gives `error` (thrown while validating options converted from a Keras
 * config) the name of the Keras argument the user wrote: `zoomRange` becomes
 * `config.zoom_range`. Other errors are returned unchanged.
 */
export function asKerasConfigError(error: unknown): unknown {
  if (!(error instanceof InvalidArgumentError)) return error;
  const [, head, rest] = /^([A-Za-z]+)(.*)$/s.exec(error.argument) ?? [];
  const key = Object.entries(KERAS_TO_ARGS).find(([, arg]) => arg === head)?.[0];
  return key === undefined ? error : renameArgument(error, `config.${key}${rest}`);
}

/**
 * Renames the argument an InvalidArgumentError (or subclass) names, in its
 * `argument`, message and stack; keeps its class, expectation and hint.
 */
export function renameArgument<E extends InvalidArgumentError>(error: E, argument: string): E {
  const prefix = `\`${error.argument}\``;
  if (!error.message.startsWith(prefix)) return error;
  const message = `\`${argument}\`${error.message.slice(prefix.length)}`;
  if (typeof error.stack === 'string') error.stack = error.stack.replace(error.message, message);
  (error as { argument: string }).argument = argument;
  error.message = message;
  return error;
}
