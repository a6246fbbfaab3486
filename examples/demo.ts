/**
 * The main job, end to end: generate a data set, fit the generator's
 * featurewise statistics, train a small CNN on flow() batches, save the model
 * and the generator, reload both into fresh objects, and predict on held-out
 * images through standardize(). It also shows what skipping standardize at
 * prediction time costs.
 *
 *   npm run demo            (TFJS_BACKEND=cpu|wasm|tensorflow to force a backend)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encode } from 'fast-png';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ImageDataGenerator, useBestBackend } from '../src/index.js';
import { CLASS_NAMES, makeShapes } from './shapes.js';

const TRAIN = 3000;
const TEST = 600;
const EPOCHS = 6;
const t0 = performance.now();
const seconds = () => ((performance.now() - t0) / 1000).toFixed(1);

// Training convolutions needs Conv2DBackpropFilter: tfjs-node and cpu have it, and importing this package
// gives wasm a bridge to its 3-D kernel (stride 1), so a backend without it is skipped, with the reason.
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

const init = (seed: number) => tfl.initializers.glorotUniform({ seed }); // seeded, so runs repeat
const model = tfl.sequential({
  layers: [
    tfl.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, activation: 'relu', padding: 'same', kernelInitializer: init(1) }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', padding: 'same', kernelInitializer: init(2) }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', padding: 'same', kernelInitializer: init(3) }),
    tfl.layers.globalAveragePooling2d({}),
    tfl.layers.dense({ units: CLASS_NAMES.length, activation: 'softmax', kernelInitializer: init(4) }),
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

// 2. Save. Route 1: the model and the generator's statistics side by side.
//    Route 2: a model that starts with the standardization layer and takes raw images.
const out = 'demo-output';
// file:// works without tfjs-node: importing this package registers the handler.
await model.save(`file://${join(out, 'model')}`);
await generator.save(join(out, 'generator'));
const embedded = tfl.sequential({ layers: [generator.toLayer({ inputShape: [32, 32, 3] }), ...model.layers] });
await embedded.save(`file://${join(out, 'model-with-standardization')}`);
console.log(`saved ${out}/model, ${out}/generator and ${out}/model-with-standardization`);

// 3. Prediction, as a separate program would do it: fresh objects from the files.
const served = await tfl.loadLayersModel(`file://${join(out, 'model', 'model.json')}`);
const servedGenerator = await ImageDataGenerator.load(join(out, 'generator'));
const servedEmbedded = await tfl.loadLayersModel(`file://${join(out, 'model-with-standardization', 'model.json')}`);

function accuracy(net: tfl.LayersModel, images: tf.Tensor): number {
  return tf.tidy(() => {
    const predicted = tf.argMax(net.predict(images) as tf.Tensor, -1);
    return tf.mean(tf.cast(tf.equal(predicted, tf.tensor1d(test.labels, 'int32')), 'float32')).dataSync()[0]!;
  });
}
const raw = tf.tensor4d(test.images, test.shape);
const standardized = servedGenerator.standardize(raw);
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
console.log(`held-out accuracy, model + loaded generator's standardize(): ${pct(accuracy(served, standardized))}`);
console.log(`held-out accuracy, model with the standardization layer:     ${pct(accuracy(servedEmbedded, raw))}`);
console.log(`held-out accuracy, raw images without standardize():         ${pct(accuracy(served, raw))}  (the classic mistake)`);
tf.dispose([raw, standardized]);

// A few held-out images as PNG files for examples/inference.ts.
await mkdir(join(out, 'samples'), { recursive: true });
for (let i = 0; i < 8; i++) {
  const pixels = Uint8Array.from(test.images.subarray(i * 3072, (i + 1) * 3072), (v) => Math.round(v));
  await writeFile(join(out, 'samples', `${i}_${CLASS_NAMES[test.labels[i]!]}.png`), encode({ width: 32, height: 32, data: pixels, channels: 3, depth: 8 }));
}
console.log(`wrote 8 held-out images to ${out}/samples; try: npm run inference -- ${out}/samples/*.png`);
console.log(`done in ${seconds()} s on ${backend.name}`);

function fmt(a: Float32Array): string {
  return `[${Array.from(a, (v) => v.toFixed(2)).join(', ')}]`;
}
