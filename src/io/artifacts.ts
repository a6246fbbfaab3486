/**
 * The binary form of a generator's state: a JSON manifest (format, version,
 * options, weight specs, byte length and CRC-32 of the weights) and one
 * buffer of little-endian float32 weights in manifest order. Files and tf.io
 * handlers both carry this pair.
 */
import { CorruptFileError, FileSystemError, ImageDataGeneratorError } from '../errors.js';
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

const MANIFEST_FIELDS = 'format, formatVersion, config, weights, weightsByteLength and weightsCrc32';

/** What a parsed JSON value is, for messages: "an array", "null", "a string", ... */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** JSON text of a manifest value, shortened; values too deep to stringify are described by kind. */
function briefJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return kindOf(value);
  }
  if (text === undefined) return String(value);
  return text.length <= 120 ? text : `${text.slice(0, 100)}... (${text.length} characters)`;
}

/**
 * Checks that a parsed manifest is one: a JSON object of this format and
 * version with config, weights, weightsByteLength and weightsCrc32; problems
 * are reported against `file`. Runs before any weights are read.
 */
export function checkManifest(manifest: unknown, file: string): ArtifactManifest {
  const notManifest = (found: string) => new CorruptFileError(file, `is not a generator manifest: expected a JSON object with ${MANIFEST_FIELDS}, found ${found}`);
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) throw notManifest(kindOf(manifest));
  const m = manifest as Partial<ArtifactManifest>;
  if (!('format' in m)) throw notManifest(`an object without a format field (it has ${Object.keys(m).slice(0, 10).join(', ') || 'no fields'})`);
  if (m.format !== STATE_FORMAT) throw new CorruptFileError(file, `is not a saved ImageDataGenerator (format ${briefJson(m.format)}, expected ${JSON.stringify(STATE_FORMAT)})`);
  if (m.formatVersion !== STATE_VERSION) {
    throw new CorruptFileError(file, `has format version ${briefJson(m.formatVersion)}; this library reads version ${STATE_VERSION}`);
  }
  const missing = [
    m.config === null || typeof m.config !== 'object' || Array.isArray(m.config) ? 'config (an object)' : '',
    Array.isArray(m.weights) ? '' : 'weights (an array)',
    Number.isSafeInteger(m.weightsByteLength) && m.weightsByteLength! >= 0 ? '' : 'weightsByteLength (a byte count)',
    Number.isInteger(m.weightsCrc32) && m.weightsCrc32! >= 0 && m.weightsCrc32! <= 0xffffffff ? '' : 'weightsCrc32 (a CRC-32)',
  ].filter(Boolean);
  if (missing.length > 0) throw new CorruptFileError(file, `lacks a valid ${missing.join(', ')} field`);
  return m as ArtifactManifest;
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
  const m = checkManifest(manifest, files.manifest);
  if (weights.length !== m.weightsByteLength) {
    throw new CorruptFileError(files.weights, `${weights.length < m.weightsByteLength ? 'is truncated' : 'is too long'}: ${weights.length} bytes, the manifest says ${m.weightsByteLength}`);
  }
  if (crc32(weights) !== m.weightsCrc32) throw new CorruptFileError(files.weights, 'is corrupted: its CRC-32 does not match the manifest');
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  const statistics: GeneratorState['statistics'] = { mean: null, std: null, zcaWhiteningMatrix: null };
  let offset = 0;
  for (const entry of m.weights) {
    if (!WEIGHT_NAMES.includes(entry?.name) || !Array.isArray(entry.shape) || entry.dtype !== 'float32') {
      throw new CorruptFileError(files.manifest, `has an invalid weight entry ${briefJson(entry)}`);
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

/**
 * An error a tf.io handler threw while saving or loading, as a
 * FileSystemError naming the argument, the URL (or "the tf.io handler") and
 * the operation, with the error as its `cause`. Its code is the error's (or
 * its cause's, as fetch's 'ECONNREFUSED') system code, else 'EIO'. This
 * library's own errors pass through unchanged.
 */
export function handlerError(error: unknown, argument: 'dest' | 'src', target: string, operation: 'save to' | 'load from'): unknown {
  if (error instanceof ImageDataGeneratorError) return error;
  const codeOf = (e: unknown) => {
    const code = (e as { code?: unknown } | null | undefined)?.code;
    return typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code) ? code : undefined;
  };
  const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
  const inner = error instanceof Error ? error.cause : undefined;
  let problem = messageOf(error);
  // fetch's 'fetch failed' says why only in its cause (e.g. 'connect ECONNREFUSED 127.0.0.1:9').
  if (inner !== undefined && inner !== null && !problem.includes(messageOf(inner))) problem += ` (${messageOf(inner)})`;
  const typed = new FileSystemError(argument, target, operation, codeOf(error) ?? codeOf(inner) ?? 'EIO', problem);
  Object.defineProperty(typed, 'cause', { value: error, writable: true, configurable: true, enumerable: false });
  return typed;
}
