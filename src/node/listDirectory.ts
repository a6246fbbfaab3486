/**
 * Keras's file listing for `flow_from_directory`: classes are the sorted
 * sub-folders (or the given list), files are walked recursively in sorted
 * order, kept by extension (case-insensitive), and each class's list is split
 * for the validation subset (validation = the first part).
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { warn } from '../warnings.js';
import { decodeFsName, fsPath } from './fsNames.js';

/** Keras's white list of image extensions. */
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'bmp', 'ppm', 'tif', 'tiff'] as const;

export interface Listing {
  classNames: string[];
  /** Paths relative to the directory, "class/sub/file.png", in Keras's order. */
  filenames: string[];
  /** Class index of each file. */
  classes: Int32Array;
}

const isImage = (name: string) => IMAGE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(`.${ext}`));

/** Python's `os.path.isdir`: true for a directory or a link to one. */
async function isDirectory(path: string): Promise<boolean> {
  return stat(fsPath(path)).then((s) => s.isDirectory(), () => false);
}

/**
 * A folder's entries with names as strings (bytes that are not UTF-8 kept
 * as in `fsNames.ts`), each marked as a folder as `os.scandir`'s `is_dir()`
 * marks it: links to folders count as folders.
 */
async function entries(folder: string): Promise<{ name: string; dir: boolean; link: boolean }[]> {
  const list: Dirent<Buffer>[] = await readdir(fsPath(folder), { withFileTypes: true, encoding: 'buffer' });
  return Promise.all(list.map(async (e) => {
    const name = decodeFsName(e.name);
    const link = e.isSymbolicLink();
    return { name, link, dir: e.isDirectory() || (link && (await isDirectory(join(folder, name)))) };
  }));
}

/** A folder's identity on disk (device and inode), the same through every link to it. */
async function identity(folder: string): Promise<string> {
  const s = await stat(fsPath(folder), { bigint: true });
  return `${s.dev}:${s.ino}`;
}

/**
 * Every image under `dir`, walked like `sorted(os.walk(dir, followlinks))`
 * with files sorted per folder. As in `os.walk`, a file is any entry that is
 * not a folder (FIFOs and devices included: reading them fails later, as in
 * Keras). Unlike `os.walk`, a link back to a folder the walk is inside is not
 * followed (with a warning): `os.walk` follows such loops until the system
 * refuses the path, listing the same images dozens or, with two loops,
 * billions of times.
 */
async function walk(dir: string, followLinks: boolean): Promise<string[]> {
  const folders: { root: string; files: string[] }[] = [];
  const visit = async (folder: string, inside: readonly string[]): Promise<void> => {
    const list = await entries(folder);
    folders.push({ root: folder, files: list.filter((e) => !e.dir && isImage(e.name)).map((e) => e.name).sort() });
    for (const e of list) {
      if (!e.dir || (e.link && !followLinks)) continue;
      const path = join(folder, e.name);
      // Without followLinks no link is entered, so there is no loop to look for.
      const id = followLinks ? await identity(path) : '';
      if (followLinks && inside.includes(id)) {
        warn('link-loop', `Not following ${path}: it links back to a folder that contains it.`);
        continue;
      }
      await visit(path, followLinks ? [...inside, id] : inside);
    }
  };
  await visit(dir, followLinks ? [await identity(dir)] : []);
  folders.sort((a, b) => (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
  return folders.flatMap(({ root, files }) => files.map((n) => join(root, n)));
}

export async function listDirectory(
  directory: string,
  options: { classes?: string[] | null; followLinks: boolean; split: [number, number] | null },
): Promise<Listing> {
  if (typeof directory !== 'string' || !(await isDirectory(directory))) {
    throw new InvalidArgumentError('directory', 'an existing directory with one sub-folder per class', directory);
  }
  const classNames = options.classes
    ? [...options.classes]
    : (await entries(directory)).filter((e) => e.dir).map((e) => e.name).sort();
  const filenames: string[] = [];
  const labels: number[] = [];
  for (const [index, name] of classNames.entries()) {
    const classDir = join(directory, name);
    if (!(await isDirectory(classDir))) throw new InvalidArgumentError('classes', `names of sub-folders of ${directory}`, name, 'No such folder.');
    let files = await walk(classDir, options.followLinks);
    if (options.split) {
      const [a, b] = options.split;
      files = files.slice(Math.floor(a * files.length), Math.floor(b * files.length));
    }
    for (const f of files) {
      filenames.push(join(name, relative(classDir, f)));
      labels.push(index);
    }
  }
  // No class folders, or no images in them: as in Keras, a listing of 0 files (the flow has length 0).
  return { classNames, filenames, classes: Int32Array.from(labels) };
}
