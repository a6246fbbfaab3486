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

export function decodeNetpbm(bytes: Uint8Array): RawImage {
  const magic = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0);
  if (!['P2', 'P3', 'P5', 'P6'].includes(magic)) throw new Error(`unsupported Netpbm variant ${JSON.stringify(magic)} (P2, P3, P5 and P6 are read)`);
  let pos = 2;
  const token = (): number => {
    for (;;) {
      while (pos < bytes.length && /\s/.test(String.fromCharCode(bytes[pos]!))) pos++;
      if (bytes[pos] !== 0x23) break; // '#' comment to end of line
      while (pos < bytes.length && bytes[pos] !== 0x0a) pos++;
    }
    const start = pos;
    while (pos < bytes.length && !/\s/.test(String.fromCharCode(bytes[pos]!))) pos++;
    const n = Number(String.fromCharCode(...bytes.subarray(start, pos)));
    if (!Number.isInteger(n) || start === pos) throw new Error('malformed Netpbm header or data');
    return n;
  };
  const width = token();
  const height = token();
  const maxval = token();
  if (width <= 0 || height <= 0 || maxval <= 0 || maxval > 65535) throw new Error(`invalid Netpbm header ${width}x${height} max ${maxval}`);
  const channels = magic === 'P3' || magic === 'P6' ? 3 : 1;
  const count = width * height * channels;
  const out = new Uint8Array(count);
  const scale = (s: number) => Math.round((s * 255) / maxval);
  if (magic === 'P5' || magic === 'P6') {
    pos++; // one whitespace byte after maxval
    const wide = maxval > 255;
    if (pos + count * (wide ? 2 : 1) > bytes.length) throw new Error('truncated Netpbm pixel data');
    for (let i = 0; i < count; i++) out[i] = scale(wide ? (bytes[pos + 2 * i]! << 8) | bytes[pos + 2 * i + 1]! : bytes[pos + i]!);
  } else {
    for (let i = 0; i < count; i++) out[i] = scale(token());
  }
  return { data: out, width, height, channels };
}

/** The decoder for a file name sharp cannot read, or null. */
export function rawDecoderFor(path: string): ((bytes: Uint8Array) => RawImage) | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('.bmp')) return decodeBmp;
  if (['.ppm', '.pgm', '.pnm'].some((e) => lower.endsWith(e))) return decodeNetpbm;
  return null;
}
