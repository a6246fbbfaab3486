import { wasmPixels } from '../src/pixels/wasmPixels.js';
import { affineFor } from '../src/transform/matrix.js';
const h = 224, w = 224, ch = 3, size = h * w * ch, N = 256;
const k: any = wasmPixels()!;
const ex = k.exports;
const ab = new Float64Array([0.02, 0.017, 0.014, -2, -2, -1.8]);
const a = affineFor({ theta: 12, tx: 10, ty: -12, shear: 0, zx: 1, zy: 1 } as any, h, w)!;
const [m00, m01, m10, m11] = a.matrix, [o0, o1] = a.offset;
// JS-side source and batch (copy path)
const src = new Float32Array(size * N).map((_, i) => (i * 7919) % 255);
const dst = new Float32Array(size * 32);
const v = (data: Float32Array, offset: number) => ({ data, offset, height: h, width: w, channels: ch });
const s = { fillMode: 'nearest' as const, cval: 0, interpolationOrder: 1 as const };
function time(name: string, f: (i: number) => void) {
  for (let i = 0; i < 50; i++) f(i);
  const t = performance.now(); let n = 0;
  while (performance.now() - t < 2000) { f(n); n++; }
  console.log(name.padEnd(34), ((performance.now() - t) * 1000 / n).toFixed(1), 'us/image');
}
time('copy path, cold', (i) => k.warp(v(src, (i * 37 % N) * size), v(dst, (i % 32) * size), a, s, true, false, ab));
// zero-copy: source and batch inside wasm memory
const base = 1 << 20;
const need = base + (N + 32) * size * 4 + 4096;
ex.memory.grow(Math.ceil((need - ex.memory.buffer.byteLength) / 65536));
const heap = new Float32Array(ex.memory.buffer);
heap.set(src, base / 4);
const abAt = base + (N + 32) * size * 4;
new Float64Array(ex.memory.buffer, abAt, 6).set(ab);
time('zero copy, cold', (i) => ex.warp(base + (i * 37 % N) * size * 4, base + (N + i % 32) * size * 4, h, w, 3, m00, m01, m10, m11, o0, o1, 1, 0, 1, 1, 0, abAt));
time('copy path, cold (again)', (i) => k.warp(v(src, (i * 37 % N) * size), v(dst, (i % 32) * size), a, s, true, false, ab));
