import * as tf from '@tensorflow/tfjs-core';
import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import {
  ImageDataGenerator, InvalidArgumentError, MemoryBudgetError, NonFiniteDataError, NonFiniteStatisticError, ShapeError,
} from '../src/index.js';
import { behaviour, casesOf, fixtureArray, maxAbsDiff } from './helpers/fixtures.js';
import { captureWarningsAsync, fromFixtureConfig, testData } from './helpers/generators.js';

const fitCases = casesOf('fit');

describe('fit matches Keras (fit fixtures)', () => {
  const zca = fitCases.filter((c) => c.config.zca_whitening);
  it('has fixtures to compare with', () => {
    expect(fitCases.length - zca.length).toBeGreaterThanOrEqual(9);
  });
  for (const c of fitCases.filter((c) => !c.config.zca_whitening)) {
    it(c.id, async () => {
      const g = fromFixtureConfig(c.config);
      await g.fit(fixtureArray(c.inputs.x));
      const mean = fixtureArray(c.expected.mean_f64);
      expect(maxAbsDiff(g.mean!, mean.data)).toBeLessThan(1e-6);
      expect(maxAbsDiff(g.mean!, fixtureArray(c.expected.mean).data)).toBeLessThan(1e-5);
      if (c.expected.std) {
        expect(maxAbsDiff(g.std!, fixtureArray(c.expected.std_f64).data)).toBeLessThan(1e-6);
        expect(maxAbsDiff(g.std!, fixtureArray(c.expected.std).data)).toBeLessThan(1e-5);
      } else {
        expect(g.std).toBeNull();
      }
    });
  }
  for (const c of zca) {
    it(`${c.id}: ZCA matrix within 1e-4 relative Frobenius of Keras's float64 result`, async () => {
      const g = fromFixtureConfig(c.config);
      await g.fit(fixtureArray(c.inputs.x));
      const ours = g.toJSON().statistics.zcaWhiteningMatrix!.values;
      const keras = fixtureArray(c.expected.zca_whitening_matrix_f64).data;
      let num = 0, den = 0;
      for (let i = 0; i < keras.length; i++) { num += (ours[i]! - keras[i]!) ** 2; den += keras[i]! ** 2; }
      expect(Math.sqrt(num / den)).toBeLessThan(1e-4);
    });
  }

  it('refuses a ZCA fit over the memory budget before allocating, naming d and the bytes', async () => {
    const g = new ImageDataGenerator({ zcaWhitening: true, zcaMaxBytes: 1e6 });
    const err = await captureWarningsAsync(() => g.fit({ data: new Float32Array(2 * 32 * 32 * 3), shape: [2, 32, 32, 3] })).catch((e) => e);
    expect(err).toBeInstanceOf(MemoryBudgetError);
    expect(err.message).toContain('3072 features');
    // The wasm engine holds about 5.5 d x d float64 matrices (G, U, workspace, W as float32).
    expect(err.message).toContain(String(44 * 3072 * 3072));
  });
});

describe('ZCA edge cases', () => {
  const shape = [40, 4, 4, 3] as [number, number, number, number];
  const zcaOf = (g: ImageDataGenerator) => g.toJSON().statistics.zcaWhiteningMatrix!.values;
  const quiet = async <T>(fn: () => Promise<T>) => (await captureWarningsAsync(fn)).result;

  it('constant images (zero variance): a finite W, and standardize gives zeros as in Keras', async () => {
    const data = new Float32Array(40 * 48).fill(0.5);
    const g = await quiet(() => new ImageDataGenerator({ zcaWhitening: true }).fit({ data, shape }));
    expect(zcaOf(g).every(Number.isFinite)).toBe(true);
    const y = g.standardize({ data: data.subarray(0, 2 * 48), shape: [2, 4, 4, 3] });
    expect(Array.from(y.dataSync()).every((v) => v === 0)).toBe(true);
    y.dispose();
  });

  it('NaN in the data is a NonFiniteDataError with ZCA on, too', async () => {
    const data = testData(40 * 48, 4);
    data[5 * 48 + 7] = Number.NaN;
    const err = await quiet(() => new ImageDataGenerator({ zcaWhitening: true }).fit({ data, shape })).catch((e) => e);
    expect(err).toBeInstanceOf(NonFiniteDataError);
    expect(err.message).toContain('5');
  });

  it('fit with augment and rounds: a symmetric, finite W that differs from the plain fit', async () => {
    const data = testData(40 * 48, 6);
    const plain = zcaOf(await quiet(() => new ImageDataGenerator({ zcaWhitening: true }).fit({ data, shape })));
    const augmented = zcaOf(await quiet(() => new ImageDataGenerator({ zcaWhitening: true, horizontalFlip: true }).fit({ data, shape }, { augment: true, rounds: 3, seed: 2 })));
    expect(augmented.every(Number.isFinite)).toBe(true);
    for (let i = 0; i < 48; i++) for (let j = 0; j < i; j++) expect(augmented[i * 48 + j]).toBe(augmented[j * 48 + i]);
    expect(maxAbsDiff(augmented, plain)).toBeGreaterThan(1e-3);
  });
});

describe('fit accuracy and streaming', () => {
  it('accumulates in float64: large offset data matches a float64 two-pass reference', async () => {
    const n = 200, h = 32, w = 32, c = 3;
    const noise = testData(n * h * w * c, 7);
    const data = noise.map((v, i) => 1000 + (i % 3) * 50 + v * 3);
    const g = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true });
    await g.fit({ data, shape: [n, h, w, c] });
    for (let k = 0; k < c; k++) {
      let s = 0, m = 0;
      const count = n * h * w;
      for (let i = k; i < data.length; i += c) s += data[i]!;
      const mean = s / count;
      for (let i = k; i < data.length; i += c) m += (data[i]! - mean) ** 2;
      const std = Math.sqrt(m / count);
      expect(Math.abs(g.mean![k]! - mean) / mean).toBeLessThan(1e-7);
      expect(Math.abs(g.std![k]! - std) / std).toBeLessThan(1e-6);
    }
  });

  it('an iterable, an async iterable and the whole array give the same statistics', async () => {
    const x = fixtureArray('fit_rgb_x255');
    const options = { featurewiseCenter: true, featurewiseStdNormalization: true, rescale: 1 / 255 };
    const whole = await new ImageDataGenerator(options).fit(x);
    const per = x.data.length / x.shape[0]!;
    const chunks = (sizes: number[]) => {
      const out = [];
      let start = 0;
      for (const s of sizes) {
        out.push({ data: x.data.slice(start * per, (start + s) * per), shape: [s, ...x.shape.slice(1)] });
        start += s;
      }
      return out;
    };
    const sync = await new ImageDataGenerator(options).fit(chunks([1, 7, 20, 36]));
    const asyncGen = await new ImageDataGenerator(options).fit((async function* () {
      yield* chunks([30, 30, 4]);
    })());
    for (const g of [sync, asyncGen]) {
      expect(maxAbsDiff(g.mean!, whole.mean!)).toBeLessThan(1e-7);
      expect(maxAbsDiff(g.std!, whole.std!)).toBeLessThan(1e-7);
    }
  });

  it('replaces an earlier fit', async () => {
    const g = new ImageDataGenerator({ featurewiseCenter: true });
    await g.fit({ data: new Float32Array(12).fill(5), shape: [1, 2, 2, 3] });
    await g.fit({ data: new Float32Array(12).fill(2), shape: [1, 2, 2, 3] });
    expect(Array.from(g.mean!)).toEqual([2, 2, 2]);
  });
});

describe('fit input errors', () => {
  it('rank 3 is a ShapeError naming x and the shape (Keras raises ValueError)', async () => {
    expect(behaviour('fit_rank3_raises').ok).toBe(false);
    const g = new ImageDataGenerator({ featurewiseCenter: true });
    const err = await g.fit({ data: new Float32Array(100), shape: [4, 5, 5] }).catch((e) => e);
    expect(err).toBeInstanceOf(ShapeError);
    expect(err.argument).toBe('x');
    expect(err.message).toContain('rank 4');
    expect(err.message).toContain('[4,5,5]');
  });

  it('warns like Keras for a channel count other than 1, 3 or 4', async () => {
    expect(behaviour('fit_2_channels_warns').warnings).toHaveLength(1);
    const g = new ImageDataGenerator({ featurewiseCenter: true });
    const { warnings } = await captureWarningsAsync(() => g.fit({ data: new Float32Array(200), shape: [4, 5, 5, 2] }));
    expect(warnings.map((w) => w.code)).toEqual(['channel-count']);
    expect(warnings[0]!.message).toContain('2 channels');
    const cf = new ImageDataGenerator({ featurewiseCenter: true, dataFormat: 'channelsFirst' });
    const second = await captureWarningsAsync(() => cf.fit({ data: new Float32Array(300), shape: [4, 5, 5, 3] }));
    expect(second.warnings[0]!.message).toContain('5 channels');
  });

  it('NaN or Infinity is an error naming the first bad sample', async () => {
    const data = testData(10 * 4 * 4 * 3);
    data[6 * 48 + 17] = NaN;
    data[8 * 48] = Infinity;
    const g = new ImageDataGenerator({ featurewiseCenter: true });
    const err = await g.fit({ data, shape: [10, 4, 4, 3] }).catch((e) => e);
    expect(err).toBeInstanceOf(NonFiniteDataError);
    expect(err.sampleIndex).toBe(6);
    expect(err.message).toContain('sample 6');
    const stream = [{ data: testData(48), shape: [1, 4, 4, 3] }, { data: data.slice(6 * 48, 7 * 48), shape: [1, 4, 4, 3] }];
    const err2 = await g.fit(stream).catch((e) => e);
    expect(err2.sampleIndex).toBe(1);
  });

  it('images without pixels are a ShapeError naming x and the shape, with or without ZCA', async () => {
    for (const shape of [[2, 4, 0, 3], [2, 0, 4, 3], [2, 4, 4, 0]]) {
      for (const args of [{ featurewiseStdNormalization: true }, { zcaWhitening: true }]) {
        const err = await captureWarningsAsync(() => new ImageDataGenerator(args).fit({ data: new Float32Array(0), shape })).catch((e) => e);
        expect(err, `${JSON.stringify(args)} [${shape}]`).toBeInstanceOf(ShapeError);
        expect(err.argument).toBe('x');
        expect(err.message).toContain(`[${shape}]`);
      }
    }
    const stream = [{ data: new Float32Array(48), shape: [1, 4, 4, 3] }, { data: new Float32Array(0), shape: [1, 4, 0, 3] }];
    await expect(new ImageDataGenerator({ featurewiseCenter: true }).fit(stream)).rejects.toThrow(ShapeError);
  });

  it('statistics with NaN or Infinity are refused and the earlier fit is kept', async () => {
    const shape = [20, 2, 2, 3];
    const g = await captureWarningsAsync(() => new ImageDataGenerator({ zcaWhitening: true, zcaEpsilon: 0 }).fit({ data: testData(240, 3), shape })).then((r) => r.result);
    const before = { mean: g.mean, zca: g.toJSON().statistics.zcaWhiteningMatrix };
    // Constant images: every eigenvalue is 0, and with no epsilon W divides by zero.
    const err = await g.fit({ data: new Float32Array(240).fill(0.5), shape }).catch((e) => e);
    expect(err).toBeInstanceOf(NonFiniteStatisticError);
    expect(err.statistic).toBe('zcaWhiteningMatrix');
    expect(err.message).toContain('zcaEpsilon');
    expect({ mean: g.mean, zca: g.toJSON().statistics.zcaWhiteningMatrix }).toEqual(before);
    // A mean beyond float32's range after rescale.
    const big = new ImageDataGenerator({ featurewiseCenter: true, rescale: 10 });
    const overflow = await big.fit({ data: new Float32Array(12).fill(3e38), shape: [1, 2, 2, 3] }).catch((e) => e);
    expect(overflow).toBeInstanceOf(NonFiniteStatisticError);
    expect(overflow.statistic).toBe('mean');
    expect(big.mean).toBeNull();
  });

  it('batches of different image sizes in one stream are a ShapeError', async () => {
    const g = new ImageDataGenerator({ featurewiseCenter: true });
    const stream = [{ data: new Float32Array(48), shape: [1, 4, 4, 3] }, { data: new Float32Array(75), shape: [1, 5, 5, 3] }];
    await expect(g.fit(stream)).rejects.toThrow(/batch 1/);
  });
});

describe('input shapes', () => {
  it('a shape with a negative or fractional size is refused where the array is given, naming the shape', async () => {
    const g = new ImageDataGenerator({ featurewiseCenter: true });
    for (const shape of [[2, -4, -2, 3], [2, 4, 1.5, 4], [2, 4, NaN, 3], [2, 4, 2 ** 60, 3]]) {
      const data = new Float32Array(48);
      await expect(g.fit({ data, shape })).rejects.toThrow(/`x\.shape`: expected a list of sizes/);
      expect(() => g.flow({ data, shape })).toThrow(InvalidArgumentError);
    }
  });
});

describe('inputs found by the hostile re-probe', () => {
  const x = () => ({ data: Array.from({ length: 96 }, (_, i) => i % 7) as unknown[], shape: [2, 4, 4, 3] });
  const refused = async (call: () => unknown, argument: string) => {
    let error: unknown;
    try {
      await call();
    } catch (e) {
      error = e;
    }
    expect(error, argument).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(argument);
  };

  it('non-numbers are refused, not converted: strings in data, string tensors, BigInt arrays', async () => {
    const g = new ImageDataGenerator({ featurewiseCenter: true, rescale: 2 });
    const withString = x();
    withString.data[7] = '12';
    await refused(() => g.fit(withString as never), 'x.data[7]');
    const strings = tf.tensor(['a', 'b', 'c', 'd'], [1, 2, 2, 1]);
    await refused(() => g.fit(strings), 'x');
    await refused(() => g.standardize(strings), 'x');
    strings.dispose();
    await refused(() => g.fit({ data: new BigInt64Array(96) as never, shape: [2, 4, 4, 3] }), 'x.data');
  });

  it('an ndarray whose offset or strides reach past its data is refused', async () => {
    const g = new ImageDataGenerator({ featurewiseCenter: true });
    await refused(() => g.fit(ndarray(new Float32Array(96), [2, 4, 4, 3], [48, 12, 3, 1], 90)), 'x');
    await refused(() => g.fit(ndarray(new Float32Array(96), [2, 4, 4, 3], [-48, 12, 3, 1], 40)), 'x');
    // The same view reversed along the batch axis, starting at the last image, is fine.
    await g.fit(ndarray(Float32Array.from({ length: 96 }, (_, i) => i), [2, 4, 4, 3], [-48, 12, 3, 1], 48));
    expect(g.mean![0]).toBeCloseTo(46.5, 5);
  });

  it('booleans and factors are checked: augment, ignoreClassSplit, a rescale outside float32', async () => {
    const g = new ImageDataGenerator({ rotationRange: 5 });
    const images = { data: new Float32Array(96), shape: [2, 4, 4, 3] };
    await refused(() => g.fit(images, { augment: 'yes' as never }), 'augment');
    await refused(() => g.flow(images, [0, 1], { ignoreClassSplit: 'x' as never }), 'ignoreClassSplit');
    await refused(() => new ImageDataGenerator({ rescale: 1e39 }), 'rescale');
  });
});
