/**
 * interpolationOrder 2 to 5 against Keras's apply_transform on scipy
 * (goldens from tools/keras-goldens/splines.py in
 * test/fixtures/keras-goldens/splines: every fill mode, rotations, shear,
 * zoom, shifts far outside the image, flips; a random 7x9x3, a crop of a
 * photo and 1- and 2-long axes), the wasm kernel against the TypeScript
 * reference bit for bit, and flows with worker threads against workers: 0.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator, InvalidArgumentError, type Batch } from '../src/index.js';
import type { FillMode, InterpolationOrder } from '../src/options/args.js';
import { wasmPixels } from '../src/pixels/wasmPixels.js';
import { applyChannelAffine } from '../src/standardize/kernel.js';
import { type ImageView, warpTs } from '../src/transform/apply.js';
import { affineFor } from '../src/transform/matrix.js';
import { completeParams } from '../src/transform/params.js';
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

describe('the wasm spline kernel and the TypeScript reference', () => {
  it('the TypeScript reference alone (warpTs) is within 1e-5 relative of every golden value too', () => {
    let worst = 0;
    for (const c of golden.cases) {
      const image = images.get(c.image)!;
      const [h, w, ch] = image.shape;
      const floor = 1e-3 * image.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const p = completeParams(paramsFromKeras(c.params));
      const out = new Float32Array(image.data.length);
      warpTs({ data: image.data, offset: 0, height: h, width: w, channels: ch }, { data: out, offset: 0, height: h, width: w, channels: ch },
        affineFor(p, h, w)!, { fillMode: c.fill_mode, cval: c.cval, interpolationOrder: c.order }, p.flipHorizontal, p.flipVertical);
      const tie = new Set(c.ties);
      for (let i = 0; i < out.length; i++) if (!tie.has(i)) worst = Math.max(worst, relativeError(out[i]!, blob[c.offset + i]!, floor));
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it('give bit-identical output for every order, fill mode, flip and channel count, with and without the fused standardization', () => {
    const kernel = wasmPixels();
    expect(kernel).not.toBeNull();
    let cases = 0;
    // The last three: positions where float64 has lost the pixel grid, and NaN positions (an overflowing
    // matrix): taps must stay inside the image.
    const transforms = [{ theta: 23, zx: 0.8, zy: 1.3 }, { tx: -40.5, ty: 13.25, shear: 12 }, { theta: -170, zx: 2.5, zy: 0.4 },
      { tx: 3.1e17, ty: -7e18, theta: 7 }, { tx: 1e300, zx: 1e-300 }, { tx: 1.7e308, ty: -1.7e308, theta: 45 }];
    for (const [h, w, ch] of [[17, 23, 3], [8, 8, 1], [12, 5, 4], [9, 11, 2], [1, 7, 3], [2, 2, 1]] as const) {
      const data = testData(h * w * ch, h + w).map((v) => v * 255 - 60);
      // A standardization's per-channel x * a + b (a[0..ch), then b[0..ch)), as the flows fuse it.
      const then = Float64Array.from({ length: 2 * ch }, (_, i) => (i < ch ? 1 / (255 * (0.2 + i)) : -0.1 * (i - ch)));
      for (const order of [2, 3, 4, 5] as const) {
        for (const fillMode of ['constant', 'nearest', 'reflect', 'wrap'] as const) {
          for (const t of transforms) {
            for (const [flipH, flipV] of [[false, false], [true, true]] as const) {
              const a = affineFor(completeParams(t), h, w)!;
              const sampling = { fillMode, cval: -3.75, interpolationOrder: order };
              const view = (d: Float32Array, offset = 0): ImageView => ({ data: d, offset, height: h, width: w, channels: ch });
              const ts = new Float32Array(h * w * ch);
              warpTs(view(data), view(ts), a, sampling, flipH, flipV);
              // The wasm warp from an offset inside a larger array, into another.
              const srcBig = new Float32Array(data.length + 5);
              srcBig.set(data, 5);
              const wasm = new Float32Array(data.length + 3);
              kernel!.warp(view(srcBig, 5), view(wasm, 3), a, sampling, flipH, flipV);
              expect(Buffer.from(wasm.buffer, 12).equals(Buffer.from(ts.buffer))).toBe(true);
              if ([...a.matrix, ...a.offset].every(Number.isFinite)) expect(ts.every(Number.isFinite)).toBe(true);
              // Fused: each value then x * a + b in float64, as the separate pass does it.
              const fused = new Float32Array(data.length);
              kernel!.warp(view(data), view(fused), a, sampling, flipH, flipV, then);
              const separate = ts.slice();
              applyChannelAffine(separate, 0, separate.length, ch, then);
              expect(Buffer.from(fused.buffer).equals(Buffer.from(separate.buffer))).toBe(true);
              cases++;
            }
          }
        }
      }
    }
    expect(cases).toBe(6 * 4 * 4 * 6 * 2);
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

  it('a file flow with worker threads equals workers: 0 bit for bit and differs from order 1', async () => {
    const root = mkdtempSync(join(tmpdir(), 'idg-splines-'));
    try {
      await fileFlowsAgree(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

async function fileFlowsAgree(root: string): Promise<void> {
  for (const name of ['a', 'b']) mkdirSync(join(root, name));
  for (let i = 0; i < 6; i++) {
    const data = Uint8Array.from({ length: 10 * 8 * 3 }, (_, k) => (k * 53 + i * 97) % 256);
    writeFileSync(join(root, i % 2 ? 'a' : 'b', `img${i}.png`), encodePng({ width: 8, height: 10, data, channels: 3, depth: 8 }));
  }
  const run = async (interpolationOrder: InterpolationOrder, workers: number) => {
    const g = new ImageDataGenerator({ rotationRange: 35, zoomRange: 0.2, fillMode: 'reflect', interpolationOrder, rescale: 1 / 255 });
    const flow = await g.flowFromDirectory(root, { targetSize: [10, 8], batchSize: 6, seed: 4, workers });
    const b = (await flow.next()).value;
    const v = values(b);
    dispose(b);
    return v;
  };
  const [threaded, calling, bilinear] = [await run(3, 2), await run(3, 0), await run(1, 0)];
  expect(Buffer.from(threaded.buffer).equals(Buffer.from(calling.buffer))).toBe(true);
  expect(Buffer.from(bilinear.buffer).equals(Buffer.from(calling.buffer))).toBe(false);
}
