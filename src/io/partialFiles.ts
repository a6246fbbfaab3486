/**
 * Node: partial statistics as a directory saved like a generator's
 * (atomicSave.ts): `partial.json` and `partial.weights.<id>.bin`, float64 LE:
 * mean (C), m2 (C), with ZCA the Gram centre (d), sums (d), S's lower triangle.
 */
import { CorruptFileError, InvalidArgumentError } from '../errors.js';
import { requireNode } from '../platform.js';
import type { GramSums } from '../stats/gram.js';
import { PartialStatistics } from '../stats/partial.js';
import { type ImageDataGeneratorArgs, resolveConfig } from '../options/args.js';
import { asFileError, crc32 } from './artifacts.js';
import { AtomicSaves, readCommitted } from './atomicSave.js';
import { parseJson, readText } from './generatorFiles.js';
import type { StoredConfig } from './jsonState.js';
import { type FsPromises, nodeFs } from './nodeFs.js';

const PARTIAL_FORMAT = 'tfjs-image-data-generator-partial';
const PARTIAL_VERSION = 1;
const PARTIAL_MANIFEST = 'partial.json';

interface PartialManifest {
  format: typeof PARTIAL_FORMAT;
  formatVersion: number;
  config: StoredConfig;
  fitOptions: { augment: boolean; rounds: number };
  /** NHWC, or null for a partial that saw no batch. */
  imageShape: [number, number, number] | null;
  images: number;
  count: number;
  /** Samples in the Gram sums; null without them. */
  gramCount: number | null;
  weightsByteLength: number;
  weightsCrc32: number;
  weightsFile?: string;
}

const join = (dir: string, name: string) => `${dir.replace(/[\\/]+$/, '')}/${name}`;

const SAVES = new AtomicSaves({
  manifest: PARTIAL_MANIFEST,
  weightsPrefix: 'partial.weights.',
  otherFiles: [],
  namedFiles(manifest) {
    const named = (manifest as { weightsFile?: unknown } | null)?.weightsFile;
    return typeof named === 'string' ? new Set([named]) : null;
  },
  join,
  missing: 'its parent directory does not exist or cannot hold new entries',
  saveInto: 'save partial statistics into',
});

function fsPromises(argument: string, call: string): FsPromises {
  requireNode(call, 'In a page, keep partials in memory.');
  return nodeFs(argument, 'a directory path in Node.js', 'a path').promises;
}

/** Values stored for a partial of this shape, in file order. */
function valueCount(channels: number, d: number | null): number {
  return 2 * channels + (d === null ? 0 : 2 * d + (d * (d + 1)) / 2);
}

function encode(p: PartialStatistics): { manifest: PartialManifest; weights: Uint8Array } {
  const c = p.mean.length;
  const g = p.gram;
  const d = g ? g.centre.length : null;
  const values = new Float64Array(valueCount(c, d));
  values.set(p.mean, 0);
  values.set(p.m2, c);
  if (g) {
    values.set(g.centre, 2 * c);
    values.set(g.sums, 2 * c + d!);
    let at = 2 * c + 2 * d!;
    for (let i = 0; i < d!; i++) {
      values.set(g.s.subarray(i * d!, i * d! + i + 1), at);
      at += i + 1;
    }
  }
  const weights = new Uint8Array(values.length * 8);
  const view = new DataView(weights.buffer);
  values.forEach((v, i) => view.setFloat64(i * 8, v, true));
  return {
    manifest: {
      format: PARTIAL_FORMAT, formatVersion: PARTIAL_VERSION, config: p.config, fitOptions: p.fitOptions, imageShape: p.imageShape,
      images: p.images, count: p.count, gramCount: g ? g.count : null, weightsByteLength: weights.length, weightsCrc32: crc32(weights),
    },
    weights,
  };
}

const isCount = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;

/** The manifest's problems, checked before its weights are read. */
function checkManifest(json: unknown, file: string): PartialManifest {
  const m = json as Partial<PartialManifest> | null;
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new CorruptFileError(file, 'is not a partial statistics manifest (expected a JSON object)');
  if (m.format !== PARTIAL_FORMAT) throw new CorruptFileError(file, `is not saved partial statistics (format ${JSON.stringify(m.format)}, expected ${JSON.stringify(PARTIAL_FORMAT)})`);
  if (m.formatVersion !== PARTIAL_VERSION) throw new CorruptFileError(file, `has format version ${JSON.stringify(m.formatVersion)}; this library reads version ${PARTIAL_VERSION}`);
  const shape = m.imageShape;
  const f = m.fitOptions;
  const bad = [
    m.config === null || typeof m.config !== 'object' || Array.isArray(m.config) ? 'config (an object)' : '',
    f && typeof f === 'object' && typeof f.augment === 'boolean' && Number.isSafeInteger(f.rounds) && f.rounds >= 1 ? '' : 'fitOptions ({augment, rounds})',
    shape === null || (Array.isArray(shape) && shape.length === 3 && shape.every((n) => Number.isSafeInteger(n) && n > 0)) ? '' : 'imageShape (null or three positive integers)',
    isCount(m.images) && isCount(m.count) ? '' : 'images and count (counts)',
    m.gramCount === null || isCount(m.gramCount) ? '' : 'gramCount (null or a count)',
    isCount(m.weightsByteLength) && Number.isInteger(m.weightsCrc32) && m.weightsCrc32! >= 0 && m.weightsCrc32! <= 0xffffffff ? '' : 'weightsByteLength and weightsCrc32',
  ].filter(Boolean);
  if (bad.length > 0) throw new CorruptFileError(file, `lacks a valid ${bad.join(', ')} field`);
  const d = shape && m.gramCount !== null ? shape[0] * shape[1] * shape[2] : null;
  if ((shape === null && (m.images !== 0 || d !== null)) || m.weightsByteLength !== valueCount(shape ? shape[2] : 0, d) * 8) {
    throw new CorruptFileError(file, 'has counts, imageShape and weightsByteLength that do not fit together');
  }
  try {
    // Options a generator would refuse are a problem of this file, found before merging.
    resolveConfig({ ...m.config, preprocessingFunction: null } as ImageDataGeneratorArgs);
  } catch (e) {
    asFileError(e, file);
  }
  return m as PartialManifest;
}

function decode(json: unknown, weights: Uint8Array, files: { manifest: string; weights: string }): PartialStatistics {
  const m = checkManifest(json, files.manifest);
  if (weights.length !== m.weightsByteLength) {
    throw new CorruptFileError(files.weights, `${weights.length < m.weightsByteLength ? 'is truncated' : 'is too long'}: ${weights.length} bytes, the manifest says ${m.weightsByteLength}`);
  }
  if (crc32(weights) !== m.weightsCrc32) throw new CorruptFileError(files.weights, 'is corrupted: its CRC-32 does not match the manifest');
  const c = m.imageShape ? m.imageShape[2] : 0;
  const d = m.imageShape && m.gramCount !== null ? m.imageShape[0] * m.imageShape[1] * m.imageShape[2] : null;
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  const values = Float64Array.from({ length: weights.length / 8 }, (_, i) => view.getFloat64(i * 8, true));
  if (!values.every(Number.isFinite)) throw new CorruptFileError(files.weights, 'holds NaN or infinite sums');
  let gram: GramSums | null = null;
  if (d !== null) {
    const s = new Float64Array(d * d);
    let at = 2 * c + 2 * d;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++, at++) {
        s[i * d + j] = values[at]!;
        s[j * d + i] = values[at]!;
      }
    }
    gram = { count: m.gramCount!, centre: values.slice(2 * c, 2 * c + d), sums: values.slice(2 * c + d, 2 * c + 2 * d), s };
  }
  return new PartialStatistics({
    config: m.config, fitOptions: { augment: m.fitOptions.augment, rounds: m.fitOptions.rounds }, imageShape: m.imageShape, images: m.images,
    count: m.count, mean: values.slice(0, c), m2: values.slice(c, 2 * c), gram,
  });
}

/**
 * Saves partial statistics (from `fitPartial` or `PartialStatistics.merge`)
 * into the directory `dest` (made if missing), committed by one atomic
 * rename as `generator.save` does. Node only.
 */
export async function savePartial(partial: PartialStatistics, dest: string): Promise<void> {
  if (!(partial instanceof PartialStatistics)) throw new InvalidArgumentError('partial', 'partial statistics from `generator.fitPartial`', partial);
  if (typeof dest !== 'string' || dest === '') throw new InvalidArgumentError('dest', 'a directory path', dest);
  const fs = fsPromises('dest', 'savePartial');
  const { manifest, weights } = encode(partial);
  await SAVES.save(fs, dest, 'dest', (weightsFile) => JSON.stringify({ ...manifest, weightsFile }), weights);
}

/** Loads partial statistics saved with `savePartial`; problems throw `CorruptFileError` naming the file. Node only. */
export async function loadPartial(src: string): Promise<PartialStatistics> {
  if (typeof src !== 'string' || src === '') throw new InvalidArgumentError('src', 'a directory path', src);
  const fs = fsPromises('src', 'loadPartial');
  const file = join(src, PARTIAL_MANIFEST);
  return readCommitted(file, () => readText(fs, file), async (text) => {
    const json = parseJson(text, file);
    const named = checkManifest(json, file).weightsFile;
    if (typeof named !== 'string' || SAVES.idOf(named) === undefined) throw new CorruptFileError(file, 'does not name a weights file partial.weights.<id>.bin');
    const w = join(src, named);
    const weights = await fs.readFile(w).catch(() => {
      throw new CorruptFileError(w, 'is missing or unreadable');
    });
    return decode(json, weights, { manifest: file, weights: w });
  });
}
