/**
 * Draws float pixels (NHWC, 3 channels) onto canvases. Values already in
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

export function displayRange(data: Float32Array): DisplayRange {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min >= 0 && max <= 255 && max > 1) return { offset: 0, scale: 1, label: 'values shown as they are (0-255)' };
  if (min >= 0 && max <= 1) return { offset: 0, scale: 255, label: 'values in 0-1 shown times 255' };
  const scale = max > min ? 255 / (max - min) : 1;
  return { offset: -min, scale, label: `values stretched from ${min.toPrecision(3)} .. ${max.toPrecision(3)} to 0-255` };
}

/** Draws image `index` of `data` (each `width * height * 3` values) on `canvas`, mapped by `range`. */
export function drawImage(canvas: HTMLCanvasElement, data: Float32Array, index: number, width: number, height: number, range: DisplayRange): void {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(width, height);
  const rgba = image.data;
  const start = index * width * height * 3;
  const { offset, scale } = range;
  for (let i = 0, j = start; i < rgba.length; i += 4, j += 3) {
    // Uint8ClampedArray clamps and rounds half to even.
    rgba[i] = (data[j]! + offset) * scale;
    rgba[i + 1] = (data[j + 1]! + offset) * scale;
    rgba[i + 2] = (data[j + 2]! + offset) * scale;
    rgba[i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}
