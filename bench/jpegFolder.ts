/**
 * The file-flow benchmark's data: 2,000 JPEGs of 500x375 in 4 class folders,
 * generated once with sharp (smooth gradients, shapes and noise, so they
 * compress like photos) and cached in the system's temp folder.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export async function jpegFolder(count = 2000, classes = 4): Promise<string> {
  const dir = join(tmpdir(), `idg-bench-jpegs-${count}`);
  if (existsSync(join(dir, 'done'))) return dir;
  const [w, h] = [500, 375];
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  for (let i = 0; i < count; i++) {
    const cls = `class${i % classes}`;
    mkdirSync(join(dir, cls), { recursive: true });
    const px = Buffer.alloc(w * h * 3);
    const [cx, cy, r, a, b] = [rand() * w, rand() * h, 40 + rand() * 120, rand() * 255, rand() * 255];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inside = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
        const o = (y * w + x) * 3;
        px[o] = inside ? a : (x * 255) / w;
        px[o + 1] = inside ? b : (y * 255) / h;
        px[o + 2] = ((x + y) * 2 + rand() * 40) % 256;
      }
    }
    writeFileSync(join(dir, cls, `img${String(i).padStart(5, '0')}.jpg`), await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
  }
  writeFileSync(join(dir, 'done'), '');
  return dir;
}
