/**
 * PNG decoding equals Keras's (`load_img` + `img_to_array`, Pillow 12) to the
 * bit for every bit depth and colour type: crafted PNGs (grayscale
 * 1/2/4/8/16-bit, palette with and without tRNS, grayscale + alpha, RGB(A)
 * 8 and 16-bit, interlaced, EXIF orientation) and a JPEG with an EXIF
 * orientation, in colour modes rgb, grayscale and rgba, at their own size and
 * resized; made by tools/keras-goldens/png_decode.py. 16-bit grayscale stays
 * 16-bit in Keras's grayscale mode (values up to 65535).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../src/index.js';
import { type ColorMode, DEFAULT_MAX_PIXELS, type Interpolation, decodeFile, decodeInto } from '../src/node/decodeImage.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'keras-goldens', 'png');

interface Case {
  id: string;
  file: string;
  file_sha256: string;
  color_mode: ColorMode;
  target_size: [number, number];
  interpolation: Interpolation;
  keep_aspect_ratio: boolean;
  x: string;
  what: string;
}
interface ArrayEntry {
  file: string;
  shape: [number, number, number];
  dtype: 'uint8' | 'float32';
  sha256: string;
}
const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { cases: Case[]; arrays: Record<string, ArrayEntry> };

function golden(c: Case): { values: Float32Array; shape: [number, number, number] } {
  const entry = index.arrays[c.x]!;
  const bytes = readFileSync(join(dir, entry.file));
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
  const values = entry.dtype === 'uint8'
    ? Float32Array.from(bytes)
    : new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { values, shape: entry.shape };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const options = (c: Case) => ({
  targetSize: c.target_size, colorMode: c.color_mode, interpolation: c.interpolation, keepAspectRatio: c.keep_aspect_ratio, maxPixels: DEFAULT_MAX_PIXELS,
});

describe('PNG decoding matches Keras/Pillow to the bit', () => {
  it('has the crafted files the generator wrote, and 16-bit grayscale goldens above 255', () => {
    expect(index.cases.length).toBeGreaterThanOrEqual(200);
    for (const c of index.cases) {
      expect(createHash('sha256').update(readFileSync(join(dir, c.file))).digest('hex'), c.file).toBe(c.file_sha256);
    }
    const g16 = golden(index.cases.find((c) => c.id === 'gray16_grayscale')!);
    expect(Math.max(...g16.values)).toBe(65535);
  });

  it.each(index.cases.map((c) => [c.id, c] as const))('%s: decodeInto', async (_, c) => {
    const { values, shape } = golden(c);
    const out = new Float32Array(shape[0] * shape[1] * shape[2]).fill(-1);
    await decodeInto(join(dir, c.file), out, 0, options(c));
    expect(maxAbsDiff(out, values), c.what).toBe(0);
  });

  it.each(index.cases.filter((c) => c.color_mode !== 'grayscale' && c.id === `${c.file.slice(6, -4)}_${c.color_mode}`).map((c) => [c.id, c] as const))(
    '%s: decodeFile gives the rgb or rgba golden (as the file has alpha or not)', async (_, c) => {
      const file = await decodeFile(join(dir, c.file));
      const other = index.cases.find((k) => k.id === `${c.file.slice(6, -4)}_${file.shape[2] === 4 ? 'rgba' : 'rgb'}`)!;
      if (other.id !== c.id) return;
      const { values, shape } = golden(c);
      expect(file.shape).toEqual(shape);
      expect(maxAbsDiff(file.data, values)).toBe(0);
    },
  );

  it('through flowFromDirectory with worker threads: every case', async () => {
    const root = mkdtempSync(join(tmpdir(), 'idg-png-'));
    try {
      // One flow per setting (mode, size, filter, crop) over the files that have it; sorted names keep their order.
      const settings = new Map<string, Case[]>();
      for (const c of index.cases) {
        const key = JSON.stringify([c.color_mode, c.target_size, c.interpolation, c.keep_aspect_ratio]);
        settings.set(key, [...(settings.get(key) ?? []), c]);
      }
      let checked = 0;
      let n = 0;
      for (const cases of settings.values()) {
        const top = join(root, String(n++));
        mkdirSync(join(top, 'a'), { recursive: true });
        cases.forEach((c, i) => copyFileSync(join(dir, c.file), join(top, 'a', `${String(i).padStart(3, '0')}_${c.file.slice(6)}`)));
        const c0 = cases[0]!;
        const it = await new ImageDataGenerator().flowFromDirectory(top, {
          targetSize: c0.target_size, colorMode: c0.color_mode, interpolation: c0.interpolation, keepAspectRatio: c0.keep_aspect_ratio,
          batchSize: cases.length, shuffle: false, classMode: null, workers: 2,
        });
        const xs = (await it.next()).value.xs as tf.Tensor;
        const values = xs.dataSync();
        const per = values.length / cases.length;
        cases.forEach((c, i) => {
          expect(maxAbsDiff(values.subarray(i * per, (i + 1) * per), golden(c).values), c.id).toBe(0);
          checked++;
        });
        tf.dispose(xs);
      }
      expect(checked).toBe(index.cases.length);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
