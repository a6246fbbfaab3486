/**
 * Resizing against real Keras: tools/keras-goldens/resize.py ran
 * `keras.utils.load_img(photo, color_mode, target_size, interpolation,
 * keep_aspect_ratio)` (Pillow 12's resize) on the PNG photos in
 * test/fixtures/keras-goldens/photos/resize/; the library's decode + resize of
 * the same files must give the same bytes for every case. The wasm kernel must
 * equal the TypeScript reference on random images.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile, decodeInto } from '../src/node/decodeImage.js';
import type { RawImage } from '../src/node/rawFormats.js';
import type { Interpolation, ColorMode } from '../src/node/decodeImage.js';
import { type Box, type Resample, pillowResize, tsKernel } from '../src/node/resample/resize.js';
import { wasmResample } from '../src/node/resample/wasmKernel.js';

const ROOT = join(__dirname, 'fixtures', 'keras-goldens');
const DIR = join(ROOT, 'resize');

interface Case {
  id: string; photo: string; color_mode: ColorMode; target_size: [number, number];
  interpolation: Interpolation; keep_aspect_ratio: boolean; x: string;
}
const index = JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as {
  cases: Case[]; arrays: Record<string, { file: string; shape: number[]; dtype: string }>;
};

describe('decode + resize equals Keras load_img (Pillow) on real photos', () => {
  it('has cases for every filter, mode and keepAspectRatio', () => {
    const seen = new Set(index.cases.map((c) => `${c.interpolation}/${c.color_mode}/${c.keep_aspect_ratio}`));
    for (const f of ['nearest', 'bilinear', 'bicubic', 'lanczos', 'box', 'hamming']) {
      for (const m of ['rgb', 'rgba', 'grayscale']) for (const k of [false, true]) expect(seen.has(`${f}/${m}/${k}`)).toBe(true);
    }
  });

  it.each(index.cases.map((c) => [c.id, c] as const))('%s', async (_, c) => {
    const meta = index.arrays[c.x]!;
    expect(meta.dtype).toBe('uint8');
    const want = readFileSync(join(DIR, meta.file));
    const [h, w, ch] = meta.shape as [number, number, number];
    expect(want.length).toBe(h * w * ch);
    const out = new Float32Array(h * w * ch).fill(-1);
    await decodeInto(join(ROOT, c.photo), out, 0, {
      targetSize: c.target_size, colorMode: c.color_mode, interpolation: c.interpolation,
      keepAspectRatio: c.keep_aspect_ratio, maxPixels: Infinity,
    });
    let maxDiff = 0;
    let differing = 0;
    for (let i = 0; i < want.length; i++) {
      const d = Math.abs(out[i]! - want[i]!);
      if (d > 0) differing++;
      if (d > maxDiff) maxDiff = d;
    }
    expect({ maxDiff, differing }).toEqual({ maxDiff: 0, differing: 0 });
  });
});

interface PillowCase { id: string; source: string; mode: 'L' | 'RGB' | 'RGBA'; size: [number, number]; resample: Resample; box: Box | null; x: string }

describe("Pillow's Image.resize on noise: strong down- and upscales, fractional boxes, L/RGB/RGBA", async () => {
  const { pillow_cases: cases } = JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as { pillow_cases: PillowCase[] };
  const sources = new Map<string, RawImage>();
  for (const file of new Set(cases.map((c) => c.source))) {
    const { data, shape } = await decodeFile(join(ROOT, file));
    sources.set(file, { data: Uint8Array.from(data), height: shape[0], width: shape[1], channels: shape[2] });
  }
  const source = (c: PillowCase): RawImage => {
    const img = sources.get(c.source)!;
    const keep = { L: 1, RGB: 3, RGBA: 4 }[c.mode];
    const data = new Uint8Array(img.width * img.height * keep);
    for (let p = 0; p < img.width * img.height; p++) for (let b = 0; b < keep; b++) data[p * keep + b] = img.data[p * img.channels + b]!;
    return { data, width: img.width, height: img.height, channels: keep };
  };

  it('covers every filter and mode', () => {
    expect(new Set(cases.map((c) => `${c.resample}/${c.mode}`)).size).toBe(18);
  });

  it.each(cases.flatMap((c) => [[c.id, 'wasm', c], [c.id, 'ts', c]] as const))('%s (%s)', (_, kernel, c) => {
    const meta = index.arrays[c.x]!;
    const want = readFileSync(join(DIR, meta.file));
    const got = pillowResize(source(c), c.size[0], c.size[1], c.resample, c.box ?? undefined, kernel === 'ts' ? tsKernel : wasmResample()!);
    expect([got.height, got.width, got.channels]).toEqual(meta.shape);
    let maxDiff = 0;
    let differing = 0;
    for (let i = 0; i < want.length; i++) {
      const d = Math.abs(got.data[i]! - want[i]!);
      if (d > 0) differing++;
      if (d > maxDiff) maxDiff = d;
    }
    expect({ maxDiff, differing }).toEqual({ maxDiff: 0, differing: 0 });
  });
});

describe('the wasm resampling kernel equals the TypeScript reference', () => {
  const filters: Resample[] = ['nearest', 'bilinear', 'bicubic', 'lanczos', 'box', 'hamming'];
  let seed = 12345;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

  it('has a wasm kernel here', () => {
    expect(wasmResample()).not.toBeNull();
  });

  it('gives the same bytes on random images, sizes up and down, every filter, channels and boxes', () => {
    const wasm = wasmResample()!;
    let cases = 0;
    for (let t = 0; t < 300; t++) {
      const channels = [1, 3, 4][t % 3]!;
      const width = int(1, 90);
      const height = int(1, 90);
      // Smooth areas, hard edges and extremes (0 and 255 push the clipping).
      const data = Uint8Array.from({ length: width * height * channels }, (_, i) => (t % 4 === 0 ? (rand() < 0.5 ? 0 : 255) : (i * 7 + int(0, 60)) & 255));
      const src = { data, width, height, channels };
      const outW = int(1, 120);
      const outH = int(1, 120);
      let box: Box | undefined;
      if (t % 2) {
        const x0 = rand() * (width - 0.01);
        const y0 = rand() * (height - 0.01);
        box = [t % 4 === 1 ? Math.floor(x0) : x0, y0, x0 + rand() * (width - x0), y0 + rand() * (height - y0)];
        box[2] = Math.max(box[2], box[0]);
        box[3] = Math.max(box[3], box[1]);
      }
      for (const f of filters) {
        const want = pillowResize(src, outW, outH, f, box, tsKernel);
        const got = pillowResize(src, outW, outH, f, box, wasm);
        expect([got.width, got.height, got.channels]).toEqual([want.width, want.height, want.channels]);
        if (Buffer.compare(Buffer.from(got.data), Buffer.from(want.data)) !== 0) {
          expect({ t, f, width, height, channels, outW, outH, box, got: Array.from(got.data.slice(0, 16)) }).toEqual({ t, f, width, height, channels, outW, outH, box, got: Array.from(want.data.slice(0, 16)) });
        }
        cases++;
      }
    }
    // A few large ones: 500x375 to 224x224 and 48x64, and tall and wide extremes.
    for (const [w, h, ow, oh] of [[500, 375, 224, 224], [500, 375, 64, 48], [3, 700, 2, 5], [700, 2, 9, 4]] as const) {
      for (const channels of [1, 3, 4]) {
        const src = { data: Uint8Array.from({ length: w * h * channels }, () => int(0, 255)), width: w, height: h, channels };
        for (const f of filters) {
          expect(Buffer.from(pillowResize(src, ow, oh, f, undefined, wasm).data).equals(Buffer.from(pillowResize(src, ow, oh, f, undefined, tsKernel).data))).toBe(true);
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(1800);
  });
});
