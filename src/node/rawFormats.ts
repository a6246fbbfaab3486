/**
 * Decoders for the two formats in Keras's white list that sharp (libvips)
 * cannot read: BMP (uncompressed 8-bit palette, 24- and 32-bit) and Netpbm
 * PPM/PGM (binary and ASCII, 8- and 16-bit). Other variants are refused with
 * a clear error.
 */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** A BMP's size from its BITMAPINFOHEADER (or larger) header; null when the bytes are not such a BMP. */
export function bmpSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 26 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: Math.abs(v.getInt32(18, true)), height: Math.abs(v.getInt32(22, true)) };
}

export function decodeBmp(bytes: Uint8Array): RawImage {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 54 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) throw new Error('not a BMP file (no BM header)');
  const dataOffset = v.getUint32(10, true);
  const dibSize = v.getUint32(14, true);
  const width = v.getInt32(18, true);
  const rawHeight = v.getInt32(22, true);
  const bpp = v.getUint16(28, true);
  const compression = v.getUint32(30, true);
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) throw new Error(`invalid BMP size ${width}x${rawHeight}`);
  if (!((bpp === 24 && compression === 0) || (bpp === 32 && (compression === 0 || compression === 3)) || (bpp === 8 && compression === 0))) {
    throw new Error(`unsupported BMP variant (${bpp} bits per pixel, compression ${compression})`);
  }
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) throw new Error('truncated BMP pixel data');
  const channels = bpp === 32 ? 4 : 3;
  const out = new Uint8Array(width * height * channels);
  const palette = 14 + dibSize;
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (rawHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      const p = bpp === 8 ? palette + bytes[row + x]! * 4 : row + x * (bpp / 8);
      out[o] = bytes[p + 2]!;
      out[o + 1] = bytes[p + 1]!;
      out[o + 2] = bytes[p]!;
      if (channels === 4) out[o + 3] = bytes[p + 3]!;
    }
  }
  return { data: out, width, height, channels };
}

const isSpace = (b: number | undefined) => b === 0x20 || (b !== undefined && b >= 0x09 && b <= 0x0d);

/** Reads a Netpbm file's whitespace-separated numbers ('#' starts a comment to the end of the line), from after the magic. */
class NetpbmTokens {
  pos = 2;
  constructor(private readonly bytes: Uint8Array) {}

  next(): number {
    const bytes = this.bytes;
    for (;;) {
      while (isSpace(bytes[this.pos])) this.pos++;
      if (bytes[this.pos] !== 0x23) break;
      while (this.pos < bytes.length && bytes[this.pos] !== 0x0a) this.pos++;
    }
    const start = this.pos;
    while (this.pos < bytes.length && !isSpace(bytes[this.pos])) this.pos++;
    // Numbers past 20 digits are no valid size or sample.
    const n = this.pos - start <= 20 ? Number(String.fromCharCode(...bytes.subarray(start, this.pos))) : NaN;
    if (!Number.isInteger(n) || start === this.pos) throw new Error('malformed Netpbm header or data');
    return n;
  }
}

/** A Netpbm file's size from its header; null when the header cannot be read. */
export function netpbmSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes[0] !== 0x50) return null;
  const tokens = new NetpbmTokens(bytes);
  try {
    return { width: tokens.next(), height: tokens.next() };
  } catch {
    return null;
  }
}

/** A greymap Pillow opens as 'I' (32-bit values), for the caller's wide-grey path (./grey16.ts). */
export interface WideGrey {
  wide: { data: Int32Array; width: number; height: number };
}

/** Python's round() (halves to even) of a double, as Pillow's PPM decoders scale samples. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * A Netpbm image (P2, P3, P5, P6) as Pillow 12 reads it: greymaps with maxval
 * up to 255 and pixmaps as 8-bit 'L' / 'RGB', each sample scaled by
 * round(value / maxval * 255); greymaps with a larger maxval as 'I' (`wide`:
 * 32-bit values scaled to 0..65535 the same way, stored as is when maxval is
 * 65535; the caller makes their 8-bit image as for any 'I'). Plain files
 * refuse a sample above maxval, as Pillow does; binary ones clip it.
 */
export function decodeNetpbm(bytes: Uint8Array): RawImage | WideGrey {
  const magic = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0);
  if (!['P2', 'P3', 'P5', 'P6'].includes(magic)) throw new Error(`unsupported Netpbm variant ${JSON.stringify(magic)} (P2, P3, P5 and P6 are read)`);
  const tokens = new NetpbmTokens(bytes);
  const width = tokens.next();
  const height = tokens.next();
  const maxval = tokens.next();
  if (width <= 0 || height <= 0 || maxval <= 0 || maxval > 65535) throw new Error(`invalid Netpbm header ${width}x${height} max ${maxval}`);
  const channels = magic === 'P3' || magic === 'P6' ? 3 : 1;
  const count = width * height * channels;
  const wide = channels === 1 && maxval > 255;
  const outMax = wide ? 65535 : 255;
  const values = wide ? new Int32Array(count) : new Uint8Array(count);
  if (magic === 'P5' || magic === 'P6') {
    const pos = tokens.pos + 1; // one whitespace byte after maxval
    const two = maxval > 255;
    if (pos + count * (two ? 2 : 1) > bytes.length) throw new Error('truncated Netpbm pixel data');
    const exact = maxval === outMax; // Pillow's raw decoder: samples as stored
    for (let i = 0; i < count; i++) {
      const v = two ? (bytes[pos + 2 * i]! << 8) | bytes[pos + 2 * i + 1]! : bytes[pos + i]!;
      values[i] = exact ? v : Math.min(outMax, roundHalfEven((v / maxval) * outMax));
    }
  } else {
    for (let i = 0; i < count; i++) {
      const v = tokens.next();
      if (v > maxval) throw new Error(`Netpbm sample ${v} above maxval ${maxval}`);
      values[i] = roundHalfEven((v / maxval) * outMax);
    }
  }
  return wide ? { wide: { data: values as Int32Array, width, height } } : { data: values as Uint8Array, width, height, channels };
}

/** The decoder for a file name sharp cannot read, or null. */
export function rawDecoderFor(path: string): ((bytes: Uint8Array) => RawImage | WideGrey) | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('.bmp')) return decodeBmp;
  if (['.ppm', '.pgm', '.pnm'].some((e) => lower.endsWith(e))) return decodeNetpbm;
  return null;
}
