/**
 * interpolationOrder 2 to 5 against Keras's apply_transform on scipy
 * (goldens from tools/keras-goldens/splines.py in
 * test/fixtures/keras-goldens/splines: every fill mode, rotations, shear,
 * zoom, shifts far outside the image, flips; a random 7x9x3, a crop of a
 * photo and 1- and 2-long axes), the wasm kernel against the TypeScript
 * reference bit for bit, and flows with worker threads against workers: 0.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator, InvalidArgumentError, type Batch } from '../src/index.js';
import type { FillMode, InterpolationOrder } from '../src/options/args.js';
import { paramsFromKeras } from './helpers/keras.js';
import { testData } from './helpers/generators.js';

const DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures/keras-goldens/splines');

interface Golden {
  versions: Record<string, string>;
  images: Array<{ name: string; shape: [number, number, number]; offset: number }>;
  cases: Array<{ id: string; image: string; order: InterpolationOrder; fill_mode: FillMode; cval: number;
    params: Record<string, unknown>; offset: number; ties: number[] }>;
}

const golden = JSON.parse(readFileSync(resolve(DIR, 'index.json'), 'utf8')) as Golden;
const blob = (() => {
  const b = readFileSync(resolve(DIR, 'splines.bin'));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
})();
const images = new Map(golden.images.map((im) => {
  const size = im.shape[0] * im.shape[1] * im.shape[2];
  return [im.name, { shape: im.shape, data: blob.slice(im.offset, im.offset + size) }] as const;
}));

/**
 * Relative error of `got` against scipy's `want`: |got - want| / max(|want|, floor),
 * floor a thousandth of the image's largest magnitude (spline ringing can pass near zero).
 */
function relativeError(got: number, want: number, floor: number): number {
  return Math.abs(got - want) / Math.max(Math.abs(want), floor);
}

describe('interpolationOrder 2-5 matches Keras + scipy (goldens from tools/keras-goldens/splines.py)', () => {
  it('covers orders 2-5, every fill mode and a non-zero cval', () => {
    expect(golden.versions.scipy).toBe('1.17.1');
    expect(golden.cases.length).toBe(360);
    for (const order of [2, 3, 4, 5]) {
      for (const mode of ['constant', 'nearest', 'reflect', 'wrap']) {
        expect(golden.cases.filter((c) => c.order === order && c.fill_mode === mode).length).toBeGreaterThanOrEqual(18);
      }
    }
    expect(golden.cases.some((c) => c.cval !== 0)).toBe(true);
  });

  it('applyTransform is within 1e-5 relative of every golden value (ties at the constant edge and the wrap seam excepted)', () => {
    const worst = new Map<string, number>();
    const failures: string[] = [];
    let ties = 0, tiesDiffering = 0;
    for (const c of golden.cases) {
      const image = images.get(c.image)!;
      const floor = 1e-3 * image.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const g = new ImageDataGenerator({ interpolationOrder: c.order, fillMode: c.fill_mode, cval: c.cval });
      const y = g.applyTransform({ data: image.data, shape: image.shape }, paramsFromKeras(c.params));
      const got = y.dataSync();
      y.dispose();
      const want = blob.subarray(c.offset, c.offset + got.length);
      const tie = new Set(c.ties);
      let caseWorst = 0;
      for (let i = 0; i < want.length; i++) {
        const e = relativeError(got[i]!, want[i]!, floor);
        if (tie.has(i)) {
          ties++;
          if (e > 1e-5) tiesDiffering++;
          continue;
        }
        caseWorst = Math.max(caseWorst, e);
      }
      if (!(caseWorst <= 1e-5)) failures.push(`${c.id}: ${caseWorst}`);
      const key = `order ${c.order} ${c.fill_mode}`;
      worst.set(key, Math.max(worst.get(key) ?? 0, caseWorst));
    }
    console.log(`splines: max relative error per order and mode: ${[...worst].map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}; ` +
      `${tiesDiffering} of ${ties} tie values differ`);
    expect(failures).toEqual([]);
    expect(ties).toBeLessThan(100);
  });
});

describe('interpolationOrder validation', () => {
  it('accepts the integers 0 to 5 and refuses anything else', () => {
    for (const order of [0, 1, 2, 3, 4, 5] as const) expect(new ImageDataGenerator({ interpolationOrder: order }).getConfig().interpolationOrder).toBe(order);
    for (const bad of [-1, 6, 2.5, Number.NaN, '3', null]) {
      expect(() => new ImageDataGenerator({ interpolationOrder: bad as never })).toThrow(InvalidArgumentError);
    }
  });
});

const values = (b: Batch) => new Float32Array((b.xs as tf.Tensor).dataSync());
const dispose = (b: Batch) => tf.dispose([b.xs, b.ys].flat().filter((t): t is tf.Tensor => t !== undefined));

describe('spline orders in flows', () => {
  it('a flow with worker threads equals workers: 0 bit for bit, for every order and fill mode', async () => {
    const x = { data: testData(6 * 11 * 13 * 3, 9).map((v) => v * 255), shape: [6, 11, 13, 3] };
    const outputs = new Map<string, Float32Array>();
    for (const interpolationOrder of [1, 2, 3, 4, 5] as const) {
      for (const fillMode of ['constant', 'nearest', 'reflect', 'wrap'] as const) {
        const g = new ImageDataGenerator({ rotationRange: 40, zoomRange: 0.3, widthShiftRange: 0.2, shearRange: 10, horizontalFlip: true,
          fillMode, cval: 7, interpolationOrder, featurewiseCenter: true });
        await g.fit(x);
        const [threaded, calling] = [2, 0].map((workers) => {
          const b = g.flow(x, null, { batchSize: 6, seed: 11, workers }).next().value;
          const v = values(b);
          dispose(b);
          return v;
        });
        expect(Buffer.from(threaded!.buffer).equals(Buffer.from(calling!.buffer))).toBe(true);
        outputs.set(`${interpolationOrder} ${fillMode}`, calling!);
      }
    }
    // The order reached the warp: each order gives its own images.
    for (const fillMode of ['constant', 'nearest', 'reflect', 'wrap']) {
      const seen = new Set([1, 2, 3, 4, 5].map((o) => Buffer.from(outputs.get(`${o} ${fillMode}`)!.buffer).toString('base64')));
      expect(seen.size).toBe(5);
    }
  });
});
