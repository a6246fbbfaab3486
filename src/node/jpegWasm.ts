/**
 * JPEG decoding as Pillow (Keras's `load_img`) does it, to the bit, in
 * WebAssembly: libjpeg-turbo's TurboJPEG API compiled to wasm by the
 * cornerstone project (@cornerstonejs/codec-libjpeg-turbo-8bit, ISC;
 * libjpeg-turbo itself is under the IJG and BSD licences).
 *
 * Why this decoder: Pillow decodes JPEGs with libjpeg-turbo's defaults, the
 * accurate integer IDCT (JDCT_ISLOW) and fancy (triangular) chroma
 * upsampling, and ignores EXIF orientation and ICC profiles. This build calls
 * `tjDecompress2` with no flags, which means exactly those defaults, so its
 * pixels equal Pillow's (bit for bit on baseline, progressive, 4:4:4, 4:2:2,
 * 4:2:0, grayscale and restart-marker files; test/jpeg-decode.test.ts checks
 * against Pillow's output). It is synchronous wasm in the decoding thread: no
 * native thread can be left mid-decode when process.exit or a signal tears
 * the worker threads down (the reason the native @julusian/jpeg-turbo, which
 * also hard-codes the fast IDCT, was dropped), and JPEGs need no sharp.
 * Speed is not why: this build has no SIMD, so it takes about the CPU time
 * sharp takes per file (2.5-3.5 ms for a 500x375 JPEG here; Pillow's SIMD
 * decode ~1.5-1.8 ms); BENCHMARKS.md, 2026-12-01. So the common baseline
 * files go to our own SIMD decoder first (./jpeg/baselineJpeg.ts, the same
 * pixels), and this build decodes what that one declines.
 *
 * Only the common case is decoded here; the caller falls back to sharp
 * (also libjpeg-turbo with Pillow's settings) whenever this returns null:
 * CMYK/YCCK files, very large images (which would grow this thread's wasm
 * heap for good), and any file libjpeg-turbo reports an error or even a
 * warning for (truncated or corrupt data), so sharp keeps deciding what a
 * damaged file gives, as before.
 */
import { createRequire } from 'node:module';
import { type NearestTarget, decodeBaselineJpeg } from './jpeg/baselineJpeg.js';
import type { RawImage } from './rawFormats.js';

interface FrameInfo {
  width: number;
  height: number;
  componentCount: number;
}

/** The embind class the package exports: copy the file in, decode, read the pixels (RGB, or grey for 1-component files) out. */
interface JpegDecoder {
  getEncodedBuffer(size: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

interface Codec {
  JPEGDecoder: new () => JpegDecoder;
  /** The module's wasm heap (emscripten's byte view of its memory). */
  HEAPU8?: Uint8Array;
}

/** Images above this many pixels (4096 x 4096) go to sharp, so a thread's wasm heap stays below ~100 MB. */
export const WASM_MAX_PIXELS = 2 ** 24;
/** Nor are files above 32 MiB copied into the wasm heap. */
const WASM_MAX_BYTES = 2 ** 25;

let codec: Promise<Codec | null> | null = null;
let decoder: JpegDecoder | null = null;

function loadCodec(): Promise<Codec | null> {
  codec ??= (async () => {
    try {
      const factory = createRequire(import.meta.url)('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs') as () => Promise<Codec>;
      return await factory();
    } catch {
      return null; // not installed or not loadable here: sharp decodes every JPEG
    }
  })();
  return codec;
}

/** True for bytes that start as a JPEG does (SOI, then a marker). */
export const isJpeg = (b: Uint8Array): boolean => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/**
 * The JPEG's 8-bit pixels (3 channels, or 1 for a grayscale file) as Pillow
 * decodes them, or null when this decoder declines or fails (the caller then
 * uses sharp). `width` x `height` is the size the header states. Given a
 * `nearest` target that the fast decoder can fill (same size and channels),
 * the picked pixels are written there instead and the result is 'selected'.
 */
export async function decodeJpegWasm(bytes: Uint8Array, width: number, height: number, nearest?: NearestTarget): Promise<RawImage | 'selected' | null> {
  if (width * height > WASM_MAX_PIXELS || bytes.length > WASM_MAX_BYTES) return null;
  const fast = decodeBaselineJpeg(bytes, nearest);
  if (fast && 'selected' in fast) return 'selected';
  if (fast && fast.image.width === width && fast.image.height === height) return fast.image;
  return decodeLibjpegTurbo(bytes, width, height);
}

/** The same through libjpeg-turbo itself (the cornerstone build): every JPEG it decodes without a warning. */
export async function decodeLibjpegTurbo(bytes: Uint8Array, width: number, height: number): Promise<RawImage | null> {
  if (width * height > WASM_MAX_PIXELS || bytes.length > WASM_MAX_BYTES) return null;
  const c = await loadCodec();
  if (!c) return null;
  try {
    decoder ??= new c.JPEGDecoder();
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const pixels = decoder.getDecodedBuffer();
    if (info.width !== width || info.height !== height || pixels.length !== width * height * info.componentCount) return null;
    // This build hands out a new array (a copy out of the wasm heap) per call: it is ours to keep. Were it a
    // view of the heap, the next decode would overwrite it: then it is copied.
    const data = pixels.buffer === c.HEAPU8?.buffer ? pixels.slice() : pixels;
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height, channels: info.componentCount };
  } catch (e) {
    // libjpeg's errors and warnings arrive as thrown C++ exceptions (numbers); the module stays usable.
    // Anything else (an abort, e.g. out of memory) leaves it unusable: start afresh next time.
    if (typeof e !== 'number') {
      decoder = null;
      codec = null;
    }
    return null;
  }
}
