/**
 * One run of the library's public API, the same in Node (test/browser.test.ts)
 * and in the page (page.ts, bundled from the package's browser entry): fit
 * (featurewise mean, std and ZCA, then again on augmented copies), standardize,
 * flow with augmentation, toLayer on the active backend. Returns every number
 * as plain arrays, so the test can compare the page's against Node's bit for bit.
 * The library and tfjs are passed in, so each side uses its own build.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type * as Library from '../../src/browser.js';

export type Numbers = Record<string, number[]>;

/** Images with structure and noise (a linear congruential generator: the same numbers everywhere). */
export function images(n: number, h: number, w: number, c: number, seed: number): Float32Array {
  const out = new Float32Array(n * h * w * c);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const pixel = Math.floor(i / c) % (h * w);
    out[i] = ((pixel * 7 + (i % c) * 40) % 200) + (s / 2 ** 32) * 55;
  }
  return out;
}

export const SHAPE = [40, 4, 4, 3] as const;

/**
 * `generator` (featurewise center and std, augmentation) and `whitening`
 * (featurewise center and ZCA) are returned fitted, for the caller to save.
 */
export async function scenario(lib: typeof Library, tf: typeof tfc): Promise<{ numbers: Numbers; generator: Library.ImageDataGenerator; whitening: Library.ImageDataGenerator }> {
  const [n, h, w, c] = SHAPE;
  const x = { data: images(n, h, w, c, 7), shape: [n, h, w, c] };
  const labels = Float32Array.from({ length: n }, (_, i) => i % 3);
  const numbers: Numbers = {};

  const generator = new lib.ImageDataGenerator({
    featurewiseCenter: true, featurewiseStdNormalization: true,
    rotationRange: 25, widthShiftRange: 0.2, heightShiftRange: 1, zoomRange: 0.2, horizontalFlip: true, fillMode: 'reflect',
  });
  await generator.fit(x);
  const state = generator.toJSON();
  numbers.mean = state.statistics.mean!.values;
  numbers.std = state.statistics.std!.values;
  const images4d = tf.tensor4d(x.data, [n, h, w, c]);
  const standardized = generator.standardize(images4d);
  numbers.standardized = Array.from(standardized.dataSync());
  tf.dispose([images4d, standardized]);

  const flow = generator.flow(x, { data: labels, shape: [n] }, { batchSize: 16, seed: 1234 });
  for (let b = 0; b < 3; b++) {
    const { xs, ys } = flow.next().value as { xs: tfc.Tensor; ys: tfc.Tensor };
    numbers[`flow${b}.xs`] = Array.from(xs.dataSync());
    numbers[`flow${b}.ys`] = Array.from(ys.dataSync());
    tf.dispose([xs, ys]);
  }

  // ZCA: the Gram matrix and eigensolver of the library (wasm kernels, or TypeScript without shared wasm memory).
  const whitening = new lib.ImageDataGenerator({ featurewiseCenter: true, zcaWhitening: true, zcaEpsilon: 1e-3 });
  await whitening.fit(x);
  numbers.zca = whitening.toJSON().statistics.zcaWhiteningMatrix!.values;
  const whitened = whitening.standardize(x);
  numbers.whitened = Array.from(whitened.dataSync());
  whitened.dispose();

  // Fitting on augmented copies (the transforms run in the library, not on the backend).
  const augmented = new lib.ImageDataGenerator({ featurewiseCenter: true, zcaWhitening: true, rotationRange: 40, horizontalFlip: true });
  await augmented.fit(x, { augment: true, rounds: 2, seed: 99 });
  numbers['augmented.zca'] = augmented.toJSON().statistics.zcaWhiteningMatrix!.values;
  augmented.dispose();

  // The in-model layers: tfjs ops on the active backend.
  for (const [name, g] of [['layer', generator], ['zcaLayer', whitening]] as const) {
    const layer = g.toLayer({ inputShape: [h, w, c] });
    const input = tf.tensor4d(x.data, [n, h, w, c]);
    const output = layer.apply(input) as tfc.Tensor;
    numbers[name] = Array.from(output.dataSync());
    tf.dispose([input, output]);
    layer.dispose();
  }
  return { numbers, generator, whitening };
}
