/** Converting image batches between the page's NHWC pixels and the generator's data format. */
import type { DataFormat } from '../../src/browser.js';

/** `data` (n images of h x w x c, NHWC) reordered to NCHW, or back when `toNchw` is false. */
function transpose(data: Float32Array, n: number, h: number, w: number, c: number, toNchw: boolean): Float32Array {
  const out = new Float32Array(data.length);
  const plane = h * w;
  for (let b = 0; b < n; b++) {
    const base = b * plane * c;
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < c; k++) {
        const nhwc = base + p * c + k;
        const nchw = base + k * plane + p;
        if (toNchw) out[nchw] = data[nhwc]!;
        else out[nhwc] = data[nchw]!;
      }
    }
  }
  return out;
}

/** NHWC pixels of n images as the generator takes them: `{data, shape}` in `format`. */
export function toFormat(data: Float32Array, n: number, size: number, format: DataFormat): { data: Float32Array; shape: number[] } {
  return format === 'channelsFirst'
    ? { data: transpose(data, n, size, size, 3, true), shape: [n, 3, size, size] }
    : { data, shape: [n, size, size, 3] };
}

/** The generator's output (n images in `format`) as NHWC pixels. */
export function fromFormat(data: Float32Array, n: number, size: number, format: DataFormat): Float32Array {
  return format === 'channelsFirst' ? transpose(data, n, size, size, 3, false) : data;
}
