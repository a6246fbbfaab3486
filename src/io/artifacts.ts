/**
 * The binary form of a generator's state: a JSON manifest (format, version,
 * options, weight specs, byte length and CRC-32 of the weights) and one
 * buffer of little-endian float32 weights in manifest order. Files and tf.io
 * handlers both carry this pair.
 */
import { CorruptFileError, ImageDataGeneratorError } from '../errors.js';
import { type GeneratorState, STATE_FORMAT, STATE_VERSION, type StoredConfig } from './jsonState.js';

type WeightName = 'mean' | 'std' | 'zcaWhiteningMatrix';
const WEIGHT_NAMES: readonly WeightName[] = ['mean', 'std', 'zcaWhiteningMatrix'];

export interface WeightEntry {
  name: WeightName;
  shape: number[];
  dtype: 'float32';
  /** For the ZCA matrix: one image's shape in the data format. */
  imageShape?: number[];
}

export interface ArtifactManifest {
  format: typeof STATE_FORMAT;
  formatVersion: number;
  config: StoredConfig;
  weights: WeightEntry[];
  weightsByteLength: number;
  weightsCrc32: number;
  /** In a saved directory: the name of its weights file (absent in saves that used `generator.weights.bin`). */
  weightsFile?: string;
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE), as in zip and PNG. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function littleEndianFloats(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

/** Splits a JSON state into a manifest and its weights buffer. */
export function toArtifacts(state: GeneratorState): { manifest: ArtifactManifest; weights: Uint8Array } {
  const entries: WeightEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const name of WEIGHT_NAMES) {
    const stored = state.statistics[name];
    if (!stored) continue;
    const entry: WeightEntry = { name, shape: stored.shape, dtype: 'float32' };
    if ('imageShape' in stored) entry.imageShape = stored.imageShape;
    entries.push(entry);
    parts.push(littleEndianFloats(stored.values));
  }
  const weights = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    weights.set(p, offset);
    offset += p.length;
  }
  const { format, formatVersion, config } = state;
  return { manifest: { format, formatVersion, config, weights: entries, weightsByteLength: weights.length, weightsCrc32: crc32(weights) }, weights };
}

/**
 * Rebuilds the JSON state from a manifest and weights, checking format,
 * version, sizes and checksum; problems name the file they are in.
 */
export function fromArtifacts(manifest: unknown, weights: Uint8Array, files: { manifest: string; weights: string }): GeneratorState {
  const m = manifest as Partial<ArtifactManifest> | null;
  if (m === null || typeof m !== 'object') throw new CorruptFileError(files.manifest, 'is not a JSON object');
  if (m.format !== STATE_FORMAT) throw new CorruptFileError(files.manifest, `is not a saved ImageDataGenerator (format ${JSON.stringify(m.format)})`);
  if (m.formatVersion !== STATE_VERSION) {
    throw new CorruptFileError(files.manifest, `has format version ${JSON.stringify(m.formatVersion)}; this library reads version ${STATE_VERSION}`);
  }
  if (!Array.isArray(m.weights) || typeof m.weightsByteLength !== 'number' || typeof m.weightsCrc32 !== 'number') {
    throw new CorruptFileError(files.manifest, 'lacks the weights, weightsByteLength or weightsCrc32 field');
  }
  if (weights.length !== m.weightsByteLength) {
    throw new CorruptFileError(files.weights, `${weights.length < m.weightsByteLength ? 'is truncated' : 'is too long'}: ${weights.length} bytes, the manifest says ${m.weightsByteLength}`);
  }
  if (crc32(weights) !== m.weightsCrc32) throw new CorruptFileError(files.weights, 'is corrupted: its CRC-32 does not match the manifest');
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  const statistics: GeneratorState['statistics'] = { mean: null, std: null, zcaWhiteningMatrix: null };
  let offset = 0;
  for (const entry of m.weights) {
    if (!WEIGHT_NAMES.includes(entry?.name) || !Array.isArray(entry.shape) || entry.dtype !== 'float32') {
      throw new CorruptFileError(files.manifest, `has an invalid weight entry ${JSON.stringify(entry)}`);
    }
    const count = entry.shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(count) || count < 0 || offset + count * 4 > weights.length) {
      throw new CorruptFileError(files.manifest, `weight ${entry.name} of shape [${entry.shape}] does not fit in ${weights.length} bytes of weights`);
    }
    const values = Array.from({ length: count }, (_, i) => view.getFloat32(offset + i * 4, true));
    offset += count * 4;
    if (entry.name === 'zcaWhiteningMatrix') statistics.zcaWhiteningMatrix = { shape: entry.shape, values, imageShape: entry.imageShape ?? [] };
    else statistics[entry.name] = { shape: entry.shape, values };
  }
  if (offset !== weights.length) throw new CorruptFileError(files.manifest, `its weight entries cover ${offset} of ${weights.length} bytes`);
  return { format: STATE_FORMAT, formatVersion: STATE_VERSION, config: m.config as StoredConfig, statistics };
}

/** Re-throws a validation error of a decoded state as a problem of the file it came from. */
export function asFileError(error: unknown, file: string): never {
  if (error instanceof ImageDataGeneratorError && !(error instanceof CorruptFileError)) throw new CorruptFileError(file, error.message);
  throw error;
}
