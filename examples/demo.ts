/**
 * The main job, end to end: generate a data set, fit the generator's
 * featurewise statistics, train a small CNN on flow() batches, save the model
 * and the generator, reload both into fresh objects, and predict on held-out
 * images through standardize(). It also shows what skipping standardize at
 * prediction time costs.
 *
 *   npm run demo            (TFJS_BACKEND=cpu|wasm|tensorflow to force a backend)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ImageDataGenerator, useBestBackend } from '../src/index.js';
import { loadModel, saveModel, writeFileAtomic } from './modelFiles.js';
import { CLASS_NAMES, makeShapes } from './shapes.js';

const TRAIN = 3000;
const TEST = 600;
const EPOCHS = 6;
const t0 = performance.now();
const seconds = () => ((performance.now() - t0) / 1000).toFixed(1);

// Training convolutions needs Conv2DBackpropFilter, which the wasm backend lacks.
const backend = await useBestBackend({ requiredKernels: ['Conv2DBackpropFilter'] });
console.log(`backend: ${backend.name}${backend.skipped.map((s) => `\n  skipped ${s.name}: ${s.reason}`).join('')}`);

const train = makeShapes(TRAIN, 1);
const test = makeShapes(TEST, 2);
const oneHot = (labels: Int32Array) => tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), CLASS_NAMES.length));
console.log(`data: ${TRAIN} training and ${TEST} held-out 32x32 RGB images, classes ${CLASS_NAMES.join(', ')}`);

// 1. Training: fit the statistics on the training images, then train on augmented flow() batches.
const generator = new ImageDataGenerator({
  featurewiseCenter: true,
  featurewiseStdNormalization: true,
  rotationRange: 10,
  widthShiftRange: 0.1,
  heightShiftRange: 0.1,
  horizontalFlip: true,
});
await generator.fit({ data: train.images, shape: train.shape });
console.log(`fitted mean ${fmt(generator.mean!)} std ${fmt(generator.std!)}`);

const trainLabels = oneHot(train.labels);
const flow = generator.flow({ data: train.images, shape: train.shape }, trainLabels, { batchSize: 32, seed: 42 });
trainLabels.dispose();

const model = tfl.sequential({
  layers: [
    tfl.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, activation: 'relu', padding: 'same' }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', padding: 'same' }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', padding: 'same' }),
    tfl.layers.globalAveragePooling2d({}),
    tfl.layers.dense({ units: CLASS_NAMES.length, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.005), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fitDataset(flow.toDataset(), {
  epochs: EPOCHS,
  batchesPerEpoch: flow.length,
  verbose: 0,
  callbacks: {
    onEpochEnd: async (epoch, logs) => {
      console.log(`epoch ${epoch + 1}/${EPOCHS}  loss ${logs!.loss!.toFixed(3)}  accuracy ${logs!.acc!.toFixed(3)}  (${seconds()} s)`);
    },
  },
});

// 2. Save the model and the generator's fitted statistics side by side.
const dir = await mkdtemp(join(tmpdir(), 'idg-demo-'));
await saveModel(model, join(dir, 'model'));
await writeFileAtomic(join(dir, 'generator.json'), JSON.stringify(generator.toJSON()));
console.log(`saved model and generator to ${dir}`);
model.dispose();

// 3. Prediction, as a separate program would do it: fresh objects from the files.
const served = await loadModel(join(dir, 'model'));
const servedGenerator = ImageDataGenerator.fromJSON(JSON.parse(await readFile(join(dir, 'generator.json'), 'utf8')));

function accuracy(images: tf.Tensor): number {
  return tf.tidy(() => {
    const predicted = tf.argMax(served.predict(images) as tf.Tensor, -1);
    return tf.mean(tf.cast(tf.equal(predicted, tf.tensor1d(test.labels, 'int32')), 'float32')).dataSync()[0]!;
  });
}
const raw = tf.tensor4d(test.images, test.shape);
const standardized = servedGenerator.standardize(raw);
const withStandardize = accuracy(standardized);
const withoutStandardize = accuracy(raw);
tf.dispose([raw, standardized]);
console.log(`held-out accuracy with standardize():    ${(withStandardize * 100).toFixed(1)}%`);
console.log(`held-out accuracy without standardize(): ${(withoutStandardize * 100).toFixed(1)}%  (the classic mistake)`);
await rm(dir, { recursive: true, force: true });
console.log(`done in ${seconds()} s on ${backend.name}`);

function fmt(a: Float32Array): string {
  return `[${Array.from(a, (v) => v.toFixed(2)).join(', ')}]`;
}
