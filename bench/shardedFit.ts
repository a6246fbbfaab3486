/**
 * Issue 16's benchmark: a 20,000-image folder (160x120 JPEGs in 4 classes,
 * made once with sharp and cached in the temp folder) fitted by `idg fit` in
 * one process, then as 2, 4 and 8 shards run as separate processes at once
 * (`idg fit --shard i/k --partial`) and merged (`idg merge`). Prints wall
 * times and how far the merged statistics are from the one-process fit.
 * Run: flock /tmp/bench.lock npx tsx bench/shardedFit.ts [images] [rounds]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { ImageDataGenerator, loadPartial, PartialStatistics } from '../src/index.js';

const count = Number(process.argv[2] ?? 20000);
const repeats = Number(process.argv[3] ?? 1);
const cli = join(dirname(fileURLToPath(import.meta.url)), '../src/cli.ts');

async function folder(): Promise<string> {
  const dir = join(tmpdir(), `idg-bench-shards-${count}`);
  if (existsSync(join(dir, 'done'))) return dir;
  const [w, h] = [160, 120];
  let seed = 11;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  for (let i = 0; i < count; i++) {
    const cls = join(dir, `class${i % 4}`);
    mkdirSync(cls, { recursive: true });
    const px = Buffer.alloc(w * h * 3);
    const [cx, cy, r, a, b] = [rand() * w, rand() * h, 10 + rand() * 40, rand() * 255, rand() * 255];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 3;
        const inside = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
        px[o] = inside ? a : (x * 255) / w;
        px[o + 1] = inside ? b : (y * 255) / h;
        px[o + 2] = ((x + y) * 2 + rand() * 40) % 256;
      }
    }
    writeFileSync(join(cls, `img${String(i).padStart(5, '0')}.jpg`), await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
  }
  writeFileSync(join(dir, 'done'), '');
  return dir;
}

function idg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`idg ${args.join(' ')}: exit ${code}\n${err}`))));
  });
}

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const relative = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
};

const dir = await folder();
const work = join(tmpdir(), `idg-bench-shards-out-${process.pid}`);
const config = join(work, 'config.json');
mkdirSync(work, { recursive: true });
writeFileSync(config, JSON.stringify({ featurewise_center: true, featurewise_std_normalization: true }));
const common = [dir, '--config', config, '--target-size', '120,160'];
console.log(`${count} JPEGs of 160x120 in ${dir}; featurewise mean and std; node ${process.version}`);
console.log('| processes | fit wall s | merge wall s | total s | images/s | merged vs one fit (float32 mean, std) | float64 mean, m2 relative diff |');
console.log('|---|---|---|---|---|---|---|');
for (let r = 0; r < repeats; r++) {
  let t0 = process.hrtime.bigint();
  await idg(['fit', ...common, '--partial', '--out', join(work, 'one')]);
  const oneSeconds = seconds(t0);
  await idg(['merge', join(work, 'one'), '--out', join(work, 'one-stats')]);
  const one = await ImageDataGenerator.load(join(work, 'one-stats'));
  const onePartial = await loadPartial(join(work, 'one'));
  console.log(`| 1 | ${oneSeconds.toFixed(2)} | - | ${oneSeconds.toFixed(2)} | ${Math.round(count / oneSeconds)} | - | - |`);
  for (const k of [2, 4, 8]) {
    const parts = Array.from({ length: k }, (_, i) => join(work, `k${k}`, String(i)));
    t0 = process.hrtime.bigint();
    await Promise.all(parts.map((out, i) => idg(['fit', ...common, '--shard', `${i}/${k}`, '--out', out])));
    const fitSeconds = seconds(t0);
    t0 = process.hrtime.bigint();
    await idg(['merge', ...parts, '--out', join(work, `k${k}-stats`)]);
    const mergeSeconds = seconds(t0);
    const merged = await ImageDataGenerator.load(join(work, `k${k}-stats`));
    const same = Array.from(merged.mean!).every((v, i) => v === one.mean![i]) && Array.from(merged.std!).every((v, i) => v === one.std![i]);
    const partial = PartialStatistics.merge(await Promise.all(parts.map(loadPartial)));
    const total = fitSeconds + mergeSeconds;
    console.log(
      `| ${k} shards | ${fitSeconds.toFixed(2)} | ${mergeSeconds.toFixed(2)} | ${total.toFixed(2)} | ${Math.round(count / total)} | ${same ? 'identical' : 'DIFFERENT'} | ` +
        `${relative(partial.mean, onePartial.mean).toExponential(1)}, ${relative(partial.m2, onePartial.m2).toExponential(1)} |`,
    );
  }
}
rmSync(work, { recursive: true, force: true });
