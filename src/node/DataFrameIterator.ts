/**
 * `flowFromDataFrame` (Keras: `DataFrameIterator`): images listed in records
 * (or a CSV file) with their labels in other columns. Node only.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { parse } from 'csv-parse/sync';
import { CorruptFileError, InvalidArgumentError } from '../errors.js';
import type { FlowContext } from '../iterators/ArrayIterator.js';
import type { Batch, BatchLabelParts } from '../iterators/BatchIterator.js';
import { warn } from '../warnings.js';
import { type ClassMode, checkClassMode, checkClassNames, classLabels } from './DirectoryIterator.js';
import { type OptionKeys, checkKeys, flag } from '../options/keys.js';
import { fileKey, inShard } from '../iterators/shard.js';
import { type CheckedFileOptions, FILE_FLOW_OPTIONS, FileBatchIterator, type FileFlowOptions, checkFileOptions, readableFiles } from './FileBatchIterator.js';
import { fsPath } from './fsNames.js';
import { IMAGE_EXTENSIONS } from './listDirectory.js';

export type DataFrameClassMode = ClassMode | 'multi_output' | 'raw';

/** A data-frame flow's batch for class mode M (undefined: the default, 'categorical'): one tensor per column for 'multi_output', none for null. */
export type DataFrameBatch<M extends DataFrameClassMode | undefined = DataFrameClassMode> = Batch<tf.Tensor4D, M extends null ? undefined : M extends 'multi_output' ? tf.Tensor[] : tf.Tensor>;
export type Row = Record<string, unknown>;

/** Options of `flowFromDataFrame`; names and defaults as Keras. */
export interface DataFrameFlowOptions extends FileFlowOptions {
  /** Folder the file names are relative to (default: as given). */
  directory?: string | null;
  /** Column of file names. Default 'filename'. */
  xCol?: string;
  /** Label column, or columns for 'multi_output' / 'raw'. Default 'class'. */
  yCol?: string | string[];
  /** Column of sample weights. */
  weightCol?: string | null;
  /** 'categorical' (default; a list of labels gives multi-hot), 'binary', 'sparse', 'input', 'multi_output', 'raw' or null. */
  classMode?: DataFrameClassMode;
  /** Class names in label order; rows with other labels are dropped. Default: all labels, sorted. */
  classes?: string[] | null;
  /** Drop rows whose file is missing or not an allowed image, with one warning giving the count. Default true. */
  validateFilenames?: boolean;
}

const DATA_FRAME_FLOW_OPTIONS: OptionKeys<DataFrameFlowOptions> = {
  ...FILE_FLOW_OPTIONS, directory: true, xCol: true, yCol: true, weightCol: true, classMode: true, classes: true, validateFilenames: true,
};

const CLASS_MODES: DataFrameClassMode[] = ['categorical', 'binary', 'sparse', 'input', 'multi_output', 'raw', null];
const isImageName = (f: string) => IMAGE_EXTENSIONS.some((ext) => f.toLowerCase().endsWith(`.${ext}`));

async function readRows(rows: Row[] | string): Promise<Row[]> {
  if (typeof rows !== 'string') {
    if (!Array.isArray(rows)) throw new InvalidArgumentError('rows', 'an array of records or a CSV file path', rows);
    return rows;
  }
  const text = await readFile(rows, 'utf8').catch(() => {
    throw new InvalidArgumentError('rows', 'a readable CSV file', rows);
  });
  try {
    return parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Row[];
  } catch (e) {
    // csv-parse's CsvError: its message gives the problem and the line.
    throw new CorruptFileError(rows, `is not a valid CSV file: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * A number from a cell. A CSV file's cells are text: there a numeric string
 * counts as its number, as pandas reads a numeric column. Records hold values:
 * there a string is not a number (Keras raises TypeError for a numeric column
 * that holds strings).
 */
const toNumber = (v: unknown, argument: string, fromCsv: boolean, expected = 'a number'): number => {
  const n = typeof v === 'number' ? v : fromCsv && typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new InvalidArgumentError(argument, expected, v);
  return n;
};

/** The shape of a (nested) array cell: [] for a number, [2, 2, 1] for [[[a], [b]], [[c], [d]]]. */
const cellShape = (v: unknown): number[] => (Array.isArray(v) ? [v.length, ...(v.length > 0 ? cellShape(v[0]) : [])] : []);

/**
 * A target cell ('raw', 'multi_output') as numbers in row-major order: a
 * number, or an array nested to any depth (Keras stacks the cells with
 * `np.array`), which must have the shape of row 0's.
 */
function targetValues(v: unknown, shape: readonly number[], argument: string, fromCsv: boolean): number[] {
  const out: number[] = [];
  const visit = (x: unknown, depth: number): void => {
    if (depth === shape.length) {
      out.push(toNumber(x, argument, fromCsv, shape.length === 0 ? 'a number' : `numbers in an array shaped [${shape}] like the first row's`));
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) throw new InvalidArgumentError(argument, `an array shaped [${shape}] like the first row's (numbers)`, v);
    for (const e of x) visit(e, depth + 1);
  };
  visit(v, 0);
  return out;
}

/** A target column: each row's values (flattened) and the shape of one row's cell. */
interface TargetColumn {
  shape: number[];
  rows: number[][];
}

/** A row's file path: Python's `os.path.join(directory, name)`, where an absolute name wins. */
const pathOf = (directory: string, name: string) => (directory && !isAbsolute(name) ? join(directory, name) : name);

/**
 * Checks the label and weight columns before any row is dropped, as Keras's
 * `_check_params` does: each column is in the rows, labels are strings
 * (categorical: or lists of labels), targets and weights are numbers.
 */
function checkColumns(rows: Row[], classMode: DataFrameClassMode, yCol: string | string[], weightCol: string | null, fromCsv: boolean): void {
  const yCols = classMode === 'input' || classMode === null ? [] : Array.isArray(yCol) ? yCol : [yCol];
  for (const [argument, col] of [...yCols.map((c) => ['yCol', c] as const), ...(weightCol === null ? [] : [['weightCol', weightCol] as const])]) {
    if (rows.length > 0 && !rows.some((r) => col in r)) {
      throw new InvalidArgumentError(argument, `a column of the rows (they have ${Object.keys(rows[0]!).map((c) => `'${c}'`).join(', ')})`, col);
    }
  }
  rows.forEach((r, i) => {
    if (weightCol !== null) toNumber(r[weightCol], `rows[${i}].${weightCol}`, fromCsv, `a number: \`weightCol\` '${weightCol}' holds sample weights`);
    for (const col of yCols) {
      const v = r[col];
      if (classMode === 'raw' || classMode === 'multi_output') {
        targetValues(v, cellShape(rows[0]![col]), `rows[${i}].${col}`, fromCsv);
        continue;
      }
      const label = (l: unknown) => typeof l === 'string' || Number.isFinite(l);
      if (typeof v === 'string' || (classMode === 'categorical' && Array.isArray(v) && v.every(label))) continue;
      const expected = classMode === 'categorical' ? 'a string label or a list of labels (strings or numbers)' : 'a string label';
      throw new InvalidArgumentError(`rows[${i}].${col}`, `${expected} for classMode '${classMode}'`, v);
    }
  });
}

export class DataFrameIterator<B extends Batch = Batch> extends FileBatchIterator<B> {
  /** Class name to label index (class modes with classes). Keras: `class_indices`. */
  readonly classIndices: Record<string, number>;
  /** File names as given in the rows. Keras: `filenames`. */
  readonly filenames: string[];
  /**
   * Label index of every sample ('categorical', 'binary', 'sparse'): a number,
   * or for a row whose label is a list (multi-label), the list of indices.
   * Null for class modes without classes ('input', 'raw', 'multi_output', null),
   * where Keras has no `classes`. Keras: `classes`.
   */
  readonly classes: (number | number[])[] | null;
  private readonly classLists: number[][];
  private readonly targets: TargetColumn[];
  private readonly weights: Float32Array | null;

  private constructor(
    rows: Row[],
    readonly classMode: DataFrameClassMode,
    o: Required<Pick<DataFrameFlowOptions, 'xCol' | 'yCol'>> & { directory: string; weightCol: string | null; classNames: string[]; fromCsv: boolean },
    checked: CheckedFileOptions,
    context: FlowContext,
  ) {
    const filenames = rows.map((r) => String(r[o.xCol]));
    super(filenames.map((f) => pathOf(o.directory, f)), checked, context);
    this.filenames = filenames;
    this.classIndices = Object.fromEntries(o.classNames.map((n, i) => [n, i]));
    const yCols = Array.isArray(o.yCol) ? o.yCol : [o.yCol];
    const withClasses = classMode === 'categorical' || classMode === 'binary' || classMode === 'sparse';
    this.classLists = rows.map((r) => {
      const v = r[yCols[0]!];
      return (Array.isArray(v) ? v : [v]).map((l) => this.classIndices[String(l)]!).filter((i) => i !== undefined);
    });
    this.classes = withClasses ? rows.map((r, i) => (Array.isArray(r[yCols[0]!]) ? this.classLists[i]! : this.classLists[i]![0]!)) : null;
    this.targets = classMode === 'raw' || classMode === 'multi_output'
      ? yCols.map((c) => {
        const shape = rows.length > 0 ? cellShape(rows[0]![c]) : [];
        return { shape, rows: rows.map((r, i) => targetValues(r[c], shape, `rows[${i}].${c}`, o.fromCsv)) };
      })
      : [];
    this.weights = o.weightCol ? Float32Array.from(rows, (r, i) => toNumber(r[o.weightCol!], `rows[${i}].${o.weightCol}`, o.fromCsv)) : null;
  }

  /** Reads and filters the rows as Keras does. Use `generator.flowFromDataFrame`. */
  static async create(rowsOrCsv: Row[] | string, o: DataFrameFlowOptions, context: FlowContext): Promise<DataFrameIterator> {
    checkKeys(o, DATA_FRAME_FLOW_OPTIONS, 'options');
    const classMode = o.classMode === undefined ? 'categorical' : o.classMode;
    checkClassMode(classMode, CLASS_MODES);
    const classes = checkClassNames(o.classes);
    const xCol = o.xCol ?? 'filename';
    const yCol = o.yCol ?? 'class';
    const weightCol = o.weightCol ?? null;
    const directory = o.directory ?? '';
    if (classMode === 'multi_output' && !Array.isArray(yCol)) throw new InvalidArgumentError('yCol', "a list of columns for classMode 'multi_output'", yCol);
    const checked = checkFileOptions(o, context.validationSplit);
    const fromCsv = typeof rowsOrCsv === 'string';
    let rows = await readRows(rowsOrCsv);
    rows.forEach((r, i) => {
      if (typeof r[xCol] !== 'string') throw new InvalidArgumentError(`rows[${i}].${xCol}`, 'a file name (string)', r[xCol]);
    });
    const withClasses = classMode === 'categorical' || classMode === 'binary' || classMode === 'sparse';
    if (withClasses && typeof yCol !== 'string') throw new InvalidArgumentError('yCol', `one column for classMode '${classMode}'`, yCol);
    checkColumns(rows, classMode, yCol, weightCol, fromCsv);
    if (classes && !withClasses) warn('option-override', `\`classes\` is ignored with classMode '${classMode}'.`);
    if (flag(o, 'validateFilenames', true)) {
      const exists = await Promise.all(rows.map((r) => stat(fsPath(pathOf(directory, r[xCol] as string))).then((s) => s.isFile(), () => false)));
      const keep = rows.map((r, i) => exists[i]! && isImageName(String(r[xCol])));
      const invalid = keep.filter((k) => !k).length;
      if (invalid > 0) warn('bad-image', `Found ${invalid} invalid image filename(s) in xCol '${xCol}'. They will be ignored.`);
      rows = rows.filter((_, i) => keep[i]);
    }
    let classNames: string[] = [];
    if (withClasses) {
      const labelsOf = (r: Row) => (Array.isArray(r[yCol as string]) ? (r[yCol as string] as unknown[]) : [r[yCol as string]]).map(String);
      if (classes) {
        classNames = [...new Set(classes)];
        rows = rows.filter((r) => labelsOf(r).some((l) => classNames.includes(l)));
      } else {
        classNames = [...new Set(rows.flatMap(labelsOf))].sort();
      }
      if (classMode === 'binary' && classNames.length !== 2) {
        throw new InvalidArgumentError('classes', "exactly 2 classes for classMode 'binary'", classNames);
      }
    }
    if (checked.split) rows = rows.slice(Math.floor(checked.split[0] * rows.length), Math.floor(checked.split[1] * rows.length));
    if (checked.shard) rows = rows.filter((r) => inShard(fileKey(r[xCol] as string), checked.shard));
    if (checked.onBadImage === 'skip') {
      const ok = await readableFiles(rows.map((r) => pathOf(directory, r[xCol] as string)), checked);
      rows = rows.filter((_, i) => ok[i]);
    }
    // No rows left: as in Keras, an iterator of length 0 (with the class indices of `classes` when given).
    return new DataFrameIterator(rows, classMode, { xCol, yCol, directory, weightCol, classNames, fromCsv }, checked, context);
  }

  protected labels(samples: Int32Array, xs: tf.Tensor): BatchLabelParts {
    const sampleWeight = this.weights ? { sampleWeight: tf.tensor1d(Float32Array.from(samples, (s) => this.weights![s]!)) } : {};
    const numClasses = Object.keys(this.classIndices).length;
    switch (this.classMode) {
      case 'raw':
      case 'multi_output': {
        const columns = this.targets.map((col) => tf.tensor(Float32Array.from(Array.from(samples).flatMap((s) => col.rows[s]!)), [samples.length, ...col.shape]));
        if (this.classMode === 'multi_output') return { ys: columns, ...sampleWeight };
        if (columns.length === 1) return { ys: columns[0]!, ...sampleWeight };
        const stacked = tf.tidy(() => tf.stack(columns, 1));
        tf.dispose(columns);
        return { ys: stacked, ...sampleWeight };
      }
      case 'categorical': {
        const multiHot = new Float32Array(samples.length * numClasses);
        samples.forEach((s, i) => this.classLists[s]!.forEach((c) => (multiHot[i * numClasses + c] = 1)));
        return { ys: tf.tensor2d(multiHot, [samples.length, numClasses]), ...sampleWeight };
      }
      default:
        return { ...classLabels(this.classMode, Int32Array.from(this.classLists, (l) => l[0] ?? 0), numClasses, samples, xs), ...sampleWeight };
    }
  }
}
