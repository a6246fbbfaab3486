/**
 * npm run parity [-- --markdown]: this library's flowFromDirectory against the
 * real Keras on real photos. For every case of
 * test/fixtures/keras-goldens/flow_from_directory/index.json (made by
 * tools/keras-goldens/flow_from_directory.py with Keras 3's
 * ImageDataGenerator().flow_from_directory), runs the same configuration
 * (target size, color mode, interpolation, keepAspectRatio, classes, batch
 * size, no shuffle) on the same committed photos and prints the largest
 * absolute pixel difference, the share of pixels (any channel) that differ,
 * and whether labels, filenames, class indices and batch shapes equal Keras's,
 * then which photos differ.
 * A configuration the library refuses is shown as refused, with the reason.
 *
 * Also the module test/parity.test.ts reads the goldens and measures with.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as tf from '@tensorflow/tfjs-core';
import { ImageDataGenerator, type ColorMode, type Interpolation, useBestBackend } from '../src/index.js';

export const GOLDENS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../test/fixtures/keras-goldens');
export const FLOW_DIR = resolve(GOLDENS_DIR, 'flow_from_directory');
export const PHOTOS_DIR = resolve(GOLDENS_DIR, 'photos');

/** One case of the flow_from_directory index (written by tools/keras-goldens/flow_from_directory.py). */
export interface FlowCase {
  id: string;
  target_size: [number, number];
  color_mode: ColorMode;
  interpolation: Interpolation;
  keep_aspect_ratio: boolean;
  x: string;
  batch_size: number;
  class_mode: 'categorical';
  classes_arg: string[];
  batch_shapes: number[][];
  labels: number[][][];
  filenames: string[];
  classes: number[];
  class_indices: Record<string, number>;
  image_shape: number[];
}

export interface FlowIndex {
  versions: Record<string, string>;
  photos: Record<string, { bytes: number; sha256: string }>;
  cases: FlowCase[];
  arrays: Record<string, { file: string; shape: number[]; dtype: 'uint8' | 'float32'; sha256: string }>;
}

let index: FlowIndex | null = null;

export function flowIndex(): FlowIndex {
  index ??= JSON.parse(readFileSync(resolve(FLOW_DIR, 'index.json'), 'utf8')) as FlowIndex;
  return index;
}

/** A golden array's values (uint8 or float32 little-endian, row-major) and shape. */
export function goldenArray(name: string): { data: Uint8Array | Float32Array; shape: number[] } {
  const meta = flowIndex().arrays[name];
  if (!meta) throw new Error(`no golden array ${name}`);
  const b = readFileSync(resolve(FLOW_DIR, meta.file));
  const n = meta.shape.reduce((a, d) => a * d, 1);
  const data = meta.dtype === 'uint8' ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  if (data.length !== n) throw new Error(`${meta.file}: ${data.length} values, shape ${meta.shape} needs ${n}`);
  return { data, shape: meta.shape };
}

/** Photos whose bytes are not the ones Keras read (the goldens would be stale for them). */
export function changedPhotos(): string[] {
  return Object.entries(flowIndex().photos)
    .filter(([rel, { sha256 }]) => createHash('sha256').update(readFileSync(resolve(PHOTOS_DIR, rel))).digest('hex') !== sha256)
    .map(([rel]) => rel);
}

export interface CaseResult {
  id: string;
  /** Set when the library refused the configuration (the error's name and message). */
  refused?: string;
  /** Largest |library - Keras| over all values of the epoch. */
  maxAbsDiff: number;
  /** Pixels (any channel) that differ, over all pixels of the epoch. */
  pixelShare: number;
  /** Values that differ, over all values. */
  valueShare: number;
  meanAbsDiff: number;
  /** Per image (in file order): largest difference. */
  perImage: number[];
  /** Per image (in file order): mean absolute difference. */
  perImageMean: number[];
  labelsEqual: boolean;
  filenamesEqual: boolean;
  classIndicesEqual: boolean;
  classesEqual: boolean;
  batchShapesEqual: boolean;
  /** What the library produced, for the test's messages. */
  got: { labels: number[][][]; filenames: string[]; classIndices: Record<string, number>; classes: number[]; batchShapes: number[][] };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Runs the library's flowFromDirectory for one golden case (on the main thread unless `workers` is given) and compares it with Keras's epoch. */
export async function measureCase(c: FlowCase, options: { workers?: number } = {}): Promise<CaseResult> {
  const golden = goldenArray(c.x);
  const empty = { labels: [], filenames: [], classIndices: {}, classes: [], batchShapes: [] };
  const base = { id: c.id, maxAbsDiff: NaN, pixelShare: NaN, valueShare: NaN, meanAbsDiff: NaN, perImage: [] as number[], perImageMean: [] as number[] };
  let it;
  try {
    it = await new ImageDataGenerator().flowFromDirectory(PHOTOS_DIR, {
      targetSize: c.target_size,
      colorMode: c.color_mode,
      interpolation: c.interpolation,
      keepAspectRatio: c.keep_aspect_ratio,
      classes: c.classes_arg,
      classMode: c.class_mode,
      batchSize: c.batch_size,
      shuffle: false,
      workers: options.workers ?? 0,
    });
  } catch (e) {
    const err = e as Error;
    return { ...base, refused: `${err.name}: ${err.message.split('\n')[0]}`, labelsEqual: false, filenamesEqual: false, classIndicesEqual: false, classesEqual: false, batchShapesEqual: false, got: empty };
  }
  const labels: number[][][] = [];
  const batchShapes: number[][] = [];
  const values = new Float32Array(golden.data.length);
  let filled = 0;
  for (let i = 0; i < it.length; i++) {
    const { xs, ys } = await it.batch(i);
    batchShapes.push(xs.shape);
    labels.push((ys as tf.Tensor2D).arraySync());
    const data = xs.dataSync();
    if (filled + data.length <= values.length) values.set(data, filled);
    filled += data.length;
    xs.dispose();
    ys.dispose();
  }
  const got = { labels, filenames: [...it.filenames], classIndices: { ...it.classIndices }, classes: Array.from(it.classes), batchShapes };
  const channels = c.image_shape[2]!;
  const perImageSize = c.image_shape[0]! * c.image_shape[1]! * channels;
  const comparable = filled === golden.data.length;
  let max = comparable ? 0 : Infinity;
  let sum = 0;
  let values_ = 0;
  let pixels = 0;
  const perImage: number[] = [];
  const perImageSum: number[] = [];
  if (comparable) {
    for (let p = 0; p < golden.data.length / channels; p++) {
      let differs = false;
      for (let k = p * channels; k < (p + 1) * channels; k++) {
        const d = Math.abs(values[k]! - golden.data[k]!);
        if (d > 0) {
          differs = true;
          values_++;
          sum += d;
        }
        if (d > max) max = d;
        const img = Math.floor(k / perImageSize);
        if (!(perImage[img]! >= d)) perImage[img] = d;
        perImageSum[img] = (perImageSum[img] ?? 0) + d;
      }
      if (differs) pixels++;
    }
  }
  return {
    ...base,
    maxAbsDiff: max,
    pixelShare: comparable ? pixels / (golden.data.length / channels) : NaN,
    valueShare: comparable ? values_ / golden.data.length : NaN,
    meanAbsDiff: comparable ? sum / golden.data.length : NaN,
    perImage,
    perImageMean: perImageSum.map((total) => total / perImageSize),
    labelsEqual: same(labels, c.labels),
    filenamesEqual: same(got.filenames, c.filenames),
    classIndicesEqual: same(got.classIndices, c.class_indices),
    classesEqual: same(got.classes, c.classes),
    batchShapesEqual: same(batchShapes, c.batch_shapes),
    got,
  };
}

const percent = (x: number) => (Number.isNaN(x) ? '-' : x === 0 ? '0' : x < 0.001 ? '<0.1%' : `${(100 * x).toFixed(1)}%`);

/** The table's row cells for one result. */
export function row(c: FlowCase, r: CaseResult): string[] {
  const meta = r.labelsEqual && r.filenamesEqual && r.classIndicesEqual && r.classesEqual && r.batchShapesEqual;
  return [
    `${c.target_size[0]}x${c.target_size[1]}`,
    c.color_mode,
    c.interpolation,
    c.keep_aspect_ratio ? 'yes' : 'no',
    r.refused ? 'refused' : String(r.maxAbsDiff),
    r.refused ? '-' : percent(r.pixelShare),
    r.refused ? '-' : r.meanAbsDiff.toFixed(3),
    r.refused ? '-' : meta ? 'equal' : 'DIFFER',
  ];
}

const HEADER = ['target (h x w)', 'color mode', 'interpolation', 'keep aspect', 'max abs diff', 'pixels differing', 'mean abs diff', 'labels, filenames, classes'];

async function main(): Promise<void> {
  const markdown = process.argv.includes('--markdown');
  await useBestBackend();
  const idx = flowIndex();
  const changed = changedPhotos();
  if (changed.length) console.error(`warning: these photos differ from the ones Keras read (regenerate the goldens): ${changed.join(', ')}`);
  console.log(`Keras ${idx.versions.keras} (${idx.versions.keras_backend}), Pillow ${idx.versions.pillow}; ${Object.keys(idx.photos).length} photos, ${idx.cases.length} configurations, batch size ${idx.cases[0]?.batch_size}, shuffle off\n`);
  const rows: string[][] = [];
  let metaBad = 0;
  let exact = 0;
  const worst = new Map<string, { max: number; configs: number }>();
  for (const c of idx.cases) {
    const r = await measureCase(c);
    r.perImage.forEach((d, i) => {
      if (d === 0) return;
      const w = worst.get(c.filenames[i]!) ?? { max: 0, configs: 0 };
      worst.set(c.filenames[i]!, { max: Math.max(w.max, d), configs: w.configs + 1 });
    });
    const cells = row(c, r);
    if (!r.refused && cells[7] !== 'equal') metaBad++;
    if (r.maxAbsDiff === 0) exact++;
    rows.push(cells);
    if (r.refused) rows[rows.length - 1]!.push(r.refused);
  }
  if (markdown) {
    console.log(`| ${HEADER.join(' | ')} |`);
    console.log(`|${HEADER.map(() => '---').join('|')}|`);
    for (const cells of rows) console.log(`| ${cells.slice(0, HEADER.length).join(' | ')} |`);
  } else {
    const widths = HEADER.map((h, k) => Math.max(h.length, ...rows.map((cells) => cells[k]!.length)));
    const line = (cells: string[]) => cells.slice(0, HEADER.length).map((s, k) => s.padEnd(widths[k]!)).join('  ');
    console.log(line(HEADER));
    for (const cells of rows) console.log(line(cells) + (cells[HEADER.length] ? `  (${cells[HEADER.length]})` : ''));
  }
  const photos = Object.keys(idx.photos).filter((p) => worst.has(p));
  if (photos.length) {
    console.log('\nPhotos that differ (largest difference over all configurations, in how many configurations):');
    for (const p of photos) console.log(`  ${p}: ${worst.get(p)!.max} (${worst.get(p)!.configs} of ${rows.length})`);
  }
  const refused = rows.filter((cells) => cells[4] === 'refused').length;
  console.log(`\n${exact} of ${rows.length} configurations pixel-exact, ${refused} refused, ${metaBad} with labels/filenames/classes/shapes differing`);
  process.exitCode = metaBad ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
