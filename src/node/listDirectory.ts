/**
 * Keras's file listing for `flow_from_directory`: classes are the sorted
 * sub-folders (or the given list), files are walked recursively in sorted
 * order, kept by extension (case-insensitive), and each class's list is split
 * for the validation subset (validation = the first part).
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InvalidArgumentError } from '../errors.js';

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

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

/** Every image under `dir`, walked like `sorted(os.walk(dir, followlinks))` with files sorted per folder. */
async function walk(dir: string, followLinks: boolean): Promise<string[]> {
  const roots: string[] = [];
  const visit = async (folder: string): Promise<void> => {
    roots.push(folder);
    const entries = await readdir(folder, { withFileTypes: true });
    for (const e of entries) {
      const path = join(folder, e.name);
      if (e.isDirectory() || (followLinks && e.isSymbolicLink() && (await isDirectory(path)))) await visit(path);
    }
  };
  await visit(dir);
  roots.sort();
  const files: string[] = [];
  for (const root of roots) {
    const entries = await readdir(root, { withFileTypes: true });
    const names = entries.filter((e) => (e.isFile() || e.isSymbolicLink()) && isImage(e.name)).map((e) => e.name).sort();
    files.push(...names.map((n) => join(root, n)));
  }
  return files;
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
    : (await readdir(directory, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  if (classNames.length === 0) throw new InvalidArgumentError('directory', 'at least one class sub-folder', directory, 'It has none.');
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
  if (filenames.length === 0) {
    throw new InvalidArgumentError('directory', `image files (${IMAGE_EXTENSIONS.join(', ')}) in its class folders`, directory, 'None found.');
  }
  return { classNames, filenames, classes: Int32Array.from(labels) };
}
