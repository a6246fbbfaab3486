import { wasmWarp } from '../src/transform/wasmWarp.js';
import { affineFor } from '../src/transform/matrix.js';
const h = 224, w = 224, ch = 3, size = h * w * ch, N = 256;
const src = new Float32Array(size * N).map((_, i) => (i * 7919) % 255);
const dst = new Float32Array(size * 32);
const k = wasmWarp()!;
const p = { theta: 12, tx: 10, ty: -12, shear: 0, zx: 1, zy: 1, flipHorizontal: true, flipVertical: false, channelShiftIntensity: null, brightness: null };
const a = affineFor(p, h, w)!;
const s = { fillMode: 'nearest' as const, cval: 0, interpolationOrder: 1 as const };
const ab = new Float64Array([0.02, 0.017, 0.014, -2, -2, -1.8]);
function time(name: string, f: (i: number) => void) {
  for (let i = 0; i < 50; i++) f(i);
  const t = performance.now(); let n = 0;
  while (performance.now() - t < 1500) { f(n); n++; }
  console.log(name.padEnd(34), ((performance.now() - t) * 1000 / n).toFixed(1), 'us/image');
}
const v = (data: Float32Array, offset: number) => ({ data, offset, height: h, width: w, channels: ch });
time('fused warp, hot source', (i) => k.warp(v(src, 0), v(dst, 0), a, s, true, false, ab));
time('fused warp, cold source+dest', (i) => k.warp(v(src, (i * 37 % N) * size), v(dst, (i % 32) * size), a, s, true, false, ab));
time('warp only, cold', (i) => k.warp(v(src, (i * 37 % N) * size), v(dst, (i % 32) * size), a, s, true, false, null));
