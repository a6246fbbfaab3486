import { wasmWarp } from '../src/transform/wasmWarp.js';
import { standardizeImages, channelAffine } from '../src/standardize/kernel.js';
const n = 256, size = 224 * 224 * 3;
const data = new Float32Array(n * size).map((_, i) => (i * 7919) % 255);
const steps = { rescale: 1/255, samplewiseCenter: false, samplewiseStdNormalization: false, mean: new Float32Array([.4, .5, .6]), std: new Float32Array([.2, .3, .25]) };
const ab = channelAffine(steps, 3)!;
const out = new Float32Array(32 * size), out2 = new Float32Array(32 * size);
const k = wasmWarp()!;
for (const ch of [3, 1, 4, 2]) {
  const st = { ...steps, mean: new Float32Array(ch).fill(0.3).map((v, i) => v + i / 10), std: new Float32Array(ch).fill(0.2).map((v, i) => v + i / 7) };
  const a2 = channelAffine(st, ch)!;
  const cnt = 1000 * ch;
  standardizeImages(data, () => 5, out, 1, cnt, ch, st);
  k.affine(data, 5, out2, 0, cnt, ch, a2);
  console.log('ch', ch, 'identical', out.subarray(0, cnt).every((v, i) => Object.is(v, out2[i])));
}
for (let rep = 0; rep < 2; rep++) {
let t = performance.now(), it = 0;
while (performance.now() - t < 1500) { const base = (it * 32) % n; standardizeImages(data, (i) => ((base + i * 7) % n) * size, out, 32, size, 3, steps); it++; }
console.log('JS  batch of 32 (cold source)', ((performance.now() - t) / it).toFixed(2), 'ms');
t = performance.now(); it = 0;
while (performance.now() - t < 1500) { const base = (it * 32) % n; for (let i = 0; i < 32; i++) k.affine(data, ((base + i * 7) % n) * size, out2, i * size, size, 3, ab); it++; }
console.log('wasm batch of 32 (cold source)', ((performance.now() - t) / it).toFixed(2), 'ms');
}
