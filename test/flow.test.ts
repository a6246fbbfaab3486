import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ImageDataGenerator, InvalidArgumentError, ShapeError, type Batch } from '../src/index.js';
import { behaviour, casesOf, fixtureArray, maxAbsDiff } from './helpers/fixtures.js';
import { fromFixtureConfig, testData } from './helpers/generators.js';

const images = (n: number, h = 4, w = 3, c = 3, seed = 1) => ({ data: testData(n * h * w * c, seed), shape: [n, h, w, c] });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const labelsOf = (b: Batch) => Array.from((b.ys as tf.Tensor).dataSync());
const dispose = (b: Batch) => tf.dispose([b.xs, b.ys, b.sampleWeight].flat().filter((t): t is tf.Tensor => t !== undefined));

describe('flow matches Keras (flow fixtures without augmentation)', () => {
  const all = casesOf('flow');
  const unaugmented = all.filter((c) => !Object.keys(c.config).some((k) => /range|flip/.test(k)));
  it('has the unaugmented cases', () => expect(unaugmented.map((c) => c.id).sort()).toEqual(['flow_norm_only_noshuffle', 'flow_valsplit_training', 'flow_valsplit_validation']));
  for (const c of unaugmented) {
    it(c.id, async () => {
      const g = fromFixtureConfig(c.config);
      if (c.fit_input) await g.fit(fixtureArray(c.fit_input));
      const x = fixtureArray(c.inputs.x);
      // y holds sample indices (all distinct), so the class-split check cannot apply to these cases.
      const options = { batchSize: c.flow_kwargs.batch_size, shuffle: c.flow_kwargs.shuffle, subset: c.flow_kwargs.subset, ignoreClassSplit: true };
      const it = g.flow(x, fixtureArray(c.inputs.y), options);
      expect(it.length).toBe(c.n_batches);
      for (const expected of c.batches) {
        const b = it.next().value;
        expect(labelsOf(b)).toEqual(expected.y_labels);
        expect(maxAbsDiff((b.xs as tf.Tensor).dataSync(), fixtureArray(expected.x).data)).toBeLessThan(1e-5);
        dispose(b);
      }
    });
  }
});

describe('flow batching and epochs', () => {
  it('length, last partial batch and endless epochs (Keras flow_len)', () => {
    expect(behaviour('flow_len').result).toBe('3');
    const it = new ImageDataGenerator().flow(images(10), range(10), { batchSize: 4, shuffle: false });
    expect(it.length).toBe(3);
    const sizes = Array.from({ length: 7 }, () => {
      const b = it.next().value;
      const size = (b.xs as tf.Tensor).shape[0];
      dispose(b);
      return size;
    });
    expect(sizes).toEqual([4, 4, 2, 4, 4, 2, 4]);
    expect(it.epoch).toBe(2);
  });

  it('shuffles each epoch into a new permutation, reproducibly for a seed', () => {
    const epochOrder = (seed: number, epochs: number) => {
      const it = new ImageDataGenerator().flow(images(50), range(50), { batchSize: 16, seed });
      return Array.from({ length: epochs }, () => Array.from({ length: it.length }, () => {
        const b = it.next().value;
        const l = labelsOf(b);
        dispose(b);
        return l;
      }).flat());
    };
    const [e0, e1] = epochOrder(11, 2);
    expect([...e0!].sort((a, b) => a - b)).toEqual(range(50));
    expect([...e1!].sort((a, b) => a - b)).toEqual(range(50));
    expect(e0).not.toEqual(e1);
    expect(e0).not.toEqual(range(50));
    expect(epochOrder(11, 2)).toEqual([e0, e1]);
    expect(epochOrder(12, 1)[0]).not.toEqual(e0);
  });

  it('batch(i, epoch) equals what next() yields, and reset() repeats the stream', () => {
    const it = new ImageDataGenerator().flow(images(10), range(10), { batchSize: 4, seed: 5 });
    const streamed = Array.from({ length: 6 }, () => it.next().value);
    for (let k = 0; k < 6; k++) {
      const b = it.batch(k % 3, Math.floor(k / 3));
      expect((b.xs as tf.Tensor).arraySync()).toEqual((streamed[k]!.xs as tf.Tensor).arraySync());
      expect(labelsOf(b)).toEqual(labelsOf(streamed[k]!));
      dispose(b);
    }
    it.reset();
    const again = it.next().value;
    expect(labelsOf(again)).toEqual(labelsOf(streamed[0]!));
    [...streamed, again].forEach(dispose);
    expect(() => it.batch(3)).toThrow(InvalidArgumentError);
  });

  it('keeps images, labels, misc arrays and sample weights aligned', () => {
    const x = images(9, 2, 2, 1);
    const misc = { data: Float32Array.from(range(9), (v) => v * 10), shape: [9] };
    const g = new ImageDataGenerator();
    const it = g.flow([x, [misc]], range(9), { batchSize: 4, seed: 3, sampleWeight: range(9).map((v) => v + 100) });
    for (let k = 0; k < 3; k++) {
      const b = it.next().value;
      const [imgs, m] = b.xs as tf.Tensor[];
      const labels = labelsOf(b);
      expect(Array.from(m!.dataSync())).toEqual(labels.map((l) => l * 10));
      expect(Array.from(b.sampleWeight!.dataSync())).toEqual(labels.map((l) => l + 100));
      const pixels = imgs!.dataSync();
      labels.forEach((l, i) => expect(Array.from(pixels.subarray(i * 4, i * 4 + 4))).toEqual(Array.from(x.data.subarray(l * 4, l * 4 + 4))));
      dispose(b);
    }
  });

  it('yields channelsFirst batches in channelsFirst layout', async () => {
    const x = images(6, 3, 2, 3);
    const g = new ImageDataGenerator({ dataFormat: 'channelsFirst', featurewiseCenter: true });
    await g.fit({ data: x.data, shape: [6, 3, 3, 2] });
    const b = g.flow({ data: x.data, shape: [6, 3, 3, 2] }, null, { shuffle: false, batchSize: 6 }).next().value;
    const expected = g.standardize({ data: x.data, shape: [6, 3, 3, 2] });
    expect((b.xs as tf.Tensor).shape).toEqual([6, 3, 3, 2]);
    expect((b.xs as tf.Tensor).arraySync()).toEqual(expected.arraySync());
    expect(b.ys).toBeUndefined();
    dispose(b);
    expected.dispose();
  });

  it('async iteration yields the same stream', async () => {
    const g = new ImageDataGenerator();
    const a = g.flow(images(7), range(7), { batchSize: 3, seed: 9 });
    const b = g.flow(images(7), range(7), { batchSize: 3, seed: 9 });
    let k = 0;
    for await (const batch of a) {
      const other = b.next().value;
      expect(labelsOf(batch)).toEqual(labelsOf(other));
      dispose(batch);
      dispose(other);
      if (++k === 5) break;
    }
  });
});

describe('batch buffers', () => {
  // On wasm the tensor copies the pixels, so the array is reused at once; on cpu the tensor keeps the
  // array and data() returns that very array, so it is never reused.
  it.each(['wasm', 'cpu'])('a batch, a clone, a reshape or the array data() gave keeps its values while later batches are made (%s backend)', async (backend) => {
    const previous = tf.getBackend();
    await tf.setBackend(backend);
    onTestFinished(async () => {
      await tf.setBackend(previous);
    });
    const x = { data: testData(12 * 5 * 4 * 3, 8), shape: [12, 5, 4, 3] };
    for (const options of [{ rotationRange: 30, featurewiseCenter: true }, { featurewiseCenter: true }]) {
      const g = await new ImageDataGenerator(options).fit(x);
      const flow = g.flow(x, null, { batchSize: 4, seed: 5 });
      const reference = g.flow(x, null, { batchSize: 4, seed: 5, workers: 0 });
      const expected = Array.from({ length: 12 }, () => {
        const t = reference.next().value.xs as tf.Tensor;
        const values = Array.from(t.dataSync());
        t.dispose();
        return values;
      });
      const held = flow.next().value.xs as tf.Tensor;
      const second = flow.next().value.xs as tf.Tensor;
      const clone = tf.clone(second);
      second.dispose();
      const third = flow.next().value.xs as tf.Tensor;
      const reshaped = tf.reshape(third, [-1]);
      third.dispose();
      const fourth = flow.next().value.xs as tf.Tensor;
      const values = await fourth.data();
      fourth.dispose();
      for (let k = 4; k < 12; k++) {
        const b = flow.next().value.xs as tf.Tensor;
        expect(Array.from(b.dataSync())).toEqual(expected[k]);
        b.dispose();
      }
      expect(Array.from(held.dataSync())).toEqual(expected[0]);
      expect(Array.from(clone.dataSync())).toEqual(expected[1]);
      expect(Array.from(reshaped.dataSync())).toEqual(expected[2]);
      expect(Array.from(values)).toEqual(expected[3]);
      tf.dispose([held, clone, reshaped]);
    }
  });
});

describe('flow subsets (validationSplit)', () => {
  it('validation is the first floor(n * split) samples, training the rest (Keras flow_validation_len)', () => {
    expect(behaviour('flow_validation_len').result).toBe('2');
    const g = new ImageDataGenerator({ validationSplit: 0.25 });
    const y = range(10).map((i) => i % 2);
    const val = g.flow(images(10), y, { subset: 'validation', shuffle: false, batchSize: 10 });
    const train = g.flow(images(10), y, { subset: 'training', shuffle: false, batchSize: 10 });
    const v = val.next().value;
    const t = train.next().value;
    expect(labelsOf(v)).toEqual([0, 1]);
    expect((t.xs as tf.Tensor).shape[0]).toBe(8);
    expect(Array.from((t.xs as tf.Tensor).dataSync().subarray(0, 36))).toEqual(Array.from(images(10).data.subarray(72, 108)));
    dispose(v);
    dispose(t);
  });

  it('errors like Keras for a bad subset or a class split mismatch; ignoreClassSplit skips the check', () => {
    const g = new ImageDataGenerator({ validationSplit: 0.5 });
    expect(behaviour('subset_bad_raises').ok).toBe(false);
    expect(() => g.flow(images(4), null, { subset: 'foo' as never })).toThrow(/`subset`/);
    expect(behaviour('subset_class_split_mismatch_raises').ok).toBe(false);
    expect(() => g.flow(images(4), [0, 0, 1, 1], { subset: 'training' })).toThrow(/shuffle them first/);
    expect(() => g.flow(images(4), [0, 0, 1, 1], { subset: 'training', ignoreClassSplit: true })).not.toThrow();
    expect(() => new ImageDataGenerator().flow(images(4), null, { subset: 'training' })).toThrow(/`validationSplit`/);
    // A split that leaves a subset empty: as in Keras, an iterator of length 0 (whose next() throws).
    const empty = new ImageDataGenerator({ validationSplit: 0.1 }).flow(images(4), null, { subset: 'validation' });
    expect([empty.length, empty.samples]).toEqual([0, 0]);
    expect(() => empty.next()).toThrow(/`next\(\)`: expected a flow with at least one image/);
  });
});

describe('flow input errors', () => {
  it('rank 3 x is a ShapeError (Keras flow_rank3_raises)', () => {
    expect(behaviour('flow_rank3_raises').ok).toBe(false);
    expect(() => new ImageDataGenerator().flow({ data: new Float32Array(100), shape: [4, 5, 5] })).toThrow(ShapeError);
  });

  it('mismatched lengths name the argument and both lengths', () => {
    const g = new ImageDataGenerator();
    expect(() => g.flow(images(4), range(5))).toThrow(/`y`: expected first dimension 4, the number of images in `x`, received \[5\]/);
    expect(() => g.flow(images(4), range(4), { sampleWeight: range(3) })).toThrow(/`sampleWeight`/);
    expect(() => g.flow([images(4, 2, 2, 3), [range(2)]], range(4))).toThrow(/`x\[1\]\[0\]`/);
    expect(() => g.flow(images(4), null, { batchSize: 0 })).toThrow(/`batchSize`/);
    expect(() => g.flow(images(4), null, { seed: -1 })).toThrow(/`seed`/);
  });
});

describe('tensors and tf.data', () => {
  it('numTensors stays flat across 1,000 disposed flow batches and standardize calls', async () => {
    const g = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true, samplewiseCenter: true });
    const x = images(64, 8, 8, 3);
    await g.fit(x);
    const it = g.flow([x, [range(64)]], range(64), { batchSize: 16, sampleWeight: range(64) });
    const warm = it.next().value;
    dispose(warm);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) {
      dispose(it.next().value);
      g.standardize({ data: x.data.subarray(0, 192), shape: [8, 8, 3] }).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('toDataset() trains a model with fitDataset and leaks no tensors', async () => {
    const n = 64;
    const x = images(n, 4, 4, 1, 4);
    const y = Array.from({ length: n }, (_, i) => [x.data[i * 16]! > 0.5 ? 1 : 0]);
    const g = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true });
    await g.fit(x);
    const it = g.flow(x, y, { batchSize: 16, seed: 1 });
    const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [4, 4, 1] }), tfl.layers.dense({ units: 1, activation: 'sigmoid' })] });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
    const before = tf.memory().numTensors;
    const history = await model.fitDataset(it.toDataset(), { epochs: 8, batchesPerEpoch: it.length, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses).toHaveLength(8);
    expect(losses[7]!).toBeLessThan(losses[0]!);
    const evalResult = await model.evaluateDataset(it.toDataset({ epochs: 1 }) as never, {}) as tf.Scalar;
    expect(Number.isFinite(evalResult.dataSync()[0])).toBe(true);
    evalResult.dispose();
    expect(tf.memory().numTensors - before).toBeLessThan(8); // optimizer state only
    model.dispose();
  });
});

describe('images without pixels', () => {
  it('a zero height, width or channel count is refused by flow, standardize and fit alike', async () => {
    const g = new ImageDataGenerator({ featurewiseCenter: true });
    for (const shape of [[2, 0, 3, 3], [2, 3, 0, 3], [2, 3, 3, 0]]) {
      const x = { data: new Float32Array(0), shape };
      expect(() => g.flow(x), `${shape}`).toThrow(ShapeError);
      expect(() => g.standardize(x), `${shape}`).toThrow(ShapeError);
      await expect(g.fit(x), `${shape}`).rejects.toThrow(ShapeError);
    }
  });
});
