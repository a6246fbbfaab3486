/**
 * The fast path of JPEG decoding: wasm/jpeg.c, a baseline decoder with wasm
 * SIMD whose pixels equal libjpeg-turbo's defaults (Pillow's decode). It
 * takes the common files (one sequential scan, grey or YCbCr, 4:4:4, 4:2:2,
 * 4:4:0 or 4:2:0, restart markers) and declines everything else, including
 * anything libjpeg would warn about, which then goes to the full
 * libjpeg-turbo (../jpegWasm.ts). Compiled synchronously on first use.
 */
import { align16, lazyInstance, reserve } from '../../io/wasmModules.js';
import type { RawImage } from '../rawFormats.js';
import type { PixelSelection } from '../resample/resize.js';
import { jpegWasmBase64 } from './wasm/jpegModule.js';

interface JpegExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  decode(src: number, len: number, heap: number): number;
  pixels(): number;
  select_nearest(rows: number, nrows: number, cols: number, ncols: number, out: number): void;
  scratch(bytes: number): number;
  width(): number;
  height(): number;
  channels(): number;
}

/**
 * A NEAREST pick (or a same-size copy) to write straight into a float32
 * batch: `sel` of a `width` x `height` image with `channels` channels, at
 * `out[offset..]`.
 */
export interface NearestTarget {
  width: number;
  height: number;
  sel: PixelSelection;
  channels: number;
  out: Float32Array;
  offset: number;
}

/** What a decode gave: the image's pixels, or `selected` when it wrote a NearestTarget. */
export type BaselineResult = { image: RawImage } | { selected: true };

/** Picks larger than this many floats (64 MB) are not staged in wasm memory, which never shrinks: they take the JS path. */
const MAX_PICK_FLOATS = 2 ** 24;

class BaselineJpeg {
  private readonly base: number;

  constructor(private readonly exports: JpegExports) {
    this.base = align16(exports.__heap_base.value as number);
  }

  decode(bytes: Uint8Array, nearest?: NearestTarget): BaselineResult | null {
    const e = this.exports;
    new Uint8Array(reserve(e.memory, this.base + bytes.length)).set(bytes, this.base);
    if (e.decode(this.base, bytes.length, this.base + bytes.length) !== 0) return null;
    const [width, height, channels] = [e.width(), e.height(), e.channels()];
    const size = nearest ? nearest.sel.rows.length * nearest.sel.cols.length * nearest.channels : 0;
    if (nearest && nearest.channels === channels && nearest.width === width && nearest.height === height && size <= MAX_PICK_FLOATS) {
      const { rows, cols } = nearest.sel;
      const [rowsAt, colsAt, outAt] = [e.scratch(rows.length * 4), e.scratch(cols.length * 4), e.scratch((size + 1) * 4)];
      if (rowsAt && colsAt && outAt) {
        new Int32Array(e.memory.buffer, rowsAt, rows.length).set(rows);
        new Int32Array(e.memory.buffer, colsAt, cols.length).set(cols);
        e.select_nearest(rowsAt, rows.length, colsAt, cols.length, outAt);
        nearest.out.set(new Float32Array(e.memory.buffer, outAt, size), nearest.offset);
        return { selected: true };
      }
    }
    const at = e.pixels();
    if (!at) return null;
    // A copy: the next decode reuses the memory.
    return { image: { data: new Uint8Array(e.memory.buffer, at, width * height * channels).slice(), width, height, channels } };
  }
}

const instance = lazyInstance<JpegExports, BaselineJpeg>(jpegWasmBase64, (exports) => new BaselineJpeg(exports));

/**
 * A common baseline JPEG decoded as Pillow decodes it: its 8-bit pixels (3
 * channels, or 1 for a grey file), or, given a NearestTarget with the file's
 * channel count, those pixels picked and written as float32 there (only the
 * rows picked are converted). Null when the file is not one this decoder
 * takes (or wasm is unavailable).
 */
export function decodeBaselineJpeg(bytes: Uint8Array, nearest?: NearestTarget): BaselineResult | null {
  try {
    return instance()?.decode(bytes, nearest) ?? null;
  } catch {
    return null; // a trap (none seen in 30,000 damaged files) leaves the file to libjpeg; every decode starts afresh
  }
}
