/**
 * Node: a generator saved as a directory holding `generator.json` (the
 * manifest) and `generator.weights.bin`. Saving writes both under `.next`
 * names, syncs them to disk, then renames weights and manifest into place
 * (the manifest rename is the commit). A crash before the renames leaves the
 * previous save untouched; a crash between them leaves the new weights with
 * the new manifest still under `.next`, which `load` finishes reading. Never
 * a mix.
 */
import { CorruptFileError, InvalidArgumentError } from '../errors.js';
import { type ArtifactManifest, fromArtifacts } from './artifacts.js';
import { type NodeFs, nodeFs } from './nodeFs.js';
import type { GeneratorState } from './jsonState.js';

export const MANIFEST_FILE = 'generator.json';
export const WEIGHTS_FILE = 'generator.weights.bin';
const NEXT = '.next';

type FsPromises = NodeFs['promises'];

function fsPromises(argument: string): FsPromises {
  return nodeFs(argument, 'a tf.io handler outside Node.js (a directory path needs node:fs)', 'a path').promises;
}

const join = (dir: string, name: string) => `${dir.replace(/[\\/]+$/, '')}/${name}`;

async function writeDurably(fs: FsPromises, path: string, data: string | Uint8Array): Promise<void> {
  const handle = await fs.open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeGeneratorFiles(dir: string, manifest: ArtifactManifest, weights: Uint8Array): Promise<void> {
  const fs = fsPromises('dest');
  await fs.mkdir(dir, { recursive: true });
  const [m, w] = [join(dir, MANIFEST_FILE), join(dir, WEIGHTS_FILE)];
  try {
    await writeDurably(fs, w + NEXT, weights);
    await writeDurably(fs, m + NEXT, JSON.stringify(manifest));
  } catch (e) {
    await Promise.all([fs.rm(w + NEXT, { force: true }), fs.rm(m + NEXT, { force: true })]);
    throw e;
  }
  await fs.rename(w + NEXT, w);
  await fs.rename(m + NEXT, m);
  const dirHandle = await fs.open(dir, 'r').catch(() => null);
  if (dirHandle) await dirHandle.sync().catch(() => undefined).finally(() => dirHandle.close());
}

async function readJson(fs: FsPromises, path: string): Promise<unknown> {
  const bytes = await fs.readFile(path).catch(() => {
    throw new CorruptFileError(path, 'is missing or unreadable');
  });
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new CorruptFileError(path, `is not valid JSON (${(e as Error).message})`);
  }
}

export async function readGeneratorFiles(dir: string): Promise<GeneratorState> {
  const fs = fsPromises('src');
  const isDir = await fs.stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new InvalidArgumentError('src', `a directory holding ${MANIFEST_FILE} and ${WEIGHTS_FILE}`, dir, 'It does not exist.');
  const [m, w] = [join(dir, MANIFEST_FILE), join(dir, WEIGHTS_FILE)];
  const manifest = await readJson(fs, m);
  const weights = await fs.readFile(w).catch(() => {
    throw new CorruptFileError(w, 'is missing or unreadable');
  });
  try {
    return fromArtifacts(manifest, weights, { manifest: m, weights: w });
  } catch (e) {
    // An interrupted commit: the new weights are in place, their manifest is still under .next.
    if (e instanceof CorruptFileError && e.file === w) {
      const next = await readJson(fs, m + NEXT).catch(() => null);
      if (next !== null) {
        try {
          return fromArtifacts(next, weights, { manifest: m + NEXT, weights: w });
        } catch {
          // fall through to the original error
        }
      }
    }
    throw e;
  }
}
