// Run by test/package.test.ts inside a scratch project that installed the packed tarball,
// @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm: a user's ESM program, with no tsx and
// no access to the repository. Prints one JSON line of facts for the test to check.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ImageDataGenerator, NotFittedError, useBestBackend } from 'tfjs-image-data-generator';

// Every worker thread this process starts (the library's decode and augmentation pools and the
// ZCA solver's second thread); a missing worker module would fail the flow instead.
let workersStarted = 0;
process.on('worker', () => { workersStarted += 1; });

/** An 8-bit RGB PNG, written by hand so the consumer needs no image package. */
function png(width, height, rgb) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) rows.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

const facts = {};
const work = mkdtempSync(join(tmpdir(), 'idg-consumer-'));
try {
  const choice = await useBestBackend({ candidates: ['wasm'] });
  facts.backend = tf.getBackend();
  facts.choice = choice?.name ?? choice;

  // Deterministic images with some structure: 16 of 6 x 5 x 3, values 0..255.
  const n = 16, h = 6, w = 5, c = 3;
  const pixels = new Float32Array(n * h * w * c).map((_, i) => (i * 37 + (i % 7) * 11) % 256);
  const x = tf.tensor4d(pixels, [n, h, w, c]);

  const fresh = new ImageDataGenerator({ featurewiseCenter: true });
  try { fresh.standardize(x); facts.unfitted = 'no error'; } catch (e) { facts.unfitted = e instanceof NotFittedError ? 'NotFittedError' : String(e); }

  const generator = new ImageDataGenerator({
    featurewiseCenter: true, zcaWhitening: true,
    rotationRange: 20, horizontalFlip: true, widthShiftRange: 0.1,
  });
  await generator.fit(x);
  facts.mean = Array.from(generator.mean);
  const standardized = generator.standardize(x);
  facts.standardizedShape = standardized.shape;
  facts.standardizedFinite = tf.all(tf.isFinite(standardized)).dataSync()[0] === 1;

  // An augmented array flow with one worker thread, against the same seed on the calling thread.
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % 2), 'int32'), 2);
  const threaded = generator.flow(x, labels, { batchSize: 8, seed: 11, workers: 1 }).next().value;
  const inline = generator.flow(x, labels, { batchSize: 8, seed: 11, workers: 0 }).next().value;
  facts.flowShape = threaded.xs.shape;
  facts.flowMatchesCallingThread = tf.max(tf.abs(tf.sub(threaded.xs, inline.xs))).dataSync()[0] === 0;

  // flowFromDirectory over PNGs in two class folders, decoded by two worker threads.
  const images = join(work, 'images');
  for (const [k, name] of ['cat', 'dog'].entries()) {
    mkdirSync(join(images, name), { recursive: true });
    for (let i = 0; i < 3; i++) {
      const rgb = new Uint8Array(w * h * c).map((_, j) => (j * 13 + i * 50 + k * 100) % 256);
      writeFileSync(join(images, name, `${i}.png`), png(w, h, rgb));
    }
  }
  const files = await generator.flowFromDirectory(images, { targetSize: [h, w], batchSize: 6, shuffle: false, workers: 2 });
  const batch = await files.next();
  facts.directory = { classIndices: files.classIndices, samples: files.samples, xs: batch.value.xs.shape, ys: batch.value.ys.shape };
  facts.directoryFinite = tf.all(tf.isFinite(batch.value.xs)).dataSync()[0] === 1;

  // Save and load the fitted state; the loaded generator standardizes identically.
  const saved = join(work, 'saved');
  await generator.save(saved);
  const loaded = await ImageDataGenerator.load(saved);
  facts.loadedEqual = tf.max(tf.abs(tf.sub(loaded.standardize(x), standardized))).dataSync()[0] === 0;

  facts.workersStarted = workersStarted;
  console.log(JSON.stringify(facts));
} finally {
  rmSync(work, { recursive: true, force: true });
}
