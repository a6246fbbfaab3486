import * as tf from '@tensorflow/tfjs-core';
import { ImageDataGenerator, useBestBackend } from '../src/index.js';
await useBestBackend();
const size = 224 * 224 * 3;
const data = new Float32Array(32 * size).map((_, i) => (i * 7919) % 255);
const g = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true });
await g.fit({ data, shape: [32, 224, 224, 3] });
const batch = tf.tensor4d(data, [32, 224, 224, 3]);
for (let rep = 0; rep < 3; rep++) {
  let t = performance.now(), k = 0;
  while (performance.now() - t < 1500) { g.standardize(batch).dispose(); k++; }
  console.log('standardize(tensor)', ((performance.now() - t) / k).toFixed(2), 'ms/batch', tf.memory().numTensors);
  t = performance.now(); k = 0;
  while (performance.now() - t < 1500) { batch.dataSync(); k++; }
  console.log('dataSync', ((performance.now() - t) / k).toFixed(2), 'ms/batch');
}
