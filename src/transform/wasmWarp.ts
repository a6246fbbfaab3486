/**
 * The warp of wasm/warp.c: bit-identical to the TypeScript warp in apply.ts
 * followed by the standardization's per-channel affine (same float64
 * operations in the same order), and three to four times as fast.
 * Compiled synchronously on first use (the module is a few kilobytes); where
 * that is refused (a browser's main thread may refuse), callers keep the
 * TypeScript warp.
 */
import { base64Bytes } from '../io/base64.js';
import type { FillMode } from '../options/args.js';
import type { ImageView, SamplingOptions } from './apply.js';
import type { Affine } from './matrix.js';
import { warpWasmBase64 } from './wasm/warpModule.js';

interface WarpExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  warp(src: number, dst: number, h: number, w: number, ch: number, m00: number, m01: number, m10: number, m11: number,
    o0: number, o1: number, mode: number, cval: number, order: number, flipH: number, flipV: number, ab: number): void;
}

const MODES: Record<FillMode, number> = { constant: 0, nearest: 1, reflect: 2, wrap: 3 };

export class WasmWarp {
  private readonly base: number;

  constructor(private readonly exports: WarpExports) {
    this.base = Math.ceil((exports.__heap_base.value as number) / 16) * 16;
  }

  /**
   * Warps `src` into `dst` (same size), flips folded into the write position;
   * then `x * a[c] + b[c]` on every value when `then` (a `channelAffine`) is given.
   */
  warp(src: ImageView, dst: ImageView, a: Affine, s: SamplingOptions, flipH: boolean, flipV: boolean, then: Float64Array | null = null): void {
    const size = src.height * src.width * src.channels;
    const from = this.base;
    const to = from + size * 4;
    const ab = to + size * 4;
    const memory = this.exports.memory;
    const missing = ab + src.channels * 16 - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
    const heap = new Float32Array(memory.buffer);
    heap.set(src.data.subarray(src.offset, src.offset + size), from / 4);
    if (then) new Float64Array(memory.buffer, ab, then.length).set(then);
    const [m00, m01, m10, m11] = a.matrix;
    const [o0, o1] = a.offset;
    this.exports.warp(from, to, src.height, src.width, src.channels, m00, m01, m10, m11, o0, o1,
      MODES[s.fillMode], s.cval, s.interpolationOrder, flipH ? 1 : 0, flipV ? 1 : 0, then ? ab : 0);
    dst.data.set(heap.subarray(to / 4, to / 4 + size), dst.offset);
  }
}

let instance: WasmWarp | null | undefined;

/** The wasm warp, or null where it cannot be compiled here. */
export function wasmWarp(): WasmWarp | null {
  if (instance === undefined) {
    try {
      const exports = new WebAssembly.Instance(new WebAssembly.Module(base64Bytes(warpWasmBase64))).exports as unknown as WarpExports;
      instance = new WasmWarp(exports);
    } catch {
      instance = null;
    }
  }
  return instance;
}
