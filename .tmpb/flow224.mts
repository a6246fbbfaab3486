import * as tf from '@tensorflow/tfjs-core';
import { ImageDataGenerator, useBestBackend } from '../src/index.js';
await useBestBackend();
const n = 256, size = Number(process.env.SIZE ?? 224);
const data = new Float32Array(n * size * size * 3); let s = 12345;
for (let i = 0; i < data.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; data[i] = (s >>> 8) / 65793; }
const g = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true, rotationRange: 20, widthShiftRange: 0.2, heightShiftRange: 0.2, horizontalFlip: true });
await g.fit({ data, shape: [n, size, size, 3] });
const flow = g.flow({ data, shape: [n, size, size, 3] }, null, { batchSize: 32, seed: 1 });
for (let i = 0; i < 5; i++) tf.dispose(flow.next().value.xs);
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now(); let k = 0;
  while (performance.now() - t < 3000) { tf.dispose(flow.next().value.xs); k++; }
  console.log(size, (k * 32 / ((performance.now() - t) / 1000)).toFixed(0), 'img/s');
}
