/**
 * npm run soak [-- --fits N --flows N]: a long-running reliability soak, not
 * part of the test suite. Starts and drops many small ZCA fits (8..40 images
 * of 4x4x3 or 8x8x1, on the wasm backend) and small file flows (a temp folder
 * of PNG/JPEG images; flowFromDirectory with workers 0/1/2, augmentation on
 * and off, one or two next() calls, then dropped), each under a watchdog.
 * An operation that takes longer than --timeout seconds (default 30) is a
 * hang: it is reported with its parameters and the process exits 1.
 * Final line: operations, hangs, errors by type, wall time, peak RSS and the
 * tensors left (tf.memory().numTensors at the end minus at the start; every
 * second fitted generator is dropped without dispose(), on purpose, and keeps
 * its one ZCA tensor, so those are counted apart from unexplained tensors).
 * Exit code: 0 when there were no hangs, no errors and no unexplained tensors.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { ImageDataGenerator, setWarningHandler, useBestBackend } from '../src/index.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name}: expected an integer >= 0, received ${process.argv[i + 1]}`);
    process.exit(2);
  }
  return value;
}

const FITS = option('fits', 10_000);
const FLOWS = option('flows', 3_000);
const TIMEOUT_S = option('timeout', 30);
const SEED = option('seed', 20240601);

/** A small deterministic generator (mulberry32) so a run can be repeated. */
let state = SEED >>> 0;
function rand(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const randInt = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

const backend = await useBestBackend({ candidates: ['wasm'] });
const warnings = new Map<string, number>();
setWarningHandler((w) => {
  const key = w.message.slice(0, 80);
  warnings.set(key, (warnings.get(key) ?? 0) + 1);
});

// A folder of small images in two class sub-folders, PNG and JPEG, of a few sizes.
const root = mkdtempSync(join(tmpdir(), 'idg-soak-'));
for (const [k, cls] of ['cats', 'dogs'].entries()) {
  mkdirSync(join(root, cls));
  for (let i = 0; i < 3; i++) {
    const width = 6 + 3 * i;
    const height = 5 + 2 * i;
    const rgba = new Uint8Array(width * height * 4);
    for (let p = 0; p < rgba.length; p++) rgba[p] = (p % 4 === 3) ? 255 : (p * 37 + i * 11 + k * 101) & 255;
    writeFileSync(join(root, cls, `img${i}.png`), encodePng({ width, height, data: rgba, channels: 4, depth: 8 }));
    writeFileSync(join(root, cls, `img${i}.jpg`), jpeg.encode({ width, height, data: rgba }, 90).data);
  }
}

interface Outcome { ok: boolean; errorName?: string; message?: string }
const errors = new Map<string, number>();
const errorExamples = new Map<string, string>();
let operations = 0;
/** Generators dropped without dispose() after a ZCA standardize: each still owns its ZCA matrix tensor (README: dispose() frees it). */
let undisposedZca = 0;
let hangs = 0;
let longest = { seconds: 0, what: '' };
const startTensors = tf.memory().numTensors;
const t0 = performance.now();

/** Runs `op` under a watchdog; a hang ends the soak with exit code 1 (the stuck work cannot be cancelled). */
async function guarded(what: string, op: () => Promise<void>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  const watchdog = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), TIMEOUT_S * 1000);
  });
  let outcome: Outcome;
  try {
    const result = await Promise.race([op().then(() => 'done' as const), watchdog]);
    if (result === 'hang') {
      hangs++;
      console.error(`HANG: ${what} took more than ${TIMEOUT_S} s`);
      summary();
      process.exit(1);
    }
    outcome = { ok: true };
  } catch (e) {
    const err = e as Error;
    outcome = { ok: false, errorName: err?.name ?? typeof e, message: err?.message ?? String(e) };
    errors.set(outcome.errorName!, (errors.get(outcome.errorName!) ?? 0) + 1);
    if (!errorExamples.has(outcome.errorName!)) errorExamples.set(outcome.errorName!, `${what}: ${outcome.message}`);
  } finally {
    clearTimeout(timer);
  }
  const seconds = (performance.now() - started) / 1000;
  if (seconds > longest.seconds) longest = { seconds, what };
  operations++;
  return outcome;
}

function peakRssMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function summary(): void {
  const wall = (performance.now() - t0) / 1000;
  const errorText = errors.size === 0 ? 'none' : [...errors].map(([k, v]) => `${k}=${v}`).join(', ');
  for (const [name, example] of errorExamples) console.log(`  first ${name}: ${example}`);
  for (const [message, count] of warnings) console.log(`  warning x${count}: ${message}`);
  console.log(`  slowest operation: ${longest.seconds.toFixed(2)} s (${longest.what})`);
  console.log(
    `SOAK backend=${backend.name ?? backend} fits=${FITS} flows=${FLOWS} operations=${operations} hangs=${hangs} ` +
      `errors=${errorText} wall=${wall.toFixed(1)}s peakRSS=${peakRssMB()}MB ` +
      `tensorsLeft=${tf.memory().numTensors - startTensors} (start ${startTensors}, end ${tf.memory().numTensors}; ` +
      `${undisposedZca} are the ZCA matrices of generators deliberately dropped without dispose(), ` +
      `unexplained ${tf.memory().numTensors - startTensors - undisposedZca})`,
  );
}

function progress(phase: string, done: number, total: number): void {
  const every = Math.max(1, Math.round(total / 20));
  if (done % every !== 0 && done !== total) return;
  const wall = ((performance.now() - t0) / 1000).toFixed(0);
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
  console.log(`[${wall}s] ${phase} ${done}/${total}  errors=${errorCount}  rss=${Math.round(process.memoryUsage().rss / 1048576)}MB  peak=${peakRssMB()}MB  tensors=${tf.memory().numTensors}`);
}

// Phase 1: ZCA fits, each followed by one standardize, then the generator is dropped.
for (let i = 1; i <= FITS; i++) {
  const n = randInt(8, 40);
  const [h, w, c] = pick([[4, 4, 3], [8, 8, 1]] as const);
  const epsilon = pick([1e-6, 1e-3, 0.1]);
  const data = new Float32Array(n * h * w * c);
  for (let j = 0; j < data.length; j++) data[j] = rand();
  const what = `fit #${i}: new ImageDataGenerator({zcaWhitening: true, zcaEpsilon: ${epsilon}}).fit({shape: [${n}, ${h}, ${w}, ${c}]}) (seed ${SEED})`;
  await guarded(what, async () => {
    const generator = new ImageDataGenerator({ zcaWhitening: true, zcaEpsilon: epsilon });
    await generator.fit({ data, shape: [n, h, w, c] });
    const out = generator.standardize({ data: data.subarray(0, h * w * c), shape: [1, h, w, c] });
    const values = out.dataSync();
    out.dispose();
    if (!values.every(Number.isFinite)) throw Object.assign(new Error('non-finite standardized value'), { name: 'SilentNonFinite' });
    if (i % 2 === 0) generator.dispose();
    else undisposedZca++;
  });
  progress('fits', i, FITS);
}

// Phase 2: file flows, dropped after one or two batches.
const AUGMENT = { rotationRange: 20, widthShiftRange: 0.1, heightShiftRange: 0.1, zoomRange: 0.2, horizontalFlip: true, brightnessRange: [0.8, 1.2] as [number, number] };
for (let i = 1; i <= FLOWS; i++) {
  const workers = pick([0, 1, 2]);
  const augment = rand() < 0.5;
  const calls = randInt(1, 2);
  const batchSize = randInt(1, 8);
  const targetSize: [number, number] = pick([[4, 4], [8, 8], [5, 7]]);
  const colorMode = pick(['rgb', 'grayscale', 'rgba'] as const);
  const rescale = pick([null, 1 / 255]);
  const shuffle = rand() < 0.5;
  const what = `flow #${i}: new ImageDataGenerator({${augment ? 'augmentation, ' : ''}rescale: ${rescale}}).flowFromDirectory(dir, {workers: ${workers}, batchSize: ${batchSize}, targetSize: [${targetSize}], colorMode: '${colorMode}', shuffle: ${shuffle}}) then ${calls} next() (seed ${SEED})`;
  await guarded(what, async () => {
    const generator = new ImageDataGenerator({ ...(augment ? AUGMENT : {}), rescale });
    const flow = await generator.flowFromDirectory(root, { workers, batchSize, targetSize, colorMode, shuffle, seed: i });
    for (let k = 0; k < calls; k++) {
      const { xs, ys } = (await flow.next()).value;
      const images = xs as tf.Tensor;
      const expected = [Math.min(batchSize, 12), targetSize[0], targetSize[1], colorMode === 'grayscale' ? 1 : colorMode === 'rgb' ? 3 : 4];
      const shapeOk = images.shape.length === 4 && images.shape.slice(1).every((d, j) => d === expected[j + 1]) && images.shape[0]! <= batchSize;
      const finite = (images.dataSync() as Float32Array).every(Number.isFinite);
      tf.dispose([images, ys as tf.Tensor]);
      if (!shapeOk) throw Object.assign(new Error(`batch of shape [${images.shape}], expected [<=${batchSize}, ${expected.slice(1)}]`), { name: 'SilentWrongShape' });
      if (!finite) throw Object.assign(new Error('non-finite pixel in a batch'), { name: 'SilentNonFinite' });
    }
  });
  progress('flows', i, FLOWS);
}

summary();
rmSync(root, { recursive: true, force: true });
const leaked = tf.memory().numTensors - startTensors - undisposedZca;
process.exit(hangs > 0 || errors.size > 0 || leaked !== 0 ? 1 : 0);
