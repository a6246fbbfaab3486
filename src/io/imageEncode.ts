/**
 * PNG and JPEG encoding of 8-bit pixels (pure JavaScript: fast-png, jpeg-js),
 * for `saveToDir`. Node-only through `nodeSupport.ts`, so that page bundles
 * leave the codecs out.
 */
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import type { ImageFormat } from './imageFiles.js';

/** Encodes 8-bit HWC pixels (1 to 4 channels) as PNG or JPEG bytes. */
export function encodeImage(pixels: Uint8Array, height: number, width: number, channels: number, format: ImageFormat): Uint8Array {
  if (format === 'png') return encodePng({ width, height, data: pixels, channels, depth: 8 });
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < 3; k++) rgba[p * 4 + k] = pixels[p * channels + (channels >= 3 ? k : 0)]!;
    rgba[p * 4 + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ width, height, data: rgba }, 95).data);
}
