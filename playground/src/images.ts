/**
 * Turns the user's images (files, pasted or dropped blobs, bundled samples)
 * into what the generator takes: SIZE x SIZE RGB float32 pixels in 0..255,
 * centre-cropped to a square.
 */
export const SIZE = 256;

export interface SourceImage {
  name: string;
  /** SIZE * SIZE * 3 values, row-major RGB (NHWC order for one image). */
  pixels: Float32Array;
}

/** Decodes `blob` and crops and scales it to SIZE x SIZE. */
export async function decodeImage(blob: Blob, name: string): Promise<SourceImage> {
  const bitmap = await createImageBitmap(blob);
  try {
    const side = Math.min(bitmap.width, bitmap.height);
    const canvas = new OffscreenCanvas(SIZE, SIZE);
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, SIZE, SIZE);
    const rgba = context.getImageData(0, 0, SIZE, SIZE).data;
    const pixels = new Float32Array(SIZE * SIZE * 3);
    for (let i = 0, j = 0; i < pixels.length; i += 3, j += 4) {
      pixels[i] = rgba[j]!;
      pixels[i + 1] = rgba[j + 1]!;
      pixels[i + 2] = rgba[j + 2]!;
    }
    return { name, pixels };
  } finally {
    bitmap.close();
  }
}

export async function fetchImage(url: string, name: string): Promise<SourceImage> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return decodeImage(await response.blob(), name);
}

/** SIZE x SIZE x 3 images stacked into one NHWC array. */
export function stackImages(images: readonly Float32Array[]): Float32Array {
  const size = SIZE * SIZE * 3;
  const out = new Float32Array(images.length * size);
  images.forEach((image, i) => out.set(image, i * size));
  return out;
}

/** The image files among dropped, pasted or picked items. */
export const imageFiles = (files: Iterable<File>): File[] => [...files].filter((f) => f.type.startsWith('image/'));
