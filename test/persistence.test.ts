import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptFileError, FileSystemError, ImageDataGenerator, InvalidArgumentError } from '../src/index.js';
import { testData } from './helpers/generators.js';

const root = mkdtempSync(join(tmpdir(), 'idg-persist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `g${n++}`);

const x = { data: testData(20 * 3 * 4 * 3, 17).map((v) => v * 255), shape: [20, 3, 4, 3] };
const bits = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer);
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'generator.json'), 'utf8'));
/** The weights file the manifest names. */
const weightsOf = (dir: string) => join(dir, manifestOf(dir).weightsFile);

/** Rewrites a save in the layout of earlier versions: generator.weights.bin, and no weightsFile in the manifest. */
function toLegacyLayout(dir: string): void {
  const { weightsFile, ...manifest } = manifestOf(dir);
  renameSync(join(dir, weightsFile), join(dir, 'generator.weights.bin'));
  writeFileSync(join(dir, 'generator.json'), JSON.stringify(manifest));
}

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
    const weights = weightsOf;
    const manifest = (dir: string) => join(dir, 'generator.json');
    const editManifest = (dir: string, f: (m: any) => void) => {
      const m = JSON.parse(readFileSync(manifest(dir), 'utf8'));
      f(m);
      writeFileSync(manifest(dir), JSON.stringify(m));
    };
    await damage((d) => writeFileSync(weights(d), readFileSync(weights(d)).subarray(0, 5)), /generator\.weights\.[\w-]+\.bin: is truncated: 5 bytes, the manifest says 24/);
    await damage((d) => { const b = readFileSync(weights(d)); b[3]! ^= 0x40; writeFileSync(weights(d), b); }, /generator\.weights\.[\w-]+\.bin: is corrupted/);
    await damage((d) => editManifest(d, (m) => { m.formatVersion = 7; }), /generator\.json: has format version 7/);
    await damage((d) => editManifest(d, (m) => { m.config.dataFormat = 'channelsFirst'; }), /generator\.json: .*shape.*\[3,1,1\]/);
    await damage((d) => writeFileSync(manifest(d), '{"format": "tfjs-image'), /generator\.json: is not valid JSON/);
    await damage((d) => rmSync(weights(d)), /generator\.weights\.[\w-]+\.bin: is missing/);
    await damage((d) => editManifest(d, (m) => { m.weightsFile = '../elsewhere.bin'; }), /generator\.json: names the weights file "\.\.\/elsewhere\.bin"/);
    await expect(ImageDataGenerator.load(join(root, 'nope'))).rejects.toThrow(InvalidArgumentError);
    await expect(ImageDataGenerator.load(join(root, 'nope'))).rejects.toThrow(/`src`/);
  });

  it('is atomic: a save that crashed before its commit leaves the previous save, which loads', async () => {
    const oldG = await fitted();
    const newG = await new ImageDataGenerator({ featurewiseCenter: true }).fit({ data: x.data.map((v) => v + 7), shape: x.shape });
    const dir = freshDir();
    await oldG.save(dir);
    // The crashed save wrote its temporary manifest and its weights, then stopped before the rename.
    const staged = freshDir();
    await newG.save(staged);
    const weightsFile = manifestOf(staged).weightsFile as string;
    const id = /^generator\.weights\.(.+)\.bin$/.exec(weightsFile)![1];
    copyFileSync(join(staged, 'generator.json'), join(dir, `generator.json.${id}.tmp`));
    copyFileSync(join(staged, weightsFile), join(dir, weightsFile));
    expect(bits((await ImageDataGenerator.load(dir)).standardize(x)).equals(bits(oldG.standardize(x)))).toBe(true);
    await newG.save(dir);
    expect(bits((await ImageDataGenerator.load(dir)).standardize(x)).equals(bits(newG.standardize(x)))).toBe(true);
  });

  it('loads saves of earlier versions (generator.weights.bin), also one interrupted between its two renames; a new save replaces their files', async () => {
    const oldG = await fitted();
    const newG = await new ImageDataGenerator({ featurewiseCenter: true }).fit({ data: x.data.map((v) => v + 7), shape: x.shape });
    const staged = freshDir();
    await newG.save(staged);
    toLegacyLayout(staged);
    const legacy = freshDir();
    await oldG.save(legacy);
    toLegacyLayout(legacy);
    expect(bits((await ImageDataGenerator.load(legacy)).standardize(x)).equals(bits(oldG.standardize(x)))).toBe(true);
    // Crash after writing both .next files, before any rename: the old save loads.
    for (const f of ['generator.weights.bin', 'generator.json']) copyFileSync(join(staged, f), join(legacy, `${f}.next`));
    expect(bits((await ImageDataGenerator.load(legacy)).standardize(x)).equals(bits(oldG.standardize(x)))).toBe(true);
    // Crash between the two renames: new weights in place, new manifest still .next: the new save loads.
    copyFileSync(join(staged, 'generator.weights.bin'), join(legacy, 'generator.weights.bin'));
    expect(bits((await ImageDataGenerator.load(legacy)).standardize(x)).equals(bits(newG.standardize(x)))).toBe(true);
    // Saving over it leaves the new layout only.
    await oldG.save(legacy);
    expect(bits((await ImageDataGenerator.load(legacy)).standardize(x)).equals(bits(oldG.standardize(x)))).toBe(true);
    expect(readdirSync(legacy).sort()).toEqual(['generator.json', manifestOf(legacy).weightsFile]);
  });

  it('file-system failures are FileSystemErrors naming the path, the operation and the code, and write nothing', async () => {
    const g = await fitted();
    const file = join(freshDir());
    writeFileSync(file, 'not a directory');
    const failure = async (dest: string) => {
      // Node's own recursive mkdir never settles for some of these paths: a bound keeps a hang a failure.
      const timeout = new Promise((resolve) => setTimeout(() => resolve('still running after 10 s'), 10_000));
      return Promise.race([g.save(dest).then(() => 'saved', (e) => e), timeout]);
    };
    const underFile = await failure(join(file, 'sub', 'dir'));
    expect(underFile).toBeInstanceOf(FileSystemError);
    expect(underFile).toMatchObject({ argument: 'dest', path: join(file, 'sub', 'dir'), code: 'ENOTDIR' });
    expect(underFile.message).toContain(`${file} is a file, not a directory`);
    const isFile = await failure(file);
    expect(isFile).toMatchObject({ argument: 'dest', path: file, code: 'ENOTDIR' });
    expect(isFile.message).toMatch(/it is a file; expected a directory/);
    expect(readFileSync(file, 'utf8')).toBe('not a directory');
    if (process.platform === 'linux' && existsSync('/proc/self') && existsSync('/sys/kernel')) {
      // /proc refuses new entries (ENOENT), sysfs refuses directories (EPERM) and files (EACCES), even to root.
      expect(await failure('/proc/idg-test/dir')).toMatchObject({ constructor: FileSystemError, path: '/proc/idg-test', code: 'ENOENT' });
      expect(await failure('/sys/idg-test')).toMatchObject({ constructor: FileSystemError, path: '/sys/idg-test', operation: 'make the directory', code: 'EPERM' });
      const sysfs = await failure('/sys');
      expect(sysfs).toBeInstanceOf(FileSystemError);
      expect(sysfs).toMatchObject({ operation: 'write', code: 'EACCES' });
      expect(sysfs.path).toMatch(/^\/sys\/generator\.json\..+\.tmp$/);
    }
  });

  it('refuses to write a state that load would refuse', async () => {
    const g = await fitted();
    (g as unknown as { stats: { std: Float32Array } }).stats.std[1] = NaN;
    const dir = freshDir();
    const err = await g.save(dir).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toMatch(/`state\.statistics\.std\.values`: expected a non-empty array of finite numbers/);
    expect(existsSync(dir)).toBe(false);
    let handlerCalled = false;
    await expect(g.save(tf.io.withSaveHandler(async () => {
      handlerCalled = true;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }))).rejects.toThrow(InvalidArgumentError);
    expect(handlerCalled).toBe(false);
  });
});
