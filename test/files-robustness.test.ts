/**
 * Hostile and unusual inputs to the file flows: images whose headers claim
 * huge sizes, things that are not regular files, symlinked class folders,
 * bad label columns, one class, files that vanish, byte-exact file names,
 * CMYK JPEGs. Keras (with Pillow) is the reference where it has a behaviour.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { type Batch, CorruptFileError, ImageDataGenerator, ImageTooLargeError, InvalidArgumentError } from '../src/index.js';
import { captureWarningsAsync } from './helpers/generators.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'idg-robust-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** A fresh folder under the temporary root. */
function folder(...classes: string[]): string {
  const dir = join(root, `case${folders++}`);
  for (const c of ['', ...classes]) mkdirSync(join(dir, c), { recursive: true });
  return dir;
}

function png(w: number, h: number, rgb: [number, number, number]): Uint8Array {
  const data = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) data.set(rgb, p * 3);
  return encodePng({ width: w, height: h, data, channels: 3, depth: 8 });
}

/** A valid 8 x 8 JPEG whose frame header (SOF0) is rewritten to claim `w` x `h`. */
function jpegClaiming(w: number, h: number): Uint8Array {
  const bytes = new Uint8Array(jpeg.encode({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 4).fill(128) }, 90).data);
  const sof = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xc0);
  bytes.set([h >> 8, h & 255, w >> 8, w & 255], sof + 5);
  return bytes;
}

const dispose = (b: Batch) => tf.dispose([b.xs, b.ys, b.sampleWeight].flat().filter((t): t is tf.Tensor => t !== undefined));

/** Runs test/helpers/probeFileFlow.ts in a child process (a crash or hang there cannot take the test runner down). */
function probe(dir: string, options: Record<string, unknown>) {
  const script = join(here, 'helpers/probeFileFlow.ts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, JSON.stringify({ dir, options })], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, signal: r.signal, stderr: r.stderr, result: r.status === 0 ? JSON.parse(r.stdout.trim().split('\n').at(-1)!) : null };
}

describe('maxPixels: image sizes are read from headers and checked before decoding', () => {
  it('a 421-byte JPEG claiming 34179 x 41887 is a bad image, in a flow, with skip, and in `idg fit`; 16000 x 16000 fails without allocating', () => {
    const dir = folder('cat');
    const bomb = jpegClaiming(34179, 41887);
    writeFileSync(join(dir, 'cat', 'bomb.jpg'), bomb);
    const strict = probe(dir, { targetSize: [8, 8], workers: 0, classMode: 'sparse' });
    expect(strict.signal).toBeNull();
    expect(strict.status).toBe(0);
    expect(strict.result.error.name).toBe('ImageTooLargeError');
    expect(strict.result.error.message).toContain(join(dir, 'cat', 'bomb.jpg'));
    expect(strict.result.error.message).toContain('34179 x 41887');

    writeFileSync(join(dir, 'cat', 'ok.png'), png(4, 4, [1, 2, 3]));
    const skip = probe(dir, { targetSize: [8, 8], workers: 2, onBadImage: 'skip', classMode: 'sparse' });
    expect(skip.status).toBe(0);
    expect(skip.result.samples).toBe(1);
    expect(skip.result.shape).toEqual([1, 8, 8, 3]);
    expect(skip.result.warnings).toEqual([expect.stringMatching(/bomb\.jpg: is 34179 x 41887 = 1431655773 pixels, more than `maxPixels` \(89478485\)/)]);

    const config = join(root, 'center.json');
    writeFileSync(config, JSON.stringify({ featurewiseCenter: true }));
    const cli = spawnSync(process.execPath, ['--import', 'tsx', join(here, '../src/cli.ts'), 'fit', dir, '--config', config, '--out', join(root, 'fitted'), '--target-size', '4,4'], { encoding: 'utf8', timeout: 60_000 });
    expect(cli.signal).toBeNull();
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/bomb\.jpg: is 34179 x 41887/);

    const big = folder('cat');
    writeFileSync(join(big, 'cat', 'a.jpg'), jpegClaiming(16000, 16000));
    const refused = probe(big, { targetSize: [8, 8], workers: 0, classMode: 'sparse' });
    expect(refused.result.error.name).toBe('ImageTooLargeError');
    // 16000 x 16000 RGB would be 768 MB; the process stays near its baseline.
    expect(refused.result.maxRssMB).toBeLessThan(400);
  });

  it('refuses each format above the limit with a typed error naming the file and size, and reads it at the limit', async () => {
    const dir = folder('x');
    const pixels = Buffer.alloc(10 * 8 * 3, 90);
    const raw = () => sharp(pixels, { raw: { width: 10, height: 8, channels: 3 } });
    const bmp = new Uint8Array(54 + 32 * 8);
    const v = new DataView(bmp.buffer);
    bmp.set([0x42, 0x4d]);
    v.setUint32(10, 54, true); v.setUint32(14, 40, true); v.setInt32(18, 10, true); v.setInt32(22, -8, true); v.setUint16(28, 24, true);
    const files: Record<string, Uint8Array> = {
      'a.png': png(10, 8, [90, 90, 90]),
      'b.jpg': await raw().jpeg().toBuffer(),
      'c.bmp': bmp,
      'd.ppm': Buffer.concat([Buffer.from('P6\n10 8\n255\n'), pixels]),
      'e.tif': await raw().tiff().toBuffer(),
      // GIF and WebP are not in Keras's list of extensions; files are read by content, whatever their name.
      'f-gif.png': await raw().gif().toBuffer(),
      'g-webp.png': await raw().webp().toBuffer(),
    };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, 'x', name), bytes);
    const g = new ImageDataGenerator();
    const names = Object.keys(files);
    const refused = await g.flowFromDirectory(dir, { targetSize: [2, 2], maxPixels: 79, batchSize: 1, shuffle: false, workers: 0, classMode: null });
    for (const name of names) {
      const err = await refused.next().catch((e: Error) => e);
      expect(err, name).toBeInstanceOf(ImageTooLargeError);
      expect(err).toBeInstanceOf(CorruptFileError);
      expect(err).toMatchObject({ file: join(dir, 'x', name), width: 10, height: 8, maxPixels: 79 });
      expect((err as Error).message).toContain('10 x 8 = 80 pixels');
    }
    for (const maxPixels of [80, Infinity]) {
      const read = await g.flowFromDirectory(dir, { targetSize: [2, 2], maxPixels, batchSize: names.length, shuffle: false, workers: 0, classMode: null });
      const b = (await read.next()).value;
      expect((b.xs as tf.Tensor).shape[0]).toBe(names.length);
      dispose(b);
    }
    // fitFromDirectory takes the option too.
    await expect(g.fitFromDirectory(dir, { targetSize: [2, 2], maxPixels: 79, onProgress: () => {} })).rejects.toThrow(ImageTooLargeError);
    const { result: skipped, warnings } = await captureWarningsAsync(() => g.flowFromDirectory(join(dir), { targetSize: [2, 2], maxPixels: 79, onBadImage: 'skip', workers: 0 }).catch((e: Error) => e));
    expect(skipped).toBeInstanceOf(InvalidArgumentError);
    expect(warnings).toHaveLength(names.length);
  });

  it('maxPixels must be a positive integer or Infinity', async () => {
    const dir = folder('x');
    writeFileSync(join(dir, 'x', 'a.png'), png(2, 2, [0, 0, 0]));
    for (const bad of [0, -5, 1.5, NaN, '100', null]) {
      const err = await new ImageDataGenerator().flowFromDirectory(dir, { maxPixels: bad as never }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).argument).toBe('maxPixels');
    }
  });
});

describe('only regular files are read', () => {
  it('links to /dev/zero and to a FIFO, and a FIFO itself, are bad files: they neither hang nor fill memory', () => {
    const dir = folder('c');
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(spawnSync('mkfifo', [join(dir, 'c', 'fifo.png')]).status).toBe(0);
    symlinkSync('/dev/zero', join(dir, 'c', 'zero.png'));
    symlinkSync(fifo, join(dir, 'c', 'pipe.png'));
    writeFileSync(join(dir, 'c', 'ok.png'), png(3, 3, [5, 6, 7]));
    // Keras lists all four (os.walk lists every non-folder) and fails on reading them.
    const strict = probe(dir, { targetSize: [3, 3], batchSize: 4, workers: 0, classMode: 'sparse' });
    expect(strict.status).toBe(0);
    expect(strict.result.error).toMatchObject({ name: 'CorruptFileError', message: expect.stringMatching(/fifo\.png: is not a regular file \(it is a FIFO\)/) });
    const skip = probe(dir, { targetSize: [3, 3], batchSize: 4, onBadImage: 'skip', workers: 2, classMode: 'sparse' });
    expect(skip.status).toBe(0);
    expect(skip.result.samples).toBe(1);
    expect(skip.result.warnings).toHaveLength(3);
    expect(skip.result.warnings.join('\n')).toMatch(/zero\.png: is not a regular file \(it is a character device\)/);
    expect(skip.result.warnings.join('\n')).toMatch(/pipe\.png: is not a regular file \(it is a FIFO\)/);
    expect(skip.result.maxRssMB).toBeLessThan(400);
  });

  it('a folder named like an image is not read; a file over 1 GiB is refused unread', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'folder.png'));
    writeFileSync(join(dir, 'huge.png'), '');
    truncateSync(join(dir, 'huge.png'), 2 ** 30 + 1);
    const rows = [{ filename: 'folder.png', class: 'a' }, { filename: 'huge.png', class: 'a' }];
    const flow = await new ImageDataGenerator().flowFromDataFrame(rows, { directory: dir, validateFilenames: false, batchSize: 1, shuffle: false, workers: 0 });
    await expect(flow.next()).rejects.toThrow(/folder\.png: is not a regular file \(it is a directory\)/);
    await expect(flow.next()).rejects.toThrow(/huge\.png: is 1073741825 bytes, more than the 1073741824 bytes/);
    // Keras's os.path.isfile check drops the folder when file names are validated.
    writeFileSync(join(dir, 'ok.png'), png(2, 2, [0, 0, 0]));
    const { result: checked } = await captureWarningsAsync(() => new ImageDataGenerator().flowFromDataFrame([rows[0]!, { filename: 'ok.png', class: 'a' }], { directory: dir }));
    expect(checked.filenames).toEqual(['ok.png']);
  });
});

describe('class folders as Keras lists them', () => {
  it('a class folder that is a symlink is a class, with or without followLinks (os.path.isdir follows links)', async () => {
    const real = folder('cat');
    writeFileSync(join(real, 'cat', 'c.png'), png(2, 2, [9, 9, 9]));
    mkdirSync(join(real, 'cat', 'deeper'));
    writeFileSync(join(real, 'cat', 'deeper', 'd.png'), png(2, 2, [9, 9, 9]));
    const dir = folder('dog');
    writeFileSync(join(dir, 'dog', 'a.png'), png(2, 2, [1, 1, 1]));
    symlinkSync(join(real, 'cat'), join(dir, 'cat'));
    // Inside a class: a link to a folder named like an image is a folder for os.walk, never a file.
    symlinkSync(join(real, 'cat', 'deeper'), join(dir, 'dog', 'linked.png'));
    const g = new ImageDataGenerator();
    const plain = await g.flowFromDirectory(dir, { shuffle: false });
    expect(plain.classIndices).toEqual({ cat: 0, dog: 1 });
    expect(plain.filenames).toEqual(['cat/c.png', 'cat/deeper/d.png', 'dog/a.png']);
    const followed = await g.flowFromDirectory(dir, { shuffle: false, followLinks: true });
    expect(followed.classIndices).toEqual({ cat: 0, dog: 1 });
    expect(followed.filenames).toEqual(['cat/c.png', 'cat/deeper/d.png', 'dog/a.png', 'dog/linked.png/d.png']);
  });

  it('one class with classMode categorical gives one-hot labels of depth 1, as Keras does', async () => {
    const dir = folder('only');
    for (let i = 0; i < 3; i++) writeFileSync(join(dir, 'only', `${i}.png`), png(2, 2, [i, i, i]));
    const flow = await new ImageDataGenerator().flowFromDirectory(dir, { targetSize: [2, 2], batchSize: 3, workers: 0 });
    const before = tf.memory().numTensors;
    const b = (await flow.next()).value;
    expect((b.ys as tf.Tensor).shape).toEqual([3, 1]);
    expect((b.ys as tf.Tensor).arraySync()).toEqual([[1], [1], [1]]);
    dispose(b);
    expect(tf.memory().numTensors).toBe(before);
    const frame = await new ImageDataGenerator().flowFromDataFrame([{ filename: '0.png', class: 'only' }], { directory: join(dir, 'only'), targetSize: [2, 2], workers: 0 });
    const fb = (await frame.next()).value;
    expect((fb.ys as tf.Tensor).arraySync()).toEqual([[1]]);
    dispose(fb);
  });
});

describe('flowFromDataFrame label columns (Keras raises for these)', () => {
  const dir = folder();
  writeFileSync(join(dir, 'a.png'), png(2, 2, [0, 0, 0]));
  const rows = (labels: unknown[]) => labels.map((label) => ({ filename: 'a.png', label }));
  const fails = async (r: Record<string, unknown>[], options: Record<string, unknown>) => {
    const err = await new ImageDataGenerator().flowFromDataFrame(r, { directory: dir, ...options }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return err as InvalidArgumentError;
  };

  it('a missing label or weight column is named', async () => {
    const err = await fails(rows(['x']), { yCol: 'class' });
    expect(err.argument).toBe('yCol');
    expect(err.message).toMatch(/`yCol`: expected a column of the rows \(they have 'filename', 'label'\), received "class"/);
    expect((await fails(rows(['x']), { yCol: 'label', weightCol: 'w' })).argument).toBe('weightCol');
    expect((await fails(rows([1]), { classMode: 'raw', yCol: ['label', 'other'] })).argument).toBe('yCol');
  });

  it('labels of the wrong type are named by row, with what was expected and received', async () => {
    for (const [bad, classMode] of [[NaN, 'categorical'], [null, 'categorical'], [undefined, 'categorical'], [3, 'categorical'], [['x', null], 'categorical'], [['x'], 'sparse'], [3, 'binary']] as const) {
      const err = await fails(rows(['x', 'y', bad]), { yCol: 'label', classMode });
      expect(err.argument).toBe('rows[2].label');
      expect(err.expected).toContain(`classMode '${classMode}'`);
    }
    const raw = await fails(rows([1, NaN]), { yCol: 'label', classMode: 'raw' });
    expect(raw.argument).toBe('rows[1].label');
    expect(raw.message).toMatch(/expected a number, received NaN/);
    const weight = await fails([{ filename: 'a.png', label: 'x', w: 1 }, { filename: 'a.png', label: 'y', w: null }], { yCol: 'label', weightCol: 'w' });
    expect(weight.argument).toBe('rows[1].w');
  });

  it('lists of labels (strings or numbers) stay valid for categorical', async () => {
    const flow = await new ImageDataGenerator().flowFromDataFrame(rows([['x', 2], ['x']]), { directory: dir, yCol: 'label', targetSize: [2, 2], shuffle: false, workers: 0 });
    expect(flow.classIndices).toEqual({ 2: 0, x: 1 });
    const b = (await flow.next()).value;
    expect((b.ys as tf.Tensor).arraySync()).toEqual([[1, 1], [0, 1]]);
    dispose(b);
  });
});

describe('files that vanish, absolute paths, file names that are not UTF-8', () => {
  it('with skip, a batch whose files all vanished is an error naming a file, never an empty batch; a partly readable batch keeps the rest', async () => {
    const dir = folder('a');
    for (let i = 0; i < 4; i++) writeFileSync(join(dir, 'a', `${i}.png`), png(2, 2, [i, i, i]));
    const { result: flow } = await captureWarningsAsync(() => new ImageDataGenerator().flowFromDirectory(dir, { targetSize: [2, 2], batchSize: 2, shuffle: false, onBadImage: 'skip', prefetch: 0, workers: 0 }));
    unlinkSync(join(dir, 'a', '0.png'));
    unlinkSync(join(dir, 'a', '2.png'));
    unlinkSync(join(dir, 'a', '3.png'));
    const { result: partial, warnings } = await captureWarningsAsync(async () => (await flow.next()).value);
    expect((partial.xs as tf.Tensor).shape).toEqual([1, 2, 2, 3]);
    expect((partial.xs as tf.Tensor).dataSync()[0]).toBe(1);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining(join(dir, 'a', '0.png'))]);
    dispose(partial);
    const { result: err } = await captureWarningsAsync(() => flow.next().catch((e: Error) => e));
    expect(err).toBeInstanceOf(CorruptFileError);
    expect((err as CorruptFileError).file).toBe(join(dir, 'a', '2.png'));
    expect((err as Error).message).toMatch(/none of the 2 files of this batch could be read/);
  });

  it('an absolute file name wins over `directory`, as os.path.join gives it', async () => {
    const dir = folder();
    const elsewhere = folder();
    writeFileSync(join(elsewhere, 'abs.png'), png(2, 2, [50, 60, 70]));
    writeFileSync(join(dir, 'rel.png'), png(2, 2, [10, 20, 30]));
    const flow = await new ImageDataGenerator().flowFromDataFrame(
      [{ filename: join(elsewhere, 'abs.png'), class: 'a' }, { filename: 'rel.png', class: 'b' }],
      { directory: dir, targetSize: [1, 1], shuffle: false, workers: 0 },
    );
    expect(flow.filepaths).toEqual([join(elsewhere, 'abs.png'), join(dir, 'rel.png')]);
    const b = (await flow.next()).value;
    expect(Array.from((b.xs as tf.Tensor).dataSync())).toEqual([50, 60, 70, 10, 20, 30]);
    dispose(b);
  });

  it("a file name with byte 0xff is listed as Python's os.listdir gives it ('\\udcff') and read from its exact bytes", async () => {
    const dir = folder('c');
    const raw = Buffer.concat([Buffer.from(join(dir, 'c', 'x')), Buffer.of(0xff), Buffer.from('.png')]);
    writeFileSync(raw, png(2, 2, [7, 8, 9]));
    // And a valid UTF-8 name beside it, which must stay as it is.
    writeFileSync(join(dir, 'c', 'é.png'), png(2, 2, [1, 2, 3]));
    const flow = await new ImageDataGenerator().flowFromDirectory(dir, { targetSize: [1, 1], shuffle: false, batchSize: 2, workers: 2 });
    expect(flow.filenames).toEqual(['c/x\udcff.png', 'c/é.png']);
    const b = (await flow.next()).value;
    expect(Array.from((b.xs as tf.Tensor).dataSync())).toEqual([7, 8, 9, 1, 2, 3]);
    dispose(b);
    const frame = await new ImageDataGenerator().flowFromDataFrame([{ filename: 'x\udcff.png', class: 'a' }], { directory: join(dir, 'c'), targetSize: [1, 1], workers: 0 });
    expect(frame.samples).toBe(1);
  });
});

describe('CMYK and damaged JPEGs, against Pillow', () => {
  const fixtures = join(here, 'fixtures/pillow');
  const goldens = JSON.parse(readFileSync(join(fixtures, 'goldens.json'), 'utf8')) as {
    files: Record<string, { width: number; height: number; rgb: number[]; l: number[] }>;
  };

  it("decodes CMYK JPEG and TIFF files to Pillow's convert('RGB') and convert('L') values", async () => {
    const dir = folder('c');
    for (const name of ['cmyk.jpg', 'cmyk.tif']) copyFileSync(join(fixtures, name), join(dir, 'c', name));
    const { width, height } = goldens.files['cmyk.jpg']!;
    for (const [colorMode, key] of [['rgb', 'rgb'], ['grayscale', 'l']] as const) {
      for (const workers of [0, 1]) {
        const flow = await new ImageDataGenerator().flowFromDirectory(dir, { targetSize: [height, width], colorMode, shuffle: false, batchSize: 2, classMode: null, workers });
        const px = ((await flow.next()).value.xs as tf.Tensor);
        const size = width * height * (key === 'rgb' ? 3 : 1);
        expect(Array.from(px.dataSync().subarray(0, size)), `cmyk.jpg ${colorMode}`).toEqual(goldens.files['cmyk.jpg']![key]);
        expect(Array.from(px.dataSync().subarray(size)), `cmyk.tif ${colorMode}`).toEqual(goldens.files['cmyk.tif']![key]);
        px.dispose();
      }
    }
  });

  it('a JPEG cut short with its end marker put back decodes as Pillow decodes it', async () => {
    const dir = folder('c');
    copyFileSync(join(fixtures, 'truncated.jpg'), join(dir, 'c', 'truncated.jpg'));
    const { width, height, rgb } = goldens.files['truncated.jpg']!;
    const flow = await new ImageDataGenerator().flowFromDirectory(dir, { targetSize: [height, width], shuffle: false, classMode: null, workers: 0 });
    const px = (await flow.next()).value.xs as tf.Tensor;
    expect(Array.from(px.dataSync())).toEqual(rgb);
    px.dispose();
  });
});

describe('found by the hostile re-probe', () => {
  it('links that loop back into the walk are not followed: the listing ends, each image once, one warning per link', async () => {
    const dir = folder('a');
    writeFileSync(join(dir, 'a', 'ok.png'), png(4, 4, [9, 9, 9]));
    symlinkSync(join(dir, 'a'), join(dir, 'a', 'loop'));
    symlinkSync(join(dir, 'a', 'loop'), join(dir, 'a', 'loop2'));
    mkdirSync(join(dir, 'a', 'sub'));
    symlinkSync(join(dir, 'a'), join(dir, 'a', 'sub', 'up'));
    const { result: flow, warnings } = await captureWarningsAsync(() => new ImageDataGenerator().flowFromDirectory(dir, { followLinks: true, workers: 0, targetSize: [4, 4] }));
    expect(flow.filenames).toEqual(['a/ok.png']);
    expect(warnings.filter((w) => w.code === 'link-loop')).toHaveLength(3);
  });

  it('option values of the wrong kind or beyond what a batch can hold are refused when the flow is made', async () => {
    const dir = folder('a', 'b');
    writeFileSync(join(dir, 'a', 'x.png'), png(4, 4, [1, 2, 3]));
    writeFileSync(join(dir, 'b', 'y.png'), png(4, 4, [1, 2, 3]));
    const g = new ImageDataGenerator();
    const refused = async (options: Record<string, unknown>, argument: string) => {
      const error = await g.flowFromDirectory(dir, options as never).then(() => null, (e: unknown) => e);
      expect(error, argument).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe(argument);
    };
    await refused({ prefetch: 1e9 }, 'prefetch');
    await refused({ targetSize: [100000, 100000] }, 'targetSize');
    await refused({ targetSize: [9000, 9000], batchSize: 10000 }, 'batchSize');
    await refused({ followLinks: 'yes' }, 'followLinks');
    await refused({ keepAspectRatio: 1 }, 'keepAspectRatio');
    // An empty class list means every class folder, as in Keras.
    expect((await g.flowFromDirectory(dir, { classes: [] })).classIndices).toEqual({ a: 0, b: 1 });
  });
});
