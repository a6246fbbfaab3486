/**
 * The generator's state as plain JSON data: format tag, options and every
 * fitted statistic with its shape. `toJSON`, `fromJSON` (and the file formats
 * built on them) all go through here.
 */
import { InvalidArgumentError } from '../errors.js';
import type { DataFormat, ImageDataGeneratorConfig } from '../options/args.js';

export const STATE_FORMAT = 'tfjs-image-data-generator';
export const STATE_VERSION = 1;

/** Fitted statistics, per channel (length C). */
export interface FittedStatistics {
  mean: Float32Array | null;
  std: Float32Array | null;
}

/** A statistic as stored: its Keras shape ([1,1,C] or [C,1,1]) and values. */
export interface StoredArray {
  shape: number[];
  values: number[];
}

/** Options as plain data; a preprocessing function is recorded only as present or not. */
export type StoredConfig = Omit<ImageDataGeneratorConfig, 'preprocessingFunction'> & { preprocessingFunction: boolean };

export interface GeneratorState {
  format: typeof STATE_FORMAT;
  formatVersion: number;
  config: StoredConfig;
  statistics: { mean: StoredArray | null; std: StoredArray | null };
}

/** Keras's broadcast shape of a per-channel statistic. */
export function statisticShape(channels: number, format: DataFormat): number[] {
  return format === 'channelsFirst' ? [channels, 1, 1] : [1, 1, channels];
}

export function encodeState(config: ImageDataGeneratorConfig, stats: FittedStatistics): GeneratorState {
  const store = (a: Float32Array | null): StoredArray | null =>
    a && { shape: statisticShape(a.length, config.dataFormat), values: Array.from(a) };
  const { preprocessingFunction, ...rest } = config;
  return {
    format: STATE_FORMAT,
    formatVersion: STATE_VERSION,
    config: structuredClone({ ...rest, preprocessingFunction: preprocessingFunction !== null }),
    statistics: { mean: store(stats.mean), std: store(stats.std) },
  };
}

function decodeArray(value: unknown, name: string, format: DataFormat): Float32Array | null {
  if (value === null || value === undefined) return null;
  const v = value as Partial<StoredArray>;
  const arg = `state.statistics.${name}`;
  if (!Array.isArray(v.shape) || !Array.isArray(v.values)) {
    throw new InvalidArgumentError(arg, 'null or {shape: number[], values: number[]}', value);
  }
  const channels = v.values.length;
  const expected = statisticShape(channels, format);
  if (v.shape.length !== 3 || v.shape.some((d, i) => d !== expected[i])) {
    throw new InvalidArgumentError(`${arg}.shape`, `[${expected}] for ${channels} values in '${format}'`, v.shape);
  }
  if (channels === 0 || !v.values.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new InvalidArgumentError(`${arg}.values`, 'a non-empty array of finite numbers', v.values);
  }
  return Float32Array.from(v.values);
}

/** Validates the envelope of a state object (format, version, presence of config and statistics). */
export function checkEnvelope(state: unknown): GeneratorState {
  const s = state as Partial<GeneratorState> | null;
  if (s === null || typeof s !== 'object') throw new InvalidArgumentError('state', 'an object from `generator.toJSON()`', state);
  if (s.format !== STATE_FORMAT) throw new InvalidArgumentError('state.format', JSON.stringify(STATE_FORMAT), s.format);
  if (s.formatVersion !== STATE_VERSION) {
    throw new InvalidArgumentError('state.formatVersion', `${STATE_VERSION} (this library's version)`, s.formatVersion);
  }
  if (s.config === null || typeof s.config !== 'object') throw new InvalidArgumentError('state.config', 'an options object', s.config);
  if (s.statistics === null || typeof s.statistics !== 'object') {
    throw new InvalidArgumentError('state.statistics', '{mean, std}', s.statistics);
  }
  return s as GeneratorState;
}

/** Decodes stored statistics, checking shapes against the data format. */
export function decodeStatistics(statistics: GeneratorState['statistics'], format: DataFormat): FittedStatistics {
  const stats = { mean: decodeArray(statistics.mean, 'mean', format), std: decodeArray(statistics.std, 'std', format) };
  if (stats.mean && stats.std && stats.mean.length !== stats.std.length) {
    throw new InvalidArgumentError('state.statistics.std', `${stats.mean.length} values, as many as mean`, stats.std.length);
  }
  return stats;
}
