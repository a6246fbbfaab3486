import { wasmWarp } from '../src/transform/wasmWarp.js';
import { affineFor } from '../src/transform/matrix.js';
const h = 224, w = 224, ch = 3, size = h * w * ch;
const src = new Float32Array(size).map((_, i) => (i * 7919) % 255);
const dst = new Float32Array(size);
const k: any = wasmWarp()!;
const v = (data: Float32Array) => ({ data, offset: 0, height: h, width: w, channels: ch });
const ab = new Float64Array([0.02, 0.017, 0.014, -2, -2, -1.8]);
k.warp(v(src), v(dst), affineFor({ theta: 12, tx: 10, ty: -12, shear: 0, zx: 1, zy: 1 } as any, h, w), { fillMode: 'nearest', cval: 0, interpolationOrder: 1 }, false, false, ab);
const ex = k.exports;
const from = k.base, to = from + size * 4, abp = to + size * 4;
const t = 12 * Math.PI / 180, c = Math.cos(t), s = Math.sin(t);
for (const [name, fh, mode, useAb, order] of [['plain', 0, 1, 0, 1], ['flipH', 1, 1, 0, 1], ['ab', 0, 1, 1, 1], ['flipH ab', 1, 1, 1, 1], ['constant', 0, 0, 0, 1], ['order0', 0, 1, 0, 0], ['plain', 0, 1, 0, 1]] as const) {
  const f = () => ex.warp(from, to, h, w, 3, c, -s, s, c, 10.5, -12.25, mode, 0, order, fh, 0, useAb ? abp : 0);
  for (let i = 0; i < 20; i++) f();
  const t0 = performance.now(); let n = 0; while (performance.now() - t0 < 700) { f(); n++; }
  console.log(name.padEnd(10), ((performance.now() - t0) * 1e6 / n / (h * w)).toFixed(2), 'ns/px');
}
