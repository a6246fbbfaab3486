/**
 * `flowFromDirectory` (Keras: `DirectoryIterator`): one sub-folder per class.
 * Node only.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors.js';
import type { FlowContext } from '../iterators/ArrayIterator.js';
import type { Batch, BatchLabelParts } from '../iterators/BatchIterator.js';
import { type OptionKeys, checkKeys, flag } from '../options/keys.js';
import { type CheckedFileOptions, FILE_FLOW_OPTIONS, FileBatchIterator, type FileFlowOptions, checkFileOptions, readableFiles } from './FileBatchIterator.js';
import { listDirectory } from './listDirectory.js';
import { sep } from 'node:path';
import { fileKey, inShard } from '../iterators/shard.js';

export type ClassMode = 'categorical' | 'binary' | 'sparse' | 'input' | null;

/** A directory flow's batch for class mode M (undefined: the default, 'categorical'): no labels for null. */
export type DirectoryBatch<M extends ClassMode | undefined = ClassMode> = Batch<tf.Tensor4D, M extends null ? undefined : tf.Tensor>;

/** Options of `flowFromDirectory`; names and defaults as Keras. */
export interface DirectoryFlowOptions extends FileFlowOptions {
  /** Class folder names in label order; default: all sub-folders, sorted. */
  classes?: string[] | null;
  /** 'categorical' (one-hot, default), 'binary', 'sparse', 'input' (ys = xs) or null (no ys). */
  classMode?: ClassMode;
  /** Follow symbolic links to sub-folders. Default false. */
  followLinks?: boolean;
}

const CLASS_MODES: ClassMode[] = ['categorical', 'binary', 'sparse', 'input', null];

/** A listed file's path: the directory (without trailing separators), '/', the relative name. */
const filePath = (directory: string, filename: string) => `${directory.replace(/[\\/]+$/, '')}/${filename}`;

/** Labels for class indices, encoded as Keras encodes them for each class mode. */
export function classLabels(classMode: ClassMode, classes: Int32Array, numClasses: number, samples: Int32Array, xs: tf.Tensor): BatchLabelParts {
  switch (classMode) {
    case null:
      return {};
    case 'input':
      return { ys: tf.clone(xs) };
    case 'categorical': {
      // Built here: tf.oneHot refuses depth 1, which Keras gives a single class ([1] for every sample).
      const oneHot = new Float32Array(samples.length * numClasses);
      samples.forEach((s, i) => (oneHot[i * numClasses + classes[s]!] = 1));
      return { ys: tf.tensor2d(oneHot, [samples.length, numClasses]) };
    }
    default:
      return { ys: tf.tensor1d(Float32Array.from(samples, (s) => classes[s]!), 'float32') };
  }
}

export function checkClassMode(mode: unknown, allowed: readonly unknown[]): void {
  if (!allowed.includes(mode)) throw new InvalidArgumentError('classMode', allowed.map((m) => (m === null ? 'null' : `'${m}'`)).join(', '), mode);
}

/** `classes`: null, or an array of class names (a lone string would be read letter by letter); empty means all, as in Keras. */
export function checkClassNames(classes: unknown): string[] | null {
  if (classes === undefined || classes === null || (Array.isArray(classes) && classes.length === 0)) return null;
  if (!Array.isArray(classes) || !classes.every((c) => typeof c === 'string')) {
    throw new InvalidArgumentError('classes', 'null or an array of class names (strings)', classes);
  }
  return classes;
}

/** The shard keys of relative paths, written with '/' on every system. */
const keysOf = (filenames: string[]) => Uint32Array.from(filenames, (f) => fileKey(f.split(sep).join('/')));

export class DirectoryIterator<B extends Batch = Batch> extends FileBatchIterator<B> {
  /** Class name to label index. Keras: `class_indices`. */
  readonly classIndices: Record<string, number>;
  /** Label index of every sample. Keras: `classes`. */
  readonly classes: Int32Array;
  /** Sample paths relative to the directory. Keras: `filenames`. */
  readonly filenames: string[];
  /** Each sample's key (iterators/shard.ts, `fileKey` of its relative path with '/' separators): its shard and, in fits, its augmentation seed. */
  readonly keys: Uint32Array;

  private constructor(
    readonly directory: string,
    listing: { classNames: string[]; filenames: string[]; classes: Int32Array },
    readonly classMode: ClassMode,
    checked: CheckedFileOptions,
    context: FlowContext,
  ) {
    super(listing.filenames.map((f) => filePath(directory, f)), checked, context);
    this.classIndices = Object.fromEntries(listing.classNames.map((n, i) => [n, i]));
    this.classes = listing.classes;
    this.filenames = listing.filenames;
    this.keys = keysOf(listing.filenames);
  }

  /** Lists the directory and validates options. Use `generator.flowFromDirectory`. */
  static async create(directory: string, o: DirectoryFlowOptions, context: FlowContext): Promise<DirectoryIterator> {
    checkKeys(o, { ...FILE_FLOW_OPTIONS, classes: true, classMode: true, followLinks: true } satisfies OptionKeys<DirectoryFlowOptions>, 'options');
    const classMode = o.classMode === undefined ? 'categorical' : o.classMode;
    checkClassMode(classMode, CLASS_MODES);
    const checked = checkFileOptions(o, context.validationSplit);
    let listing = await listDirectory(directory, { classes: checkClassNames(o.classes), followLinks: flag(o, 'followLinks', false), split: checked.split });
    if (checked.shard) {
      const keys = keysOf(listing.filenames);
      const keep = (_: unknown, i: number) => inShard(keys[i]!, checked.shard);
      listing = { classNames: listing.classNames, filenames: listing.filenames.filter(keep), classes: listing.classes.filter(keep) };
    }
    if (classMode === 'binary' && listing.classNames.length !== 2) {
      throw new InvalidArgumentError('classes', "exactly 2 classes for classMode 'binary'", listing.classNames);
    }
    if (checked.onBadImage === 'skip') {
      const ok = await readableFiles(listing.filenames.map((f) => filePath(directory, f)), checked);
      listing = { classNames: listing.classNames, filenames: listing.filenames.filter((_, i) => ok[i]), classes: listing.classes.filter((_, i) => ok[i]) };
    }
    return new DirectoryIterator(directory, listing, classMode, checked, context);
  }

  protected labels(samples: Int32Array, xs: tf.Tensor): BatchLabelParts {
    return classLabels(this.classMode, this.classes, Object.keys(this.classIndices).length, samples, xs);
  }
}
