/**
 * A small but real image data set drawn in code: 32x32 RGB images of four
 * shape classes (disc, square, triangle, cross) in random colours, sizes and
 * positions on a tinted, noisy background. Pixel values are 0..255.
 */
export const CLASS_NAMES = ['disc', 'square', 'triangle', 'cross'] as const;

/** Mulberry32: a tiny seeded generator so the data set is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function inside(shape: number, dx: number, dy: number, r: number): boolean {
  switch (shape) {
    case 0: return dx * dx + dy * dy <= r * r;
    case 1: return Math.abs(dx) <= r * 0.85 && Math.abs(dy) <= r * 0.85;
    case 2: return dy <= r * 0.8 && dy >= -r && Math.abs(dx) <= (dy + r) * 0.55;
    default: return (Math.abs(dx) <= r * 0.28 || Math.abs(dy) <= r * 0.28) && Math.abs(dx) <= r && Math.abs(dy) <= r;
  }
}

export interface ShapesDataset {
  images: Float32Array; // [n, size, size, 3], 0..255
  labels: Int32Array; // class index per image
  shape: [number, number, number, number];
}

export function makeShapes(n: number, seed: number, size = 32): ShapesDataset {
  const random = rng(seed);
  const images = new Float32Array(n * size * size * 3);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const cls = i % CLASS_NAMES.length;
    labels[i] = cls;
    const background = [150 + random() * 60, 120 + random() * 60, 90 + random() * 60];
    const contrast = random() < 0.5 ? -1 : 1;
    const colour = background.map((b) => Math.min(255, Math.max(0, b + contrast * (50 + random() * 50))));
    const r = size * (0.18 + random() * 0.14);
    const cx = r + random() * (size - 2 * r);
    const cy = r + random() * (size - 2 * r);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const on = inside(cls, x + 0.5 - cx, y + 0.5 - cy, r);
        const noise = (random() + random() + random() - 1.5) * 30;
        for (let c = 0; c < 3; c++) {
          const v = (on ? colour[c]! : background[c]!) + noise;
          images[((i * size + y) * size + x) * 3 + c] = Math.min(255, Math.max(0, v));
        }
      }
    }
  }
  return { images, labels, shape: [n, size, size, 3] };
}
