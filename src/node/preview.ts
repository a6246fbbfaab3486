/**
 * An augmentation preview: one PNG grid with the input image first and
 * random augmentations of it after, so users can see what their settings do.
 */
import { encode } from 'fast-png';
import type { ImageDataGenerator } from '../ImageDataGenerator.js';

export interface PreviewOptions {
  /** Number of augmentations. Default 12. */
  count?: number;
  /** Seed of the first augmentation (the others use seed + i). Default 1. */
  seed?: number;
  /** Cells per row. Default 5. */
  columns?: number;
}

/** Renders `image` ([h, w, c], 0..255, channels last) and `count` augmentations into PNG bytes. */
export function previewGrid(generator: ImageDataGenerator, image: { data: Float32Array; shape: [number, number, number] }, options: PreviewOptions = {}): Uint8Array {
  const { count = 12, seed = 1, columns = 5 } = options;
  const [h, w, c] = image.shape;
  const cells = [image.data, ...Array.from({ length: count }, (_, i) => {
    const t = generator.randomTransform(image, seed + i);
    const out = t.dataSync() as Float32Array;
    t.dispose();
    return out;
  })];
  const rows = Math.ceil(cells.length / columns);
  const gap = 4;
  const W = columns * w + (columns + 1) * gap;
  const H = rows * h + (rows + 1) * gap;
  const grid = new Uint8Array(W * H * 3).fill(255);
  cells.forEach((cell, i) => {
    const x0 = gap + (i % columns) * (w + gap);
    const y0 = gap + Math.floor(i / columns) * (h + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < 3; k++) {
          grid[((y0 + y) * W + x0 + x) * 3 + k] = Math.max(0, Math.min(255, Math.round(cell[(y * w + x) * c + (c < 3 ? 0 : k)]!)));
        }
      }
    }
  });
  return encode({ width: W, height: H, data: grid, channels: 3, depth: 8 });
}
