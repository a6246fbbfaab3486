import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { DisposedError, ImageDataGenerator, InvalidArgumentError, NotFittedError, ShapeError } from '../src/index.js';
import { maxAbsDiff } from './helpers/fixtures.js';
import { captureWarningsAsync, testData } from './helpers/generators.js';

const here = dirname(fileURLToPath(import.meta.url));

async function saveArtifacts(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return saved!;
}

describe('toLayer: standardization inside the model', () => {
  const configs = [
    { name: 'featurewise + rescale', args: { featurewiseCenter: true, featurewiseStdNormalization: true, rescale: 1 / 255 }, shape: [6, 5, 3] },
    { name: 'samplewise', args: { samplewiseStdNormalization: true }, shape: [6, 5, 3] },
    { name: 'channelsFirst featurewise', args: { featurewiseStdNormalization: true, dataFormat: 'channelsFirst' as const }, shape: [3, 6, 5] },
    { name: 'ZCA', args: { zcaWhitening: true, rescale: 1 / 255 }, shape: [4, 4, 2] },
    { name: 'ZCA channelsFirst', args: { zcaWhitening: true, dataFormat: 'channelsFirst' as const }, shape: [2, 4, 4] },
  ];
  for (const { name, args, shape } of configs) {
    it(`${name}: the layer equals standardize()`, async () => {
      const n = 12;
      const x = { data: testData(n * shape[0]! * shape[1]! * shape[2]!, 4).map((v, i) => v * 255 + (i % 3) * 20), shape: [n, ...shape] };
      const { result: g } = await captureWarningsAsync(() => new ImageDataGenerator(args).fit(x));
      const layer = g.toLayer({ inputShape: shape });
      const model = tfl.sequential({ layers: [layer] });
      const viaLayer = model.predict(tf.tensor(x.data, x.shape)) as tf.Tensor;
      const viaStandardize = g.standardize(x);
      const scale = Math.max(1, ...Array.from(viaStandardize.dataSync(), Math.abs));
      expect(maxAbsDiff(viaLayer.dataSync(), viaStandardize.dataSync()) / scale).toBeLessThan(1e-5);
      expect(layer.trainableWeights).toHaveLength(0);
      tf.dispose([viaLayer, viaStandardize]);
    });
  }

  it('a saved model with the layer predicts on raw images, in a fresh process, what the original predicted on standardized ones', async () => {
    const shape = [8, 8, 3];
    const n = 10;
    const x = { data: testData(n * 192, 9).map((v) => v * 255), shape: [n, ...shape] };
    const g = await new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true, rescale: 1 / 255 }).fit(x);
    const head = [tfl.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }), tfl.layers.flatten(), tfl.layers.dense({ units: 3, activation: 'softmax' })];
    const withLayer = tfl.sequential({ layers: [g.toLayer({ inputShape: shape }), ...head] });
    const plain = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: shape }), ...head] });
    const expected = (plain.predict(g.standardize(x)) as tf.Tensor).dataSync();

    const dir = mkdtempSync(join(tmpdir(), 'idg-layer-'));
    try {
      const a = await saveArtifacts(withLayer);
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData!));
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: Buffer.from(weights).toString('base64'), imageShape: x.shape }));
      writeFileSync(join(dir, 'images.bin'), Buffer.from(x.data.buffer));
      execFileSync(process.execPath, ['--import', 'tsx', join(here, 'helpers/predictInFreshProcess.ts'), join(dir, 'model.json'), join(dir, 'images.bin'), join(dir, 'out.bin')], { stdio: 'pipe' });
      const out = readFileSync(join(dir, 'out.bin'));
      const got = new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
      expect(got.length).toBe(expected.length);
      expect(maxAbsDiff(got, expected)).toBeLessThan(1e-5);
      expect(JSON.stringify(a.modelTopology)).toContain('"class_name":"ImageStandardization"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a preprocessing function needs a registered layer doing the same work; unfitted statistics are refused', async () => {
    class TimesTwo extends tfl.layers.Layer {
      static className = 'TimesTwoForTest';
      override call(inputs: tf.Tensor | tf.Tensor[]) {
        return tf.mul(Array.isArray(inputs) ? inputs[0]! : inputs, 2);
      }
    }
    class NotRegistered extends TimesTwo {
      static override className = 'NotRegisteredForTest';
    }
    tf.serialization.registerClass(TimesTwo);
    const g = new ImageDataGenerator({ preprocessingFunction: (img) => tf.mul(img, 2) as tf.Tensor3D, featurewiseCenter: true });
    expect(() => g.toLayer()).toThrow(InvalidArgumentError);
    expect(() => g.toLayer()).toThrow(/preprocessingLayer/);
    const x = { data: testData(4 * 3 * 3 * 3, 3), shape: [4, 3, 3, 3] };
    await g.fit(x);
    const combined = g.toLayer({ inputShape: [3, 3, 3], preprocessingLayer: new TimesTwo({}) });
    const y = tfl.sequential({ layers: [combined] }).predict(tf.tensor(x.data, x.shape)) as tf.Tensor;
    expect(maxAbsDiff(y.dataSync(), g.standardize(x).dataSync())).toBeLessThan(1e-5);
    expect(() => g.toLayer({ preprocessingLayer: new NotRegistered({}) })).toThrow(/`preprocessingLayer`: expected a layer class registered/);
    expect(() => new ImageDataGenerator({ featurewiseCenter: true }).toLayer()).toThrow(NotFittedError);
  });

  it('a model with the layer frees every tensor on model.dispose()', async () => {
    const x = { data: testData(12 * 4 * 4 * 2, 5).map((v) => v * 255), shape: [12, 4, 4, 2] };
    for (const args of [{ featurewiseCenter: true, featurewiseStdNormalization: true }, { zcaWhitening: true }]) {
      const { result: g } = await captureWarningsAsync(() => new ImageDataGenerator(args).fit(x));
      const input = tf.tensor(x.data, x.shape);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        const model = tfl.sequential({ layers: [g.toLayer({ inputShape: [4, 4, 2] })] });
        tf.dispose(model.predict(input) as tf.Tensor);
        model.dispose();
      }
      expect(tf.memory().numTensors, JSON.stringify(args)).toBe(before);
      input.dispose();
    }
  });
});

describe('ImageDataGenerator.dispose', () => {
  it('frees the ZCA tensor a loaded generator keeps; afterwards calls needing the statistics throw DisposedError; its layer lives on', async () => {
    const shape = [4, 4, 2];
    const x = { data: testData(12 * 32, 6), shape: [12, ...shape] };
    const { result: fitted } = await captureWarningsAsync(() => new ImageDataGenerator({ zcaWhitening: true }).fit(x));
    const dir = mkdtempSync(join(tmpdir(), 'idg-dispose-'));
    try {
      await fitted.save(dir);
      const baseline = tf.memory().numTensors;
      const g = await captureWarningsAsync(() => ImageDataGenerator.load(dir)).then((r) => r.result);
      const expected = g.standardize(x);
      const model = tfl.sequential({ layers: [g.toLayer({ inputShape: shape })] });
      const held = g.flow(x, null, { batchSize: 4, shuffle: false });
      g.dispose();
      g.dispose();
      const input = tf.tensor(x.data, x.shape);
      const layerOut = model.predict(input) as tf.Tensor;
      expect(maxAbsDiff(layerOut.dataSync(), expected.dataSync())).toBeLessThan(1e-4);
      tf.dispose([input, layerOut, expected]);
      model.dispose();
      expect(tf.memory().numTensors).toBe(baseline);
      for (const call of [() => g.standardize(x), () => g.flow(x).next(), () => held.next(), () => g.toLayer(), () => g.toJSON(), () => g.mean]) {
        expect(call).toThrow(DisposedError);
      }
      await expect(g.save(dir)).rejects.toThrow(DisposedError);
      await expect(g.fit(x)).rejects.toThrow(DisposedError);
      expect(tf.memory().numTensors).toBe(baseline);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('statistics applied to images of another shape', () => {
  it('standardize with ZCA refuses images of the fitted size but another shape; the layer refuses another channel count', async () => {
    const x = { data: testData(20 * 4 * 4 * 3, 6), shape: [20, 4, 4, 3] };
    const { result: zca } = await captureWarningsAsync(() => new ImageDataGenerator({ zcaWhitening: true }).fit(x));
    const same = { data: testData(2 * 4 * 4 * 3, 7), shape: [2, 4, 4, 3] };
    tf.dispose(zca.standardize(same));
    for (const shape of [[2, 2, 8, 3], [2, 8, 2, 3], [2, 4, 12, 1]]) {
      expect(() => zca.standardize({ data: same.data, shape })).toThrow(ShapeError);
    }
    const featurewise = await new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true }).fit(x);
    const before = tf.memory().numTensors;
    for (const [g, input] of [[featurewise, [1, 4, 4, 1]], [zca, [1, 8, 2, 3].slice(0, 3).concat([2])]] as const) {
      const layer = g.toLayer();
      const image = tf.zeros(input as number[]);
      expect(() => layer.apply(image)).toThrow(ShapeError);
      image.dispose();
      layer.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
