/**
 * Our SIMD baseline JPEG decoder (wasm/jpeg.c) against libjpeg-turbo itself
 * (the cornerstone wasm build, which decodes as Pillow does): on files sharp
 * writes at many sizes, qualities and subsamplings it must decode every file
 * and give libjpeg's pixels; on damaged files it must either decline (the
 * caller then asks libjpeg) or give exactly what libjpeg gives without a
 * warning. Pillow's own pixels for crafted files are checked in
 * jpeg-decode.test.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeBaselineJpeg } from '../src/node/jpeg/baselineJpeg.js';
import { decodeLibjpegTurbo } from '../src/node/jpegWasm.js';
import { headerSize } from '../src/node/imageSize.js';
import type { RawImage } from '../src/node/rawFormats.js';
import { DEFAULT_MAX_PIXELS, decodeInto } from '../src/node/decodeImage.js';
import { pillowResize } from '../src/node/resample/resize.js';

const files = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'keras-goldens', 'jpeg', 'files');

/** A seeded generator of 32-bit values (LCG), so every run checks the same files. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

/** Smooth colour gradients plus noise, so that blocks have AC terms and chroma varies. */
function picture(width: number, height: number, channels: 1 | 3, next: () => number): Buffer {
  const px = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) px[(y * width + x) * channels + c] = ((x * (40 + 30 * c)) / width + (y * (90 - 20 * c)) / height + (next() % 60)) & 255;
    }
  }
  return px;
}

/** The fast decoder's whole image, or null where it declines. */
function fastImage(bytes: Uint8Array): RawImage | null {
  const r = decodeBaselineJpeg(bytes);
  return r && 'image' in r ? r.image : null;
}

async function sameAsLibjpeg(bytes: Uint8Array, label: string): Promise<'equal' | 'declined'> {
  const fast = fastImage(bytes);
  if (!fast) return 'declined';
  const ref = await decodeLibjpegTurbo(bytes, fast.width, fast.height);
  expect(ref, `${label}: libjpeg-turbo declines or warns, we decoded`).not.toBeNull();
  expect(fast.channels, label).toBe(ref!.channels);
  expect(Buffer.compare(Buffer.from(fast.data), Buffer.from(ref!.data)), `${label}: pixels differ from libjpeg-turbo's`).toBe(0);
  return 'equal';
}

describe('the baseline decoder gives libjpeg-turbo\'s pixels', () => {
  it('on 120 files sharp writes: sizes 1 to 70, qualities 1 to 100, 4:2:0, 4:4:4 and grey, plain and optimized tables', async () => {
    const next = lcg(13);
    for (let i = 0; i < 120; i++) {
      const [width, height] = [1 + (next() % 70), 1 + (next() % 70)];
      const channels = i % 4 === 3 ? 1 : 3;
      const quality = 1 + (next() % 100);
      const options = { quality, chromaSubsampling: i % 2 ? '4:4:4' : '4:2:0', optimiseCoding: i % 3 === 0 };
      const bytes = await sharp(picture(width, height, channels, next), { raw: { width, height, channels } }).jpeg(options).toBuffer();
      const label = `${width}x${height}x${channels} ${JSON.stringify(options)}`;
      expect(await sameAsLibjpeg(bytes, label), label).toBe('equal');
    }
  });

  it('on damaged files: declines, or equals libjpeg-turbo where it decodes without a warning', async () => {
    const next = lcg(29);
    const sequential = readdirSync(files).filter((f) => !/progressive|rgb/.test(f));
    const outcomes = { equal: 0, declined: 0 };
    for (const name of sequential) {
      const good = new Uint8Array(readFileSync(join(files, name)));
      for (let m = 0; m < 24; m++) {
        const bytes = good.slice();
        let damaged: Uint8Array = bytes;
        const at = next() % bytes.length;
        if (m % 4 === 0) damaged = bytes.subarray(0, at); // truncated
        else if (m % 4 === 1) bytes[at] = next() & 255; // one byte changed
        else if (m % 4 === 2) bytes[at] = bytes[at]! ^ (1 << (next() % 8)); // one bit flipped
        else damaged = Uint8Array.from([...bytes.subarray(0, at), 0xff, ...bytes.subarray(at)]); // a stray 0xFF
        const size = headerSize(damaged);
        if (!size) continue;
        outcomes[await sameAsLibjpeg(damaged, `${name} damage ${m} at ${at}`)]++;
      }
    }
    // Both outcomes occur (a test that only ever declines, or never does, would prove little).
    expect(outcomes.equal).toBeGreaterThan(50);
    expect(outcomes.declined).toBeGreaterThan(50);
  });

  it('writes NEAREST picks straight into the batch as Pillow\'s resize picks them (sizes up and down, keepAspectRatio, grey and rgb)', async () => {
    const sequential = readdirSync(files).filter((f) => !/progressive|rgb/.test(f));
    let direct = 0;
    for (const name of sequential) {
      const bytes = readFileSync(join(files, name));
      const full = fastImage(bytes)!;
      const colorMode = full.channels === 1 ? 'grayscale' : 'rgb';
      for (const [h, w] of [[7, 5], [45, 61], [100, 33], [full.height, full.width]] as const) {
        for (const keepAspectRatio of [false, true]) {
          // Keras's keep_aspect_ratio box, written out independently of the library's.
          const cropH = Math.min(full.height, Math.floor((full.width * h) / w));
          const cropW = Math.min(full.width, Math.floor((full.height * w) / h));
          const [x0, y0] = [Math.floor((full.width - cropW) / 2), Math.floor((full.height - cropH) / 2)];
          const box = keepAspectRatio ? ([x0, y0, x0 + cropW, y0 + cropH] as const) : undefined;
          const expected = pillowResize(full, w, h, 'nearest', box ? [...box] : undefined).data;
          const out = new Float32Array(5 + h * w * full.channels).fill(-1);
          await decodeInto(join(files, name), out, 5, { targetSize: [h, w], colorMode, interpolation: 'nearest', keepAspectRatio, maxPixels: DEFAULT_MAX_PIXELS });
          expect(out[4]).toBe(-1);
          expect(Float32Array.from(expected), `${name} ${h}x${w} keep ${keepAspectRatio}`).toEqual(out.subarray(5));
          direct++;
        }
      }
    }
    expect(direct).toBeGreaterThan(100);
  });

  it('declines where libjpeg would warn: bytes left before the end or a restart marker, a restart marker missing or out of order', () => {
    const insert = (b: Uint8Array, at: number, extra: number[]): Uint8Array => Uint8Array.from([...b.subarray(0, at), ...extra, ...b.subarray(at)]);
    const lastMarker = (b: Uint8Array, code: number): number => {
      for (let i = b.length - 2; i >= 0; i--) if (b[i] === 0xff && b[i + 1] === code) return i;
      return -1;
    };
    const plain = new Uint8Array(readFileSync(join(files, 'baseline_420_q75.jpg')));
    const restarts = new Uint8Array(readFileSync(join(files, 'restart_blocks_420_q80.jpg')));
    const rst = lastMarker(restarts, 0xd0 + 1);
    expect(rst).toBeGreaterThan(0);
    const cases = {
      'junk before EOI': insert(plain, lastMarker(plain, 0xd9), [0x12, 0x34]),
      'junk before a restart marker': insert(restarts, rst, [0x56]),
      'a restart marker removed': Uint8Array.from([...restarts.subarray(0, rst), ...restarts.subarray(rst + 2)]),
      'a restart marker out of order': restarts.map((b, i) => (i === rst + 1 ? 0xd5 : b)),
    };
    for (const [what, bytes] of Object.entries(cases)) expect(decodeBaselineJpeg(bytes), what).toBeNull();
  });

  it('declines what it does not decode: progressive, RGB colour space, truncated headers', async () => {
    const progressive = readFileSync(join(files, 'progressive_420_q80.jpg'));
    expect(decodeBaselineJpeg(progressive)).toBeNull();
    expect(decodeBaselineJpeg(readFileSync(join(files, 'cjpeg_rgb_q60.jpg')))).toBeNull();
    const good = readFileSync(join(files, 'baseline_420_q75.jpg'));
    for (const n of [0, 1, 2, 3, 20, 200]) expect(decodeBaselineJpeg(good.subarray(0, n))).toBeNull();
  });
});
