/**
 * NumPy's `.npy` format (versions 1 to 3): little-endian float32 or float64
 * arrays in C order. Anything else (Fortran order, big-endian, object or
 * integer arrays) is refused with a clear error.
 */
import { InvalidArgumentError } from '../errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** A parsed array: float32 values (float64 inputs are rounded) and the shape. */
export interface NpyArray {
  data: Float32Array;
  shape: number[];
}

export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 10 && MAGIC.every((b, i) => bytes[i] === b);
}

export function parseNpy(bytes: Uint8Array, argument: string): NpyArray {
  if (!isNpy(bytes)) throw new InvalidArgumentError(argument, 'a .npy file (starting with \\x93NUMPY)', `${bytes.length} bytes without that magic`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [headerLength, headerStart] = major === 1 ? [view.getUint16(8, true), 10] : [view.getUint32(8, true), 12];
  if (major < 1 || major > 3 || headerStart + headerLength > bytes.length) {
    throw new InvalidArgumentError(argument, 'a .npy file of format version 1, 2 or 3 with a complete header', `version ${major}`);
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new InvalidArgumentError(argument, "a .npy header with 'descr', 'fortran_order' and 'shape'", header.trim());
  }
  if (fortran === 'True') throw new InvalidArgumentError(argument, 'a C-order array (save it with np.ascontiguousarray)', 'a Fortran-order array');
  if (descr !== '<f4' && descr !== '<f8') {
    const what = descr.startsWith('>') ? 'a big-endian array' : descr.includes('O') ? 'an object array' : `dtype ${descr}`;
    throw new InvalidArgumentError(argument, "a little-endian float32 or float64 array ('<f4' or '<f8')", what);
  }
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const itemSize = descr === '<f4' ? 4 : 8;
  const start = headerStart + headerLength;
  if (bytes.length - start !== count * itemSize) {
    throw new InvalidArgumentError(argument, `${count * itemSize} bytes of data for shape (${shape})`, `${bytes.length - start} bytes`);
  }
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = itemSize === 4 ? view.getFloat32(start + i * 4, true) : view.getFloat64(start + i * 8, true);
  return { data, shape };
}
