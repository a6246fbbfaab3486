/**
 * npx tsx bench/zcaAccuracy.ts DIR: the ZCA matrix's relative Frobenius error
 * on the real-photo patches of test/fixtures/zca against the exact float64 W
 * that `tools/zca-goldens/zca_photos.py --dump DIR` wrote, for each patch size
 * and engine (the TypeScript engine up to 16x16x3: it is slow beyond).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GramEngine, openGram } from '../src/stats/gram.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: npx tsx bench/zcaAccuracy.ts DIR (from tools/zca-goldens/zca_photos.py --dump DIR)');
const fixtures = new URL('../test/fixtures/zca/', import.meta.url);
const meta = JSON.parse(readFileSync(new URL('golden32.json', fixtures), 'utf8')) as { photos: string[] };
const photos = meta.photos.map((name) => {
  const bytes = readFileSync(new URL(name, fixtures));
  const [, w, h] = bytes.subarray(0, 20).toString('latin1').split(/\s+/);
  return { width: Number(w), height: Number(h), rgb: bytes.subarray(bytes.length - Number(w) * Number(h) * 3) };
});

for (const [side, stride] of [[8, 4], [16, 4], [32, 3]] as const) {
  const rows: number[] = [];
  for (const { width, height, rgb } of photos) {
    for (let y = 0; y + side <= height; y += stride) for (let x = 0; x + side <= width; x += stride) {
      for (let r = 0; r < side; r++) for (let k = 0; k < side * 3; k++) rows.push(rgb[((y + r) * width + x) * 3 + k]!);
    }
  }
  const d = side * side * 3, n = rows.length / d;
  const data = Float32Array.from(rows);
  const exact = new Float64Array(new Uint8Array(readFileSync(join(dir, `w${side}.f64`))).buffer);
  const sums = [0, 0, 0];
  for (let i = 0; i < data.length; i++) sums[i % 3]! += data[i]!;
  const mu = Float64Array.from({ length: d }, (_, f) => (3 * sums[f % 3]!) / data.length);
  for (const engine of (side > 16 ? ['wasm'] : ['wasm', 'js']) as GramEngine[]) {
    const gram = await openGram(d, 1, 2 ** 32, engine);
    gram.add(data, n);
    const w = gram.whitening(mu, 1e-6);
    await gram.close();
    let num = 0, den = 0;
    for (let i = 0; i < d * d; i++) { num += (w[i]! - exact[i]!) ** 2; den += exact[i]! ** 2; }
    console.log(`${side}x${side}x3, n = ${n}, ${engine}: ${Math.sqrt(num / den).toExponential(2)}`);
  }
}
