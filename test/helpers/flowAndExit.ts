/**
 * Run in a separate Node process by directory.test.ts: reads two batches of a
 * file flow with worker threads and prints how many images it got. The test
 * checks that the process neither ends while a batch is awaited nor stays
 * alive after the last one. Argument: the directory.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ImageDataGenerator, setWarningHandler, useBestBackend } from '../../src/index.js';

await useBestBackend();
setWarningHandler(null);
const flow = await new ImageDataGenerator({ rotationRange: 10 }).flowFromDirectory(process.argv[2]!, { targetSize: [8, 8], batchSize: 4, workers: 2 });
let images = 0;
for (let i = 0; i < 2; i++) {
  const { xs, ys } = (await flow.next()).value;
  images += (xs as tf.Tensor).shape[0];
  tf.dispose([xs as tf.Tensor, ys as tf.Tensor]);
}
console.log(`images ${images}`);
