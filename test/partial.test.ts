// Partial fits (issue 16): partials of any split merge to the fit of the whole. Expected values are computed
// here in float64 from the pixels (independently of the library's moment and Gram code).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { encode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CorruptFileError, ImageDataGenerator, type ImageDataGeneratorArgs, InvalidArgumentError, PartialMismatchError, PartialStatistics,
  fileKey, fitImageSeed, loadPartial, savePartial,
} from '../src/index.js';
import { captureWarnings, testData } from './helpers/generators.js';

const root = mkdtempSync(join(tmpdir(), 'idg-partial-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Hwc = [number, number, number];

/** n images of shape hwc (NHWC), integers 0..255 when `integral`, else floats of mixed sign and scale. */
function images(n: number, [h, w, c]: Hwc, integral: boolean, seed = 3): Float32Array {
  const r = testData(n * h * w * c, seed);
  return r.map((v, i) => (integral ? Math.floor(v * 256) : (v - 0.3) * 1000 + (i % c) * 50));
}

const slice = (x: Float32Array, [h, w, c]: Hwc, from: number, to: number) => ({ data: x.slice(from * h * w * c, to * h * w * c), shape: [to - from, h, w, c] });

/** Per-channel mean and population std in float64, two passes, of `values` (NHWC, already scaled). */
function reference(values: ArrayLike<number>, c: number): { mean: number[]; std: number[] } {
  const n = values.length / c;
  const mean = Array.from({ length: c }, (_, k) => {
    let s = 0;
    for (let i = k; i < values.length; i += c) s += values[i]!;
    return s / n;
  });
  const std = mean.map((m, k) => {
    let s = 0;
    for (let i = k; i < values.length; i += c) s += (values[i]! - m) ** 2;
    return Math.sqrt(s / n);
  });
  return { mean, std };
}

const relative = (got: ArrayLike<number>, want: ArrayLike<number>) => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num += (got[i]! - want[i]!) ** 2;
    den += want[i]! ** 2;
  }
  return Math.sqrt(num / den);
};

/** Cut points of a split of n images into parts of the given sizes. */
const cuts = (sizes: number[]) => sizes.reduce((a, s) => [...a, a[a.length - 1]! + s], [0]);

const quiet = <T>(fn: () => T) => captureWarnings(fn).result;

async function partialsOf(g: ImageDataGenerator, x: Float32Array, hwc: Hwc, sizes: number[], options: { augment?: boolean; rounds?: number; seed?: number } = {}) {
  const at = cuts(sizes);
  const parts: PartialStatistics[] = [];
  for (let k = 0; k < sizes.length; k++) {
    const part = slice(x, hwc, at[k]!, at[k + 1]!);
    // Odd parts as a stream of two batches (one may be empty), even ones as one array.
    const input = k % 2 === 1 ? [slice(part.data, hwc, 0, Math.floor(sizes[k]! / 2)), slice(part.data, hwc, Math.floor(sizes[k]! / 2), sizes[k]!)] : part;
    parts.push(await g.fitPartial(input, { ...options, ...(options.augment ? { firstIndex: at[k]! } : {}) }));
  }
  return parts;
}

const N = 37;
const SPLITS: Record<string, number[]> = {
  'one part': [N],
  'uneven parts with an empty one': [10, 1, 0, 26],
  'one image per part': Array.from({ length: N }, () => 1),
  'empty parts first and last': [0, 20, 17, 0],
};

describe('featurewise partials merge to the fit of the whole', () => {
  const hwc: Hwc = [5, 4, 3];
  for (const integral of [true, false]) {
    const x = images(N, hwc, integral);
    const args: ImageDataGeneratorArgs = { featurewiseCenter: true, featurewiseStdNormalization: true, rescale: integral ? 1 / 255 : 0.01 };
    const scale = args.rescale!;
    const want = reference(Array.from(x, (v) => v * scale), 3);
    for (const [name, sizes] of Object.entries(SPLITS)) {
      it(`${integral ? 'integer' : 'float'} pixels, ${name}: float64 mean and std within 1e-12 of a float64 computation`, async () => {
        const g = new ImageDataGenerator(args);
        const before = tf.memory().numTensors;
        const parts = await partialsOf(g, x, hwc, sizes);
        const merged = PartialStatistics.merge(parts);
        expect(merged.images).toBe(N);
        expect(relative(merged.mean, want.mean)).toBeLessThan(1e-12);
        expect(relative(merged.variance().map(Math.sqrt), want.std)).toBeLessThan(1e-12);
        const fromParts = await ImageDataGenerator.mergePartials(parts);
        const whole = await new ImageDataGenerator(args).fit({ data: x, shape: [N, ...hwc] });
        expect(Array.from(fromParts.mean!)).toEqual(Array.from(whole.mean!));
        expect(Array.from(fromParts.std!)).toEqual(Array.from(whole.std!));
        expect(g.mean).toBeNull(); // fitPartial leaves the generator unfitted
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  it('channelsFirst partials take and give channelsFirst data', async () => {
    const x = images(9, hwc, true);
    const chw = tf.tidy(() => tf.transpose(tf.tensor4d(x, [9, ...hwc]), [0, 3, 1, 2]));
    const args: ImageDataGeneratorArgs = { featurewiseCenter: true, featurewiseStdNormalization: true, dataFormat: 'channelsFirst' };
    const g = new ImageDataGenerator(args);
    const parts = [await g.fitPartial(tf.slice(chw, 0, 4)), await g.fitPartial(tf.slice(chw, 4, 5))];
    const merged = PartialStatistics.merge(parts);
    const want = reference(x, 3);
    expect(relative(merged.mean, want.mean)).toBeLessThan(1e-12);
    expect((await ImageDataGenerator.mergePartials(parts)).toJSON().statistics.mean!.shape).toEqual([3, 1, 1]);
    tf.dispose(chw);
  });
});

describe('augmented partials: image i of round r is transformed with getRandomTransform(shape, fitImageSeed(seed, r, firstIndex + i))', () => {
  const hwc: Hwc = [6, 5, 3];
  const n = 11;
  const x = images(n, hwc, true, 5);
  const args: ImageDataGeneratorArgs = {
    featurewiseCenter: true, featurewiseStdNormalization: true, rescale: 1 / 255, rotationRange: 30, widthShiftRange: 0.2, horizontalFlip: true,
    zoomRange: 0.2, channelShiftRange: 0.1,
  };
  const seed = 77;
  const rounds = 3;

  /** The augmented, rescaled images of the whole fit, made through the public per-image API. */
  function augmentedCopies(): number[] {
    const g = new ImageDataGenerator(args);
    const out: number[] = [];
    const size = hwc[0] * hwc[1] * hwc[2];
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < n; i++) {
        const image = tf.tensor3d(x.slice(i * size, (i + 1) * size).map((v) => v / 255), hwc);
        const params = g.getRandomTransform(hwc, fitImageSeed(seed, r, i));
        const t = g.applyTransform(image, params);
        out.push(...t.dataSync());
        tf.dispose([image, t]);
      }
    }
    return out;
  }

  for (const rng of ['default', 'numpy'] as const) {
    it(`rng '${rng}': merges of uneven, one-image and empty parts equal the whole fit with firstIndex 0 and a float64 computation`, async () => {
      const want = reference(augmentedCopies(), 3);
      const g = new ImageDataGenerator({ ...args, rng });
      const whole = await new ImageDataGenerator({ ...args, rng }).fit({ data: x, shape: [n, ...hwc] }, { augment: true, rounds, seed, firstIndex: 0 });
      for (const sizes of [[n], [4, 0, 1, 6], Array.from({ length: n }, () => 1)]) {
        const parts = await partialsOf(g, x, hwc, sizes, { augment: true, rounds, seed });
        const merged = PartialStatistics.merge(parts);
        expect(merged.images).toBe(n * rounds);
        if (rng === 'default') {
          expect(relative(merged.mean, want.mean)).toBeLessThan(1e-12);
          expect(relative(merged.variance().map(Math.sqrt), want.std)).toBeLessThan(1e-12);
        }
        const fromParts = await ImageDataGenerator.mergePartials(parts);
        expect(Array.from(fromParts.mean!)).toEqual(Array.from(whole.mean!));
        expect(Array.from(fromParts.std!)).toEqual(Array.from(whole.std!));
      }
    });
  }

  it("without firstIndex, fit keeps Keras's one stream (a different sample than per-image seeds)", async () => {
    const keyed = await new ImageDataGenerator(args).fit({ data: x, shape: [n, ...hwc] }, { augment: true, rounds, seed, firstIndex: 0 });
    const stream = await new ImageDataGenerator(args).fit({ data: x, shape: [n, ...hwc] }, { augment: true, rounds, seed });
    expect(Array.from(stream.mean!)).not.toEqual(Array.from(keyed.mean!));
    await expect(new ImageDataGenerator(args).fitPartial({ data: x, shape: [n, ...hwc] }, { augment: true, firstIndex: -1 })).rejects.toThrow(/`firstIndex`: expected a non-negative integer/);
  });
});

describe('ZCA partials', () => {
  /** sum (x - c)(x - c)^T and sum (x - c) over NHWC images, in float64, for the centre c. */
  function centredSums(x: Float32Array, n: number, d: number, c: Float64Array) {
    const s = new Float64Array(d * d);
    const sums = new Float64Array(d);
    const y = new Float64Array(d);
    for (let t = 0; t < n; t++) {
      for (let i = 0; i < d; i++) y[i] = x[t * d + i]! - c[i]!;
      for (let i = 0; i < d; i++) {
        sums[i]! += y[i]!;
        for (let j = 0; j < d; j++) s[i * d + j]! += y[i]! * y[j]!;
      }
    }
    return { s, sums };
  }

  const hwc: Hwc = [4, 4, 3];
  const d = 48;
  const n = 130;
  for (const integral of [true, false]) {
    it(`${integral ? 'integer' : 'float'} pixels: the merged Gram sums within 1e-12 of float64 sums, W within 1e-10 of one fit`, async () => {
      const x = images(n, hwc, integral, 9);
      const args: ImageDataGeneratorArgs = { zcaWhitening: true, featurewiseCenter: true, rescale: integral ? 1 / 255 : 0.001, zcaEpsilon: 1e-3 };
      const whole = await quiet(() => new ImageDataGenerator(args)).fit({ data: x, shape: [n, ...hwc] });
      const wholeW = whole.toJSON().statistics.zcaWhiteningMatrix!.values;
      for (const sizes of [[40, 0, 1, 89], [n], [7, 123]]) {
        const g = quiet(() => new ImageDataGenerator(args));
        const before = tf.memory().numTensors;
        const parts = await partialsOf(g, x, hwc, sizes);
        const merged = PartialStatistics.merge(parts);
        const gram = merged.gram!;
        expect(gram.count).toBe(n);
        const want = centredSums(x, n, d, gram.centre);
        expect(relative(gram.s, want.s)).toBeLessThan(1e-12);
        expect(Math.max(...gram.sums.map((v, i) => Math.abs(v - want.sums[i]!)))).toBeLessThan(1e-9 * n * 256);
        const w = (await ImageDataGenerator.mergePartials(parts)).toJSON().statistics.zcaWhiteningMatrix!.values;
        expect(relative(w, wholeW)).toBeLessThan(1e-10);
        expect(tf.memory().numTensors).toBe(before);
      }
    });
  }

  it('a ZCA partial needs the memory budget as a fit does', async () => {
    const g = quiet(() => new ImageDataGenerator({ zcaWhitening: true, zcaMaxBytes: 1000 }));
    await expect(g.fitPartial({ data: images(2, hwc, true), shape: [2, ...hwc] })).rejects.toThrow(/zcaMaxBytes/);
  });
});

describe('merging refuses partials fitted differently, naming the difference', () => {
  const hwc: Hwc = [3, 3, 3];
  const x = { data: images(4, hwc, true), shape: [4, ...hwc] };
  const base: ImageDataGeneratorArgs = { featurewiseCenter: true, rescale: 1 / 255 };

  async function mismatch(a: Promise<PartialStatistics>, b: Promise<PartialStatistics>, argument: string) {
    const error = await ImageDataGenerator.mergePartials([await a, await b]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialMismatchError);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as PartialMismatchError).argument).toBe(argument);
    expect((error as PartialMismatchError).index).toBe(1);
    return (error as Error).message;
  }

  it('options, data format, fit options and image shape', async () => {
    const g = new ImageDataGenerator(base);
    const message = await mismatch(g.fitPartial(x), new ImageDataGenerator({ ...base, rescale: 0.5 }).fitPartial(x), 'partials[1].config.rescale');
    expect(message).toContain('as in partials[0], received 0.5');
    await mismatch(g.fitPartial(x), new ImageDataGenerator({ ...base, dataFormat: 'channelsFirst' }).fitPartial({ data: x.data, shape: [4, 3, 3, 3] }), 'partials[1].config.dataFormat');
    await mismatch(g.fitPartial(x, { augment: true, seed: 1 }), g.fitPartial(x, { augment: true, rounds: 2, seed: 1 }), 'partials[1].fitOptions.rounds');
    await mismatch(g.fitPartial(x), g.fitPartial(x, { augment: true, seed: 1 }), 'partials[1].fitOptions.augment');
    const wide = { data: images(2, [3, 4, 3], true), shape: [2, 3, 4, 3] };
    expect(await mismatch(g.fitPartial(x), g.fitPartial(wide), 'partials[1].imageShape')).toContain('expected [3,3,3], as in partials[0], received [3,4,3]');
  });

  it('empty partials merge with any shape; only empty ones, or none, are refused', async () => {
    const g = new ImageDataGenerator(base);
    const empty = await g.fitPartial((function* () {})());
    expect(empty.imageShape).toBeNull();
    const emptyBatch = await g.fitPartial({ data: new Float32Array(0), shape: [0, 7, 7, 3] });
    const merged = await ImageDataGenerator.mergePartials([empty, await g.fitPartial(x), emptyBatch]);
    expect(merged.mean!.length).toBe(3);
    await expect(ImageDataGenerator.mergePartials([empty])).rejects.toThrow(/`partials`: expected at least one image/);
    await expect(ImageDataGenerator.mergePartials([])).rejects.toThrow(InvalidArgumentError);
    await expect(ImageDataGenerator.mergePartials([{} as PartialStatistics])).rejects.toThrow(/`partials\[0\]`/);
  });
});

describe('partials save and load', () => {
  const hwc: Hwc = [4, 3, 3];
  const x = images(10, hwc, false, 11);

  it('round trip: a loaded partial merges to exactly the same generator; a refreshed merge adds new data', async () => {
    const args: ImageDataGeneratorArgs = { zcaWhitening: true, featurewiseCenter: true, featurewiseStdNormalization: true, rescale: 0.01, zcaEpsilon: 0.1 };
    const g = quiet(() => new ImageDataGenerator(args));
    const parts = [await g.fitPartial(slice(x, hwc, 0, 6)), await g.fitPartial(slice(x, hwc, 6, 10))];
    const dir = join(root, 'saved');
    await savePartial(PartialStatistics.merge(parts.slice(0, 1)), dir);
    const loaded = await loadPartial(dir);
    expect(loaded.config).toEqual(parts[0]!.config);
    expect(loaded.gram!.s).toEqual(parts[0]!.gram!.s);
    // Refresh: the saved partial plus a new one equals one fit of all the data.
    const refreshed = (await ImageDataGenerator.mergePartials([loaded, parts[1]!])).toJSON();
    expect(refreshed).toEqual((await ImageDataGenerator.mergePartials(parts)).toJSON());
    expect(readdirSync(dir).sort()).toEqual(['partial.json', expect.stringMatching(/^partial\.weights\.[A-Za-z0-9-]+\.bin$/)]);
  });

  it('damaged, foreign or missing files are CorruptFileErrors naming the file', async () => {
    const dir = join(root, 'damaged');
    await savePartial(await new ImageDataGenerator({ featurewiseCenter: true }).fitPartial(slice(x, hwc, 0, 3)), dir);
    const manifest = join(dir, 'partial.json');
    const json = JSON.parse(readFileSync(manifest, 'utf8'));
    const weights = join(dir, json.weightsFile);
    const bytes = readFileSync(weights);
    bytes[5]! ^= 1;
    writeFileSync(weights, bytes);
    await expect(loadPartial(dir)).rejects.toThrow(new CorruptFileError(weights, 'is corrupted: its CRC-32 does not match the manifest'));
    writeFileSync(manifest, JSON.stringify({ ...json, formatVersion: 2 }));
    await expect(loadPartial(dir)).rejects.toThrow(/has format version 2; this library reads version 1/);
    writeFileSync(manifest, JSON.stringify({ ...json, imageShape: [4, 3, 4] }));
    await expect(loadPartial(dir)).rejects.toThrow(CorruptFileError);
    writeFileSync(manifest, JSON.stringify({ ...json, config: { ...json.config, rescale: 'x' } }));
    const refused = await loadPartial(dir).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CorruptFileError);
    expect((refused as CorruptFileError).file).toBe(manifest);
    expect((refused as CorruptFileError).problem).toMatch(/^`rescale`: expected .*received "x"/);
    await expect(loadPartial(join(root, 'nothing-here'))).rejects.toThrow(/partial\.json: is missing or unreadable/);
  });
});

describe('shards of folders and data frames', () => {
  const dir = join(root, 'images');
  const pixels = new Map<string, Uint8Array>();
  const write = (cls: string, name: string, seed: number) => {
    mkdirSync(join(dir, cls), { recursive: true });
    const data = Uint8Array.from(testData(5 * 4 * 3, seed), (v) => Math.floor(v * 256));
    writeFileSync(join(dir, cls, name), encode({ width: 4, height: 5, data, channels: 3, depth: 8 }));
    pixels.set(`${cls}/${name}`, data);
  };
  for (let i = 0; i < 9; i++) write('cats', `c${i}.png`, i + 1);
  for (let i = 0; i < 6; i++) write('dogs', `d${i}.png`, i + 40);
  const fileOptions = { targetSize: [5, 4] as [number, number], workers: 0 };
  const fitOptions = { ...fileOptions, onProgress: () => {} };

  it('every file is in exactly one shard, the same one after files are added to another class', async () => {
    const g = new ImageDataGenerator({ featurewiseCenter: true });
    const listing = async (count: number) => {
      const shards: string[][] = [];
      for (let index = 0; index < count; index++) shards.push((await g.flowFromDirectory(dir, { ...fileOptions, shard: { index, count } })).filenames);
      return shards;
    };
    const before = await listing(4);
    expect(before.flat().sort()).toEqual([...pixels.keys()].sort());
    expect(new Set(before.flat()).size).toBe(pixels.size);
    before.forEach((names, index) => names.forEach((f) => expect(fileKey(f) % 4).toBe(index)));
    for (let i = 0; i < 5; i++) write('dogs', `new${i}.png`, 90 + i);
    const after = await listing(4);
    before.forEach((names, index) => expect(after[index]!.filter((f) => !f.startsWith('dogs/new'))).toEqual(names));
    for (let i = 0; i < 5; i++) {
      rmSync(join(dir, 'dogs', `new${i}.png`));
      pixels.delete(`dogs/new${i}.png`);
    }
    await expect(g.flowFromDirectory(dir, { ...fileOptions, shard: { index: 4, count: 4 } })).rejects.toThrow(/`shard`: expected \{index, count\}/);
  });

  it('sharded fitPartial over a folder merges to fitFromDirectory and to float64 statistics of the pixels, plain and augmented', async () => {
    const args: ImageDataGeneratorArgs = { featurewiseCenter: true, featurewiseStdNormalization: true, rescale: 1 / 255, rotationRange: 20, horizontalFlip: true };
    const all = [...pixels.values()].flatMap((p) => Array.from(p, (v) => v / 255));
    const want = reference(all, 3);
    for (const fit of [{}, { augment: true, rounds: 2, seed: 5 }]) {
      const g = new ImageDataGenerator(args);
      const parts = [];
      for (let index = 0; index < 3; index++) parts.push(await g.fitPartial(dir, { ...fitOptions, ...fit, batchSize: 2, shard: { index, count: 3 } }));
      expect(parts.reduce((s, p) => s + p.images, 0)).toBe(pixels.size * (fit.augment ? 2 : 1));
      const merged = PartialStatistics.merge(parts);
      if (!fit.augment) {
        expect(relative(merged.mean, want.mean)).toBeLessThan(1e-12);
        expect(relative(merged.variance().map(Math.sqrt), want.std)).toBeLessThan(1e-12);
      }
      // Another batch size and worker count: the same per-file draws.
      const whole = await new ImageDataGenerator(args).fitPartial(dir, { ...fitOptions, ...fit, batchSize: 5, workers: 1 });
      expect(relative(merged.mean, whole.mean)).toBeLessThan(1e-12);
      expect(relative(merged.m2, whole.m2)).toBeLessThan(1e-12);
      const fitted = await new ImageDataGenerator(args).fitFromDirectory(dir, { ...fitOptions, ...fit });
      expect(Array.from((await ImageDataGenerator.mergePartials(parts)).mean!)).toEqual(Array.from(fitted.mean!));
    }
  });

  it('ZCA: sharded folder partials merge to the W of fitFromDirectory within 1e-10', async () => {
    const args: ImageDataGeneratorArgs = { zcaWhitening: true, featurewiseCenter: true, rescale: 1 / 255, zcaEpsilon: 1e-2 };
    const small = { ...fitOptions, targetSize: [2, 2] as [number, number] };
    const g = quiet(() => new ImageDataGenerator(args));
    const parts = [];
    for (let index = 0; index < 4; index++) parts.push(await g.fitPartial(dir, { ...small, shard: { index, count: 4 } }));
    expect(PartialStatistics.merge(parts).gram!.count).toBe(pixels.size);
    const w = (await ImageDataGenerator.mergePartials(parts)).toJSON().statistics.zcaWhiteningMatrix!.values;
    const whole = await quiet(() => new ImageDataGenerator(args)).fitFromDirectory(dir, small);
    expect(relative(w, whole.toJSON().statistics.zcaWhiteningMatrix!.values)).toBeLessThan(1e-10);
  });

  it('data frame rows are sharded by their file name', async () => {
    const rows = [...pixels.keys()].map((f) => ({ filename: f, class: f.split('/')[0]! }));
    const g = new ImageDataGenerator();
    const shards = [];
    for (let index = 0; index < 3; index++) shards.push((await g.flowFromDataFrame(rows, { ...fileOptions, directory: dir, shard: { index, count: 3 } })).filenames);
    expect(shards.flat().sort()).toEqual(rows.map((r) => r.filename).sort());
    shards.forEach((names, index) => names.forEach((f) => expect(fileKey(f) % 3).toBe(index)));
  });
});
