/**
 * npm run bench [-- section...]: throughput of fit, standardize and flow on the
 * active backend (best available, or TFJS_BACKEND=cpu|wasm|tensorflow), with
 * Keras's own figures (numpy, one process, a quiet 2-core machine of this
 * kind) beside ours. Sections: zca, fit, flow, files, jpeg (default: all).
 * With KERAS_PYTHON=<python with keras>, the files and jpeg sections measure
 * the real Keras / Pillow on the same files in the same run (bench/keras/).
 * Rows: name, seconds, images/s, Keras images/s, ratio (ours / Keras).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { ImageDataGenerator, setWarningHandler, useBestBackend } from '../src/index.js';
import { WasmLinalg } from '../src/linalg/wasmLinalg.js';
import { openGram } from '../src/stats/gram.js';
import { decodeBaselineJpeg } from '../src/node/jpeg/baselineJpeg.js';
import { decodeLibjpegTurbo } from '../src/node/jpegWasm.js';
import { nearestSelection } from '../src/node/resample/resize.js';
import { jpegFolder } from './jpegFolder.js';

/** `images` is absent for rows that time a computation rather than a stream of images. */
interface Row { name: string; seconds: number; images?: number; keras?: number; kerasSeconds?: number }
const rows: Row[] = [];
const notes: string[] = [];
const sections = process.argv.slice(2);
const run = (section: string) => sections.length === 0 || sections.includes(section);

function randomImages(n: number, h: number, w: number): Float32Array {
  const out = new Float32Array(n * h * w * 3);
  let s = 12345;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 8) / 65793; // 0..255
  }
  return out;
}

/** Runs `step` (processing `perStep` images) until `minSeconds` have passed, after a warm-up. */
function throughput(name: string, perStep: number, step: () => void, keras?: number, minSeconds = 3): void {
  for (let i = 0; i < 5; i++) step();
  let steps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minSeconds * 1000) {
    step();
    steps++;
  }
  rows.push({ name, seconds: (performance.now() - t0) / 1000, images: steps * perStep, keras });
}

/**
 * With KERAS_PYTHON set (a Python with keras, e.g. /tmp/kvenv/bin/python), runs bench/keras/`script` and
 * returns the `count` images/s figures it prints; null without KERAS_PYTHON.
 */
function kerasRate(script: string, args: string[], count: number): number[] | null {
  const python = process.env.KERAS_PYTHON;
  if (!python) return null;
  const path = fileURLToPath(new URL(`./keras/${script}`, import.meta.url));
  const result = spawnSync(python, [path, ...args], { encoding: 'utf8', env: { KERAS_BACKEND: 'numpy', ...process.env } });
  const rates = [...result.stdout.matchAll(/: ([\d,]+) images\/s/g)].map((m) => Number(m[1]!.replaceAll(',', '')));
  if (result.status !== 0 || rates.length !== count) throw new Error(`KERAS_PYTHON=${python} ${path} failed:\n${result.stderr}`);
  return rates;
}

/** Runs bench/keras/`script` with KERAS_PYTHON and returns the JSON object it prints last. */
function kerasScript(script: string, args: string[]): Record<string, number> {
  const python = process.env.KERAS_PYTHON!;
  const path = fileURLToPath(new URL(`./keras/${script}`, import.meta.url));
  const result = spawnSync(python, [path, ...args], { encoding: 'utf8', env: { KERAS_BACKEND: 'numpy', ...process.env } });
  if (result.status !== 0) throw new Error(`KERAS_PYTHON=${python} ${path} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const backend = await useBestBackend();
const options = { featurewiseCenter: true, featurewiseStdNormalization: true };
const augmentation = { rotationRange: 20, widthShiftRange: 0.2, heightShiftRange: 0.2, horizontalFlip: true };

if (run('zca')) {
  // Keras's side (bench/keras/zca.py) runs first, in this same run, when KERAS_PYTHON names a Python with keras.
  const python = process.env.KERAS_PYTHON;
  let keras: Record<string, number> = {};
  if (python) {
    keras = kerasScript('zca.py', ['--fit']);
    notes.push(`zca: the Keras column was measured in this run by bench/keras/zca.py (numpy ${python}); Keras's fit peaked at ${Math.round(keras.peak_rss_mb!)} MB.`);
  } else {
    notes.push('zca: set KERAS_PYTHON=<python with keras> to measure the Keras column in the same run (bench/keras/zca.py).');
  }
  // The eigensolver alone on a covariance-like matrix, beside numpy.linalg.eigh of the same matrix: three warm
  // runs of each (after one untimed run), alternated, so that both sides see the machine in the same state.
  const kernels = (await WasmLinalg.open())!;
  for (const d of [1024, 3072]) {
    const ours: number[] = [];
    const numpy: number[] = [];
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) a[i * d + j] = a[j * d + i] = Math.exp(-Math.abs(i - j) / 8) + (i === j ? 1e-6 : 0);
    kernels.eigen(a, d);
    for (let round = 0; round < 3; round++) {
      if (python) numpy.push(kerasScript('zca.py', ['--eigh', String(d)]).eigh!);
      const t = performance.now();
      kernels.eigen(a, d);
      ours.push((performance.now() - t) / 1000);
    }
    const eigh = numpy.length > 0 ? median(numpy) : undefined;
    rows.push({ name: `symmetric eigensolver alone, d = ${d}, median of 3 alternated runs (Keras column: numpy.linalg.eigh)`, seconds: median(ours), kerasSeconds: eigh && Number(eigh.toFixed(2)) });
    notes.push(`eigensolver d = ${d}: ours ${ours.map((x) => x.toFixed(2)).join(', ')} s; numpy.linalg.eigh ${numpy.map((x) => x.toFixed(2)).join(', ') || '-'} s`);
  }
  await kernels.close();
  const n = 50_000;
  const pixels = randomImages(n, 32, 32).map(Math.round); // 8-bit values, as decoded images are
  const rssBefore = process.resourceUsage().maxRSS / 1024;
  for (const [label, data, rescale] of [
    ['8-bit pixels, rescale 1/255 (integer tiles)', pixels, 1 / 255],
    ['pixels / 255 as float32 (float64 tiles)', null, null],
  ] as const) {
    const x = data ?? pixels.map((v) => v / 255);
    const t0 = performance.now();
    await new ImageDataGenerator({ zcaWhitening: true, rescale }).fit({ data: x, shape: [n, 32, 32, 3] });
    rows.push({ name: `fit zcaWhitening, 50,000 x 32x32x3 (d = 3072), whole fit, ${label}`, seconds: (performance.now() - t0) / 1000, images: n, keras: keras.fit && n / keras.fit });
    if (data) notes.push(`peak RSS: ${Math.round(rssBefore)} MB with the 50,000 images (614 MB) in memory, ${Math.round(process.resourceUsage().maxRSS / 1024)} MB after the first ZCA fit`);
  }
  // The phases alone: streaming Gram matrix (each kind of tile), then eigendecomposition + W.
  const gram = await openGram(3072, 1, 2 ** 32);
  let t1 = performance.now();
  for (let i = 0; i < n; i += 1000) gram.add(pixels.subarray(i * 3072, (i + 1000) * 3072), 1000);
  rows.push({ name: '  phase 1: Gram matrix, 50,000 x 3072, 8-bit pixels (exact integer tiles, 2 threads)', seconds: (performance.now() - t1) / 1000, images: n });
  const fractional = pixels.subarray(0, 10_000 * 3072).map((v) => v + 0.5);
  t1 = performance.now();
  for (let i = 0; i < 10_000; i += 1000) gram.add(fractional.subarray(i * 3072, (i + 1000) * 3072), 1000);
  rows.push({ name: '  phase 1: Gram matrix, 10,000 x 3072, fractional values (float64 tiles, 2 threads)', seconds: (performance.now() - t1) / 1000, images: 10_000 });
  t1 = performance.now();
  gram.whitening(new Float64Array(3072).fill(128), 1e-6);
  rows.push({ name: '  phase 2: eigendecomposition + W, d = 3072', seconds: (performance.now() - t1) / 1000 });
  await gram.close();
  // Applying W: our wasm product (standardize, flows) beside numpy's x @ W and tf's matMul (the route before).
  const images = { data: pixels.subarray(0, 4000 * 3072), shape: [4000, 32, 32, 3] };
  const whitened = await new ImageDataGenerator({ zcaWhitening: true, rescale: 1 / 255 }).fit(images);
  const batch = tf.tensor4d(pixels.subarray(0, 32 * 3072), [32, 32, 32, 3]);
  throughput('standardize(tensor) with ZCA, 32x32x3 (d = 3072), batch 32 (Keras: numpy x @ W)', 32, () => whitened.standardize(batch).dispose(), keras.matmul32);
  const w = tf.tensor2d(whitened.toJSON().statistics.zcaWhiteningMatrix!.values, [3072, 3072]);
  const flat = tf.reshape(batch, [32, 3072]);
  throughput('  the same product with tf matMul on this backend', 32, () => tf.tidy(() => tf.matMul(flat, w)).dataSync(), keras.matmul32);
  tf.dispose([batch, w, flat]);
  for (const [label, augment, kerasRate] of [
    ['flow with ZCA, 32x32x3, batch 32 (Keras: its per-image flow)', {}, keras.flow_zca],
    ['flow with ZCA + rotation 20, shifts 0.2, h-flip, 32x32x3, batch 32', augmentation, keras.flow_zca_aug],
  ] as const) {
    const generator = await new ImageDataGenerator({ zcaWhitening: true, rescale: 1 / 255, ...augment }).fit(images);
    const flow = generator.flow(images, null, { batchSize: 32, seed: 1 });
    throughput(label, 32, () => tf.dispose(flow.next().value.xs), kerasRate);
  }
}

if (run('fit')) {
  // fit: 50,000 x 32x32x3 float32 (Keras: 2.4 to 3.5 s, i.e. 14,000 to 21,000 images/s).
  const n = 50_000;
  const x = { data: randomImages(n, 32, 32), shape: [n, 32, 32, 3] };
  const g = new ImageDataGenerator(options);
  await g.fit({ data: x.data.subarray(0, 1000 * 3072), shape: [1000, 32, 32, 3] });
  const t0 = performance.now();
  await g.fit(x);
  rows.push({ name: 'fit featurewise, 50,000 x 32x32x3', seconds: (performance.now() - t0) / 1000, images: n, keras: n / 2.95 });
}

for (const [size, n, keras] of run('flow') ? ([[32, 4096, 8_000], [224, 256, 300]] as const) : []) {
  const data = randomImages(n, size, size);
  const g = new ImageDataGenerator({ ...options, ...augmentation });
  await g.fit({ data, shape: [n, size, size, 3] });
  const flow = g.flow({ data, shape: [n, size, size, 3] }, null, { batchSize: 32, seed: 1 });
  throughput(`flow, rotation 20 + shifts 0.2 + h-flip + normalization, ${size}x${size}x3, batch 32`, 32, () => {
    const b = flow.next().value;
    tf.dispose(b.xs);
  }, keras);
}

if (run('flow')) {
  // While the caller trains on a batch (here: 40 ms of busy main thread), the worker threads transform the next one.
  const n = 256;
  const data = randomImages(n, 224, 224);
  const g = new ImageDataGenerator({ ...options, ...augmentation });
  await g.fit({ data, shape: [n, 224, 224, 3] });
  for (const workers of [0, undefined]) {
    const flow = g.flow({ data, shape: [n, 224, 224, 3] }, null, { batchSize: 32, seed: 1, workers });
    throughput(`same 224x224x3 flow + 40 ms training step per batch, workers ${workers ?? 'default (one per core less one)'}`, 32, () => {
      tf.dispose(flow.next().value.xs);
      const until = performance.now() + 40;
      while (performance.now() < until);
    });
  }
}

for (const [size, n, keras] of run('flow') ? ([[32, 4096, 72_000], [224, 256, 2_800]] as const) : []) {
  const data = randomImages(n, size, size);
  const g = new ImageDataGenerator(options);
  await g.fit({ data, shape: [n, size, size, 3] });
  const flow = g.flow({ data, shape: [n, size, size, 3] }, null, { batchSize: 32, seed: 1 });
  throughput(`flow, normalization only, ${size}x${size}x3, batch 32`, 32, () => {
    const b = flow.next().value;
    tf.dispose(b.xs);
  }, keras);
  const batch = tf.tensor4d(data.subarray(0, 32 * size * size * 3), [32, size, size, 3]);
  throughput(`standardize(tensor), ${size}x${size}x3, batch 32`, 32, () => g.standardize(batch).dispose());
  batch.dispose();
}

if (run('files')) {
  // Files: 2,000 JPEGs of 500x375 in 4 classes, resized to 224x224 (Keras: ~1,200 and ~240 images/s).
  setWarningHandler(null);
  const dir = await jpegFolder();
  for (const [label, args, keras] of [
    ['flowFromDirectory, 2,000 JPEGs 500x375 -> 224x224, batch 32', {}, 1_200],
    ['flowFromDirectory + rotation 20, shifts 0.2, h-flip, same folder', augmentation, 240],
  ] as const) {
    const it = await new ImageDataGenerator(args).flowFromDirectory(dir, { targetSize: [224, 224], batchSize: 32, seed: 1 });
    const warm = (await it.next()).value;
    tf.dispose([warm.xs, warm.ys as tf.Tensor]);
    const t0 = performance.now();
    let images = 0;
    while (performance.now() - t0 < 4000) {
      const b = (await it.next()).value;
      images += (b.xs as tf.Tensor).shape[0];
      tf.dispose([b.xs, b.ys as tf.Tensor]);
    }
    rows.push({ name: label, seconds: (performance.now() - t0) / 1000, images, keras });
  }
  // With KERAS_PYTHON, the real Keras flows the same folder right after.
  const keras = kerasRate('flow_from_directory.py', [dir], 2);
  if (keras) {
    rows.slice(-2).forEach((row, i) => (row.keras = keras[i]));
    notes.push('files: the Keras column is the real Keras (bench/keras/flow_from_directory.py, numpy backend) on the same folder, measured right after in this run.');
  }
}

if (run('jpeg')) {
  // Decoding the benchmark folder's 500x375 JPEGs on one thread: our SIMD decoder, and the libjpeg-turbo wasm build it falls back to.
  const dir = join(await jpegFolder(), 'class0');
  const files = readdirSync(dir).slice(0, 400).map((f) => new Uint8Array(readFileSync(join(dir, f))));
  const sel = nearestSelection(500, 375, 224, 224)!;
  const out = new Float32Array(224 * 224 * 3);
  let i = 0;
  const pillow = kerasRate('decode_jpeg.py', [dirname(dir)], 1)?.[0];
  throughput('decode a 500x375 JPEG, our SIMD decoder (RGB bytes)', 1, () => decodeBaselineJpeg(files[i++ % files.length]!), pillow);
  throughput('decode a 500x375 JPEG, our SIMD decoder, NEAREST 224x224 into float32', 1, () =>
    decodeBaselineJpeg(files[i++ % files.length]!, { width: 500, height: 375, sel, channels: 3, out, offset: 0 }), pillow);
  for (let k = 0; k < 50; k++) await decodeLibjpegTurbo(files[k]!, 500, 375);
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 3000) await decodeLibjpegTurbo(files[n++ % files.length]!, 500, 375);
  rows.push({ name: 'decode a 500x375 JPEG, libjpeg-turbo in wasm (no SIMD; the fallback)', seconds: (performance.now() - t0) / 1000, images: n, keras: pillow });
  if (pillow) notes.push('jpeg: the Keras column is Pillow\'s decode (`Image.open(f).convert(\'RGB\').load()`, bench/keras/decode_jpeg.py) on the same files in this run.');
}

notes.push(
  'Keras images/s (rows not measured in this run): the issues\' figures for Keras on a quiet machine of this kind. This machine' +
    ' runs the same numpy/scipy work at 60-70% of them; BENCHMARKS.md lists side-by-side runs.',
);
const table = [
  `backend: ${backend.name}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
  '',
  '| benchmark | seconds | images/s | Keras images/s | ratio to Keras |',
  '|---|---:|---:|---:|---:|',
  ...rows.map((r) => {
    const rate = r.images === undefined ? null : r.images / r.seconds;
    const keras = r.keras ? Math.round(r.keras).toLocaleString('en-US') : r.kerasSeconds ? `(${r.kerasSeconds} s)` : '-';
    const ratio = rate !== null && r.keras ? `${(rate / r.keras).toFixed(2)}x` : r.kerasSeconds ? `${(r.kerasSeconds / r.seconds).toFixed(2)}x` : '-';
    return `| ${r.name} | ${r.seconds.toFixed(2)} | ${rate === null ? '-' : Math.round(rate).toLocaleString('en-US')} | ${keras} | ${ratio} |`;
  }),
  ...notes.map((n) => `\n${n}`),
];
console.log(table.join('\n'));
