/**
 * Errors from persistence and data-frame input arrive typed and name what
 * the user gave (the CSV file, the URL or handler, the manifest, the Keras
 * argument), not a file or path the library picked internally.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptFileError, FileSystemError, ImageDataGenerator, InvalidArgumentError } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'idg-typed-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${n++}`);

const x = { data: Array.from({ length: 4 * 2 * 2 * 3 }, (_, i) => (i * 37) % 255), shape: [4, 2, 2, 3] };

describe('flowFromDataFrame with a damaged CSV', () => {
  it('an unclosed quote is a CorruptFileError naming the CSV file, keeping csv-parse\'s line', async () => {
    const dir = freshDir();
    mkdirSync(dir);
    const csv = join(dir, 'labels.csv');
    writeFileSync(csv, 'filename,class\na.png,cat\n"b.png,dog\n');
    const err = await new ImageDataGenerator().flowFromDataFrame(csv, { directory: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptFileError);
    expect(err.file).toBe(csv);
    expect(err.message).toMatch(/labels\.csv: is not a valid CSV file: Quote Not Closed.* at line 3/);
  });

  it('rows of inconsistent length are a CorruptFileError too', async () => {
    const dir = freshDir();
    mkdirSync(dir);
    const csv = join(dir, 'labels.csv');
    writeFileSync(csv, 'filename,class\na.png,cat,extra\n');
    const err = await new ImageDataGenerator().flowFromDataFrame(csv, { directory: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptFileError);
    expect(err.message).toMatch(/labels\.csv: is not a valid CSV file: .*line 2/);
  });
});

describe('tf.io handler failures in save and load', () => {
  it('a failing http:// save is a FileSystemError naming the URL, with the fetch error as cause', async () => {
    const url = 'http://127.0.0.1:9/x';
    const err = await new ImageDataGenerator().save(url).catch((e) => e);
    expect(err).toBeInstanceOf(FileSystemError);
    expect(err.argument).toBe('dest');
    expect(err.path).toBe(url);
    expect(err.operation).toBe('save to');
    expect(err.cause).toBeInstanceOf(TypeError);
    expect(err.message).toContain(`could not save to ${url}: fetch failed`);
  });

  it('a user handler that throws: code from the error (else EIO), message and cause kept; typed errors pass unchanged', async () => {
    const g = await new ImageDataGenerator({ featurewiseCenter: true }).fit(x);
    const plain = new Error('quota exceeded');
    let err = await g.save(tf.io.withSaveHandler(async () => { throw plain; })).catch((e) => e);
    expect(err).toBeInstanceOf(FileSystemError);
    expect(err.path).toBe('the tf.io handler');
    expect(err.code).toBe('EIO');
    expect(err.cause).toBe(plain);
    expect(err.message).toBe('`dest`: could not save to the tf.io handler: quota exceeded (EIO).');

    const system = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    err = await g.save(tf.io.withSaveHandler(async () => { throw system; })).catch((e) => e);
    expect(err.code).toBe('ENOSPC');

    // A synchronous throw is caught too.
    err = await g.save({ save: () => { throw plain; } }).catch((e) => e);
    expect(err).toBeInstanceOf(FileSystemError);

    const own = new CorruptFileError('somewhere', 'is broken');
    err = await g.save(tf.io.withSaveHandler(async () => { throw own; })).catch((e) => e);
    expect(err).toBe(own);

    err = await ImageDataGenerator.load({ load: async () => { throw plain; } }).catch((e) => e);
    expect(err).toBeInstanceOf(FileSystemError);
    expect(err.argument).toBe('src');
    expect(err.operation).toBe('load from');
    expect(err.cause).toBe(plain);
    err = await ImageDataGenerator.load({ load: async () => { throw own; } }).catch((e) => e);
    expect(err).toBe(own);
  });

  it('a failing http:// load names the URL', async () => {
    const url = 'http://127.0.0.1:9/generator.json';
    const err = await ImageDataGenerator.load(url).catch((e) => e);
    expect(err).toBeInstanceOf(FileSystemError);
    expect(err.path).toBe(url);
    expect(err.operation).toBe('load from');
  });
});

describe('a damaged generator.json is reported against generator.json, before the weights are read', () => {
  const damaged = async (content: string, expected: RegExp) => {
    const dir = freshDir();
    await (await new ImageDataGenerator({ featurewiseCenter: true }).fit(x)).save(dir);
    const m = join(dir, 'generator.json');
    writeFileSync(m, content);
    // Remove the weights: a manifest problem must not be reported as a missing weights file.
    for (const f of readdirSync(dir)) if (f.endsWith('.bin')) rmSync(join(dir, f));
    const err = await ImageDataGenerator.load(dir).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptFileError);
    expect(err.file).toBe(m);
    expect(err.message).toMatch(expected);
  };

  it('names what is wrong', async () => {
    await damaged('[]', /generator\.json: is not a generator manifest: expected a JSON object with format, .*, found an array$/);
    await damaged('null', /is not a generator manifest: .*, found null$/);
    await damaged('"x"', /is not a generator manifest: .*, found a string$/);
    await damaged('{}', /is not a generator manifest: .*, found an object without a format field/);
    await damaged('[['.repeat(50_000) + ']]'.repeat(50_000), /is not a generator manifest: .*found an array$/);
    await damaged(' '.repeat(50e6) + '{}', /found an object without a format field/);
    await damaged('{"format": ', /generator\.json: is not valid JSON: /);
    await damaged('{"format": "tfjs-image-data-generator", "formatVersion": 1, "config": {}, "weights": {}}', /lacks a valid weights \(an array\), weightsByteLength \(a byte count\), weightsCrc32 \(a CRC-32\) field/);
    await damaged('{"format": "tfjs-image-data-generator", "formatVersion": 1, "config": {}, "weights": [], "weightsByteLength": 0, "weightsCrc32": 0, "weightsFile": {"a": 1}}', /has a weightsFile field of type object/);
  });

  it('refuses a manifest over 64 MiB by its size, unread', async () => {
    const dir = freshDir();
    mkdirSync(dir);
    const m = join(dir, 'generator.json');
    writeFileSync(m, '');
    truncateSync(m, 64 * 1024 * 1024 + 1); // sparse: no 64 MiB written
    const err = await ImageDataGenerator.load(dir).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptFileError);
    expect(err.message).toBe(`${m}: is 67108865 bytes, more than the 67108864 bytes a generator manifest may have; it was not read`);
  });
});

describe('fromKeras and fromKerasConfig name the arguments the user wrote', () => {
  it('a ZCA matrix that does not fit imageShape names zcaWhiteningMatrix and imageShape, not the internal state', async () => {
    const err = await ImageDataGenerator.fromKeras({
      config: { featurewise_center: true, zca_whitening: true }, mean: [0, 0, 0], zcaWhiteningMatrix: { data: new Float32Array(48 * 48), shape: [48, 48] }, imageShape: [5, 5, 3],
    } as never).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.argument).toBe('zcaWhiteningMatrix');
    expect(err.message).toMatch(/^`zcaWhiteningMatrix`: expected shape \[75, 75\] for `imageShape` \[5,5,3\].*received \[48,48\]/);
    expect(err.message).not.toContain('state.');
  });

  it('imageShape that is not three positive integers, and non-finite statistics, are named too', async () => {
    let err = await ImageDataGenerator.fromKeras({
      config: { featurewise_center: true, zca_whitening: true }, mean: [0, 0, 0], zcaWhiteningMatrix: { data: new Float32Array(4), shape: [2, 2] }, imageShape: [2, 0],
    } as never).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.argument).toBe('imageShape');
    err = await ImageDataGenerator.fromKeras({ config: { featurewise_center: true }, mean: { data: [0, NaN, 0], shape: [3] } }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.argument).toBe('mean');
    expect(err.message).toMatch(/^`mean`: expected a non-empty array of finite numbers/);
    const matrix = new Float32Array(9).fill(0);
    matrix[4] = Infinity;
    err = await ImageDataGenerator.fromKeras({
      config: { featurewise_center: true, zca_whitening: true }, mean: [0, 0, 0], zcaWhiteningMatrix: { data: matrix, shape: [3, 3] }, imageShape: [1, 1, 3],
    }).catch((e) => e);
    expect(err.argument).toBe('zcaWhiteningMatrix');
    expect(err.message).not.toContain('state.');
  });

  it('an invalid Keras config value names the Keras key', () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ data_format: 'channels_middle' }, 'config.data_format', /expected 'channels_last' .* or 'channels_first' .*, received "channels_middle"/],
      [{ zoom_range: [1, 2, 3] }, 'config.zoom_range', /received \[1,2,3\]/],
      [{ fill_mode: 'mirror' }, 'config.fill_mode', /received "mirror"/],
      [{ horizontal_flip: 'yes' }, 'config.horizontal_flip', /expected a boolean/],
      [{ rotation_range: -1 }, 'config.rotation_range', /expected a finite number >= 0/],
      [{ width_shift_range: [] }, 'config.width_shift_range', /received \[\]/],
    ];
    for (const [config, argument, message] of cases) {
      let err: unknown;
      try {
        ImageDataGenerator.fromKerasConfig(config);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).argument).toBe(argument);
      expect((err as Error).message.startsWith(`\`${argument}\`: `)).toBe(true);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).stack).toContain(`\`${argument}\``);
    }
  });
});
