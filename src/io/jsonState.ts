/**
 * The generator's state as plain JSON data: format tag, options and every
 * fitted statistic with its shape. `toJSON`, `fromJSON` (and the file formats
 * built on them) all go through here.
 */
import { InvalidArgumentError } from '../errors.js';
import type { DataFormat, ImageDataGeneratorConfig } from '../options/args.js';

export const STATE_FORMAT = 'tfjs-image-data-generator';
export const STATE_VERSION = 1;

/** Fitted statistics: per channel (length C), and the ZCA matrix over NHWC-flattened images. */
export interface FittedStatistics {
  mean: Float32Array | null;
  std: Float32Array | null;
  zca: { matrix: Float32Array; imageShape: [number, number, number] } | null;
}

/** A statistic as stored: its Keras shape ([1,1,C] or [C,1,1]) and values. */
export interface StoredArray {
  shape: number[];
  values: number[];
}

/** Options as plain data; a preprocessing function is recorded only as present or not. */
export type StoredConfig = Omit<ImageDataGeneratorConfig, 'preprocessingFunction'> & { preprocessingFunction: boolean };

/** The ZCA matrix as Keras stores it: d x d over images flattened in the data format's order. */
export interface StoredMatrix extends StoredArray {
  /** One image's shape in the data format ([h, w, c] or [c, h, w]). */
  imageShape: number[];
}

export interface GeneratorState {
  format: typeof STATE_FORMAT;
  formatVersion: number;
  config: StoredConfig;
  statistics: { mean: StoredArray | null; std: StoredArray | null; zcaWhiteningMatrix?: StoredMatrix | null };
}

/** Index permutation from NHWC-flattened features to the data format's flattening (identity for channelsLast). */
export function featureOrder([h, w, c]: [number, number, number], format: DataFormat): Int32Array {
  const order = new Int32Array(h * w * c);
  for (let i = 0; i < order.length; i++) {
    const k = i % c;
    const pixel = (i - k) / c;
    order[i] = format === 'channelsFirst' ? k * h * w + pixel : i;
  }
  return order;
}

/** Reorders a d x d matrix's rows and columns: out[p[i], p[j]] = m[i, j] (or the inverse). */
export function permuteMatrix(m: Float32Array, p: Int32Array, inverse: boolean): Float32Array {
  const d = p.length;
  const out = new Float32Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      if (inverse) out[i * d + j] = m[p[i]! * d + p[j]!]!;
      else out[p[i]! * d + p[j]!] = m[i * d + j]!;
    }
  }
  return out;
}

/** Keras's broadcast shape of a per-channel statistic. */
export function statisticShape(channels: number, format: DataFormat): number[] {
  return format === 'channelsFirst' ? [channels, 1, 1] : [1, 1, channels];
}

export function encodeState(config: ImageDataGeneratorConfig, stats: FittedStatistics): GeneratorState {
  const store = (a: Float32Array | null): StoredArray | null =>
    a && { shape: statisticShape(a.length, config.dataFormat), values: Array.from(a) };
  const { preprocessingFunction, ...rest } = config;
  const zca = stats.zca;
  const [h, w, c] = zca?.imageShape ?? [0, 0, 0];
  return {
    format: STATE_FORMAT,
    formatVersion: STATE_VERSION,
    config: structuredClone({ ...rest, preprocessingFunction: preprocessingFunction !== null }),
    statistics: {
      mean: store(stats.mean),
      std: store(stats.std),
      zcaWhiteningMatrix: zca && {
        shape: [h * w * c, h * w * c],
        imageShape: config.dataFormat === 'channelsFirst' ? [c, h, w] : [h, w, c],
        values: Array.from(permuteMatrix(zca.matrix, featureOrder(zca.imageShape, config.dataFormat), false)),
      },
    },
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
  const stats = {
    mean: decodeArray(statistics.mean, 'mean', format),
    std: decodeArray(statistics.std, 'std', format),
    zca: decodeMatrix(statistics.zcaWhiteningMatrix, format),
  };
  if (stats.mean && stats.std && stats.mean.length !== stats.std.length) {
    throw new InvalidArgumentError('state.statistics.std', `${stats.mean.length} values, as many as mean`, stats.std.length);
  }
  return stats;
}

function decodeMatrix(value: unknown, format: DataFormat): FittedStatistics['zca'] {
  if (value === null || value === undefined) return null;
  const arg = 'state.statistics.zcaWhiteningMatrix';
  const v = value as Partial<StoredMatrix>;
  if (!Array.isArray(v.imageShape) || v.imageShape.length !== 3 || !v.imageShape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new InvalidArgumentError(`${arg}.imageShape`, 'three positive integers', v.imageShape);
  }
  const d = v.imageShape.reduce((a, b) => a * b, 1);
  if (!Array.isArray(v.shape) || v.shape.length !== 2 || v.shape[0] !== d || v.shape[1] !== d) {
    throw new InvalidArgumentError(`${arg}.shape`, `[${d}, ${d}] for images of shape [${v.imageShape}]`, v.shape);
  }
  if (!Array.isArray(v.values) || v.values.length !== d * d || !v.values.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new InvalidArgumentError(`${arg}.values`, `${d * d} finite numbers`, v.values);
  }
  const [a, b, c] = v.imageShape as [number, number, number];
  const imageShape: [number, number, number] = format === 'channelsFirst' ? [b, c, a] : [a, b, c];
  return { matrix: permuteMatrix(Float32Array.from(v.values), featureOrder(imageShape, format), true), imageShape };
}
