/**
 * Node: a save kept in a directory as a manifest and the one weights file it
 * names, `<prefix><id>.bin`, where <id> is unique to one save. Generators
 * (generatorFiles.ts) and tfjs models (modelFiles.ts) are saved this way.
 *
 * Saving writes a temporary manifest `<manifest>.<id>.tmp`, then the weights,
 * syncs both, and renames the temporary manifest onto the manifest: that one
 * rename commits the save. So concurrent saves (in one process or several)
 * each commit a whole pair and the last rename wins, and a crash leaves the
 * previous save in place (plus the crashed save's two files, which look like
 * a save in progress and so stay). After its commit, a save removes the
 * weights files the committed manifest does not name, except those of saves
 * in progress (their temporary manifest exists). A load whose weights were
 * removed under it because a newer save committed reads the new manifest.
 */
import { CorruptFileError, FileSystemError } from '../errors.js';
import { type FsPromises, type NodePath, nodeBuiltin } from './nodeFs.js';

/** Times a load reads the manifest, when newer saves keep replacing the weights it names. */
const LOAD_ATTEMPTS = 20;

export const codeOf = (e: unknown) => (e as { code?: unknown } | null)?.code;

export const parentOf = (path: string) => nodeBuiltin<NodePath>('node:path')!.dirname(path);

export const isDirectory = (fs: FsPromises, path: string) => fs.stat(path).then((s) => s.isDirectory(), () => false);

/** What a FileSystemError says each code means (ENOENT: see `SaveLayout.missing`). */
const PROBLEMS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted there',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EISDIR: 'a directory is in the way',
};

/** Unique across processes and across saves in one process. */
function uniqueId(): string {
  const random = globalThis.crypto.getRandomValues(new Uint8Array(6));
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  return `${pid.toString(36)}-${Date.now().toString(36)}-${Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

async function syncDirectory(fs: FsPromises, dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r').catch(() => null);
  if (handle) await handle.sync().catch(() => undefined).finally(() => handle.close());
}

/** The file names and error wording of one kind of save. */
export interface SaveLayout {
  /** The manifest's file name, e.g. 'model.json'. */
  manifest: string;
  /** What precedes `<id>.bin` in the name of a save's weights file, e.g. 'weights.'. */
  weightsPrefix: string;
  /** Files of other layouts (an older save's weights), removed once the committed manifest does not name them. */
  otherFiles: readonly string[];
  /** The files a committed manifest (parsed JSON) names, or null if it cannot tell (then nothing is removed). */
  namedFiles(manifest: unknown): ReadonlySet<string> | null;
  /** `name` in `dir`, spelled as error messages name it. */
  join(dir: string, name: string): string;
  /** The problem a FileSystemError with code ENOENT reports. */
  missing: string;
  /** The operation a FileSystemError names when the directory to save into is a file. */
  saveInto: string;
  /** The error when looking up a directory to make fails other than with ENOENT; by default a FileSystemError for 'make the directory'. */
  unreachable?(fs: FsPromises, e: unknown, dir: string, argument: string): Promise<unknown>;
}

/** Saves of one `SaveLayout`: each committed with one rename, replaced weights removed after it. */
export class AtomicSaves {
  constructor(private readonly layout: SaveLayout) {}

  private weightsFile(id: string): string {
    return `${this.layout.weightsPrefix}${id}.bin`;
  }

  /** The save id in the name of one of this layout's weights files, else undefined. */
  idOf(name: string): string | undefined {
    const { weightsPrefix } = this.layout;
    if (!name.startsWith(weightsPrefix) || !name.endsWith('.bin')) return undefined;
    const id = name.slice(weightsPrefix.length, -'.bin'.length);
    return /^[A-Za-z0-9-]+$/.test(id) ? id : undefined;
  }

  private tempManifest(id: string): string {
    return `${this.layout.manifest}.${id}.tmp`;
  }

  /** A system error as a FileSystemError naming the argument, path and operation; other errors unchanged. */
  fsError(e: unknown, argument: string, path: string, operation: string): unknown {
    const code = codeOf(e);
    if (typeof code !== 'string') return e;
    const problem = code === 'ENOENT' ? this.layout.missing : PROBLEMS[code];
    return new FileSystemError(argument, path, operation, code, problem ?? (e as Error).message);
  }

  /** Commits a save into `dir` (made if missing): the manifest text `manifest(weightsFile)` and `weights`. */
  async save(fs: FsPromises, dir: string, argument: string, manifest: (weightsFile: string) => string, weights: Uint8Array): Promise<void> {
    await this.ensureDirectory(fs, dir, argument);
    const id = uniqueId();
    const weightsFile = this.weightsFile(id);
    const join = this.layout.join;
    const [temp, weightsPath, target] = [join(dir, this.tempManifest(id)), join(dir, weightsFile), join(dir, this.layout.manifest)];
    try {
      // The temporary manifest goes first: while it exists, other saves leave these weights alone.
      await this.writeDurably(fs, temp, manifest(weightsFile), argument);
      await this.writeDurably(fs, weightsPath, weights, argument);
      await fs.rename(temp, target).catch((e: unknown) => {
        throw this.fsError(e, argument, target, 'replace');
      });
    } catch (e) {
      await fs.rm(weightsPath, { force: true }).catch(() => undefined);
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw e;
    }
    await syncDirectory(fs, dir);
    await this.removeReplacedWeights(fs, dir);
  }

  /** Makes `dir` and its missing parents, one level at a time (Node's recursive mkdir never settles under /proc). */
  private async ensureDirectory(fs: FsPromises, dir: string, argument: string): Promise<void> {
    const found = await fs.stat(dir).then((s) => s.isDirectory(), (e: unknown) => e);
    if (found === true) return;
    if (found === false) throw new FileSystemError(argument, dir, this.layout.saveInto, 'ENOTDIR', 'it is a file; expected a directory, or a path where one can be made');
    if (codeOf(found) !== 'ENOENT') {
      throw this.layout.unreachable ? await this.layout.unreachable(fs, found, dir, argument) : this.fsError(found, argument, dir, 'make the directory');
    }
    const parent = parentOf(dir);
    if (parent !== dir) await this.ensureDirectory(fs, parent, argument);
    await fs.mkdir(dir).catch(async (e: unknown) => {
      if (codeOf(e) === 'EEXIST' && (await isDirectory(fs, dir))) return; // another save made it meanwhile
      throw this.fsError(e, argument, dir, 'make the directory');
    });
  }

  private async writeDurably(fs: FsPromises, path: string, data: string | Uint8Array, argument: string): Promise<void> {
    try {
      const handle = await fs.open(path, 'w');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (e) {
      throw this.fsError(e, argument, path, 'write');
    }
  }

  /** The files the committed manifest names, or null if it cannot be read. */
  private async committedFiles(fs: FsPromises, dir: string): Promise<ReadonlySet<string> | null> {
    const bytes = await fs.readFile(this.layout.join(dir, this.layout.manifest)).catch(() => null);
    if (bytes === null) return null;
    try {
      return this.layout.namedFiles(JSON.parse(new TextDecoder().decode(bytes)));
    } catch {
      return null;
    }
  }

  /** Best effort: removes this layout's weights files and `otherFiles` that the committed manifest does not name. */
  private async removeReplacedWeights(fs: FsPromises, dir: string): Promise<void> {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const id = this.idOf(name);
      if (id === undefined && !this.layout.otherFiles.includes(name)) continue;
      // A save in progress: its temporary manifest exists until its commit.
      if (id !== undefined && (await fs.stat(this.layout.join(dir, this.tempManifest(id))).then(() => true, () => false))) continue;
      // Read after that check, so a save that committed in between counts as the current one.
      const current = await this.committedFiles(fs, dir);
      if (current === null || current.has(name)) continue;
      await fs.rm(this.layout.join(dir, name), { force: true }).catch(() => undefined);
    }
  }
}

/**
 * `read(text)` of the manifest text `readText()` gives. When that throws a
 * CorruptFileError about another file (its weights) and the manifest `file`
 * changed meanwhile, a newer save committed and removed those weights: reads
 * that save, up to LOAD_ATTEMPTS times in all.
 */
export async function readCommitted<T>(file: string, readText: () => Promise<string>, read: (text: string) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const text = await readText();
    try {
      return await read(text);
    } catch (e) {
      const replaced = e instanceof CorruptFileError && e.file !== file && attempt < LOAD_ATTEMPTS && (await readText().catch(() => text)) !== text;
      if (!replaced) throw e;
    }
  }
}
