/**
 * The worker-thread contract: results equal the calling thread's bit for bit,
 * whatever the work (a user's preprocessingFunction, batches past the shared
 * counter's range), and an error raised in a thread arrives typed, with the
 * message the calling thread would have given.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDataGenerator, InvalidArgumentError, type Batch } from '../src/index.js';
import { captureWarnings, testData } from './helpers/generators.js';

const root = mkdtempSync(join(tmpdir(), 'idg-workers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend('wasm');
  for (const name of ['a', 'b']) mkdirSync(join(root, name));
  for (let i = 0; i < 10; i++) {
    const data = Uint8Array.from({ length: 9 * 7 * 3 }, (_, k) => (k * 37 + i * 101) % 256);
    writeFileSync(join(root, i % 2 ? 'a' : 'b', `img${i}.png`), encodePng({ width: 7, height: 9, data, channels: 3, depth: 8 }));
  }
});

const values = (b: Batch) => Array.from((b.xs as tf.Tensor).dataSync());
const dispose = (b: Batch) => tf.dispose([b.xs, b.ys].flat().filter((t): t is tf.Tensor => t !== undefined));

describe('worker threads', () => {
  // Keras runs preprocessing_function inside standardize, after the random transform.
  it('a preprocessingFunction runs after the workers\' transform, equal to the calling thread\'s result', async () => {
    const preprocessingFunction = (x: tf.Tensor3D) => tf.sqrt(x);
    const generator = new ImageDataGenerator({ rotationRange: 30, horizontalFlip: true, rescale: 1 / 255, preprocessingFunction });
    const flows = await Promise.all([2, 0].map((workers) => generator.flowFromDirectory(root, { targetSize: [9, 7], batchSize: 4, seed: 7, workers })));
    for (let k = 0; k < 3; k++) {
      const [a, b] = [(await flows[0]!.next()).value, (await flows[1]!.next()).value];
      expect(values(a)).toEqual(values(b));
      dispose(a);
      dispose(b);
    }
    const fitted = await Promise.all([2, 0].map((workers) =>
      new ImageDataGenerator({ rotationRange: 30, featurewiseCenter: true, preprocessingFunction }).fitFromDirectory(root, { targetSize: [9, 7], augment: true, seed: 3, workers })));
    expect(fitted[0]!.mean).toEqual(fitted[1]!.mean);
  });

  it('an input error raised in an augmentation thread arrives typed, with the calling thread\'s message', () => {
    const x = { data: testData(8 * 4 * 4 * 2, 3), shape: [8, 4, 4, 2] };
    const errorOf = (workers: number) => {
      try {
        captureWarnings(() => new ImageDataGenerator({ brightnessRange: [0.5, 1.5] }).flow(x, null, { batchSize: 4, workers }).next());
      } catch (e) {
        return e as Error;
      }
      return null;
    };
    const [threaded, calling] = [errorOf(1), errorOf(0)];
    expect(threaded).toBeInstanceOf(InvalidArgumentError);
    expect(threaded!.message).toBe(calling!.message);
    expect(threaded!.message).toMatch(/brightnessRange/);
    // The pool is fine afterwards.
    const ok = new ImageDataGenerator({ horizontalFlip: true }).flow({ data: testData(8 * 4 * 4 * 3, 3), shape: [8, 4, 4, 3] }, null, { batchSize: 4, workers: 1 }).next().value;
    expect((ok.xs as tf.Tensor).shape).toEqual([4, 4, 4, 3]);
    dispose(ok);
  });

  it('a batch of more than 2^20 images is transformed whole, first or after other batches', () => {
    const n = 2 ** 20 + 5;
    const x = { data: Float32Array.from({ length: n * 2 }, (_, i) => i), shape: [n, 1, 2, 1] };
    const generator = new ImageDataGenerator({ horizontalFlip: true });
    for (const earlier of [0, 3]) {
      const flow = generator.flow(x, null, { batchSize: n - earlier, shuffle: false, workers: 1, seed: 5 });
      if (earlier) dispose(generator.flow(x, null, { batchSize: 4, workers: 1 }).next().value);
      const v = (flow.next().value.xs as tf.Tensor);
      const out = v.dataSync();
      v.dispose();
      // Every image is itself or its mirror image: never zeros, never another image's pixels.
      let wrong = 0;
      for (let i = 0; i < n - earlier; i++) {
        const [p, q] = [out[2 * i]!, out[2 * i + 1]!];
        if (!((p === 2 * i && q === 2 * i + 1) || (p === 2 * i + 1 && q === 2 * i))) wrong++;
      }
      expect(wrong).toBe(0);
    }
  });
});
