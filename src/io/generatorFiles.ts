/**
 * Node: a generator saved as a directory holding `generator.json` (the
 * manifest) and the weights file the manifest names in `weightsFile`,
 * `generator.weights.<id>.bin`, where <id> is unique to one save; saved and
 * loaded as atomicSave.ts describes.
 *
 * Saves made before manifests named their weights (`generator.weights.bin`,
 * no `weightsFile`) still load, including one interrupted between its two
 * renames (new weights in place, new manifest still at `generator.json.next`).
 */
import { CorruptFileError, FileSystemError, InvalidArgumentError } from '../errors.js';
import { type ArtifactManifest, checkManifest, fromArtifacts } from './artifacts.js';
import { AtomicSaves, codeOf, parentOf, readCommitted } from './atomicSave.js';
import { type FsPromises, nodeFs } from './nodeFs.js';
import type { GeneratorState } from './jsonState.js';

export const MANIFEST_FILE = 'generator.json';
/** The weights file of saves whose manifest has no `weightsFile`. */
const LEGACY_WEIGHTS_FILE = 'generator.weights.bin';
/** Suffix of the staged files of those saves. */
const LEGACY_NEXT = '.next';
/** Files of those saves, all kept while a manifest without `weightsFile` is committed. */
const LEGACY_FILES = [LEGACY_WEIGHTS_FILE, LEGACY_WEIGHTS_FILE + LEGACY_NEXT, MANIFEST_FILE + LEGACY_NEXT];
/** Largest manifest read (a real one is a few kilobytes: its weights are in the weights file). */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

function fsPromises(argument: string): FsPromises {
  return nodeFs(argument, 'a tf.io handler outside Node.js (a directory path needs node:fs)', 'a path').promises;
}

const join = (dir: string, name: string) => `${dir.replace(/[\\/]+$/, '')}/${name}`;

const SAVES: AtomicSaves = new AtomicSaves({
  manifest: MANIFEST_FILE,
  weightsPrefix: 'generator.weights.',
  otherFiles: LEGACY_FILES,
  namedFiles(manifest) {
    const named = (manifest as { weightsFile?: unknown } | null)?.weightsFile;
    if (named === undefined || named === LEGACY_WEIGHTS_FILE) return new Set(LEGACY_FILES);
    return typeof named === 'string' ? new Set([named]) : null;
  },
  join,
  missing: 'its parent directory does not exist or cannot hold new entries',
  saveInto: 'save into',
  async unreachable(fs, e, dir, argument) {
    if (codeOf(e) !== 'ENOTDIR') return SAVES.fsError(e, argument, dir, 'reach');
    const file = await fileAbove(fs, dir);
    return file ? new FileSystemError(argument, dir, 'make the directory', 'ENOTDIR', `${file} is a file, not a directory`) : SAVES.fsError(e, argument, dir, 'make the directory');
  },
});

/** The nearest ancestor of `path` that is a file (the cause of ENOTDIR), if any. */
async function fileAbove(fs: FsPromises, path: string): Promise<string | null> {
  for (let p = parentOf(path); p !== parentOf(p); p = parentOf(p)) {
    if (await fs.stat(p).then((s) => !s.isDirectory(), () => false)) return p;
  }
  return null;
}

export async function writeGeneratorFiles(dir: string, manifest: ArtifactManifest, weights: Uint8Array): Promise<void> {
  await SAVES.save(fsPromises('dest'), dir, 'dest', (weightsFile) => JSON.stringify({ ...manifest, weightsFile }), weights);
}

const tooLarge = (path: string, size: number) =>
  new CorruptFileError(path, `is ${size} bytes, more than the ${MAX_MANIFEST_BYTES} bytes a generator manifest may have; it was not read`);

/** A manifest's text; one over MAX_MANIFEST_BYTES is refused by its size, unread. */
export async function readText(fs: FsPromises, path: string): Promise<string> {
  const size = await fs.stat(path).then((s) => s.size, () => undefined);
  if (size !== undefined && size > MAX_MANIFEST_BYTES) throw tooLarge(path, size);
  const bytes = await fs.readFile(path).catch(() => {
    throw new CorruptFileError(path, 'is missing or unreadable');
  });
  // Replaced by a larger file after the stat.
  if (bytes.length > MAX_MANIFEST_BYTES) throw tooLarge(path, bytes.length);
  return new TextDecoder().decode(bytes);
}

export function parseJson(text: string, path: string): unknown {
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
  throw SAVES.fsError(found, 'src', dir, 'read');
}

/** Reads a save from the manifest text `text` of `dir`. */
async function readSave(fs: FsPromises, dir: string, text: string): Promise<GeneratorState> {
  const m = join(dir, MANIFEST_FILE);
  // The manifest is checked before any weights file is read, so its problems are reported against it.
  const manifest = checkManifest(parseJson(text, m), m);
  const named = manifest.weightsFile;
  if (named === undefined) return readLegacySave(fs, dir, manifest);
  if (typeof named !== 'string' || SAVES.idOf(named) === undefined) {
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
  return readCommitted(m, () => readText(fs, m), (text) => readSave(fs, dir, text));
}
