/**
 * Node: a generator saved as a directory holding `generator.json` (the
 * manifest) and the weights file the manifest names in `weightsFile`,
 * `generator.weights.<id>.bin`, where <id> is unique to one save.
 *
 * Saving writes a temporary manifest `generator.json.<id>.tmp`, then the
 * weights under their final name, syncs both, and renames the temporary
 * manifest onto `generator.json`: that single rename commits the save. So
 * concurrent saves (in one process or several) each commit a whole pair and
 * the last rename wins, and a crash leaves the previous save in place (plus
 * the crashed save's two files, which look like a save in progress and so
 * stay). After its commit, a save removes the weights files no
 * manifest names any more, except those of saves still in progress (their
 * temporary manifest exists). A load whose weights were removed under it
 * because a newer save committed reads the new manifest again.
 *
 * Saves made before manifests named their weights (`generator.weights.bin`,
 * no `weightsFile`) still load, including one interrupted between its two
 * renames (new weights in place, new manifest still at `generator.json.next`).
 */
import { CorruptFileError, FileSystemError, InvalidArgumentError } from '../errors.js';
import { type ArtifactManifest, checkManifest, fromArtifacts } from './artifacts.js';
import { type NodeFs, nodeBuiltin, nodeFs } from './nodeFs.js';
import type { GeneratorState } from './jsonState.js';

export const MANIFEST_FILE = 'generator.json';
/** The weights file of saves whose manifest has no `weightsFile`. */
const LEGACY_WEIGHTS_FILE = 'generator.weights.bin';
/** Suffix of the staged files of those saves. */
const LEGACY_NEXT = '.next';
const WEIGHTS_NAME = /^generator\.weights\.([A-Za-z0-9-]+)\.bin$/;
const weightsName = (id: string) => `generator.weights.${id}.bin`;
const tempManifest = (id: string) => `${MANIFEST_FILE}.${id}.tmp`;
/** Times a load reads the manifest, when newer saves keep replacing the weights it names. */
const LOAD_ATTEMPTS = 20;
/** Largest manifest read (a real one is a few kilobytes: its weights are in the weights file). */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

type FsPromises = NodeFs['promises'];

function fsPromises(argument: string): FsPromises {
  return nodeFs(argument, 'a tf.io handler outside Node.js (a directory path needs node:fs)', 'a path').promises;
}

const join = (dir: string, name: string) => `${dir.replace(/[\\/]+$/, '')}/${name}`;
const parentOf = (path: string) => nodeBuiltin<{ dirname(path: string): string }>('node:path')!.dirname(path);
const codeOf = (e: unknown) => (e as { code?: unknown } | null)?.code;

/** Unique across processes and across saves in one process. */
function uniqueId(): string {
  const random = globalThis.crypto.getRandomValues(new Uint8Array(6));
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  return `${pid.toString(36)}-${Date.now().toString(36)}-${Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const PROBLEMS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted there',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  ENOENT: 'its parent directory does not exist or cannot hold new entries',
  EISDIR: 'a directory is in the way',
};

/** A system error as a FileSystemError naming the argument, path and operation; other errors unchanged. */
function fsError(e: unknown, argument: string, path: string, operation: string): unknown {
  const code = codeOf(e);
  if (typeof code !== 'string') return e;
  return new FileSystemError(argument, path, operation, code, PROBLEMS[code] ?? (e as Error).message);
}

/** The nearest ancestor of `path` that is a file (the cause of ENOTDIR), if any. */
async function fileAbove(fs: FsPromises, path: string): Promise<string | null> {
  for (let p = parentOf(path); p !== parentOf(p); p = parentOf(p)) {
    if (await fs.stat(p).then((s) => !s.isDirectory(), () => false)) return p;
  }
  return null;
}

/**
 * Makes `dir` and its missing parents. (Node's recursive mkdir loops forever
 * where a parent exists but refuses new entries, as in /proc.)
 */
async function ensureDirectory(fs: FsPromises, dir: string): Promise<void> {
  const found = await fs.stat(dir).then((s) => s.isDirectory(), (e: unknown) => e);
  if (found === true) return;
  if (found === false) throw new FileSystemError('dest', dir, 'save into', 'ENOTDIR', 'it is a file; expected a directory, or a path where one can be made');
  const code = codeOf(found);
  if (code === 'ENOTDIR') {
    const file = await fileAbove(fs, dir);
    throw new FileSystemError('dest', dir, 'make the directory', code, file ? `${file} is a file, not a directory` : PROBLEMS[code]!);
  }
  if (code !== 'ENOENT') throw fsError(found, 'dest', dir, 'reach');
  const parent = parentOf(dir);
  if (parent !== dir) await ensureDirectory(fs, parent);
  await fs.mkdir(dir).catch(async (e: unknown) => {
    // Another save made it meanwhile.
    if (codeOf(e) === 'EEXIST' && (await fs.stat(dir).then((s) => s.isDirectory(), () => false))) return;
    throw fsError(e, 'dest', dir, 'make the directory');
  });
}

async function writeDurably(fs: FsPromises, path: string, data: string | Uint8Array): Promise<void> {
  try {
    const handle = await fs.open(path, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (e) {
    throw fsError(e, 'dest', path, 'write');
  }
}

async function syncDirectory(fs: FsPromises, dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r').catch(() => null);
  if (handle) await handle.sync().catch(() => undefined).finally(() => handle.close());
}

export async function writeGeneratorFiles(dir: string, manifest: ArtifactManifest, weights: Uint8Array): Promise<void> {
  const fs = fsPromises('dest');
  await ensureDirectory(fs, dir);
  const id = uniqueId();
  const [temp, weightsFile, target] = [join(dir, tempManifest(id)), weightsName(id), join(dir, MANIFEST_FILE)];
  try {
    // The temporary manifest goes first: while it exists, other saves leave these weights alone.
    await writeDurably(fs, temp, JSON.stringify({ ...manifest, weightsFile }));
    await writeDurably(fs, join(dir, weightsFile), weights);
    await fs.rename(temp, target).catch((e: unknown) => {
      throw fsError(e, 'dest', target, 'replace');
    });
  } catch (e) {
    await fs.rm(join(dir, weightsFile), { force: true }).catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncDirectory(fs, dir);
  await removeReplacedWeights(fs, dir);
}

/** The weights file the committed manifest names, or null if it cannot be read. */
async function committedWeightsFile(fs: FsPromises, dir: string): Promise<string | null> {
  const bytes = await fs.readFile(join(dir, MANIFEST_FILE)).catch(() => null);
  if (bytes === null) return null;
  try {
    const named = (JSON.parse(new TextDecoder().decode(bytes)) as { weightsFile?: unknown } | null)?.weightsFile;
    return named === undefined ? LEGACY_WEIGHTS_FILE : typeof named === 'string' ? named : null;
  } catch {
    return null;
  }
}

/** Best effort: removes weights (and older saves' staged files) that the committed manifest does not name. */
async function removeReplacedWeights(fs: FsPromises, dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const legacy = [LEGACY_WEIGHTS_FILE, LEGACY_WEIGHTS_FILE + LEGACY_NEXT, MANIFEST_FILE + LEGACY_NEXT];
  for (const name of names) {
    const id = WEIGHTS_NAME.exec(name)?.[1];
    if (id === undefined && !legacy.includes(name)) continue;
    // A save in progress: its temporary manifest exists until its commit.
    if (id !== undefined && (await fs.stat(join(dir, tempManifest(id))).then(() => true, () => false))) continue;
    // Read after that check, so a save that committed in between counts as the current one.
    const current = await committedWeightsFile(fs, dir);
    if (current === null || current === name || (current === LEGACY_WEIGHTS_FILE && id === undefined)) continue;
    await fs.rm(join(dir, name), { force: true }).catch(() => undefined);
  }
}

const tooLarge = (path: string, size: number) =>
  new CorruptFileError(path, `is ${size} bytes, more than the ${MAX_MANIFEST_BYTES} bytes a generator manifest may have; it was not read`);

/** A manifest's text; one over MAX_MANIFEST_BYTES is refused by its size, unread. */
async function readText(fs: FsPromises, path: string): Promise<string> {
  const size = await fs.stat(path).then((s) => (s as { size?: number }).size, () => undefined);
  if (size !== undefined && size > MAX_MANIFEST_BYTES) throw tooLarge(path, size);
  const bytes = await fs.readFile(path).catch(() => {
    throw new CorruptFileError(path, 'is missing or unreadable');
  });
  // Replaced by a larger file after the stat.
  if (bytes.length > MAX_MANIFEST_BYTES) throw tooLarge(path, bytes.length);
  return new TextDecoder().decode(bytes);
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    // SyntaxError, or a RangeError from text nested too deep for the parser.
    throw new CorruptFileError(path, `is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function readWeights(fs: FsPromises, path: string): Promise<Uint8Array> {
  return fs.readFile(path).catch(() => {
    throw new CorruptFileError(path, 'is missing or unreadable');
  });
}

/** `src` must be a directory; otherwise says what it is. */
async function checkSourceDirectory(fs: FsPromises, dir: string): Promise<void> {
  const found = await fs.stat(dir).then((s) => s.isDirectory(), (e: unknown) => e);
  if (found === true) return;
  const expected = `a directory holding ${MANIFEST_FILE} and its weights file`;
  if (found === false) {
    const hint = dir.replace(/[\\/]+$/, '').endsWith(MANIFEST_FILE) ? ' Pass the directory that holds it.' : '';
    throw new InvalidArgumentError('src', expected, dir, `It is a file, not a directory.${hint}`);
  }
  const code = codeOf(found);
  if (code === 'ENOENT') throw new InvalidArgumentError('src', expected, dir, 'It does not exist.');
  if (code === 'ENOTDIR') throw new InvalidArgumentError('src', expected, dir, `It does not exist: ${(await fileAbove(fs, dir)) ?? 'a part of the path'} is a file.`);
  throw fsError(found, 'src', dir, 'read');
}

/** Reads a save from the manifest text `text` of `dir`. */
async function readSave(fs: FsPromises, dir: string, text: string): Promise<GeneratorState> {
  const m = join(dir, MANIFEST_FILE);
  // The manifest is checked before any weights file is read, so its problems are reported against it.
  const manifest = checkManifest(parseJson(text, m), m);
  const named = manifest.weightsFile;
  if (named === undefined) return readLegacySave(fs, dir, manifest);
  if (typeof named !== 'string' || !WEIGHTS_NAME.test(named)) {
    const what = typeof named === 'string' ? `names the weights file ${JSON.stringify(named)}` : `has a weightsFile field of type ${named === null ? 'null' : typeof named}`;
    throw new CorruptFileError(m, `${what}; expected a file name generator.weights.<id>.bin`);
  }
  const w = join(dir, named);
  return fromArtifacts(manifest, await readWeights(fs, w), { manifest: m, weights: w });
}

async function readLegacySave(fs: FsPromises, dir: string, manifest: unknown): Promise<GeneratorState> {
  const [m, w] = [join(dir, MANIFEST_FILE), join(dir, LEGACY_WEIGHTS_FILE)];
  const weights = await readWeights(fs, w);
  try {
    return fromArtifacts(manifest, weights, { manifest: m, weights: w });
  } catch (e) {
    // An interrupted commit: the new weights are in place, their manifest is still under .next.
    if (e instanceof CorruptFileError && e.file === w) {
      const next = await readText(fs, m + LEGACY_NEXT).then((t) => parseJson(t, m + LEGACY_NEXT)).catch(() => null);
      if (next !== null) {
        try {
          return fromArtifacts(next, weights, { manifest: m + LEGACY_NEXT, weights: w });
        } catch {
          // fall through to the original error
        }
      }
    }
    throw e;
  }
}

export async function readGeneratorFiles(dir: string): Promise<GeneratorState> {
  const fs = fsPromises('src');
  await checkSourceDirectory(fs, dir);
  const m = join(dir, MANIFEST_FILE);
  for (let attempt = 1; ; attempt++) {
    const text = await readText(fs, m);
    try {
      return await readSave(fs, dir, text);
    } catch (e) {
      // A newer save committed meanwhile and removed the weights this manifest named: read that save.
      const replaced = e instanceof CorruptFileError && e.file !== m && attempt < LOAD_ATTEMPTS && (await readText(fs, m).catch(() => text)) !== text;
      if (!replaced) throw e;
    }
  }
}
