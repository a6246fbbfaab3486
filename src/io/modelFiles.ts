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
 * the manifest.) A unique name is what lets one rename commit a save: the
 * weights and a temporary `model.json.<id>.tmp` are written and synced, then
 * the temporary manifest is renamed onto `model.json`. So concurrent saves all
 * succeed and the last rename wins whole, a load racing a save reads the
 * previous model or the new one, and a crash leaves the previous model. After
 * its commit a save removes weights files the committed manifest no longer
 * names (our `weights.<id>.bin` of finished saves, and a `weights.bin` left by
 * tfjs-node), never those of saves in progress. A load whose weights were
 * removed under it because a newer save committed reads the new manifest.
 *
 * When tfjs-node is present it registers its own `file://` routers, and tfjs
 * refuses a URL that more than one router claims; so ours step aside, at each
 * lookup, whenever another router claims the URL, in whichever order the two
 * packages were imported.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CorruptFileError, FileSystemError, InvalidArgumentError } from '../errors.js';
import { nodeBuiltin } from './nodeFs.js';

const SCHEME = 'file://';
export const MODEL_JSON = 'model.json';
/** The weights file tfjs-node writes; replaced (and removed) when we save over its model. */
const TFJS_NODE_WEIGHTS = 'weights.bin';
const WEIGHTS_NAME = /^weights\.([A-Za-z0-9-]+)\.bin$/;
const weightsName = (id: string) => `weights.${id}.bin`;
const tempManifest = (id: string) => `${MODEL_JSON}.${id}.tmp`;
/** Times a load reads model.json when newer saves keep replacing the weights it names. */
const LOAD_ATTEMPTS = 20;

interface Stats {
  isDirectory(): boolean;
  isFile(): boolean;
}
interface Handle {
  writeFile(data: string | Uint8Array): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}
interface Fs {
  mkdir(path: string): Promise<unknown>;
  open(path: string, flags: string): Promise<Handle>;
  rename(from: string, to: string): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  readdir(path: string): Promise<string[]>;
  rm(path: string, options: { force: true }): Promise<void>;
  stat(path: string): Promise<Stats>;
}
interface Path {
  join(...parts: string[]): string;
  dirname(path: string): string;
  basename(path: string): string;
}
interface Node {
  fs: Fs;
  path: Path;
}

function node(argument: string): Node {
  const fs = nodeBuiltin<{ promises: Fs }>('node:fs')?.promises;
  const path = nodeBuiltin<Path>('node:path');
  if (!fs || !path) {
    throw new InvalidArgumentError(argument, 'a tf.io handler that works here (file paths need Node.js; in browsers use indexeddb://, localstorage:// or downloads://)', argument);
  }
  return { fs, path };
}

const codeOf = (e: unknown) => (e as { code?: unknown } | null)?.code;

const PROBLEMS: Record<string, string> = {
  ENOENT: 'it does not exist',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted there',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EISDIR: 'a directory is in the way',
};

/** A system error as a FileSystemError naming the path and operation; other errors unchanged. */
function fsError(e: unknown, argument: string, path: string, operation: string): unknown {
  const code = codeOf(e);
  if (typeof code !== 'string') return e;
  return new FileSystemError(argument, path, operation, code, PROBLEMS[code] ?? (e as Error).message);
}

/** Unique across processes and across saves in one process. */
function uniqueId(): string {
  const random = globalThis.crypto.getRandomValues(new Uint8Array(6));
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  return `${pid.toString(36)}-${Date.now().toString(36)}-${Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const isDirectory = (fs: Fs, path: string) => fs.stat(path).then((s) => s.isDirectory(), () => false);

/** Makes `dir` and its missing parents, one level at a time (Node's recursive mkdir never settles under /proc). */
async function ensureDirectory(fs: Fs, path: Path, dir: string, argument: string): Promise<void> {
  const found = await fs.stat(dir).then((s) => s.isDirectory(), (e: unknown) => e);
  if (found === true) return;
  if (found === false) throw new FileSystemError(argument, dir, 'save a model into', 'ENOTDIR', 'it is a file; expected a directory, or a path where one can be made');
  if (codeOf(found) !== 'ENOENT') throw fsError(found, argument, dir, 'make the directory');
  const parent = path.dirname(dir);
  if (parent !== dir) await ensureDirectory(fs, path, parent, argument);
  await fs.mkdir(dir).catch(async (e: unknown) => {
    if (codeOf(e) === 'EEXIST' && (await isDirectory(fs, dir))) return; // another save made it meanwhile
    throw fsError(e, argument, dir, 'make the directory');
  });
}

async function writeDurably(fs: Fs, file: string, data: string | Uint8Array, argument: string): Promise<void> {
  try {
    const handle = await fs.open(file, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (e) {
    throw fsError(e, argument, file, 'write');
  }
}

async function syncDirectory(fs: Fs, dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r').catch(() => null);
  if (handle) await handle.sync().catch(() => undefined).finally(() => handle.close());
}

/** The directory a save writes into: `location`, or its parent when it names `model.json` (and is not a directory). */
async function saveDirectory(fs: Fs, path: Path, location: string): Promise<string> {
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
  await ensureDirectory(fs, path, dir, argument);
  const id = uniqueId();
  const weightsFile = weightsName(id);
  const [temp, weights, target] = [path.join(dir, tempManifest(id)), path.join(dir, weightsFile), path.join(dir, MODEL_JSON)];
  const data = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []));
  try {
    // The temporary manifest goes first: while it exists, other saves leave these weights alone.
    await writeDurably(fs, temp, JSON.stringify(modelJson(artifacts, weightsFile)), argument);
    await writeDurably(fs, weights, data, argument);
    await fs.rename(temp, target).catch((e: unknown) => {
      throw fsError(e, argument, target, 'replace');
    });
  } catch (e) {
    await fs.rm(weights, { force: true }).catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncDirectory(fs, dir);
  await removeReplacedWeights(fs, path, dir);
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

/** The file names the committed model.json's weightsManifest lists, or null if it cannot be read. */
async function committedWeights(fs: Fs, path: Path, dir: string): Promise<Set<string> | null> {
  const bytes = await fs.readFile(path.join(dir, MODEL_JSON)).catch(() => null);
  if (bytes === null) return null;
  try {
    const manifest = (JSON.parse(new TextDecoder().decode(bytes)) as { weightsManifest?: unknown } | null)?.weightsManifest;
    if (!Array.isArray(manifest)) return null;
    return new Set(manifest.flatMap((group: { paths?: unknown }) => (Array.isArray(group?.paths) ? group.paths : [])));
  } catch {
    return null;
  }
}

/** Best effort: removes weights files (ours, and tfjs-node's weights.bin) that the committed model.json does not name. */
async function removeReplacedWeights(fs: Fs, path: Path, dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const id = WEIGHTS_NAME.exec(name)?.[1];
    if (id === undefined && name !== TFJS_NODE_WEIGHTS) continue;
    // A save in progress: its temporary manifest exists until its commit.
    if (id !== undefined && (await fs.stat(path.join(dir, tempManifest(id))).then(() => true, () => false))) continue;
    // Read after that check, so a save that committed in between counts as the current one.
    const current = await committedWeights(fs, path, dir);
    if (current === null || current.has(name)) continue;
    await fs.rm(path.join(dir, name), { force: true }).catch(() => undefined);
  }
}

/** The model.json to load: `location` itself if it is a file, `location/model.json` if it is a directory. */
async function modelJsonFile(fs: Fs, path: Path, location: string, argument: string): Promise<string> {
  const stats = await fs.stat(location).catch((e: unknown) => {
    throw fsError(e, argument, location, 'load a model from');
  });
  return stats.isDirectory() ? path.join(location, MODEL_JSON) : location;
}

async function readModelJson(fs: Fs, file: string, argument: string): Promise<string> {
  const bytes = await fs.readFile(file).catch((e: unknown) => {
    throw fsError(e, argument, file, 'read');
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
async function readWeights(fs: Fs, path: Path, file: string, manifest: tf.io.WeightsManifestConfig, argument: string): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const dir = path.dirname(file);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of manifest) {
    const shards = group.paths.map((p) => path.join(dir, p));
    let bytes = 0;
    for (const shard of shards) {
      const data = await fs.readFile(shard).catch((e: unknown) => {
        if (codeOf(e) === 'ENOENT') throw new CorruptFileError(shard, `is missing (${file} names it in its weightsManifest)`);
        throw fsError(e, argument, shard, 'read');
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

async function readModel(fs: Fs, path: Path, file: string, text: string, argument: string): Promise<tf.io.ModelArtifacts> {
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
  for (let attempt = 1; ; attempt++) {
    const text = await readModelJson(fs, file, argument);
    try {
      return await readModel(fs, path, file, text, argument);
    } catch (e) {
      // A newer save committed meanwhile and removed the weights this model.json named: load that save.
      const replaced = e instanceof CorruptFileError && e.file !== file && attempt < LOAD_ATTEMPTS &&
        (await readModelJson(fs, file, argument).catch(() => text)) !== text;
      if (!replaced) throw e;
    }
  }
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
