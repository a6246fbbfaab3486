/**
 * Writes one PNG grid: an input image and a dozen random augmentations of it,
 * so you can see what your settings do.
 *
 *   npm run preview -- [input image] [--config aug.json] [--out preview.png] [--seed 1]
 *
 * aug.json holds ImageDataGenerator options (camelCase, or Keras's snake_case).
 * Without an input, a test card with an asymmetric "F" is used, so flips show.
 * (The `idg preview` command does the same for an image file.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ImageDataGenerator, useBestBackend } from '../src/index.js';
import { decodeFile } from '../src/node/decodeImage.js';
import { previewGrid } from '../src/node/preview.js';

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

await useBestBackend();
const config = values.config ? JSON.parse(readFileSync(values.config, 'utf8')) : DEFAULT_CONFIG;
const generator = Object.keys(config).some((k) => k.includes('_')) ? ImageDataGenerator.fromKerasConfig(config) : new ImageDataGenerator(config);
const image = positionals[0] ? await decodeFile(positionals[0]) : testCard();
writeFileSync(values.out!, previewGrid(generator, image, { seed: Number(values.seed) }));
console.log(`wrote ${values.out}: the input (top left) and 12 augmentations`);
