import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptFileError, ImageDataGenerator, InvalidArgumentError } from '../src/index.js';
import { testData } from './helpers/generators.js';

const root = mkdtempSync(join(tmpdir(), 'idg-persist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `g${n++}`);

const x = { data: testData(20 * 3 * 4 * 3, 17).map((v) => v * 255), shape: [20, 3, 4, 3] };
const bits = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer);

async function fitted(args = {}) {
  return new ImageDataGenerator({ featurewiseStdNormalization: true, rescale: 1 / 255, ...args }).fit(x);
}

describe('save / load', () => {
  it('round-trips through a directory: same config, bit-identical standardize (plain, channelsFirst, ZCA, unfitted)', async () => {
    const generators = [
      await fitted(),
      await fitted({ dataFormat: 'channelsFirst' }),
      await new ImageDataGenerator({ zcaWhitening: true, rescale: 1 / 255 }).fit(x),
      new ImageDataGenerator({ featurewiseCenter: true, rotationRange: 5 }),
    ];
    for (const g of generators) {
      const dir = freshDir();
      await g.save(dir);
      const loaded = await ImageDataGenerator.load(dir);
      expect(loaded.getConfig()).toEqual(g.getConfig());
      if (g.mean) expect(bits(loaded.standardize(x)).equals(bits(g.standardize(x)))).toBe(true);
      else expect(loaded.mean).toBeNull();
    }
  });

  it('works with tf.io handlers (in memory) and file:// paths', async () => {
    const g = await fitted();
    let saved: tf.io.ModelArtifacts | null = null;
    await g.save(tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await ImageDataGenerator.load(tf.io.fromMemory(saved!));
    expect(bits(loaded.standardize(x)).equals(bits(g.standardize(x)))).toBe(true);
    const dir = freshDir();
    await g.save(`file://${dir}`);
    expect(bits((await ImageDataGenerator.load(`file://${dir}`)).standardize(x)).equals(bits(g.standardize(x)))).toBe(true);
  });

  it('names the file and the problem for damaged saves', async () => {
    const g = await fitted();
    const damage = async (edit: (dir: string) => void, message: RegExp) => {
      const dir = freshDir();
      await g.save(dir);
      edit(dir);
      const err = await ImageDataGenerator.load(dir).catch((e) => e);
      expect(err).toBeInstanceOf(CorruptFileError);
      expect(err.message).toMatch(message);
    };
    const weights = (dir: string) => join(dir, 'generator.weights.bin');
    const manifest = (dir: string) => join(dir, 'generator.json');
    const editManifest = (dir: string, f: (m: any) => void) => {
      const m = JSON.parse(readFileSync(manifest(dir), 'utf8'));
      f(m);
      writeFileSync(manifest(dir), JSON.stringify(m));
    };
    await damage((d) => writeFileSync(weights(d), readFileSync(weights(d)).subarray(0, 5)), /generator\.weights\.bin: is truncated: 5 bytes, the manifest says 24/);
    await damage((d) => { const b = readFileSync(weights(d)); b[3]! ^= 0x40; writeFileSync(weights(d), b); }, /generator\.weights\.bin: is corrupted/);
    await damage((d) => editManifest(d, (m) => { m.formatVersion = 7; }), /generator\.json: has format version 7/);
    await damage((d) => editManifest(d, (m) => { m.config.dataFormat = 'channelsFirst'; }), /generator\.json: .*shape.*\[3,1,1\]/);
    await damage((d) => writeFileSync(manifest(d), '{"format": "tfjs-image'), /generator\.json: is not valid JSON/);
    await damage((d) => rmSync(weights(d)), /generator\.weights\.bin: is missing/);
    await expect(ImageDataGenerator.load(join(root, 'nope'))).rejects.toThrow(InvalidArgumentError);
    await expect(ImageDataGenerator.load(join(root, 'nope'))).rejects.toThrow(/`src`/);
  });

  it('is atomic: a crash before the commit keeps the old save, a crash inside it yields the new one', async () => {
    const oldG = await fitted();
    const newG = await new ImageDataGenerator({ featurewiseCenter: true }).fit({ data: x.data.map((v) => v + 7), shape: x.shape });
    const staged = freshDir();
    await newG.save(staged);
    const stage = (dir: string, files: string[]) => {
      for (const f of files) copyFileSync(join(staged, f), join(dir, `${f}.next`));
    };
    // Crash after writing both .next files, before any rename: the old save loads.
    const a = freshDir();
    await oldG.save(a);
    stage(a, ['generator.weights.bin', 'generator.json']);
    expect(bits((await ImageDataGenerator.load(a)).standardize(x)).equals(bits(oldG.standardize(x)))).toBe(true);
    // Crash between the two renames: new weights in place, new manifest still .next: the new save loads.
    const b = freshDir();
    await oldG.save(b);
    stage(b, ['generator.json']);
    copyFileSync(join(staged, 'generator.weights.bin'), join(b, 'generator.weights.bin'));
    expect(bits((await ImageDataGenerator.load(b)).standardize(x)).equals(bits(newG.standardize(x)))).toBe(true);
    // Saving again over a directory with stale .next files just works.
    await oldG.save(a);
    expect(bits((await ImageDataGenerator.load(a)).standardize(x)).equals(bits(oldG.standardize(x)))).toBe(true);
  });
});
