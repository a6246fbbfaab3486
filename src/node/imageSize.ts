/**
 * Image sizes read from file headers, before any pixel is decoded, so that a
 * small file claiming a huge size is refused instead of allocated (PIL's
 * decompression-bomb check). JPEG, PNG, BMP and Netpbm are parsed here; other
 * formats are left to sharp's `metadata()`.
 */
import { bmpSize, netpbmSize } from './rawFormats.js';

export interface HeaderSize {
  width: number;
  height: number;
  /** Four-channel (CMYK or YCCK) pixels, which PIL converts to RGB with its own formula. */
  cmyk: boolean;
}

/**
 * The frame header (SOFn) of a JPEG: markers are walked from the start; bytes
 * between markers are skipped as libjpeg skips them. Null when no frame
 * header comes before the first scan.
 */
function jpegSize(b: Uint8Array): HeaderSize | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff || b[i + 1] === 0xff) {
      i++;
      continue;
    }
    const marker = b[i + 1]!;
    // Markers without a length: TEM, RSTn, SOI; and a 0 after FF is stuffing, not a marker.
    if (marker === 0x00 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2;
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return { height: (b[i + 5]! << 8) | b[i + 6]!, width: (b[i + 7]! << 8) | b[i + 8]!, cmyk: b[i + 9] === 4 };
    if (marker === 0xda || marker === 0xd9) return null;
    i += 2 + ((b[i + 2]! << 8) | b[i + 3]!);
  }
  return null;
}

/** A PNG's size from its IHDR chunk (which must come first). */
function pngSize(b: Uint8Array): HeaderSize | null {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length < 24 || !signature.every((v, k) => b[k] === v)) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20), cmyk: false };
}

/** The size a JPEG, PNG, BMP or Netpbm file's header states (recognised by content, not name); null for other formats. */
export function headerSize(b: Uint8Array): HeaderSize | null {
  if (b[0] === 0xff && b[1] === 0xd8) return jpegSize(b);
  if (b[0] === 0x89) return pngSize(b);
  const raw = b[0] === 0x42 ? bmpSize(b) : b[0] === 0x50 ? netpbmSize(b) : null;
  return raw && { ...raw, cmyk: false };
}
