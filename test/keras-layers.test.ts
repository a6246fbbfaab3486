import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { Normalization, RandomBrightness, RandomContrast, RandomFlip, RandomTranslation, RandomZoom } from '../src/index.js';
import { maxAbsDiff } from './helpers/fixtures.js';
import { testData } from './helpers/generators.js';

const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

/** A converter-style layers-model: Keras layer class names and snake_case config keys as Keras 3 writes them. */
function convertedModel(mean: number[], variance: number[], kernel: number[], bias: number[]) {
  const layer = (class_name: string, config: Record<string, unknown>) => ({ class_name, config: { trainable: true, dtype: policy, ...config } });
  const modelTopology = {
    keras_version: '3.6.0',
    backend: 'tensorflow',
    model_config: {
      class_name: 'Sequential',
      config: {
        name: 'sequential',
        layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, 4, 4, 3], dtype: 'float32', name: 'input_layer' } },
          layer('RandomFlip', { name: 'random_flip', mode: 'horizontal', seed: null, data_format: 'channels_last' }),
          layer('RandomRotation', { name: 'random_rotation', factor: 0.1, fill_mode: 'reflect', interpolation: 'bilinear', seed: 3, fill_value: 0.0, data_format: 'channels_last' }),
          layer('RandomTranslation', { name: 'random_translation', height_factor: 0.1, width_factor: [-0.2, 0.2], fill_mode: 'constant', interpolation: 'nearest', seed: null, fill_value: 0.0 }),
          layer('RandomZoom', { name: 'random_zoom', height_factor: [-0.2, 0.1], width_factor: null, fill_mode: 'reflect', interpolation: 'bilinear', seed: null, fill_value: 0.0 }),
          layer('RandomContrast', { name: 'random_contrast', factor: 0.2, value_range: [0, 255], seed: null }),
          layer('RandomBrightness', { name: 'random_brightness', factor: 0.1, value_range: [0, 255], seed: null }),
          layer('Normalization', { name: 'normalization', axis: -1, invert: false, mean: null, variance: null }),
          layer('Flatten', { name: 'flatten', data_format: 'channels_last' }),
          layer('Dense', { name: 'dense', units: 2, activation: 'linear', use_bias: true, kernel_initializer: { class_name: 'Zeros', config: {} }, bias_initializer: { class_name: 'Zeros', config: {} } }),
        ],
      },
    },
  };
  const weightSpecs = [
    { name: 'normalization/mean', shape: [3], dtype: 'float32' as const },
    { name: 'normalization/variance', shape: [3], dtype: 'float32' as const },
    { name: 'dense/kernel', shape: [48, 2], dtype: 'float32' as const },
    { name: 'dense/bias', shape: [2], dtype: 'float32' as const },
  ];
  const weightData = new Float32Array([...mean, ...variance, ...kernel, ...bias]).buffer;
  return { modelTopology, weightSpecs, weightData };
}

describe('Keras preprocessing layers in converted models', () => {
  it('a converted model with Normalization and the Random* layers loads and predicts like an independent computation', async () => {
    const mean = [100, 120, 90], variance = [400, 900, 2500];
    const kernel = Array.from(testData(96, 2), (v) => v - 0.5), bias = [0.3, -0.1];
    const model = await tfl.loadLayersModel(tf.io.fromMemory(convertedModel(mean, variance, kernel, bias)));
    const x = testData(5 * 48, 6).map((v) => v * 255);
    const got = (model.predict(tf.tensor4d(x, [5, 4, 4, 3])) as tf.Tensor).dataSync();
    const expected: number[] = [];
    for (let s = 0; s < 5; s++) {
      for (let o = 0; o < 2; o++) {
        let acc = bias[o]!;
        for (let i = 0; i < 48; i++) acc += ((x[s * 48 + i]! - mean[i % 3]!) / Math.sqrt(variance[i % 3]!)) * kernel[i * 2 + o]!;
        expected.push(acc);
      }
    }
    expect(maxAbsDiff(got, expected)).toBeLessThan(1e-4);

    // Keras 2 files also carry an int `normalization/count` weight: load those with strict: false.
    const keras2 = convertedModel(mean, variance, kernel, bias);
    keras2.weightSpecs.splice(2, 0, { name: 'normalization/count', shape: [], dtype: 'int32' as 'float32' });
    const withCount = new Uint8Array(keras2.weightData.byteLength + 4);
    withCount.set(new Uint8Array(keras2.weightData, 0, 24), 0);
    withCount.set(new Uint8Array(keras2.weightData, 24), 28);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory({ ...keras2, weightData: withCount.buffer }), { strict: false });
    expect(maxAbsDiff((loaded.predict(tf.tensor4d(x, [5, 4, 4, 3])) as tf.Tensor).dataSync(), expected)).toBeLessThan(1e-4);
  });

  it('Normalization.adapt computes float64 mean and population variance; invert maps back', async () => {
    const data = testData(50 * 6 * 2, 9).map((v, i) => 1000 + v * (1 + (i % 2)));
    const layer = new Normalization({ axis: -1 });
    await layer.adapt(tf.tensor3d(data, [50, 6, 2]));
    const [m, v] = layer.getWeights().map((w) => w.dataSync());
    for (let k = 0; k < 2; k++) {
      const vals = Array.from(data).filter((_, i) => i % 2 === k);
      const mu = vals.reduce((a, b) => a + b, 0) / vals.length;
      const va = vals.reduce((a, b) => a + (b - mu) ** 2, 0) / vals.length;
      expect(Math.abs(m![k]! - mu) / mu).toBeLessThan(1e-7);
      expect(Math.abs(v![k]! - va) / va).toBeLessThan(1e-5);
    }
    const x = tf.tensor3d(data.subarray(0, 24), [2, 6, 2]);
    const inverse = new Normalization({ axis: -1, invert: true, mean: Array.from(m!), variance: Array.from(v!) });
    const roundTrip = inverse.apply(layer.apply(x)) as tf.Tensor;
    expect(maxAbsDiff(roundTrip.dataSync(), x.dataSync())).toBeLessThan(1e-3);
  });

  it('random layers are the identity at inference and augment when training', () => {
    const x = tf.tensor4d(testData(3 * 4 * 4 * 3, 1).map((v) => v * 200 + 20), [3, 4, 4, 3]);
    for (const layer of [new RandomFlip({ mode: 'horizontal', seed: 1 }), new RandomContrast({ factor: 0.5, seed: 1 }), new RandomBrightness({ factor: 0.2, seed: 1 })]) {
      expect((layer.apply(x) as tf.Tensor).arraySync()).toEqual(x.arraySync());
    }
    // Flip: each image is itself or its mirror.
    const flipped = (new RandomFlip({ mode: 'horizontal', seed: 4 }).apply(x, { training: true }) as tf.Tensor).arraySync() as number[][][][];
    const mirror = (tf.reverse(x, 2).arraySync()) as number[][][][];
    const original = x.arraySync() as number[][][][];
    flipped.forEach((img, i) => expect([original[i], mirror[i]]).toContainEqual(img));
    // Brightness: one delta per image, within the factor, clipped to the value range.
    const bright = (new RandomBrightness({ factor: 0.1, seed: 2 }).apply(x, { training: true }) as tf.Tensor).dataSync();
    const deltas = new Set(Array.from(bright.subarray(0, 48), (v, i) => Math.round((v - x.dataSync()[i]!) * 1e3)));
    expect(deltas.size).toBe(1);
    expect(Math.abs([...deltas][0]! / 1e3)).toBeLessThanOrEqual(25.5);
    // Translation by exactly a quarter of the height moves the image down one row, constant fill.
    const down = new RandomTranslation({ heightFactor: [0.25, 0.25], widthFactor: 0, fillMode: 'constant', interpolation: 'nearest', seed: 1 });
    const moved = (down.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][][][];
    expect(moved[0]![0]).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    expect(moved[0]![1]).toEqual(original[0]![0]);
    // A zero zoom changes nothing.
    const same = (new RandomZoom({ heightFactor: 0, seed: 1 }).apply(x, { training: true }) as tf.Tensor).dataSync();
    expect(maxAbsDiff(same, x.dataSync())).toBeLessThan(1e-4);
  });
});
