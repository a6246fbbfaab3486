import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { CorruptFileError, ImageDataGenerator, InvalidArgumentError, type Batch } from '../src/index.js';
import { captureWarningsAsync } from './helpers/generators.js';

const root = mkdtempSync(join(tmpdir(), 'idg-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A w x h RGB PNG of one colour. */
function solidPng(w: number, h: number, rgb: [number, number, number]): Uint8Array {
  const data = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) data.set(rgb, p * 3);
  return encodePng({ width: w, height: h, data, channels: 3, depth: 8 });
}

function solidJpeg(w: number, h: number, rgb: [number, number, number]): Uint8Array {
  const data = new Uint8Array(w * h * 4);
  for (let p = 0; p < w * h; p++) data.set([...rgb, 255], p * 4);
  return new Uint8Array(jpeg.encode({ width: w, height: h, data }, 100).data);
}

const COLOURS: Record<string, [number, number, number]> = { cat: [200, 40, 40], dog: [40, 200, 40], fox: [40, 40, 200] };
let good: string;

beforeAll(() => {
  good = join(root, 'good');
  for (const [name, rgb] of Object.entries(COLOURS)) {
    mkdirSync(join(good, name, 'sub'), { recursive: true });
    for (let i = 0; i < 4; i++) writeFileSync(join(good, name, `img${i}.png`), solidPng(12, 10, rgb));
    writeFileSync(join(good, name, 'sub', 'deep.JPG'), solidJpeg(8, 8, rgb));
    writeFileSync(join(good, name, 'notes.txt'), 'not an image');
  }
});

const dispose = (b: Batch) => tf.dispose([b.xs, b.ys].flat().filter((t): t is tf.Tensor => t !== undefined));

describe('flowFromDirectory', () => {
  it('a script using worker threads waits for its batches and then exits by itself', () => {
    const script = join(dirname(fileURLToPath(import.meta.url)), 'helpers/flowAndExit.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, good], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('images 8');
  });

  it('lists classes and files in Keras order and labels them per classMode', async () => {
    const g = new ImageDataGenerator();
    const it = await g.flowFromDirectory(good, { targetSize: [6, 5], batchSize: 5, shuffle: false });
    expect(it.classIndices).toEqual({ cat: 0, dog: 1, fox: 2 });
    expect(it.samples).toBe(15);
    expect(it.length).toBe(3);
    expect(it.filenames.slice(0, 5)).toEqual(['cat/img0.png', 'cat/img1.png', 'cat/img2.png', 'cat/img3.png', 'cat/sub/deep.JPG']);
    expect(it.filepaths[0]).toBe(`${good}/cat/img0.png`);
    expect(Array.from(it.classes)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    const b = (await it.next()).value;
    expect((b.xs as tf.Tensor).shape).toEqual([5, 6, 5, 3]);
    expect((b.ys as tf.Tensor).arraySync()).toEqual(new Array(5).fill([1, 0, 0]));
    // Solid colours survive decoding and resizing (nearest); the JPEG to within its compression error.
    const px = (b.xs as tf.Tensor).dataSync();
    expect(Array.from(px.subarray(0, 3))).toEqual([200, 40, 40]);
    expect(Math.max(...Array.from(px.subarray(4 * 90, 4 * 90 + 3), (v, k) => Math.abs(v - COLOURS.cat![k]!)))).toBeLessThan(4);
    dispose(b);

    for (const [classMode, expected] of [['sparse', [0, 0, 0, 0, 0]], ['binary', null]] as const) {
      if (classMode === 'binary') {
        await expect(g.flowFromDirectory(good, { classMode })).rejects.toThrow(/exactly 2 classes/);
        const two = await g.flowFromDirectory(good, { classMode, classes: ['dog', 'fox'], shuffle: false, batchSize: 10, targetSize: [4, 4] });
        const bb = (await two.next()).value;
        expect(Array.from((bb.ys as tf.Tensor).dataSync())).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
        dispose(bb);
      } else {
        const sparse = await g.flowFromDirectory(good, { classMode, shuffle: false, batchSize: 5, targetSize: [4, 4] });
        const sb = (await sparse.next()).value;
        expect(Array.from((sb.ys as tf.Tensor).dataSync())).toEqual(expected);
        dispose(sb);
      }
    }
    const input = await g.flowFromDirectory(good, { classMode: 'input', batchSize: 3, targetSize: [4, 4], colorMode: 'grayscale' });
    const ib = (await input.next()).value;
    expect((ib.xs as tf.Tensor).shape).toEqual([3, 4, 4, 1]);
    expect((ib.ys as tf.Tensor).arraySync()).toEqual((ib.xs as tf.Tensor).arraySync());
    dispose(ib);
    const none = await g.flowFromDirectory(good, { classMode: null, batchSize: 3, targetSize: [4, 4], colorMode: 'rgba' });
    const nb = (await none.next()).value;
    expect(nb.ys).toBeUndefined();
    expect((nb.xs as tf.Tensor).dataSync()[3]).toBe(255);
    dispose(nb);
  });

  it('splits each class for subsets (validation = the first part) and standardizes', async () => {
    const g = new ImageDataGenerator({ validationSplit: 0.4, rescale: 1 / 255 });
    const val = await g.flowFromDirectory(good, { subset: 'validation', shuffle: false, targetSize: [4, 4] });
    const train = await g.flowFromDirectory(good, { subset: 'training', shuffle: false, targetSize: [4, 4] });
    expect(val.filenames).toEqual(['cat/img0.png', 'cat/img1.png', 'dog/img0.png', 'dog/img1.png', 'fox/img0.png', 'fox/img1.png']);
    expect(train.samples).toBe(9);
    const b = (await val.next()).value;
    expect((b.xs as tf.Tensor).dataSync()[0]).toBeCloseTo(200 / 255, 6);
    dispose(b);
  });

  it('augments, shuffles reproducibly per seed, prefetches, and leaks no tensors', async () => {
    const g = new ImageDataGenerator({ rotationRange: 30, horizontalFlip: true, featurewiseCenter: true });
    await g.fitFromDirectory(good, { targetSize: [8, 8], onProgress: () => {} });
    const a = await g.flowFromDirectory(good, { targetSize: [8, 8], batchSize: 4, seed: 5 });
    const b = await g.flowFromDirectory(good, { targetSize: [8, 8], batchSize: 4, seed: 5 });
    const first = (await a.next()).value;
    const again = await b.batch(0, 0);
    expect((first.xs as tf.Tensor).arraySync()).toEqual((again.xs as tf.Tensor).arraySync());
    dispose(first);
    dispose(again);
    const before = tf.memory().numTensors;
    let n = 0;
    for await (const batch of a) {
      dispose(batch);
      if (++n === 30) break;
    }
    a.reset();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fitFromDirectory equals fit on the same images held in memory', async () => {
    const options = { featurewiseCenter: true, featurewiseStdNormalization: true };
    const fromFiles = await new ImageDataGenerator(options).fitFromDirectory(good, { targetSize: [10, 12], batchSize: 4, onProgress: () => {} });
    // The PNGs decode exactly; the JPEGs within compression error, so compare with the decoded arrays.
    const raw = await new ImageDataGenerator().flowFromDirectory(good, { targetSize: [10, 12], shuffle: false, batchSize: 15, classMode: null });
    const all = (await raw.next()).value.xs as tf.Tensor;
    const inMemory = await new ImageDataGenerator(options).fit(all);
    expect(Array.from(fromFiles.mean!)).toEqual(Array.from(inMemory.mean!));
    expect(Math.max(...Array.from(fromFiles.std!, (v, k) => Math.abs(v - inMemory.std![k]!)))).toBeLessThan(1e-4);
    // The decoding threads standardize each image (or the main thread, without workers) exactly as standardize() does.
    const expected = fromFiles.standardize(all);
    for (const workers of [2, 0]) {
      const flow = await fromFiles.flowFromDirectory(good, { targetSize: [10, 12], shuffle: false, batchSize: 15, classMode: null, workers });
      const xs = (await flow.next()).value.xs as tf.Tensor;
      expect(Buffer.from(xs.dataSync().buffer).equals(Buffer.from(expected.dataSync().buffer))).toBe(true);
      // Featurewise statistics of the same images: each channel now has mean ~0 and std ~1.
      const [mean, variance] = tf.tidy(() => { const m = tf.moments(xs, [0, 1, 2]); return [m.mean.arraySync() as number[], m.variance.arraySync() as number[]]; });
      mean!.forEach((m) => expect(Math.abs(m)).toBeLessThan(1e-4));
      variance!.forEach((v) => expect(Math.abs(Math.sqrt(v) - 1)).toBeLessThan(1e-3));
      xs.dispose();
    }
    expected.dispose();
    all.dispose();
  });

  it('bad files: a clear error naming the file, or skipped with one warning each', async () => {
    const bad = join(root, 'bad');
    mkdirSync(join(bad, 'a'), { recursive: true });
    mkdirSync(join(bad, 'b'), { recursive: true });
    writeFileSync(join(bad, 'a', 'ok.png'), solidPng(5, 5, [1, 2, 3]));
    writeFileSync(join(bad, 'a', 'empty.png'), new Uint8Array(0));
    const fullJpeg = solidJpeg(40, 40, [9, 9, 9]);
    writeFileSync(join(bad, 'b', 'truncated.jpg'), fullJpeg.subarray(0, Math.floor(fullJpeg.length / 2)));
    writeFileSync(join(bad, 'b', 'noise.jpg'), new Uint8Array(300).map((_, i) => (i * 37) % 256));
    writeFileSync(join(bad, 'b', 'ok.png'), solidPng(5, 5, [4, 5, 6]));
    const g = new ImageDataGenerator();
    const strict = await g.flowFromDirectory(bad, { targetSize: [5, 5], shuffle: false, batchSize: 5 });
    const err = await strict.next().catch((e) => e);
    expect(err).toBeInstanceOf(CorruptFileError);
    expect(err.message).toContain(join(bad, 'a', 'empty.png'));

    const { result: lenient, warnings } = await captureWarningsAsync(() => g.flowFromDirectory(bad, { targetSize: [5, 5], shuffle: false, batchSize: 5, onBadImage: 'skip', classMode: 'sparse' }));
    expect(lenient.samples).toBe(2);
    expect(lenient.filenames).toEqual(['a/ok.png', 'b/ok.png']);
    expect(warnings.map((w) => w.code)).toEqual(['bad-image', 'bad-image', 'bad-image']);
    const b = (await lenient.next()).value;
    expect(Array.from((b.ys as tf.Tensor).dataSync())).toEqual([0, 1]);
    expect(Array.from((b.xs as tf.Tensor).dataSync().subarray(0, 3))).toEqual([1, 2, 3]);
    dispose(b);
  });

  it('missing or empty directories and bad options are clear errors', async () => {
    const g = new ImageDataGenerator();
    await expect(g.flowFromDirectory(join(root, 'missing'))).rejects.toThrow(/`directory`: expected an existing directory/);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    // An empty directory, or class folders without images: as in Keras, an iterator of length 0, whose next() throws.
    const none = await g.flowFromDirectory(empty);
    expect([none.length, none.samples, none.classIndices]).toEqual([0, 0, {}]);
    await expect(none.next()).rejects.toThrow(/`next\(\)`: expected a flow with at least one image/);
    mkdirSync(join(empty, 'x'));
    const noImages = await g.flowFromDirectory(empty);
    expect([noImages.length, noImages.classIndices]).toEqual([0, { x: 0 }]);
    await expect(noImages.batch(0)).rejects.toThrow(/`index`/);
    await expect(g.flowFromDirectory(good, { interpolation: 'area' as never })).rejects.toThrow(/`interpolation`/);
    await expect(g.flowFromDirectory(good, { interpolation: 'constructor' as never })).rejects.toThrow(/`interpolation`/);
    await expect(g.flowFromDirectory(good, { targetSize: [0, 4] as never })).rejects.toThrow(/`targetSize`/);
    await expect(g.flowFromDirectory(good, { classes: ['cat', 'wolf'] })).rejects.toThrow(InvalidArgumentError);
    await expect(g.flowFromDirectory(good, { subset: 'training' })).rejects.toThrow(/`validationSplit`/);
    expect(readFileSync(join(good, 'cat', 'notes.txt'), 'utf8')).toBe('not an image');
  });
});

describe('flowFromDataFrame', () => {
  it('reads records or a CSV file, drops invalid file names with one warning, and encodes labels per classMode', async () => {
    const dir = join(root, 'frame');
    mkdirSync(dir, { recursive: true });
    const colours: [number, number, number][] = [[10, 0, 0], [20, 0, 0], [30, 0, 0], [40, 0, 0]];
    colours.forEach((c, i) => writeFileSync(join(dir, `f${i}.png`), solidPng(3, 3, c)));
    const rows = [
      { filename: 'f0.png', class: 'zebra', tags: ['zebra', 'ant'], score: 0.5, weight: 1, h: 1, w: 2 },
      { filename: 'f1.png', class: 'ant', tags: ['ant'], score: 1.5, weight: 2, h: 3, w: 4 },
      { filename: 'missing.png', class: 'ant', tags: ['ant'], score: 0, weight: 0, h: 0, w: 0 },
      { filename: 'f2.png', class: 'zebra', tags: ['zebra'], score: 2.5, weight: 3, h: 5, w: 6 },
      { filename: 'notes.txt', class: 'ant', tags: ['ant'], score: 0, weight: 0, h: 0, w: 0 },
      { filename: 'f3.png', class: 'ant', tags: [], score: 3.5, weight: 4, h: 7, w: 8 },
    ];
    writeFileSync(join(dir, 'notes.txt'), 'x');
    const g = new ImageDataGenerator();
    const common = { directory: dir, targetSize: [3, 3] as [number, number], shuffle: false, batchSize: 4 };
    const { result: cat, warnings } = await captureWarningsAsync(() => g.flowFromDataFrame(rows, { ...common, weightCol: 'weight' }));
    expect(warnings.map((w) => w.message)).toEqual(["Found 2 invalid image filename(s) in xCol 'filename'. They will be ignored."]);
    expect(cat.classIndices).toEqual({ ant: 0, zebra: 1 });
    expect(cat.filenames).toEqual(['f0.png', 'f1.png', 'f2.png', 'f3.png']);
    const b = (await cat.next()).value;
    expect((b.ys as tf.Tensor).arraySync()).toEqual([[0, 1], [1, 0], [0, 1], [1, 0]]);
    expect(Array.from(b.sampleWeight!.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from((b.xs as tf.Tensor).dataSync().filter((_, i) => i % 27 === 0))).toEqual([10, 20, 30, 40]);
    dispose(b);
    tf.dispose(b.sampleWeight!);

    const multi = await g.flowFromDataFrame(rows, { ...common, yCol: 'tags' });
    expect(((await multi.next()).value.ys as tf.Tensor).arraySync()).toEqual([[1, 1], [1, 0], [0, 1], [0, 0]]);
    const raw = await g.flowFromDataFrame(rows, { ...common, classMode: 'raw', yCol: 'score' });
    expect(Array.from(((await raw.next()).value.ys as tf.Tensor).dataSync())).toEqual([0.5, 1.5, 2.5, 3.5]);
    const raw2 = await g.flowFromDataFrame(rows, { ...common, classMode: 'raw', yCol: ['h', 'w'] });
    expect(((await raw2.next()).value.ys as tf.Tensor).arraySync()).toEqual([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const outputs = await g.flowFromDataFrame(rows, { ...common, classMode: 'multi_output', yCol: ['h', 'score'] });
    const ys = (await outputs.next()).value.ys as tf.Tensor[];
    expect(ys.map((t) => Array.from(t.dataSync()))).toEqual([[1, 3, 5, 7], [0.5, 1.5, 2.5, 3.5]]);
    const sparse = await g.flowFromDataFrame(rows, { ...common, classMode: 'sparse', classes: ['zebra'] });
    expect(sparse.filenames).toEqual(['f0.png', 'f2.png']);
    expect(Array.from(((await sparse.next()).value.ys as tf.Tensor).dataSync())).toEqual([0, 0]);
    await expect(g.flowFromDataFrame(rows, { ...common, classMode: 'multi_output', yCol: 'h' })).rejects.toThrow(/`yCol`/);

    const csv = join(dir, 'labels.csv');
    writeFileSync(csv, 'filename,class,weight\nf0.png,zebra,1\nf1.png,ant,2\nf3.png,ant,4\n');
    const fromCsv = await new ImageDataGenerator({ validationSplit: 1 / 3 }).flowFromDataFrame(csv, { ...common, subset: 'training', weightCol: 'weight', classMode: 'binary' });
    expect(fromCsv.filenames).toEqual(['f1.png', 'f3.png']);
    const cb = (await fromCsv.next()).value;
    expect(Array.from((cb.ys as tf.Tensor).dataSync())).toEqual([0, 0]);
    expect(Array.from(cb.sampleWeight!.dataSync())).toEqual([2, 4]);
  });
});

describe('formats sharp cannot read: BMP and Netpbm', () => {
  it('decodes 24-bit BMP, binary PPM and ASCII grey Netpbm (.ppm is in Keras\'s list, .pgm is not) to the exact pixels', async () => {
    const dir = join(root, 'formats');
    mkdirSync(join(dir, 'x'), { recursive: true });
    const w = 3, h = 2;
    const rgb = (x: number, y: number) => [10 * x + 1, 20 * y + 2, 7 * (x + y) + 3];
    // BMP: bottom-up rows of BGR, each padded to 4 bytes.
    const stride = Math.ceil((w * 3) / 4) * 4;
    const bmp = new Uint8Array(54 + stride * h);
    const v = new DataView(bmp.buffer);
    bmp.set([0x42, 0x4d]);
    v.setUint32(2, bmp.length, true); v.setUint32(10, 54, true); v.setUint32(14, 40, true);
    v.setInt32(18, w, true); v.setInt32(22, h, true); v.setUint16(26, 1, true); v.setUint16(28, 24, true);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const [r, g, b] = rgb(x, y);
      bmp.set([b!, g!, r!], 54 + (h - 1 - y) * stride + x * 3);
    }
    writeFileSync(join(dir, 'x', 'a.bmp'), bmp);
    const ppmPixels = [];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) ppmPixels.push(...rgb(x, y));
    writeFileSync(join(dir, 'x', 'b.ppm'), Buffer.concat([Buffer.from(`P6\n# comment\n${w} ${h}\n255\n`), Buffer.from(ppmPixels)]));
    writeFileSync(join(dir, 'x', 'c.ppm'), `P2\n${w} ${h}\n255\n` + Array.from({ length: w * h }, (_, i) => 40 * i).join(' ') + '\n');
    const it = await new ImageDataGenerator().flowFromDirectory(dir, { targetSize: [h, w], shuffle: false, batchSize: 3, classMode: null });
    const px = ((await it.next()).value.xs as tf.Tensor).dataSync();
    const size = w * h * 3;
    expect(Array.from(px.subarray(0, size))).toEqual(ppmPixels);
    expect(Array.from(px.subarray(size, 2 * size))).toEqual(ppmPixels);
    expect(Array.from(px.subarray(2 * size, 3 * size)).filter((_, i) => i % 3 === 0)).toEqual([0, 40, 80, 120, 160, 200]);
  });
});

describe('JPEG decoding with nearest resizing', () => {
  it("samples like PIL's NEAREST resize: output x reads source floor((x + 0.5) * in / out)", async () => {
    const dir = join(root, 'nearest');
    mkdirSync(join(dir, 'c'), { recursive: true });
    const [w, h] = [12, 10];
    const data = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x * 20, y * 24, 128, 255], (y * w + x) * 4);
    writeFileSync(join(dir, 'c', 'g.jpg'), new Uint8Array(jpeg.encode({ width: w, height: h, data }, 100).data));
    const [outH, outW] = [7, 5];
    const it = await new ImageDataGenerator().flowFromDirectory(dir, { targetSize: [outH, outW], classMode: null, batchSize: 1 });
    const px = ((await it.next()).value.xs as tf.Tensor).dataSync();
    for (let y = 0; y < outH; y++) for (let x = 0; x < outW; x++) {
      const sx = Math.floor(((x + 0.5) * w) / outW), sy = Math.floor(((y + 0.5) * h) / outH);
      // Neighbouring source pixels differ by 20 and 24, far beyond JPEG's error here.
      expect(Math.abs(px[(y * outW + x) * 3]! - sx * 20)).toBeLessThan(8);
      expect(Math.abs(px[(y * outW + x) * 3 + 1]! - sy * 24)).toBeLessThan(8);
    }
  });
});

describe('saveToDir in file flows', () => {
  it('writes each yielded image with Keras file names', async () => {
    const out = join(root, 'saved');
    mkdirSync(out, { recursive: true });
    const it = await new ImageDataGenerator({ horizontalFlip: true }).flowFromDirectory(good, { targetSize: [4, 4], batchSize: 3, seed: 2, saveToDir: out, savePrefix: 'aug', prefetch: 0 });
    const b = (await it.next()).value;
    dispose(b);
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(out);
    expect(files).toHaveLength(3);
    for (const f of files) expect(f).toMatch(/^aug_\d+_\d{1,7}\.png$/);
  });
});

describe('colour modes from any source', () => {
  it('keeps the source alpha for rgba, reads grey PNGs exactly, and converts RGB with PIL luma', async () => {
    const dir = join(root, 'modes');
    mkdirSync(join(dir, 'c'), { recursive: true });
    writeFileSync(join(dir, 'c', 'a.png'), encodePng({ width: 2, height: 2, data: new Uint8Array([10, 20, 30, 100, 10, 20, 30, 100, 10, 20, 30, 100, 10, 20, 30, 100]), channels: 4, depth: 8 }));
    writeFileSync(join(dir, 'c', 'b.png'), encodePng({ width: 2, height: 2, data: new Uint8Array([0, 77, 150, 255]), channels: 1, depth: 8 }));
    const g = new ImageDataGenerator();
    const rgba = await g.flowFromDirectory(dir, { targetSize: [2, 2], colorMode: 'rgba', shuffle: false, batchSize: 2, classMode: null });
    const a = ((await rgba.next()).value.xs as tf.Tensor).dataSync();
    expect(Array.from(a.subarray(0, 4))).toEqual([10, 20, 30, 100]);
    const grey = await g.flowFromDirectory(dir, { targetSize: [2, 2], colorMode: 'grayscale', shuffle: false, batchSize: 2, classMode: null });
    const v = ((await grey.next()).value.xs as tf.Tensor).dataSync();
    // PIL: L = (R * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16
    expect(v[0]).toBe((10 * 19595 + 20 * 38470 + 30 * 7471 + 0x8000) >> 16);
    expect(Array.from(v.subarray(4, 8))).toEqual([0, 77, 150, 255]);
  });
});

describe('worker threads', () => {
  it('decoding and augmenting in workers gives the same batches as on the main thread', async () => {
    const g = new ImageDataGenerator({ rotationRange: 30, zoomRange: 0.2, horizontalFlip: true, rescale: 1 / 255 });
    const options = { targetSize: [9, 7] as [number, number], batchSize: 6, seed: 11 };
    const inWorkers = await g.flowFromDirectory(good, { ...options, workers: 2 });
    const onMain = await g.flowFromDirectory(good, { ...options, workers: 0 });
    for (let k = 0; k < 4; k++) {
      const a = (await inWorkers.next()).value;
      const b = (await onMain.next()).value;
      expect((a.xs as tf.Tensor).arraySync()).toEqual((b.xs as tf.Tensor).arraySync());
      expect((a.ys as tf.Tensor).arraySync()).toEqual((b.ys as tf.Tensor).arraySync());
      dispose(a);
      dispose(b);
    }
    await expect(g.flowFromDirectory(good, { workers: -1 })).rejects.toThrow(/`workers`/);
  });

  // On wasm the tensor copies the pixels and the buffer is reused; on cpu the tensor keeps an array of its own.
  it.each(['wasm', 'cpu'])('a batch keeps its values while later batches reuse the shared decoding buffers (%s backend)', async (backend) => {
    const previous = tf.getBackend();
    await tf.setBackend(backend);
    onTestFinished(async () => {
      await tf.setBackend(previous);
    });
    const options = { targetSize: [9, 7] as [number, number], batchSize: 5, seed: 3, shuffle: true };
    const held = await new ImageDataGenerator({ rotationRange: 30 }).flowFromDirectory(good, { ...options, workers: 2 });
    const reference = await new ImageDataGenerator({ rotationRange: 30 }).flowFromDirectory(good, { ...options, workers: 0 });
    const first = (await held.next()).value;
    const expected = (await reference.next()).value;
    for (let k = 0; k < 6; k++) dispose((await held.next()).value);
    expect((first.xs as tf.Tensor).arraySync()).toEqual((expected.xs as tf.Tensor).arraySync());
    dispose(first);
    dispose(expected);
  });
});
