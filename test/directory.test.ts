import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    expect(b.ys!.arraySync()).toEqual(new Array(5).fill([1, 0, 0]));
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
        expect(Array.from(bb.ys!.dataSync())).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
        dispose(bb);
      } else {
        const sparse = await g.flowFromDirectory(good, { classMode, shuffle: false, batchSize: 5, targetSize: [4, 4] });
        const sb = (await sparse.next()).value;
        expect(Array.from(sb.ys!.dataSync())).toEqual(expected);
        dispose(sb);
      }
    }
    const input = await g.flowFromDirectory(good, { classMode: 'input', batchSize: 3, targetSize: [4, 4], colorMode: 'grayscale' });
    const ib = (await input.next()).value;
    expect((ib.xs as tf.Tensor).shape).toEqual([3, 4, 4, 1]);
    expect(ib.ys!.arraySync()).toEqual((ib.xs as tf.Tensor).arraySync());
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
    expect(Array.from(b.ys!.dataSync())).toEqual([0, 1]);
    expect(Array.from((b.xs as tf.Tensor).dataSync().subarray(0, 3))).toEqual([1, 2, 3]);
    dispose(b);
  });

  it('missing or empty directories and bad options are clear errors', async () => {
    const g = new ImageDataGenerator();
    await expect(g.flowFromDirectory(join(root, 'missing'))).rejects.toThrow(/`directory`: expected an existing directory/);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await expect(g.flowFromDirectory(empty)).rejects.toThrow(/at least one class sub-folder/);
    mkdirSync(join(empty, 'x'));
    await expect(g.flowFromDirectory(empty)).rejects.toThrow(/None found/);
    await expect(g.flowFromDirectory(good, { interpolation: 'box' })).rejects.toThrow(/`interpolation`/);
    await expect(g.flowFromDirectory(good, { targetSize: [0, 4] as never })).rejects.toThrow(/`targetSize`/);
    await expect(g.flowFromDirectory(good, { classes: ['cat', 'wolf'] })).rejects.toThrow(InvalidArgumentError);
    await expect(g.flowFromDirectory(good, { subset: 'training' })).rejects.toThrow(/`validationSplit`/);
    expect(readFileSync(join(good, 'cat', 'notes.txt'), 'utf8')).toBe('not an image');
  });
});
