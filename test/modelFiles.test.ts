/**
 * file:// model files without tfjs-node: the routers registered on import,
 * the saved layout, round trips in this process and in a fresh one, sharded
 * weights, typed errors, concurrent saves and loads racing saves.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptFileError, FileSystemError, ImageDataGenerator, NotFittedError, fileSystem } from '../src/index.js';
import { testData } from './helpers/generators.js';
import { raceIdentity, raceModel } from './helpers/modelFilesChild.js';

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, 'helpers/modelFilesChild.ts');
const root = mkdtempSync(join(tmpdir(), 'idg-models-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `m${n++}`);
const run = async (...args: string[]) => (await promisify(execFile)(process.execPath, ['--import', 'tsx', child, ...args], { timeout: 60_000 })).stdout.trim();

const SHAPE = [8, 8, 3];
const N = 5;
const images = () => ({ data: testData(N * 192, 7).map((v) => v * 255), shape: [N, ...SHAPE] });

/** A compiled model that takes raw images: the fitted generator's layer, a conv and a dense head. */
async function servedModel(): Promise<tfl.LayersModel> {
  const g = await new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true }).fit({ data: testData(20 * 192, 3).map((v) => v * 255), shape: [20, ...SHAPE] });
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const model = tfl.sequential({
    layers: [
      g.toLayer({ inputShape: SHAPE }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init(1), biasInitializer: 'glorotUniform' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(2), biasInitializer: 'glorotUniform' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  g.dispose();
  return model;
}

function predict(model: tfl.LayersModel): Float32Array {
  return tf.tidy(() => {
    const x = images();
    return (model.predict(tf.tensor(x.data, x.shape)) as tf.Tensor).dataSync() as Float32Array;
  });
}

async function loadAndPredict(url: string | tf.io.IOHandler): Promise<Float32Array> {
  const loaded = await tfl.loadLayersModel(url);
  try {
    return predict(loaded);
  } finally {
    loaded.dispose();
  }
}

const weightFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.bin'));
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

let tensorsBefore = 0;
/** Tensors tfjs itself leaves behind in a test (measured there with an in-memory handler). */
let tfjsLeaks = 0;
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
  tfjsLeaks = 0;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore + tfjsLeaks);
});

describe('file:// routers', () => {
  it('importing the package gives exactly one save and one load handler for file:// URLs, and none for other schemes', () => {
    expect(tf.io.getSaveHandlers('file://some/dir')).toHaveLength(1);
    expect(tf.io.getLoadHandlers('file://some/dir/model.json')).toHaveLength(1);
    expect(tf.io.getSaveHandlers('file://')).toHaveLength(0);
    expect(tf.io.getSaveHandlers('some/dir')).toHaveLength(0);
    expect(tf.io.getLoadHandlers(['file://a/model.json', 'file://a/weights.bin'])).toHaveLength(0);
  });

  it('step aside for another file:// router (tfjs-node) imported after or before this package, so tfjs never finds two', async () => {
    for (const order of ['library-first', 'other-first']) {
      const r = JSON.parse((await run('routers', order)).split('\n').pop()!);
      expect(r, order).toEqual({ before: { save: 1, load: 1 }, save: 1, load: 1, otherWins: true });
    }
  });
});

describe('model.save("file://...") and tf.loadLayersModel("file://...")', () => {
  it('writes model.json and the weights file it names, as tfjs-node does; loads predict bit for bit what the model predicted, here and in a fresh process', async () => {
    const model = await servedModel();
    const expected = predict(model);
    const dir = freshDir();
    const result = await model.save(`file://${dir}`);
    expect(result.modelArtifactsInfo.modelTopologyType).toBe('JSON');

    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toBe('model.json');
    expect(files[1]).toMatch(/^weights\.[A-Za-z0-9-]+\.bin$/);
    const json = readJson(join(dir, 'model.json'));
    expect(Object.keys(json).sort()).toEqual(['convertedBy', 'format', 'generatedBy', 'modelTopology', 'weightsManifest']);
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers v/);
    expect(json.convertedBy).toBeNull();
    expect(JSON.stringify(json.modelTopology)).toContain('"class_name":"ImageStandardization"');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual([files[1]]);
    const specs = json.weightsManifest[0].weights as { name: string; shape: number[] }[];
    expect(specs.map((s) => s.shape)).toEqual(model.weights.map((w) => w.shape));
    const bytes = specs.reduce((sum, s) => sum + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
    expect(readFileSync(join(dir, files[1]!)).byteLength).toBe(bytes);

    // The same process: from model.json, and from the directory.
    expect(await loadAndPredict(`file://${dir}/model.json`)).toEqual(expected);
    expect(await loadAndPredict(`file://${dir}`)).toEqual(expected);

    // A fresh process that only imports this package.
    const x = images();
    writeFileSync(join(root, 'images.bin'), x.data);
    const backend = await run('predict', `file://${dir}/model.json`, join(root, 'images.bin'), JSON.stringify(x.shape), join(root, 'out.bin'));
    expect(backend.split('\n').pop()).toBe(tf.getBackend());
    const out = readFileSync(join(root, 'out.bin'));
    expect(new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength))).toEqual(expected);

    // Predictions that differ between images, so equality says something.
    expect(new Set(expected).size).toBeGreaterThan(N);
    model.dispose();
  });

  it('a file://dir/model.json path saves into dir; saving again replaces the weights file; fileSystem(path) is the same handler', async () => {
    const model = await servedModel();
    const expected = predict(model);
    const dir = freshDir();
    await model.save(`file://${dir}/model.json`);
    const first = weightFiles(dir);
    expect(readdirSync(dir).sort()).toEqual(['model.json', ...first]);
    await model.save(fileSystem(dir));
    const second = weightFiles(dir);
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);
    expect(await loadAndPredict(fileSystem(join(dir, 'model.json')))).toEqual(expected);
    expect(await loadAndPredict(fileSystem(`file://${dir}`))).toEqual(expected);
    model.dispose();
  });

  it('includeOptimizer: trainingConfig and the optimizer weights round-trip; no tensor left beyond what tfjs leaves with an in-memory handler', async () => {
    const model = await servedModel();
    const x = images();
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1], 'int32'), 3);
    const xs = tf.tensor(x.data, x.shape);
    await model.fit(xs, y, { epochs: 1, verbose: 0 });
    tf.dispose([xs, y]);
    const roundTrip = async (save: string | tf.io.IOHandler, load: string | tf.io.IOHandler) => {
      const before = tf.memory().numTensors;
      await model.save(save, { includeOptimizer: true });
      const loaded = await tfl.loadLayersModel(load);
      const optimizerWeights = await loaded.optimizer.getWeights();
      const values = optimizerWeights.map((w) => Array.from(w.tensor.dataSync()));
      tf.dispose(optimizerWeights.map((w) => w.tensor));
      const predictions = predict(loaded);
      loaded.dispose();
      return { values, predictions, leaked: tf.memory().numTensors - before };
    };
    let artifacts: tf.io.ModelArtifacts | null = null;
    const inMemory = await roundTrip(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
      }),
      { load: async () => artifacts! },
    );
    const dir = freshDir();
    const viaFiles = await roundTrip(`file://${dir}`, `file://${dir}/model.json`);
    expect(readJson(join(dir, 'model.json')).trainingConfig).toEqual(artifacts!.trainingConfig);
    expect(readJson(join(dir, 'model.json')).trainingConfig).toMatchObject({ loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    expect(viaFiles.values.length).toBeGreaterThan(1);
    expect(viaFiles.values).toEqual(inMemory.values);
    expect(viaFiles.predictions).toEqual(inMemory.predictions);
    // tfjs-layers leaves tensors behind when saving and loading optimizer weights (and fit leaves one): ours add none.
    expect(viaFiles.leaked).toBe(inMemory.leaked);
    model.dispose();
    tfjsLeaks = tf.memory().numTensors - tensorsBefore;
  });

  it("loads tfjs-node's layout (weights.bin), and saving over it removes the replaced weights.bin", async () => {
    const model = await servedModel();
    const expected = predict(model);
    const dir = freshDir();
    await model.save(`file://${dir}`);
    const [ours] = weightFiles(dir);
    const json = readJson(join(dir, 'model.json'));
    json.weightsManifest[0].paths = ['weights.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'weights.bin'), readFileSync(join(dir, ours!)));
    rmSync(join(dir, ours!));
    expect(await loadAndPredict(`file://${dir}/model.json`)).toEqual(expected);
    await model.save(`file://${dir}`);
    expect(weightFiles(dir)).toHaveLength(1);
    expect(weightFiles(dir)).not.toContain('weights.bin');
    expect(await loadAndPredict(`file://${dir}`)).toEqual(expected);
    model.dispose();
  });

  it('sharded weights: a manifest naming two files, split mid-weight, loads the same model', async () => {
    const model = await servedModel();
    const expected = predict(model);
    const dir = freshDir();
    await model.save(`file://${dir}`);
    const [weights] = weightFiles(dir);
    const bytes = readFileSync(join(dir, weights!));
    mkdirSync(join(dir, 'shards'));
    writeFileSync(join(dir, 'shards', 'group1-shard1of2.bin'), bytes.subarray(0, 13));
    writeFileSync(join(dir, 'shards', 'group1-shard2of2.bin'), bytes.subarray(13));
    const json = readJson(join(dir, 'model.json'));
    json.weightsManifest[0].paths = ['shards/group1-shard1of2.bin', 'shards/group1-shard2of2.bin'];
    writeFileSync(join(dir, 'sharded.json'), JSON.stringify(json));
    expect(await loadAndPredict(`file://${dir}/sharded.json`)).toEqual(expected);

    // Two groups, each its own file.
    const specs = json.weightsManifest[0].weights as { shape: number[] }[];
    const firstBytes = 4 * specs[0]!.shape.reduce((a, b) => a * b, 1);
    writeFileSync(join(dir, 'g1.bin'), bytes.subarray(0, firstBytes));
    writeFileSync(join(dir, 'g2.bin'), bytes.subarray(firstBytes));
    json.weightsManifest = [{ paths: ['g1.bin'], weights: specs.slice(0, 1) }, { paths: ['g2.bin'], weights: specs.slice(1) }];
    writeFileSync(join(dir, 'groups.json'), JSON.stringify(json));
    expect(await loadAndPredict(`file://${dir}/groups.json`)).toEqual(expected);
    model.dispose();
  });

  it('graph-model artifacts load through the same handler (what tf.loadGraphModel reads)', async () => {
    const dir = freshDir();
    mkdirSync(dir);
    const weights = Float32Array.from([1.5, -2, 3.25]);
    const json = {
      format: 'graph-model', generatedBy: '2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: { node: [{ name: 'w', op: 'Const' }], versions: { producer: 1 } },
      signature: { inputs: {}, outputs: {} },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'w', shape: [3], dtype: 'float32' }] }],
    };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'group1-shard1of1.bin'), weights);
    const handlers = tf.io.getLoadHandlers(`file://${dir}/model.json`);
    expect(handlers).toHaveLength(1);
    const artifacts = await handlers[0]!.load!();
    expect(artifacts.format).toBe('graph-model');
    expect(artifacts.modelTopology).toEqual(json.modelTopology);
    expect(artifacts.signature).toEqual(json.signature);
    expect(artifacts.weightSpecs).toEqual(json.weightsManifest[0]!.weights);
    expect(new Float32Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData!))).toEqual(weights);
  });
});

describe('typed errors naming the file', () => {
  async function savedDir(): Promise<{ dir: string; weights: string }> {
    const model = raceModel(3);
    const dir = freshDir();
    await model.save(`file://${dir}`);
    model.dispose();
    return { dir, weights: join(dir, weightFiles(dir)[0]!) };
  }

  it('missing weights: CorruptFileError naming the weights file', async () => {
    const { dir, weights } = await savedDir();
    rmSync(weights);
    const err = await tfl.loadLayersModel(`file://${dir}/model.json`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptFileError);
    expect((err as CorruptFileError).file).toBe(weights);
    expect((err as Error).message).toContain(weights);
    expect((err as Error).message).toContain('is missing');
  });

  it('truncated weights, and a shard missing its tail: CorruptFileError naming the file and both sizes', async () => {
    const { dir, weights } = await savedDir();
    truncateSync(weights, 1000);
    const err = await tfl.loadLayersModel(`file://${dir}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptFileError);
    expect((err as CorruptFileError).file).toBe(weights);
    expect((err as Error).message).toContain(`${weights}: is 1000 bytes, but ${join(dir, 'model.json')} describes ${4 * (64 * 1003 + 1003)} bytes`);
  });

  it('model.json that is not JSON, or has no topology: CorruptFileError naming model.json', async () => {
    const { dir } = await savedDir();
    const file = join(dir, 'model.json');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, text.length / 2));
    let err = await tfl.loadLayersModel(`file://${dir}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptFileError);
    expect((err as CorruptFileError).file).toBe(file);
    expect((err as Error).message).toContain('is not valid JSON');
    writeFileSync(file, JSON.stringify({ weightsManifest: [] }));
    err = await tfl.loadLayersModel(`file://${dir}`).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`${file}: has no \`modelTopology\` object`);
    writeFileSync(file, JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: 'w.bin', weights: [] }] }));
    err = await tfl.loadLayersModel(`file://${dir}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptFileError);
    expect((err as Error).message).toContain('`weightsManifest` is not a list');
  });

  it('a path that does not exist, or a file where the directory should be: FileSystemError naming the path', async () => {
    const missing = join(freshDir(), 'nothing');
    const err = await tfl.loadLayersModel(`file://${missing}/model.json`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileSystemError);
    expect(err).toMatchObject({ path: `${missing}/model.json`, code: 'ENOENT' });
    const { dir } = await savedDir();
    const model = raceModel(1);
    const blocked = join(dir, 'model.json', 'sub');
    const saveErr = await model.save(`file://${blocked}`).catch((e: unknown) => e);
    model.dispose();
    expect(saveErr).toBeInstanceOf(FileSystemError);
    expect((saveErr as Error).message).toContain(join(dir, 'model.json'));
  });
});

describe('serving', () => {
  it('NotFittedError names every way to get fitted statistics back: fit, ImageDataGenerator.load(dir), fromJSON', () => {
    const g = new ImageDataGenerator({ featurewiseCenter: true });
    const err = (() => {
      try {
        g.standardize({ data: new Float32Array(3), shape: [1, 1, 3] });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(NotFittedError);
    expect((err as Error).message).toContain('`await generator.fit(trainingImages)`');
    expect((err as Error).message).toContain('`await ImageDataGenerator.load(dir)`');
    expect((err as Error).message).toContain('`ImageDataGenerator.fromJSON(savedState)`');
  });
});

describe('concurrent saves and loads', () => {
  it('two saves to one directory in one process both resolve and leave one whole model, no temporary files', async () => {
    const [a, b] = [raceModel(1), raceModel(2)];
    const seen = new Set<number | null>();
    for (let round = 0; round < 15; round++) {
      const dir = freshDir();
      const settled = await Promise.allSettled([a.save(`file://${dir}`), b.save(`file://${dir}`)]);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
      const loaded = await tfl.loadLayersModel(`file://${dir}/model.json`);
      seen.add(raceIdentity(loaded));
      loaded.dispose();
      expect(readdirSync(dir).sort()).toEqual(['model.json', ...weightFiles(dir)]);
      expect(weightFiles(dir)).toHaveLength(1);
    }
    expect(seen.has(null)).toBe(false);
    a.dispose();
    b.dispose();
  });

  it('two saver processes and a loader process racing: every load is one whole model, none fails', async () => {
    const dir = freshDir();
    const first = raceModel(0);
    await first.save(`file://${dir}`);
    first.dispose();
    const ms = '3000';
    const [s1, s2, loads] = (await Promise.all([run('save', dir, ms, '1'), run('save', dir, ms, '2'), run('load', dir, ms)]))
      .map((out) => JSON.parse(out.split('\n').pop()!) as { count: number; failed: number; seen: number[] });
    expect([s1!.failed, s2!.failed, loads!.failed], JSON.stringify([s1, s2, loads])).toEqual([0, 0, 0]);
    expect(s1!.count + s2!.count).toBeGreaterThan(10);
    expect(loads!.count).toBeGreaterThan(10);
    const last = await tfl.loadLayersModel(`file://${dir}`);
    expect([1, 2]).toContain(raceIdentity(last));
    last.dispose();
    expect(readdirSync(dir).sort()).toEqual(['model.json', ...weightFiles(dir)]);
  });
});

describe('wasm: training convolutions needs nothing but importing this package', () => {
  it('tf.setBackend("wasm") and fit of a conv model work whether this package is imported before or after the wasm backend', async () => {
    for (const order of ['library-first', 'wasm-first']) {
      const r = JSON.parse((await run('fit-conv', order)).split('\n').pop()!) as { backend: string; losses: number[] };
      expect(r.backend, order).toBe('wasm');
      expect(r.losses).toHaveLength(3);
      expect(r.losses.every(Number.isFinite)).toBe(true);
      expect(r.losses[2]!).toBeLessThan(r.losses[0]!);
    }
  });
});
