/**
 * Run in a separate Node process by directory.test.ts and transform.test.ts:
 * reads two augmented batches with worker threads, from a directory (the
 * argument) or, with `--array`, from an array, and prints how many images it
 * got. The tests check that the process neither ends while a batch is
 * awaited nor stays alive after the last one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ImageDataGenerator, type Batch, setWarningHandler, useBestBackend } from '../../src/index.js';

await useBestBackend();
setWarningHandler(null);
const generator = new ImageDataGenerator({ rotationRange: 10 });
const next: () => Promise<Batch> = process.argv[2] === '--array'
  ? ((flow) => async () => flow.next().value)(generator.flow({ data: new Float32Array(8 * 6 * 6 * 3).fill(0.5), shape: [8, 6, 6, 3] }, null, { batchSize: 4, workers: 1 }))
  : ((flow) => async () => (await flow.next()).value)(await generator.flowFromDirectory(process.argv[2]!, { targetSize: [8, 8], batchSize: 4, workers: 2 }));
let images = 0;
for (let i = 0; i < 2; i++) {
  const { xs, ys } = await next();
  images += (xs as tf.Tensor).shape[0];
  tf.dispose([xs as tf.Tensor, ys as tf.Tensor].filter(Boolean));
}
console.log(`images ${images}`);
