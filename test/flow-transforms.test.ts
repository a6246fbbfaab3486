/**
 * `ArrayIterator.transforms(i)`: the parameters a flow's batch i was drawn
 * with, which `applyTransform` replays to the batch's very pixels (the
 * playground shows them per tile).
 */
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator, type ImageDataGeneratorArgs } from '../src/index.js';
import { testData } from './helpers/generators.js';

const [N, H, W, C] = [7, 6, 5, 3];
const x = { data: testData(N * H * W * C, 3).map((v) => v * 255), shape: [N, H, W, C] };
const AUGMENTED: ImageDataGeneratorArgs = {
  rotationRange: 30, widthShiftRange: 0.2, heightShiftRange: 2, shearRange: 10, zoomRange: [0.8, 1.3],
  channelShiftRange: 20, brightnessRange: [0.5, 1.5], horizontalFlip: true, verticalFlip: true, fillMode: 'reflect',
};

/** Image `i` of `x` as its own rank-3 array. */
const image = (i: number) => ({ data: x.data.slice(i * H * W * C, (i + 1) * H * W * C), shape: [H, W, C] });

describe('flow().transforms(i)', () => {
  for (const [name, rng, workers] of [['default random, this thread', 'default', 0], ['default random, worker threads', 'default', 1], ['numpy random', 'numpy', 0]] as const) {
    it(`replays each batch's pixels through applyTransform (${name})`, () => {
      const generator = new ImageDataGenerator({ ...AUGMENTED, rng });
      const flow = generator.flow(x, null, { batchSize: 3, seed: 99, workers });
      for (const epoch of [0, 1]) {
        for (let b = 0; b < flow.length; b++) {
          const params = flow.transforms(b, epoch)!;
          const { xs } = flow.next().value;
          const indices = flow.indexOrder(epoch).slice(b * 3, b * 3 + 3);
          expect(params).toHaveLength(indices.length);
          const got = xs.dataSync();
          indices.forEach((sample, k) => {
            const replayed = generator.applyTransform(image(sample), params[k]!);
            expect(Array.from(replayed.dataSync()), `epoch ${epoch} batch ${b} image ${k}`).toEqual(Array.from(got.subarray(k * H * W * C, (k + 1) * H * W * C)));
            replayed.dispose();
          });
          xs.dispose();
        }
      }
      // Different images of one batch get different draws.
      expect(flow.transforms(0)![0]).not.toEqual(flow.transforms(0)![1]);
    });
  }

  it('is null when the flow does not augment', () => {
    expect(new ImageDataGenerator({ rescale: 2 }).flow(x, null, { seed: 1 }).transforms(0)).toBeNull();
    const split = new ImageDataGenerator({ ...AUGMENTED, validationSplit: 0.5 });
    expect(split.flow(x, null, { seed: 1, subset: 'validation' }).transforms(0)).toBeNull();
    expect(split.flow(x, null, { seed: 1, subset: 'training' }).transforms(0)).toHaveLength(4);
  });

  it('names a batch index out of range', () => {
    const flow = new ImageDataGenerator(AUGMENTED).flow(x, null, { batchSize: 4, seed: 1 });
    expect(() => flow.transforms(2)).toThrow("`index`: expected an integer batch index in [0, 2), received 2.");
  });
});
