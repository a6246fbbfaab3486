/**
 * Writes one PNG grid: an input image and a dozen random augmentations of it,
 * so you can see what your settings do.
 *
 *   npm run preview -- [input.png] [--config aug.json] [--out preview.png] [--seed 1]
 *
 * aug.json holds ImageDataGenerator options (camelCase, or Keras's snake_case).
 * Without an input, a test card with an asymmetric "F" is used, so flips show.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decode, encode } from 'fast-png';
import { ImageDataGenerator, useBestBackend } from '../src/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { config: { type: 'string' }, out: { type: 'string', default: 'preview.png' }, seed: { type: 'string', default: '1' } },
});

const DEFAULT_CONFIG = {
  rotationRange: 20, widthShiftRange: 0.15, heightShiftRange: 0.15, shearRange: 10, zoomRange: 0.2,
  horizontalFlip: true, brightnessRange: [0.6, 1.4] as [number, number], channelShiftRange: 30, fillMode: 'reflect' as const,
};

/** A 96x96 test card: colour gradient, grid lines and a black "F". */
function testCard(size = 96): { data: Float32Array; shape: [number, number, number] } {
  const data = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const grid = x % 16 === 0 || y % 16 === 0;
      const f = (x >= 30 && x < 40 && y >= 20 && y < 76) || (y >= 20 && y < 30 && x >= 30 && x < 68) || (y >= 44 && y < 53 && x >= 30 && x < 58);
      const rgb = f ? [20, 20, 20] : grid ? [250, 250, 250] : [60 + (x / size) * 190, 80 + (y / size) * 150, 200 - (x / size) * 120];
      data.set(rgb, (y * size + x) * 3);
    }
  }
  return { data, shape: [size, size, 3] };
}

function loadPng(path: string): { data: Float32Array; shape: [number, number, number] } {
  const png = decode(readFileSync(path));
  const channels = Math.min(png.channels, 3);
  const data = new Float32Array(png.width * png.height * channels);
  for (let p = 0; p < png.width * png.height; p++) {
    for (let k = 0; k < channels; k++) data[p * channels + k] = Number(png.data[p * png.channels + k]) * (png.depth === 16 ? 255 / 65535 : 1);
  }
  return { data, shape: [png.height, png.width, channels] };
}

await useBestBackend();
const config = values.config ? JSON.parse(readFileSync(values.config, 'utf8')) : DEFAULT_CONFIG;
const generator = Object.keys(config).some((k) => k.includes('_')) ? ImageDataGenerator.fromKerasConfig(config) : new ImageDataGenerator(config);
const image = positionals[0] ? loadPng(positionals[0]) : testCard();
const [h, w, c] = image.shape;
const seed = Number(values.seed);

const cells = [image.data, ...Array.from({ length: 12 }, (_, i) => {
  const t = generator.randomTransform(image, seed + i);
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
})];
const cols = 5, rows = Math.ceil(cells.length / cols), gap = 4;
const W = cols * w + (cols + 1) * gap, H = rows * h + (rows + 1) * gap;
const grid = new Uint8Array(W * H * 3).fill(255);
cells.forEach((cell, i) => {
  const x0 = gap + (i % cols) * (w + gap), y0 = gap + Math.floor(i / cols) * (h + gap);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < 3; k++) grid[((y0 + y) * W + x0 + x) * 3 + k] = Math.max(0, Math.min(255, Math.round(cell[(y * w + x) * c + (c === 1 ? 0 : k)]!)));
    }
  }
});
writeFileSync(values.out!, encode({ width: W, height: H, data: grid, channels: 3, depth: 8 }));
console.log(`wrote ${values.out}: the input (top left) and 12 augmentations, ${W}x${H}`);
