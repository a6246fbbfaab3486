/**
 * The fast path of JPEG decoding: wasm/jpeg.c, a baseline decoder with wasm
 * SIMD whose pixels equal libjpeg-turbo's defaults (Pillow's decode). It
 * takes the common files (one sequential scan, grey or YCbCr, 4:4:4, 4:2:2,
 * 4:4:0 or 4:2:0, restart markers) and declines everything else, including
 * anything libjpeg would warn about, which then goes to the full
 * libjpeg-turbo (../jpegWasm.ts). Compiled synchronously on first use.
 */
import { lazyInstance, reserve } from '../../io/wasmModules.js';
import type { RawImage } from '../rawFormats.js';
import { jpegWasmBase64 } from './wasm/jpegModule.js';

interface JpegExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  decode(src: number, len: number, heap: number): number;
  pixels(): number;
  width(): number;
  height(): number;
  channels(): number;
}

class BaselineJpeg {
  private readonly base: number;

  constructor(private readonly exports: JpegExports) {
    this.base = Math.ceil((exports.__heap_base.value as number) / 16) * 16;
  }

  decode(bytes: Uint8Array): RawImage | null {
    const e = this.exports;
    new Uint8Array(reserve(e.memory, this.base + bytes.length)).set(bytes, this.base);
    if (e.decode(this.base, bytes.length, this.base + bytes.length) !== 0) return null;
    const [width, height, channels] = [e.width(), e.height(), e.channels()];
    // A copy: the next decode reuses the memory.
    const data = new Uint8Array(e.memory.buffer, e.pixels(), width * height * channels).slice();
    return { data, width, height, channels };
  }
}

const instance = lazyInstance<JpegExports, BaselineJpeg>(jpegWasmBase64, (exports) => new BaselineJpeg(exports));

/**
 * The 8-bit pixels (3 channels, or 1 for a grey file) of a common baseline
 * JPEG as Pillow decodes them, or null when the file is not one this decoder
 * takes (or wasm is unavailable).
 */
export function decodeBaselineJpeg(bytes: Uint8Array): RawImage | null {
  return instance()?.decode(bytes) ?? null;
}
