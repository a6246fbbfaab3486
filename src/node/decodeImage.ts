/**
 * Decoding and resizing image files to float32 HWC values in 0..255, as
 * Keras's `load_img` + `img_to_array` give them. Files are decoded at full
 * size (BMP and Netpbm by our decoders, JPEGs by libjpeg-turbo in wasm,
 * ./jpegWasm.ts, the rest and what that declines through sharp: both are
 * libjpeg-turbo with the accurate DCT, as Pillow uses it), converted to the
 * colour mode and resized as Pillow's `Image.resize` does, to the bit, for
 * every filter (./resample).
 */
import { type Stats, closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { CorruptFileError, ImageTooLargeError, InvalidArgumentError } from '../errors.js';
import { fsPath } from './fsNames.js';
import { type Grey16, clip8, grey16Into } from './grey16.js';
import { type HeaderSize, headerSize } from './imageSize.js';
import type { NearestTarget } from './jpeg/baselineJpeg.js';
import { decodeJpegWasm, isJpeg } from './jpegWasm.js';
import { type RawImage, rawDecoderFor } from './rawFormats.js';
import { resampleKernel } from './resample/kernel.js';
import { type Box, type PixelSelection, type Resample, nearestSelection, pillowResize } from './resample/resize.js';

export type ColorMode = 'rgb' | 'rgba' | 'grayscale';
export type Interpolation = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos' | 'box' | 'hamming';

/** Keras's interpolation names for Pillow's resampling filters (all done by ./resample, Pillow's resize to the bit). */
const KERNELS: Record<Interpolation, Resample> = {
  nearest: 'nearest', bilinear: 'bilinear', bicubic: 'bicubic', lanczos: 'lanczos', box: 'box', hamming: 'hamming',
};

export const CHANNELS: Record<ColorMode, number> = { rgb: 3, rgba: 4, grayscale: 1 };

type Sharp = typeof import('sharp').default;
let sharpModule: Promise<Sharp> | null = null;

async function loadSharp(): Promise<Sharp> {
  sharpModule ??= import('sharp').then((m) => m.default).catch((e: Error) => {
    sharpModule = null;
    throw new InvalidArgumentError('sharp', 'the sharp package installed (npm install sharp) to read image files', e.message.split('\n')[0]);
  });
  return sharpModule;
}

/** Widens 1- or 2-band pixels (grey, grey + alpha) to RGB or RGBA. */
function toColour(img: RawImage): RawImage {
  if (img.channels === 3 || img.channels === 4) return img;
  const alpha = img.channels === 2;
  const c = alpha ? 4 : 3;
  const data = new Uint8Array(img.width * img.height * c);
  for (let p = 0; p < img.width * img.height; p++) {
    const v = img.data[p * img.channels]!;
    data[p * c] = data[p * c + 1] = data[p * c + 2] = v;
    if (alpha) data[p * c + 3] = img.data[p * 2 + 1]!;
  }
  return { data, width: img.width, height: img.height, channels: c };
}

/** PIL's CMYK to RGB: each channel (255 - K) - C * (255 - K) / 255, rounded as PIL's MULDIV255. */
function cmykToRgb(img: RawImage): RawImage {
  const data = new Uint8Array(img.width * img.height * 3);
  const sc = img.channels;
  for (let p = 0; p < img.width * img.height; p++) {
    const nk = 255 - img.data[p * sc + 3]!;
    for (let k = 0; k < 3; k++) {
      const t = img.data[p * sc + k]! * nk + 128;
      data[p * 3 + k] = nk - (((t >> 8) + t) >> 8);
    }
  }
  return { data, width: img.width, height: img.height, channels: 3 };
}

/**
 * A 16-bit grayscale PNG: Pillow opens it as 'I;16', and ignores a tRNS
 * colour key in every conversion Keras makes (sharp adds alpha for one: it
 * is dropped).
 */
function isGrey16Png(bytes: Uint8Array): boolean {
  if (bytes.length < 33 || bytes[0] !== 0x89 || bytes[1] !== 0x50 || bytes[2] !== 0x4e || bytes[3] !== 0x47) return false;
  if (bytes[24] !== 16 || bytes[25] !== 0) return false;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 8 <= bytes.length; at += 12 + v.getUint32(at)) {
    const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    if (type === 'IDAT') return true;
  }
  return false;
}

/** An 'I;16' or 'I' image: kept whole for Keras's grayscale (./grey16.ts), its 8-bit image (each value clipped to 0..255) for the other modes. */
const wideGrey = (grey16: Grey16): RawImage & { grey16: Grey16 } => ({
  ...toColour({ data: clip8(grey16), width: grey16.width, height: grey16.height, channels: 1 }),
  grey16,
});

const isTiff = (b: Uint8Array): boolean =>
  (b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a);

/** A one-band TIFF Pillow opens as 'I;16' (16-bit unsigned) or 'I' (32-bit signed): the sample depth to read it with, else null. */
function wideGreyTiff(meta: { channels?: number; depth?: string }): 'ushort' | 'int' | null {
  if (meta.channels !== 1) return null;
  return meta.depth === 'ushort' ? 'ushort' : meta.depth === 'int' ? 'int' : null;
}

/** Files larger than this (1 GiB) are refused unread: an image within the default pixel limit needs at most 716 MB (16-bit RGBA, uncompressed). */
const MAX_FILE_BYTES = 2 ** 30;

function kind(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'of another kind';
}

/**
 * A regular file's bytes, after following links. Anything else (FIFO,
 * device, socket, directory) is refused before it is opened, and checked
 * again on the open descriptor (opened non-blocking, so a FIFO swapped in
 * meanwhile cannot block); at most the size seen then is read. Synchronous:
 * it runs in the decoding threads (or on a caller that asked for no
 * threads), where the promise API's five trips through libuv's pool cost
 * about 0.1 ms of CPU per file more (0.12 against 0.03 ms for a 50 KB JPEG).
 */
function readImageFile(path: string): Buffer {
  const target = fsPath(path);
  const check = (s: Stats) => {
    if (!s.isFile()) throw new CorruptFileError(path, `is not a regular file (it is ${kind(s)})`);
    if (s.size > MAX_FILE_BYTES) throw new CorruptFileError(path, `is ${s.size} bytes, more than the ${MAX_FILE_BYTES} bytes an image file may have`);
  };
  const unreadable = (e: unknown): never => {
    throw e instanceof CorruptFileError ? e : new CorruptFileError(path, `cannot be read (${(e as Error).message})`);
  };
  let fd: number;
  try {
    check(statSync(target));
    fd = openSync(target, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return unreadable(e);
  }
  try {
    const info = fstatSync(fd);
    check(info);
    const bytes = Buffer.allocUnsafe(info.size);
    let filled = 0;
    while (filled < bytes.length) {
      const read = readSync(fd, bytes, filled, bytes.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return bytes.subarray(0, filled);
  } catch (e) {
    return unreadable(e);
  } finally {
    closeSync(fd);
  }
}

/** The size stated in the file's header, from our parsers or sharp's `metadata()` (null when neither reads it). */
async function statedSize(bytes: Buffer, sharp: Sharp | null): Promise<HeaderSize | null> {
  const size = headerSize(bytes);
  if (size || !sharp) return size;
  try {
    const meta = await sharp(bytes).metadata();
    return meta.width && meta.height ? { width: meta.width, height: meta.height, cmyk: meta.space === 'cmyk' } : null;
  } catch {
    return null; // not an image sharp knows: decoding says why
  }
}

/** For an image's size, where its NEAREST pick may be written straight from the JPEG decoder (null: nowhere). */
type NearestFor = (width: number, height: number) => NearestTarget | null;

/**
 * A file's full-resolution 8-bit RGB or RGBA pixels (or, given `nearest`,
 * 'selected' when the JPEG decoder wrote the pick there itself). Corrupt, truncated or
 * empty files, and anything but a regular file, throw CorruptFileError naming
 * the file; an image stating more than `maxPixels` pixels throws
 * ImageTooLargeError before any pixel is decoded.
 */
async function decodePixels(path: string, maxPixels: number): Promise<RawImage & { grey16?: Grey16 }>;
async function decodePixels(path: string, maxPixels: number, nearest: NearestFor): Promise<(RawImage & { grey16?: Grey16 }) | 'selected'>;
async function decodePixels(path: string, maxPixels: number, nearest?: NearestFor): Promise<(RawImage & { grey16?: Grey16 }) | 'selected'> {
  const bytes = readImageFile(path);
  const raw = rawDecoderFor(path);
  // JPEGs (known by content) whose header we read, CMYK aside, go to the wasm
  // decoder first (./jpegWasm.ts: Pillow's pixels to the bit, synchronously,
  // no sharp needed); sharp decodes what it declines or fails on (damaged files included).
  const jpeg = !raw && isJpeg(bytes) ? headerSize(bytes) : null;
  const wasm = jpeg !== null && !jpeg.cmyk;
  const sharp = raw || wasm ? null : await loadSharp();
  const size = jpeg ?? (await statedSize(bytes, sharp));
  if (size && size.width * size.height > maxPixels) throw new ImageTooLargeError(path, size.width, size.height, maxPixels);
  if (wasm) {
    const img = await decodeJpegWasm(bytes, jpeg.width, jpeg.height, nearest?.(jpeg.width, jpeg.height) ?? undefined);
    if (img === 'selected') return img;
    if (img) return toColour(img);
  }
  const decoder = raw ? null : (sharp ?? (await loadSharp()));
  try {
    if (raw) {
      const img = raw(bytes);
      return 'wide' in img ? wideGrey(img.wide) : toColour(img);
    }
    // sharp's own pixel limit backs ours up for files whose header we could not read. Pillow, and
    // so Keras, ignores embedded ICC profiles: so does this decode (sharp would convert through them).
    const input = decoder!(bytes, { failOn: 'truncated', limitInputPixels: Number.isFinite(maxPixels) ? maxPixels : false, ignoreIcc: true });
    if (size?.cmyk) {
      // The stored CMYK values (Adobe's inverted JPEGs already flipped back), converted as PIL converts them.
      const { data, info } = await input.pipelineColourspace('cmyk').toColourspace('cmyk').raw().toBuffer({ resolveWithObject: true });
      return cmykToRgb({ data, width: info.width, height: info.height, channels: info.channels });
    }
    const wide = isGrey16Png(bytes) ? 'ushort' : isTiff(bytes) ? wideGreyTiff(await input.metadata()) : null;
    if (wide) {
      // Pillow's 'I;16' or 'I': kept whole for Keras's grayscale (./grey16.ts), clipped to 0..255 for the other modes.
      const grey = wide === 'ushort' ? input.toColourspace('grey16') : input.extractChannel(0);
      const { data, info } = await grey.raw({ depth: wide }).toBuffer({ resolveWithObject: true });
      const copy = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      const samples = wide === 'ushort' ? new Uint16Array(copy) : new Int32Array(copy);
      return wideGrey({ data: info.channels === 1 ? samples : samples.filter((_, i) => i % info.channels === 0), width: info.width, height: info.height });
    }
    const { data, info } = await input.raw().toBuffer({ resolveWithObject: true });
    return toColour({ data, width: info.width, height: info.height, channels: info.channels });
  } catch (e) {
    throw new CorruptFileError(path, `cannot be decoded as an image (${(e as Error).message.split('\n')[0]})`);
  }
}

/**
 * Pillow's `convert` to the mode Keras's `load_img` asks for, from 8-bit RGB
 * or RGBA: 'L' with PIL's luma (alpha ignored), 'RGB' dropping alpha,
 * 'RGBA' with alpha 255 where there was none.
 */
function toMode(src: RawImage, colorMode: ColorMode): RawImage {
  const { data, width, height, channels: sc } = src;
  const c = CHANNELS[colorMode];
  if (c === sc) return src;
  const out = new Uint8Array(width * height * c);
  for (let p = 0, s = 0, d = 0; p < width * height; p++, s += sc, d += c) convertPixel(data, s, sc, out, d, c);
  return { data: out, width, height, channels: c };
}

/** Pixel `s` of 8-bit RGB or RGBA `data` (`sc` channels) written at `d` of `out` with `c` channels, as `toMode` converts it. */
function convertPixel(data: Uint8Array, s: number, sc: number, out: Uint8Array | Float32Array, d: number, c: number): void {
  if (c === 1) {
    out[d] = (data[s]! * 19595 + data[s + 1]! * 38470 + data[s + 2]! * 7471 + 0x8000) >>> 16;
    return;
  }
  out[d] = data[s]!;
  out[d + 1] = data[s + 1]!;
  out[d + 2] = data[s + 2]!;
  if (c === 4) out[d + 3] = sc === 4 ? data[s + 3]! : 255;
}

/**
 * The rest of Keras's `load_img` once the mode is converted: when the size
 * differs, Pillow's `resize((width, height), filter)`, with keepAspectRatio's
 * centred crop box (the largest box of the target's aspect ratio, Keras's
 * integer arithmetic) passed as `box`.
 */
function kerasResize(img: RawImage, o: DecodeOptions): RawImage {
  const [height, width] = o.targetSize;
  if (img.width === width && img.height === height) return img;
  return pillowResize(img, width, height, KERNELS[o.interpolation], kerasBox(img, o), resampleKernel());
}

/** keepAspectRatio's centred crop box (the largest box of the target's aspect ratio, Keras's integer arithmetic), or undefined. */
function kerasBox(img: { width: number; height: number }, o: DecodeOptions): Box | undefined {
  if (!o.keepAspectRatio) return undefined;
  const [height, width] = o.targetSize;
  const cropH = Math.min(img.height, Math.floor((img.width * height) / width));
  const cropW = Math.min(img.width, Math.floor((img.height * width) / height));
  const x0 = Math.floor((img.width - cropW) / 2);
  const y0 = Math.floor((img.height - cropH) / 2);
  return [x0, y0, x0 + cropW, y0 + cropH];
}

/**
 * NEAREST (or no resize) in one pass: each selected source pixel (8-bit RGB
 * or RGBA) converted to the colour mode as `toMode` does and stored as
 * float32 at `out[offset..]`, 0 where the selection is outside the image.
 * Converting each pixel then selecting equals Pillow's convert-then-resize,
 * since both only map or pick whole pixels.
 */
function selectInto(src: RawImage, sel: PixelSelection, colorMode: ColorMode, out: Float32Array, offset: number): void {
  const { data, width: inW, channels: sc } = src;
  const c = CHANNELS[colorMode];
  const { cols, rows } = sel;
  const width = cols.length;
  const at = new Int32Array(width);
  for (let x = 0; x < width; x++) at[x] = cols[x]! < 0 ? -1 : cols[x]! * sc;
  // RGB to RGB, every column inside: each pixel read as one little-endian 32-bit word (a quarter faster than
  // three byte reads), in the rows where the word's fourth byte is still inside the array.
  let last = 0; // the largest column offset; -1 when a column is outside the image
  for (let x = 0; x < width; x++) last = last < 0 || at[x]! < 0 ? -1 : Math.max(last, at[x]!);
  const words = sc === 3 && c === 3 && last >= 0 ? new DataView(data.buffer, data.byteOffset, data.byteLength) : null;
  let d = offset;
  for (let y = 0; y < rows.length; y++) {
    if (rows[y]! < 0) {
      out.fill(0, d, d + width * c);
      d += width * c;
      continue;
    }
    const line = rows[y]! * inW * sc;
    if (words && line + last + 4 <= data.length) {
      for (let x = 0; x < width; x++, d += 3) {
        const v = words.getUint32(line + at[x]!, true);
        out[d] = v & 255;
        out[d + 1] = (v >>> 8) & 255;
        out[d + 2] = (v >>> 16) & 255;
      }
      continue;
    }
    for (let x = 0; x < width; x++, d += c) {
      if (at[x]! < 0) out.fill(0, d, d + c);
      else convertPixel(data, line + at[x]!, sc, out, d, c);
    }
  }
}

export function checkInterpolation(value: unknown): Interpolation {
  if (typeof value !== 'string' || !Object.hasOwn(KERNELS, value)) {
    throw new InvalidArgumentError('interpolation', Object.keys(KERNELS).map((k) => `'${k}'`).join(', '), value);
  }
  return value as Interpolation;
}

export interface DecodeOptions {
  targetSize: [number, number];
  colorMode: ColorMode;
  interpolation: Interpolation;
  keepAspectRatio: boolean;
  /** Images stating more pixels (width x height) are refused with ImageTooLargeError; Infinity for no limit. */
  maxPixels: number;
}

/** PIL's `Image.MAX_IMAGE_PIXELS`: the default pixel limit. */
export const DEFAULT_MAX_PIXELS = 89_478_485;

/**
 * Decodes `path` into `out` at `offset` ([h, w, c] float32, 0..255) as Keras's
 * `load_img` + `img_to_array`: mode converted first, then resized. Corrupt,
 * truncated or empty files throw CorruptFileError.
 */
export async function decodeInto(path: string, out: Float32Array, offset: number, o: DecodeOptions): Promise<void> {
  const [height, width] = o.targetSize;
  // NEAREST (or no resize) only picks pixels: from the source's size alone, which ones.
  const pick = (w: number, h: number): PixelSelection | null =>
    o.interpolation === 'nearest' || (w === width && h === height)
      ? nearestSelection(w, h, width, height, w === width && h === height ? undefined : kerasBox({ width: w, height: h }, o))
      : null;
  // An RGB JPEG for 'rgb' (a grey one for 'grayscale') is picked by the decoder itself, converting only the rows it needs.
  const direct = (w: number, h: number): NearestTarget | null => {
    const sel = o.colorMode === 'rgba' ? null : pick(w, h);
    return sel && { width: w, height: h, sel, channels: CHANNELS[o.colorMode], out, offset };
  };
  const src = await decodePixels(path, o.maxPixels, direct);
  if (src === 'selected') return;
  if (src.grey16 && o.colorMode === 'grayscale') return grey16Into(src.grey16, out, offset, o, kerasBox(src.grey16, o)); // 16-bit values, own resize
  const sel = pick(src.width, src.height);
  if (sel && (src.channels === 3 || src.channels === 4)) selectInto(src, sel, o.colorMode, out, offset);
  else out.set(kerasResize(toMode(src, o.colorMode), o).data, offset);
}

/** Decodes a whole image file at its own size: float32 HWC, 0..255, RGB or RGBA as stored. Refuses more than `maxPixels` pixels. */
export async function decodeFile(path: string, maxPixels = DEFAULT_MAX_PIXELS): Promise<{ data: Float32Array; shape: [number, number, number] }> {
  const img = await decodePixels(path, maxPixels);
  return { data: Float32Array.from(img.data), shape: [img.height, img.width, img.channels] };
}
