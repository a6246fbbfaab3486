import * as tf from '@tensorflow/tfjs-core';
import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator, NotFittedError, ShapeError } from '../src/index.js';
import { type FixtureArray, casesOf, fixtureArray, maxAbsDiff } from './helpers/fixtures.js';
import { fromFixtureConfig, testData } from './helpers/generators.js';

const cases = casesOf('standardize');

function fixtureInput(c: Record<string, any>): FixtureArray {
  const x = fixtureArray(c.inputs.x);
  if (c.input_index === null) return x;
  const per = x.data.length / x.shape[0]!;
  return { data: x.data.slice(c.input_index * per, (c.input_index + 1) * per), shape: x.shape.slice(1) };
}

/** Float64 reference of our documented semantics: Keras's formula with samplewise statistics per image. */
function referencePerImage(x: FixtureArray, config: Record<string, any>, mean: Float32Array | null, std: Float32Array | null): Float64Array {
  const channelsFirst = config.data_format === 'channels_first';
  const n = x.shape.length === 4 ? x.shape[0]! : 1;
  const per = x.data.length / n;
  const channels = channelsFirst ? x.shape[x.shape.length - 3]! : x.shape[x.shape.length - 1]!;
  const out = new Float64Array(x.data.length);
  for (let s = 0; s < n; s++) {
    const v = Array.from(x.data.subarray(s * per, (s + 1) * per), (a) => a * (config.rescale ?? 1));
    if (config.samplewise_center || config.samplewise_std_normalization) {
      const m = v.reduce((a, b) => a + b, 0) / per;
      for (let i = 0; i < per; i++) v[i]! -= m;
      if (config.samplewise_std_normalization) {
        const sd = Math.sqrt(v.reduce((a, b) => a + b * b, 0) / per);
        for (let i = 0; i < per; i++) v[i]! /= sd + 1e-6;
      }
    }
    for (let i = 0; i < per; i++) {
      const c = channelsFirst ? Math.floor(i / (per / channels)) : i % channels;
      if (mean) v[i]! -= mean[c]!;
      if (std) v[i]! /= std[c]! + 1e-6;
      out[s * per + i] = v[i]!;
    }
  }
  return out;
}

describe('standardize matches Keras (standardize fixtures)', () => {
  it('covers the fixture set', () => expect(cases.length).toBe(58));
  for (const c of cases) {
    const zca = c.config.zca_whitening;
    const unfit = c.id.includes('_unfit_');
    const samplewiseBatch = c.input_index === null && (c.config.samplewise_center || c.config.samplewise_std_normalization);
    it(c.id, async () => {
      const g = fromFixtureConfig(c.config);
      if (c.fit_input) await g.fit(fixtureArray(c.fit_input));
      const x = fixtureInput(c);
      if (unfit) {
        // Difference from Keras: an unfitted featurewise step throws instead of warning and skipping.
        expect(c.warnings_standardize.length).toBeGreaterThan(0);
        expect(() => g.standardize(x)).toThrow(NotFittedError);
        expect(() => g.standardize(x)).toThrow(/featurewiseCenter|zcaWhitening/);
        return;
      }
      const y = g.standardize(x);
      const values = y.dataSync();
      expect(y.shape).toEqual(x.shape);
      expect(y.dtype).toBe('float32');
      if (zca) {
        // ZCA amplifies directions with tiny variance, so compare relative to the output's scale.
        // For rank-4 samplewise cases (per-image statistics, see README), each image must equal
        // standardize of that image alone, which the rank-3 fixtures check against Keras.
        const reference = samplewiseBatch
          ? Float32Array.from({ length: x.shape[0]! }, (_, i) => i).reduce((acc: number[], i) => {
              const per = x.data.length / x.shape[0]!;
              const one = g.standardize({ data: x.data.slice(i * per, (i + 1) * per), shape: x.shape.slice(1) });
              acc.push(...one.dataSync());
              one.dispose();
              return acc;
            }, [])
          : fixtureArray(c.expected.y).data;
        const scale = Math.max(1, ...Array.from(reference, Math.abs));
        expect(maxAbsDiff(values, reference) / scale).toBeLessThan(1e-4);
      } else if (samplewiseBatch) {
        // Difference from Keras: samplewise statistics are per image, as in flow(), not over the whole batch.
        const reference = referencePerImage(x, c.config, g.mean, g.std);
        expect(maxAbsDiff(values, reference)).toBeLessThan(1e-5);
      } else {
        expect(maxAbsDiff(values, fixtureArray(c.expected.y).data)).toBeLessThan(1e-5);
      }
      y.dispose();
    });
  }

  it('the per-image reference agrees with Keras on single images', () => {
    for (const c of cases.filter((c) => c.input_index !== null && !c.config.zca_whitening && !c.fit_input)) {
      const x = fixtureInput(c);
      expect(maxAbsDiff(referencePerImage(x, c.config, null, null), fixtureArray(c.expected.y).data)).toBeLessThan(1e-5);
    }
  });
});

describe('standardize semantics', () => {
  it('samplewise center and std give each image mean 0 and std 1', () => {
    const g = new ImageDataGenerator({ samplewiseStdNormalization: true, rescale: 1 / 255 });
    const x = testData(5 * 6 * 7 * 3, 3).map((v, i) => v * 255 * (1 + (i % 5)));
    const y = g.standardize({ data: x, shape: [5, 6, 7, 3] });
    const v = y.dataSync() as Float32Array;
    for (let s = 0; s < 5; s++) {
      const img = v.subarray(s * 126, (s + 1) * 126);
      const m = img.reduce((a, b) => a + b, 0) / 126;
      const sd = Math.sqrt(img.reduce((a, b) => a + (b - m) ** 2, 0) / 126);
      expect(Math.abs(m)).toBeLessThan(1e-6);
      expect(Math.abs(sd - 1)).toBeLessThan(1e-5);
    }
    y.dispose();
  });

  it('accepts tensors, {data, shape}, nested arrays and strided ndarrays alike', async () => {
    const g = new ImageDataGenerator({ featurewiseStdNormalization: true, rescale: 0.5 });
    const data = testData(2 * 3 * 4 * 3, 9);
    await g.fit({ data, shape: [2, 3, 4, 3] });
    const expected = g.standardize({ data, shape: [2, 3, 4, 3] }).arraySync();
    const t = tf.tensor4d(data, [2, 3, 4, 3]);
    const nested = t.arraySync();
    // An ndarray stored as [n, w, h, c] and viewed as [n, h, w, c] through its strides.
    const whc = new Float32Array(data.length);
    const view = ndarray(whc, [2, 4, 3, 3]).transpose(0, 2, 1, 3);
    for (let n = 0; n < 2; n++) for (let h = 0; h < 3; h++) for (let w = 0; w < 4; w++) for (let c = 0; c < 3; c++) {
      view.set(n, h, w, c, data[((n * 3 + h) * 4 + w) * 3 + c]!);
    }
    for (const input of [t, nested, view, { data: Array.from(data), shape: [2, 3, 4, 3] }]) {
      const y = g.standardize(input);
      expect(y.arraySync()).toEqual(expected);
      y.dispose();
    }
    t.dispose();
  });

  it('runs the preprocessing function first, per image, in the data format', () => {
    const seen: number[][] = [];
    const g = new ImageDataGenerator({
      dataFormat: 'channelsFirst',
      rescale: 2,
      preprocessingFunction: (img) => {
        seen.push(img.shape);
        return tf.add(img, 1);
      },
    });
    const y = g.standardize({ data: new Float32Array(2 * 3 * 2 * 2).fill(1), shape: [2, 3, 2, 2] });
    expect(seen).toEqual([[3, 2, 2], [3, 2, 2]]);
    expect(Array.from(y.dataSync())).toEqual(new Array(24).fill(4));
    y.dispose();
  });

  it('rejects a preprocessing function that changes the shape', () => {
    const g = new ImageDataGenerator({ preprocessingFunction: (img) => tf.slice(img, [0, 0, 0], [1, 1, 1]) });
    expect(() => g.standardize({ data: new Float32Array(12), shape: [2, 2, 3] })).toThrow(ShapeError);
  });

  it('wrong rank and wrong channel count are ShapeErrors naming x', async () => {
    const g = new ImageDataGenerator({ featurewiseCenter: true });
    await g.fit({ data: testData(4 * 2 * 2 * 3), shape: [4, 2, 2, 3] });
    expect(() => g.standardize({ data: new Float32Array(4), shape: [2, 2] })).toThrow(/`x`: expected rank 3 \(one image\) or rank 4/);
    expect(() => g.standardize({ data: new Float32Array(4), shape: [1, 2, 2, 1] })).toThrow(/3 channels, as in the data the generator was fitted on/);
  });

  it('NotFittedError says which statistic is missing and how to get it', () => {
    const g = new ImageDataGenerator({ featurewiseStdNormalization: true });
    const err = (() => { try { g.standardize({ data: new Float32Array(3), shape: [1, 1, 3] }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(NotFittedError);
    expect((err as NotFittedError).statistic).toBe('mean');
    expect((err as Error).message).toContain('fit(');
    expect((err as Error).message).toContain('fromJSON');
  });
});
