import { applyTransformTo } from './src/transform/apply.js';
const h = 224, w = 224, ch = 3, size = h*w*ch;
const src = new Float32Array(size * 8).map((_, i) => i % 255), dst = new Float32Array(size);
const p = { theta: 12, tx: 5, ty: -7, shear: 0, zx: 1, zy: 1, flipHorizontal: true, flipVertical: false, channelShiftIntensity: null, brightness: null };
const opt = { fillMode: 'nearest' as const, cval: 0, interpolationOrder: 1 as const };
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now(); let n = 0;
  while (performance.now() - t < 1500) { applyTransformTo({ data: src, offset: (n % 8) * size, height: h, width: w, channels: ch }, { data: dst, offset: 0, height: h, width: w, channels: ch }, p, opt); n++; }
  console.log((n / ((performance.now() - t) / 1000)).toFixed(0), 'img/s', ((performance.now() - t) * 1e6 / n / (h*w)).toFixed(1), 'ns/pixel');
}
