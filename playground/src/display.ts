/**
 * Maps float pixels (NHWC, 3 channels) to canvas bytes. Values already in
 * 0..255 are drawn as they are (so an unstandardized tile shows exactly the
 * generator's output, rounded); a batch entirely within 0..1 (after
 * `rescale: 1/255`) is scaled by 255; any other range (standardized data) is
 * stretched from the batch's minimum to its maximum.
 */

export interface DisplayRange {
  offset: number;
  scale: number;
  /** How the values were mapped, for the page's legend. */
  label: string;
}

/** The smallest and largest value of `data`. */
export function extremes(data: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** How to show a batch whose values lie in [min, max]. */
export function displayRange({ min, max }: { min: number; max: number }): DisplayRange {
  if (min >= 0 && max <= 255 && max > 1) return { offset: 0, scale: 1, label: 'values shown as they are (0-255)' };
  if (min >= 0 && max <= 1) return { offset: 0, scale: 255, label: 'values in 0-1 shown times 255' };
  const scale = max > min ? 255 / (max - min) : 1;
  return { offset: -min, scale, label: `values stretched from ${min.toPrecision(3)} .. ${max.toPrecision(3)} to 0-255` };
}

/** Image `index` of `data` (each `width * height * 3` values) as RGBA bytes, mapped by `range`, into `out`. */
export function toRgba(data: Float32Array, index: number, width: number, height: number, range: Pick<DisplayRange, 'offset' | 'scale'>, out = new Uint8ClampedArray(width * height * 4)): Uint8ClampedArray {
  const start = index * width * height * 3;
  const { offset, scale } = range;
  for (let i = 0, j = start; i < width * height * 4; i += 4, j += 3) {
    // Uint8ClampedArray clamps and rounds half to even.
    out[i] = (data[j]! + offset) * scale;
    out[i + 1] = (data[j + 1]! + offset) * scale;
    out[i + 2] = (data[j + 2]! + offset) * scale;
    out[i + 3] = 255;
  }
  return out;
}

/** Puts RGBA bytes (`width * height * 4`) on `canvas`. */
export function putRgba(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray<ArrayBuffer>, width: number, height: number): void {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  canvas.getContext('2d')!.putImageData(new ImageData(rgba, width, height), 0, 0);
}

/** Draws image `index` of `data` on `canvas`, mapped by `range`. */
export function drawImage(canvas: HTMLCanvasElement, data: Float32Array, index: number, width: number, height: number, range: DisplayRange): void {
  putRgba(canvas, toRgba(data, index, width, height, range) as Uint8ClampedArray<ArrayBuffer>, width, height);
}
