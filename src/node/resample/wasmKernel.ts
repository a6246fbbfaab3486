/**
 * The convolution passes of wasm/resample.c (wasm SIMD, 32-bit integer sums:
 * bit-identical to the TypeScript passes in resize.ts). Node only: the
 * decoders of file flows use it. Compiled synchronously on first use (1.5 KB).
 */
import { align16, lazyInstance, reserve } from '../../io/wasmModules.js';
import type { RawImage } from '../rawFormats.js';
import type { Coefficients } from './coefficients.js';
import type { SeparableKernel } from './resize.js';
import { resampleWasmBase64 } from './wasm/resampleModule.js';

interface ResampleExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  horizontal(src: number, inRow: number, rows: number, ch: number, dst: number, outW: number,
    first: number, count: number, taps: number, stride: number): void;
  vertical(src: number, row: number, outH: number, dst: number, first: number, count: number, taps: number, stride: number): void;
}

/** Bytes past each pixel buffer the kernel may read or write. */
const PAD = 16;

class WasmResample implements SeparableKernel {
  private readonly base: number;

  constructor(private readonly exports: ResampleExports) {
    this.base = align16(exports.__heap_base.value as number);
  }

  separable(src: RawImage, width: number, height: number, h: Coefficients | null, v: Coefficients | null): RawImage {
    const ch = src.channels;
    const from = h && v ? v.first[0]! : 0;
    const rows = h ? (v ? v.first[height - 1]! + v.count[height - 1]! - from : src.height) : src.height;
    const midW = h ? width : src.width;
    // Layout: source, horizontal result, vertical result, then the taps of each axis.
    const at = { src: this.base, mid: 0, out: 0, taps: 0 };
    at.mid = align16(at.src + src.data.length + PAD);
    at.out = align16(at.mid + (h ? midW * rows * ch : 0) + PAD);
    at.taps = align16(at.out + (v ? midW * height * ch : 0) + PAD);
    const tables = (c: Coefficients | null): number => (c ? (c.first.length * 2 + c.taps.length) * 4 : 0);
    const buffer = reserve(this.exports.memory, at.taps + tables(h) + tables(v));
    const heap = new Uint8Array(buffer);
    heap.set(src.data, at.src);
    let next = at.taps;
    const put = (c: Coefficients, base: number): [number, number, number] => {
      const i32 = new Int32Array(buffer);
      const first = next;
      i32.set(base ? c.first.map((f) => f - base) : c.first, first / 4);
      const count = first + c.first.length * 4;
      i32.set(c.count, count / 4);
      const taps = count + c.count.length * 4;
      i32.set(c.taps, taps / 4);
      next = taps + c.taps.length * 4;
      return [first, count, taps];
    };
    let result = at.src;
    if (h) {
      const [first, count, taps] = put(h, 0);
      this.exports.horizontal(at.src + from * src.width * ch, src.width * ch, rows, ch, at.mid, width, first, count, taps, h.stride);
      result = at.mid;
    }
    if (v) {
      const [first, count, taps] = put(v, from);
      this.exports.vertical(result, midW * ch, height, at.out, first, count, taps, v.stride);
      result = at.out;
    }
    const outH = v ? height : rows;
    const size = midW * outH * ch;
    return { data: new Uint8Array(this.exports.memory.buffer, result, size).slice(), width: midW, height: outH, channels: ch };
  }
}

/** The wasm convolution kernel, or null where it cannot be compiled here. */
export const wasmResample: () => SeparableKernel | null = lazyInstance<ResampleExports, WasmResample>(resampleWasmBase64, (exports) => new WasmResample(exports));
