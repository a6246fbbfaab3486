import * as tf from '@tensorflow/tfjs-core';
import { ImageDataGenerator, useBestBackend } from '../src/index.js';
import { standardizeImages } from '../src/standardize/kernel.js';
await useBestBackend();
const n = 256, size = 224 * 224 * 3;
const data = new Float32Array(n * size).map((_, i) => (i * 7919) % 255);
const steps = { rescale: null, samplewiseCenter: false, samplewiseStdNormalization: false, mean: new Float32Array([100, 120, 130]), std: new Float32Array([50, 60, 70]) };
const out = new Float32Array(32 * size);
let t = performance.now(), k = 0;
while (performance.now() - t < 2000) { const base = (k * 32) % n; standardizeImages(data, (i) => ((base + i * 7) % n) * size, out, 32, size, 3, steps); k++; }
console.log('standardizeImages batch of 32 (cold source)', ((performance.now() - t) / k).toFixed(2), 'ms');
const g = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true });
await g.fit({ data, shape: [n, 224, 224, 3] });
const flow = g.flow({ data, shape: [n, 224, 224, 3] }, null, { batchSize: 32, seed: 1 });
for (let i = 0; i < 5; i++) tf.dispose(flow.next().value.xs);
t = performance.now(); k = 0;
while (performance.now() - t < 2000) { tf.dispose(flow.next().value.xs); k++; }
console.log('flow next+dispose', ((performance.now() - t) / k).toFixed(2), 'ms');
