/**
 * Node: tfjs models saved to and loaded from `file://` paths without
 * @tensorflow/tfjs-node. Importing the library in Node registers `file://`
 * save and load routers with `tf.io`, so `model.save('file://dir')` and
 * `tf.loadLayersModel('file://dir/model.json')` work on the wasm and cpu
 * backends; `fileSystem(path)` is the same handler, explicitly.
 *
 * Layout: `dir/model.json` (tfjs's model JSON: modelTopology, format,
 * generatedBy, convertedBy, weightsManifest, and trainingConfig, signature,
 * userDefinedMetadata, modelInitializer, initializerSignature when present)
 * and the one weights file its weightsManifest names, `weights.<id>.bin`,
 * where <id> is unique to one save. (tfjs-node names it `weights.bin`; every
 * tfjs loader, tfjs-node's and the converter's included, reads the name from
 * the manifest.) Saves are committed by one rename, so concurrent saves all
 * succeed and the last wins whole, a load racing a save reads the previous
 * model or the new one, and a crash leaves the previous model (atomicSave.ts).
 * After its commit a save also removes a `weights.bin` that tfjs-node left.
 *
 * When tfjs-node is present it registers its own `file://` routers, and tfjs
 * refuses a URL that more than one router claims; so ours step aside, at each
 * lookup, whenever another router claims the URL, in whichever order the two
 * packages were imported.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CorruptFileError, InvalidArgumentError } from '../errors.js';
import { AtomicSaves, codeOf, isDirectory, readCommitted } from './atomicSave.js';
import { type FsPromises, type NodePath, nodeBuiltin, nodeFs } from './nodeFs.js';

const SCHEME = 'file://';
export const MODEL_JSON = 'model.json';

const SAVES = new AtomicSaves({
  manifest: MODEL_JSON,
  weightsPrefix: 'weights.',
  // tfjs-node's weights file, replaced (and removed) when we save over its model.
  otherFiles: ['weights.bin'],
  namedFiles(json) {
    const manifest = (json as { weightsManifest?: unknown } | null)?.weightsManifest;
    if (!Array.isArray(manifest)) return null;
    return new Set(manifest.flatMap((group: { paths?: unknown }) => (Array.isArray(group?.paths) ? group.paths : [])));
  },
  join: (dir, name) => nodeBuiltin<NodePath>('node:path')!.join(dir, name),
  missing: 'it does not exist',
  saveInto: 'save a model into',
});

interface Node {
  fs: FsPromises;
  path: NodePath;
}

function node(argument: string): Node {
  const fs = nodeFs(argument, 'a tf.io handler that works here (file paths need Node.js; in browsers use indexeddb://, localstorage:// or downloads://)', argument).promises;
  return { fs, path: nodeBuiltin<NodePath>('node:path')! };
}

/** The directory a save writes into: `location`, or its parent when it names `model.json` (and is not a directory). */
async function saveDirectory(fs: FsPromises, path: NodePath, location: string): Promise<string> {
  if (path.basename(location) === MODEL_JSON && !(await isDirectory(fs, location))) return path.dirname(location);
  return location;
}

/** tfjs's model JSON for `artifacts`, its weights in `weightsFile`. */
function modelJson(artifacts: tf.io.ModelArtifacts, weightsFile: string): tf.io.ModelJSON {
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology!,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature != null) json.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer != null) json.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature != null) json.initializerSignature = artifacts.initializerSignature;
  return json;
}

async function saveModelFiles(location: string, argument: string, artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
  if (artifacts.modelTopology == null || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new InvalidArgumentError('modelTopology', 'a JSON model topology (binary topologies are not saved to files)', artifacts.modelTopology);
  }
  const { fs, path } = node(argument);
  const dir = await saveDirectory(fs, path, location);
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []));
  await SAVES.save(fs, dir, argument, (weightsFile) => JSON.stringify(modelJson(artifacts, weightsFile)), weights);
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

/** The model.json to load: `location` itself if it is a file, `location/model.json` if it is a directory. */
async function modelJsonFile(fs: FsPromises, path: NodePath, location: string, argument: string): Promise<string> {
  const stats = await fs.stat(location).catch((e: unknown) => {
    throw SAVES.fsError(e, argument, location, 'load a model from');
  });
  return stats.isDirectory() ? path.join(location, MODEL_JSON) : location;
}

async function readModelJson(fs: FsPromises, file: string, argument: string): Promise<string> {
  const bytes = await fs.readFile(file).catch((e: unknown) => {
    throw SAVES.fsError(e, argument, file, 'read');
  });
  return new TextDecoder().decode(bytes);
}

const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Bytes a weight takes in the file, or null where that is not fixed (strings) or not known. */
function specBytes(spec: tf.io.WeightsManifestEntry): number | null {
  const per = BYTES_PER_VALUE[spec.quantization?.dtype ?? spec.dtype];
  if (per === undefined || !Array.isArray(spec.shape)) return null;
  return spec.shape.reduce((a, b) => a * b, 1) * per;
}

/** Checks the manifest's shape so that a damaged model.json is named, not a TypeError deep in tfjs. */
function checkModelJson(json: unknown, file: string): asserts json is tf.io.ModelJSON {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new CorruptFileError(file, 'is not a JSON object');
  const { modelTopology, weightsManifest } = json as Partial<tf.io.ModelJSON>;
  if (modelTopology === null || typeof modelTopology !== 'object') throw new CorruptFileError(file, 'has no `modelTopology` object');
  if (weightsManifest === undefined) return;
  const groupsOk = Array.isArray(weightsManifest) && weightsManifest.every((g) =>
    g !== null && typeof g === 'object' && Array.isArray(g.paths) && g.paths.every((p) => typeof p === 'string' && p !== '') &&
    Array.isArray(g.weights) && g.weights.every((w) => w !== null && typeof w === 'object' && typeof w.name === 'string' && typeof w.dtype === 'string' &&
      Array.isArray(w.shape) && w.shape.every((d) => Number.isInteger(d) && d >= 0)));
  if (!groupsOk) throw new CorruptFileError(file, '`weightsManifest` is not a list of {paths: [file names], weights: [{name, shape, dtype}]}');
}

/** Reads the weights files of each manifest group, relative to model.json, checking each group's byte count. */
async function readWeights(fs: FsPromises, path: NodePath, file: string, manifest: tf.io.WeightsManifestConfig, argument: string): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const dir = path.dirname(file);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of manifest) {
    const shards = group.paths.map((p) => path.join(dir, p));
    let bytes = 0;
    for (const shard of shards) {
      const data = await fs.readFile(shard).catch((e: unknown) => {
        if (codeOf(e) === 'ENOENT') throw new CorruptFileError(shard, `is missing (${file} names it in its weightsManifest)`);
        throw SAVES.fsError(e, argument, shard, 'read');
      });
      bytes += data.byteLength;
      buffers.push(data);
    }
    const sizes = group.weights.map(specBytes);
    if (sizes.every((s) => s !== null)) {
      const expected = sizes.reduce((a, b) => a + b, 0);
      if (bytes !== expected) {
        const what = shards.length === 1 ? `is ${bytes} bytes` : `(with ${shards.slice(0, -1).join(', ')}) hold ${bytes} bytes`;
        throw new CorruptFileError(shards[shards.length - 1] ?? file, `${what}, but ${file} describes ${expected} bytes of weights: truncated, damaged, or from another save`);
      }
    }
    specs.push(...group.weights);
  }
  // One buffer: tfjs 4.22's CompositeArrayBuffer misplaces weights when a later shard is larger than the first
  // (it takes the first shard's size as every shard's), and shards written by other tools can be any size.
  const only = buffers.length === 1 ? buffers[0]! : null;
  if (only && only.byteOffset === 0 && only.byteLength === only.buffer.byteLength) return [specs, only.buffer as ArrayBuffer];
  const joined = new Uint8Array(buffers.reduce((sum, b) => sum + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) {
    joined.set(b, offset);
    offset += b.byteLength;
  }
  return [specs, joined.buffer];
}

async function readModel(fs: FsPromises, path: NodePath, file: string, text: string, argument: string): Promise<tf.io.ModelArtifacts> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CorruptFileError(file, `is not valid JSON (${(e as Error).message})`);
  }
  checkModelJson(json, file);
  return tf.io.getModelArtifactsForJSON(json, (manifest) => readWeights(fs, path, file, manifest, argument));
}

async function loadModelFiles(location: string, argument: string): Promise<tf.io.ModelArtifacts> {
  const { fs, path } = node(argument);
  const file = await modelJsonFile(fs, path, location, argument);
  return readCommitted(file, () => readModelJson(fs, file, argument), (text) => readModel(fs, path, file, text, argument));
}

const withoutScheme = (location: string) => (location.startsWith(SCHEME) ? location.slice(SCHEME.length) : location);

/**
 * A tf.io handler saving a model to the directory `path` (model.json and its
 * weights file; a path ending in `/model.json` saves into its directory) and
 * loading from `path` (a model.json file, or a directory holding one). Node
 * only. Named as tfjs-node's `tf.io.fileSystem`; `file://` URLs go through the
 * same handler without calling this.
 */
export function fileSystem(path: string): tf.io.IOHandler {
  if (typeof path !== 'string' || withoutScheme(path) === '') {
    throw new InvalidArgumentError('path', 'a file or directory path', path);
  }
  const location = withoutScheme(path);
  return {
    save: (artifacts) => saveModelFiles(location, path, artifacts),
    load: () => loadModelFiles(location, path),
  };
}

/** Set while a router asks the registry whether another router claims a URL. */
let probing = false;

/** tfjs types routers as always returning a handler; its registry skips the nulls of routers that do not claim a URL. */
type Router = Parameters<typeof tf.io.registerSaveRouter>[0];

function fileRouter(kind: 'save' | 'load'): Router {
  const route = (url: string | string[], options?: tf.io.LoadOptions): tf.io.IOHandler | null => {
    if (probing || typeof url !== 'string' || !url.startsWith(SCHEME) || url.length === SCHEME.length) return null;
    probing = true;
    let others: number;
    try {
      others = (kind === 'save' ? tf.io.getSaveHandlers(url) : tf.io.getLoadHandlers(url, options)).length;
    } finally {
      probing = false;
    }
    return others > 0 ? null : fileSystem(url);
  };
  return route as Router;
}

/** tfjs-core copies (their registerSaveRouter) that have our routers, shared by every copy of this library. */
const REGISTERED = Symbol.for('tfjs-image-data-generator.fileRouters');

/** Registers the `file://` routers once per tfjs-core; does nothing outside Node. */
function registerFileRouters(): void {
  if (!nodeBuiltin('node:fs')) return;
  const holder = globalThis as { [REGISTERED]?: WeakSet<object> };
  const registered = (holder[REGISTERED] ??= new WeakSet());
  if (registered.has(tf.io.registerSaveRouter)) return;
  registered.add(tf.io.registerSaveRouter);
  tf.io.registerSaveRouter(fileRouter('save'));
  tf.io.registerLoadRouter(fileRouter('load'));
}

registerFileRouters();
