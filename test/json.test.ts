import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator, InvalidArgumentError, NotFittedError } from '../src/index.js';
import { testData } from './helpers/generators.js';

const x = { data: testData(16 * 5 * 4 * 3, 21).map((v) => v * 255), shape: [16, 5, 4, 3] };

async function fitted(args = {}) {
  const g = new ImageDataGenerator({ featurewiseStdNormalization: true, samplewiseCenter: true, rescale: 1 / 255, zoomRange: 0.1, ...args });
  return g.fit(x);
}

describe('toJSON / fromJSON', () => {
  it('round-trips through JSON text: same config, bit-identical standardize', async () => {
    for (const dataFormat of ['channelsLast', 'channelsFirst'] as const) {
      const g = await fitted({ dataFormat });
      const text = JSON.stringify(g.toJSON());
      const loaded = ImageDataGenerator.fromJSON(JSON.parse(text));
      expect(loaded.getConfig()).toEqual(g.getConfig());
      const a = g.standardize(x).dataSync();
      const b = loaded.standardize(x).dataSync();
      expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
      expect(g.toJSON().statistics.mean!.shape).toEqual(dataFormat === 'channelsLast' ? [1, 1, 3] : [5, 1, 1]); // x is [16, 5, 4, 3]
    }
  });

  it('round-trips a ZCA generator (Keras-order matrix, both data formats) bit for bit, without leaking tensors', async () => {
    for (const dataFormat of ['channelsLast', 'channelsFirst'] as const) {
      const small = { data: x.data.subarray(0, 16 * 2 * 3 * 3), shape: [16, 2, 3, 3] };
      const g = await new ImageDataGenerator({ zcaWhitening: true, featurewiseCenter: true, dataFormat }).fit(small);
      const loaded = ImageDataGenerator.fromJSON(JSON.parse(JSON.stringify(g.toJSON())));
      const a = g.standardize(small);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 50; i++) loaded.standardize(small).dispose();
      const b = loaded.standardize(small);
      expect(tf.memory().numTensors - before).toBeLessThanOrEqual(2); // b, and the cached matrix of `loaded`
      expect(Buffer.from(b.dataSync().buffer).equals(Buffer.from(a.dataSync().buffer))).toBe(true);
      tf.dispose([a, b]);
    }
  });

  it('an unfitted generator round-trips and still refuses to standardize', () => {
    const g = new ImageDataGenerator({ featurewiseCenter: true });
    const loaded = ImageDataGenerator.fromJSON(JSON.parse(JSON.stringify(g.toJSON())));
    expect(loaded.mean).toBeNull();
    expect(() => loaded.standardize(x)).toThrow(NotFittedError);
  });

  it('requires the preprocessing function again when the saved generator had one', async () => {
    const fn = (img: tf.Tensor3D) => tf.mul(img, 2) as tf.Tensor3D;
    const g = await fitted({ preprocessingFunction: fn });
    const state = g.toJSON();
    expect(state.config.preprocessingFunction).toBe(true);
    expect(() => ImageDataGenerator.fromJSON(state)).toThrow(/options.preprocessingFunction/);
    const loaded = ImageDataGenerator.fromJSON(state, { preprocessingFunction: fn });
    expect(loaded.standardize(x).arraySync()).toEqual(g.standardize(x).arraySync());
  });

  it('rejects malformed state with the field named', async () => {
    const good = (await fitted()).toJSON();
    const broken: [unknown, RegExp][] = [
      [null, /`state`/],
      [{ ...good, format: 'keras' }, /`state.format`/],
      [{ ...good, formatVersion: 99 }, /`state.formatVersion`/],
      [{ ...good, config: undefined }, /`state.config`/],
      [{ ...good, config: { ...good.config, fillMode: 'mirror' } }, /`fillMode`/],
      [{ ...good, statistics: { ...good.statistics, mean: { shape: [1, 1, 2], values: [1, 2, 3] } } }, /`state.statistics.mean.shape`: expected \[1,1,3\]/],
      [{ ...good, statistics: { ...good.statistics, std: { shape: [1, 1, 3], values: [1, 'a', 3] } } }, /`state.statistics.std.values`/],
      [{ ...good, statistics: { ...good.statistics, std: { shape: [1, 1, 2], values: [1, 2] } } }, /as many as mean/],
      [{ ...good, statistics: { ...good.statistics, mean: [1, 2, 3] } }, /`state.statistics.mean`/],
      [{ ...good, config: { ...good.config, dataFormat: 'channelsFirst' } }, /\[3,1,1\]/],
    ];
    for (const [state, message] of broken) {
      expect(() => ImageDataGenerator.fromJSON(state)).toThrow(InvalidArgumentError);
      expect(() => ImageDataGenerator.fromJSON(state)).toThrow(message);
    }
  });
});
