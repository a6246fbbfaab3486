/**
 * Property-based fuzzing (fast-check): for every generated case, the library
 * either throws one of its typed errors, or returns finite numbers of the
 * documented shape; and no tensor is left behind either way. The seed is
 * fixed so CI is reproducible; FUZZ_SEED and FUZZ_RUNS explore further
 * (e.g. `FUZZ_RUNS=2000 FUZZ_SEED=$RANDOM npx vitest run test/fuzz.test.ts`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Batch, ImageDataGenerator, ImageDataGeneratorError } from '../src/index.js';
import { setWarningHandler } from '../src/warnings.js';

const runs = Number(process.env.FUZZ_RUNS ?? 60);
const seed = Number(process.env.FUZZ_SEED ?? 20261201);
const params = (numRuns = runs) => ({ numRuns, seed, endOnFailure: true });

beforeAll(async () => {
  await tf.setBackend('wasm');
  setWarningHandler(null);
});
afterAll(() => setWarningHandler(undefined));

/** A value of the wrong kind for anything, or an edge of the right kind. */
const hostile = fc.oneof(
  fc.constantFrom(null, undefined, NaN, Infinity, -Infinity, -1, 0, 1e-300, 1e300, 1e20, 1.7e308, -1.7e308, 2 ** 31, 0.5, '', 'x', true, false, [], [1], [NaN, 1], {}),
  fc.double(),
  fc.integer({ min: -5, max: 400 }),
  fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { maxLength: 3 }),
);

/** Constructor options: plausible values most of the time, hostile ones now and then. */
const options = fc.record(
  {
    featurewiseCenter: fc.boolean(),
    samplewiseCenter: fc.boolean(),
    featurewiseStdNormalization: fc.boolean(),
    samplewiseStdNormalization: fc.boolean(),
    zcaWhitening: fc.oneof(fc.constant(false), fc.boolean()),
    zcaEpsilon: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), hostile),
    rotationRange: fc.oneof(fc.double({ min: 0, max: 720, noNaN: true }), hostile),
    widthShiftRange: fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.integer({ min: -4, max: 4 }), hostile),
    heightShiftRange: fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 3 }), hostile),
    brightnessRange: fc.oneof(fc.constant(null), fc.tuple(fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true })), hostile),
    shearRange: fc.oneof(fc.double({ min: 0, max: 90, noNaN: true }), hostile),
    zoomRange: fc.oneof(fc.double({ min: 0, max: 0.9, noNaN: true }), fc.tuple(fc.double({ min: 0.1, max: 3, noNaN: true }), fc.double({ min: 0.1, max: 3, noNaN: true })), hostile),
    channelShiftRange: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), hostile),
    fillMode: fc.oneof(fc.constantFrom('constant', 'nearest', 'reflect', 'wrap'), hostile),
    cval: fc.oneof(fc.double({ min: -10, max: 300, noNaN: true }), hostile),
    horizontalFlip: fc.boolean(),
    verticalFlip: fc.boolean(),
    // A huge factor overflows float32 as it would in Keras: fuzzed with the kinds of wrong values, not with magnitude.
    rescale: fc.oneof(fc.constant(null), fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom(NaN, Infinity, '', [], {}, true, 0)),
    dataFormat: fc.oneof(fc.constantFrom('channelsLast', 'channelsFirst'), hostile),
    validationSplit: fc.oneof(fc.double({ min: 0, max: 0.9, noNaN: true }), hostile),
    interpolationOrder: fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 5), hostile),
  },
  { requiredKeys: [] },
);

/** Image batches: small shapes, any channel count, values of 8-bit images or of [0, 1]. */
const batch = fc
  .record({ n: fc.integer({ min: 1, max: 5 }), h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 6 }), c: fc.integer({ min: 1, max: 5 }), scale: fc.constantFrom(1, 255), seed: fc.integer() })
  .map(({ n, h, w, c, scale, seed }) => {
    let s = seed >>> 0 || 1;
    const data = Float32Array.from({ length: n * h * w * c }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return (s / 2 ** 32) * scale;
    });
    return { data, shape: [n, h, w, c] };
  });

function isTyped(e: unknown): boolean {
  return e instanceof ImageDataGeneratorError;
}

function expectFinite(t: tf.Tensor, shape: readonly number[]): void {
  expect(t.shape).toEqual(shape);
  const values = t.dataSync();
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) throw new Error(`non-finite value ${values[i]} at ${i} of a [${t.shape}] result`);
}

/**
 * Runs `body`; a typed error is an answer, any other error fails the
 * property. Once the generators `body` made are disposed (`made` collects
 * them), no tensor may be left.
 */
async function typedOrFine(body: (made: ImageDataGenerator[]) => Promise<void> | void): Promise<void> {
  const before = tf.memory().numTensors;
  const made: ImageDataGenerator[] = [];
  try {
    await body(made);
  } catch (e) {
    if (!isTyped(e)) throw e;
  } finally {
    for (const g of made) g.dispose();
  }
  expect(tf.memory().numTensors).toBe(before);
}

const inUserFormat = (x: { data: Float32Array; shape: number[] }, format: unknown) => {
  if (format !== 'channelsFirst') return x;
  const [n, h, w, c] = x.shape as [number, number, number, number];
  return { data: x.data, shape: [n, c, h, w] };
};

describe('fuzz: options and images', () => {
  it('construct, fit, standardize and one augmented batch: a typed error or finite numbers of the right shape', async () => {
    await fc.assert(
      fc.asyncProperty(options, batch, async (args, x) => {
        await typedOrFine(async (made) => {
          const g = new ImageDataGenerator(args as never);
          made.push(g);
          const input = inUserFormat(x, g.config.dataFormat);
          await g.fit(input);
          const out = g.standardize(input);
          try {
            expectFinite(out, input.shape);
          } finally {
            out.dispose();
          }
          const b = g.flow(input, null, { batchSize: 2, seed: 1, workers: 0 }).next().value;
          try {
            expectFinite(b.xs as tf.Tensor, [Math.min(2, input.shape[0]!), ...input.shape.slice(1)]);
          } finally {
            tf.dispose(b.xs as tf.Tensor);
          }
        });
      }),
      params(),
    );
  });

  it('worker threads and the calling thread give the same batches, or the same typed error', async () => {
    await fc.assert(
      fc.asyncProperty(options, batch, async (args, x) => {
        const outcome = (workers: number) => {
          try {
            const g = new ImageDataGenerator(args as never);
            const b: Batch = g.flow(inUserFormat(x, g.config.dataFormat), null, { batchSize: 3, seed: 2, workers }).next().value;
            const values = Array.from((b.xs as tf.Tensor).dataSync());
            tf.dispose(b.xs as tf.Tensor);
            return { values };
          } catch (e) {
            if (!isTyped(e)) throw e;
            return { error: `${(e as Error).name}: ${(e as Error).message}` };
          }
        };
        expect(outcome(1)).toEqual(outcome(0));
      }),
      params(Math.ceil(runs / 2)),
    );
  });
});

describe('fuzz: input forms and flow options', () => {
  const shapes = fc.array(fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom(0.5, NaN, 2 ** 40)), { maxLength: 5 });
  const flowOptions = fc.record(
    {
      batchSize: fc.oneof(fc.integer({ min: 1, max: 8 }), hostile),
      shuffle: fc.oneof(fc.boolean(), hostile),
      seed: fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), hostile),
      subset: fc.oneof(fc.constantFrom('training', 'validation', null), hostile),
      augmentValidation: fc.boolean(),
      workers: fc.oneof(fc.constantFrom(0, 1), hostile),
      sampleWeight: fc.oneof(fc.constant(null), fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { maxLength: 6 }), hostile),
    },
    { requiredKeys: [] },
  );

  it('any {data, shape}, labels and flow options: a typed error or batches of the documented shapes', async () => {
    await fc.assert(
      fc.asyncProperty(shapes, fc.integer({ min: 0, max: 80 }), fc.oneof(fc.constant(null), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 6 })), flowOptions, fc.boolean(), async (shape, length, labels, o, split) => {
        await typedOrFine(async (made) => {
          const g = new ImageDataGenerator({ rotationRange: 5, featurewiseCenter: true, validationSplit: split ? 0.5 : 0 });
          made.push(g);
          const x = { data: new Float32Array(length).map((_, i) => i % 7), shape };
          await g.fit(x);
          const flow = g.flow(x, labels, o as never);
          for (let k = 0; k < 2; k++) {
            const { xs, ys, sampleWeight } = flow.next().value;
            try {
              const n = (xs as tf.Tensor).shape[0]!;
              expect(n).toBeGreaterThan(0);
              expectFinite(xs as tf.Tensor, [n, ...shape.slice(1)]);
              if (ys) expect((ys as tf.Tensor).shape[0]).toBe(n);
              if (sampleWeight) expect(sampleWeight.shape).toEqual([n]);
            } finally {
              tf.dispose([xs, ys, sampleWeight].flat().filter((t): t is tf.Tensor => t !== undefined));
            }
          }
        });
      }),
      params(),
    );
  });
});

describe('fuzz: file contents', () => {
  const root = mkdtempSync(join(tmpdir(), 'idg-fuzz-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const png = encodePng({ width: 5, height: 4, data: Uint8Array.from({ length: 60 }, (_, i) => i * 4), channels: 3, depth: 8 });
  const jpg = new Uint8Array(jpeg.encode({ width: 6, height: 5, data: Uint8Array.from({ length: 120 }, (_, i) => i * 2) }, 80).data);
  const ppm = new Uint8Array([...new TextEncoder().encode('P6\n3 2\n255\n'), ...Array.from({ length: 18 }, (_, i) => i * 10)]);
  const bmpHeader = (w: number, h: number) => {
    const row = Math.ceil((w * 3) / 4) * 4;
    const b = new Uint8Array(54 + row * h);
    const v = new DataView(b.buffer);
    b.set([0x42, 0x4d]);
    v.setUint32(2, b.length, true);
    v.setUint32(10, 54, true);
    v.setUint32(14, 40, true);
    v.setInt32(18, w, true);
    v.setInt32(22, h, true);
    v.setUint16(26, 1, true);
    v.setUint16(28, 24, true);
    return b;
  };
  const valid: Array<[string, Uint8Array]> = [['png', png], ['jpg', jpg], ['ppm', ppm], ['bmp', bmpHeader(3, 2)]];

  /** A valid file with some bytes overwritten, cut short, or extended. */
  const mangled = fc.record({
    kind: fc.integer({ min: 0, max: valid.length - 1 }),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    cut: fc.option(fc.nat()),
    extra: fc.uint8Array({ maxLength: 8 }),
  }).map(({ kind, edits, cut, extra }) => {
    const [ext, bytes] = valid[kind]!;
    const b = bytes.slice();
    for (const [at, value] of edits) b[at % b.length] = value;
    const kept = cut === null ? b : b.subarray(0, cut % (b.length + 1));
    return { ext, bytes: new Uint8Array([...kept, ...extra]) };
  });

  let round = 0;
  it('mangled PNG, JPEG, PPM and BMP files: a typed error, or finite batches; skip mode never throws for a file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mangled, { minLength: 1, maxLength: 4 }), fc.constantFrom('error', 'skip'), fc.constantFrom(0, 2), async (files, onBadImage, workers) => {
        const dir = join(root, `case${round++}`);
        mkdirSync(join(dir, 'a'), { recursive: true });
        writeFileSync(join(dir, 'a', 'good.png'), png);
        files.forEach(({ ext, bytes }, i) => writeFileSync(join(dir, 'a', `f${i}.${ext}`), bytes));
        await typedOrFine(async () => {
          const flow = await new ImageDataGenerator({ rotationRange: 10 }).flowFromDirectory(dir, { targetSize: [4, 4], batchSize: 8, onBadImage: onBadImage as 'error' | 'skip', workers });
          const { xs, ys } = (await flow.next()).value;
          try {
            const n = (xs as tf.Tensor).shape[0]!;
            expectFinite(xs as tf.Tensor, [n, 4, 4, 3]);
            expect(n).toBeGreaterThan(0);
          } finally {
            tf.dispose([xs as tf.Tensor, ys!]);
          }
        });
        rmSync(dir, { recursive: true, force: true });
      }),
      params(),
    );
  });
});
