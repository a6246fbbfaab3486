/**
 * JPEG decoding equals Keras's (`load_img` + `img_to_array`, i.e. Pillow's
 * libjpeg-turbo with the accurate IDCT and fancy upsampling) to the bit:
 * crafted JPEGs (baseline, progressive, 4:4:4/4:2:2/4:2:0, grayscale, restart
 * markers, odd sizes, EXIF orientation and ICC profile) and Pillow's pixels
 * for them, made by tools/keras-goldens/jpeg_decode.py.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../src/index.js';
import { type ColorMode, DEFAULT_MAX_PIXELS, decodeFile, decodeInto } from '../src/node/decodeImage.js';
import { decodeBaselineJpeg } from '../src/node/jpeg/baselineJpeg.js';
import { decodeJpegWasm, decodeLibjpegTurbo } from '../src/node/jpegWasm.js';
import type { RawImage } from '../src/node/rawFormats.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'keras-goldens', 'jpeg');

interface Case {
  id: string;
  jpeg: string;
  jpeg_sha256: string;
  color_mode: ColorMode;
  x: string;
  what: string;
}
interface ArrayEntry {
  file: string;
  shape: [number, number, number];
  dtype: 'uint8';
  sha256: string;
}
const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { cases: Case[]; arrays: Record<string, ArrayEntry> };

function golden(c: Case): { pixels: Uint8Array; shape: [number, number, number] } {
  const entry = index.arrays[c.x]!;
  const pixels = new Uint8Array(readFileSync(join(dir, entry.file)));
  expect(createHash('sha256').update(pixels).digest('hex')).toBe(entry.sha256);
  return { pixels, shape: entry.shape };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const rgbCases = index.cases.filter((c) => c.color_mode === 'rgb');

describe('JPEG decoding matches Keras/Pillow to the bit', () => {
  it('has the crafted files the generator wrote', () => {
    expect(index.cases.length).toBeGreaterThanOrEqual(20);
    for (const c of index.cases) {
      expect(createHash('sha256').update(readFileSync(join(dir, c.jpeg))).digest('hex'), c.jpeg).toBe(c.jpeg_sha256);
    }
  });

  it.each(index.cases.map((c) => [c.id, c] as const))('%s: decodeInto at the file\'s own size', async (_, c) => {
    const { pixels, shape } = golden(c);
    const [h, w, ch] = shape;
    const out = new Float32Array(h * w * ch).fill(-1);
    await decodeInto(join(dir, c.jpeg), out, 0, { targetSize: [h, w], colorMode: c.color_mode, interpolation: 'nearest', keepAspectRatio: false, maxPixels: DEFAULT_MAX_PIXELS });
    expect(maxAbsDiff(out, pixels), c.what).toBe(0);
  });

  it.each(rgbCases.map((c) => [c.id, c] as const))('%s: decodeFile, and each wasm decoder itself (not a fallback) gives it', async (_, c) => {
    const { pixels, shape } = golden(c);
    const file = await decodeFile(join(dir, c.jpeg));
    expect(file.shape).toEqual(shape);
    expect(maxAbsDiff(file.data, pixels)).toBe(0);
    const bytes = readFileSync(join(dir, c.jpeg));
    // Grayscale files come out with one channel: widen as Pillow's convert('RGB') does.
    const wide = (img: RawImage): Uint8Array => (img.channels === 3 ? img.data : Uint8Array.from({ length: pixels.length }, (_, i) => img.data[Math.floor(i / 3)]!));
    const full = await decodeLibjpegTurbo(bytes, shape[1], shape[0]);
    expect(full).not.toBeNull();
    expect(maxAbsDiff(wide(full!), pixels)).toBe(0);
    // Our SIMD decoder takes every sequential YCbCr or grey file (it declines the progressive and RGB ones here).
    const fast = decodeBaselineJpeg(bytes);
    expect(fast === null, c.jpeg).toBe(/progressive|rgb/.test(c.jpeg));
    if (fast && 'image' in fast) expect(maxAbsDiff(wide(fast.image), pixels)).toBe(0);
    expect(maxAbsDiff(wide((await decodeJpegWasm(bytes, shape[1], shape[0])) as RawImage), pixels)).toBe(0);
  });

  it('through flowFromDirectory with worker threads (1:1 nearest, rgb and grayscale)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'idg-jpeg-'));
    try {
      // One class folder per size, so each flow resizes nothing.
      const bySize = new Map<string, Case[]>();
      for (const c of rgbCases) bySize.set(index.arrays[c.x]!.shape.join('x'), [...(bySize.get(index.arrays[c.x]!.shape.join('x')) ?? []), c]);
      for (const [size, cases] of bySize) {
        const folder = join(root, size, 'a');
        mkdirSync(folder, { recursive: true });
        cases.forEach((c, i) => copyFileSync(join(dir, c.jpeg), join(folder, `${String(i).padStart(2, '0')}.jpg`)));
        const [h, w] = index.arrays[cases[0]!.x]!.shape;
        for (const colorMode of ['rgb', 'grayscale'] as const) {
          const it = await new ImageDataGenerator().flowFromDirectory(join(root, size), {
            targetSize: [h, w], colorMode, batchSize: cases.length, shuffle: false, classMode: null, workers: 2,
          });
          const batch = (await it.next()).value;
          const xs = batch.xs as tf.Tensor;
          const values = xs.dataSync();
          const per = values.length / cases.length;
          cases.forEach((c, i) => {
            const g = golden(index.cases.find((k) => k.jpeg === c.jpeg && k.color_mode === colorMode)!);
            expect(maxAbsDiff(values.subarray(i * per, (i + 1) * per), g.pixels), `${c.id} ${colorMode}`).toBe(0);
          });
          tf.dispose(xs);
        }
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('is discriminating: a decoder with another IDCT (jpeg-js) differs from the goldens', () => {
    let differing = 0;
    for (const c of rgbCases) {
      const { pixels } = golden(c);
      const d = jpeg.decode(readFileSync(join(dir, c.jpeg)), { useTArray: true, formatAsRGBA: false });
      if (maxAbsDiff(d.data, pixels) > 0) differing++;
    }
    expect(differing).toBeGreaterThanOrEqual(rgbCases.length - 1);
  });
});

describe('ending the process while the wasm decoder works', () => {
  // Synchronous wasm in the worker threads: process.exit and SIGINT end the process as Node ends it, with no native abort.
  it.each([
    ['exit', 0, null],
    ['sigint', null, 'SIGINT'],
  ] as const)('%s mid-decode', (mode, status, signal) => {
    const folder = mkdtempSync(join(tmpdir(), 'idg-jpeg-exit-'));
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'jpegExitMidDecode.ts'), mode, folder], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.stderr).not.toMatch(/terminate called|Napi::Error|Aborted|RuntimeError/);
      expect([r.status, r.signal], r.stderr).toEqual([status, signal]);
      expect(r.stdout).toBe('batch 4\n');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);
});
