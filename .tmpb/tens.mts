import * as tf from '@tensorflow/tfjs-core';
import { useBestBackend } from '../src/index.js';
await useBestBackend();
const n = 32 * 224 * 224 * 3;
const a = new Float32Array(new SharedArrayBuffer(n * 4)).fill(1);
const b = new Float32Array(new SharedArrayBuffer(n * 4)).fill(2);
for (let rep = 0; rep < 3; rep++) {
  let t = performance.now(); let k = 0;
  while (performance.now() - t < 1000) { const x = tf.tensor4d(k % 2 ? a : b, [32, 224, 224, 3]); x.dispose(); k++; }
  console.log('tensor create+dispose', ((performance.now() - t) / k).toFixed(2), 'ms');
  t = performance.now(); k = 0;
  while (performance.now() - t < 1000) { (k % 2 ? a : b).set(k % 2 ? b : a); k++; }
  console.log('memcpy 19MB', ((performance.now() - t) / k).toFixed(2), 'ms');
}
