/**
 * Run in separate Node processes by modelFiles.test.ts.
 *   predict <url> <images.bin> <shape JSON> <out.bin>   loads a model from a file:// URL after importing
 *       this package, predicts on the float32 images, writes the float32 predictions
 *   save <dir> <ms> <id>    saves raceModel(id) to file://<dir> over and over for ms milliseconds
 *   load <dir> <ms>         loads file://<dir>/model.json over and over for ms milliseconds
 *       (both print a JSON summary: count, failed, firstFailures, seen)
 *   routers <library-first|other-first>   registers a stand-in for tfjs-node's file:// routers
 *       after or before importing this package; prints how many handlers claim file:// URLs
 *   fit-conv <library-first|wasm-first>   imports this package after or before the wasm backend,
 *       calls tf.setBackend('wasm') itself and fits a conv model; prints the backend and losses
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { raceLoop } from './raceLoop.js';

/** Saver `id`'s model: 1000 + id units, every weight equal to id (about 260 kB of weights). */
export function raceModel(id: number): tfl.LayersModel {
  const value = tfl.initializers.constant({ value: id });
  return tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [64], units: 1000 + id, kernelInitializer: value, biasInitializer: value })] });
}

/** The saver id whose whole model `m` is, or null for anything else. */
export function raceIdentity(m: tfl.LayersModel): number | null {
  const id = (m.outputs[0]!.shape[1] as number) - 1000;
  const weights = m.getWeights();
  const whole = weights.length === 2 && weights[0]!.size === 64 * (1000 + id) && weights.every((w) => (w.dataSync() as Float32Array).every((v) => v === id));
  return whole ? id : null;
}

const isMain = process.argv[1]?.endsWith('modelFilesChild.ts');
if (isMain) {
  const [mode, ...args] = process.argv.slice(2) as [string, ...string[]];
  if (mode === 'predict') {
    const { useBestBackend } = await import('../../src/index.js');
    const [url, imagesPath, shape, outPath] = args as [string, string, string, string];
    await useBestBackend();
    const model = await tfl.loadLayersModel(url);
    const images = readFileSync(imagesPath);
    const x = tf.tensor(new Float32Array(images.buffer.slice(images.byteOffset, images.byteOffset + images.byteLength)), JSON.parse(shape));
    const y = model.predict(x) as tf.Tensor;
    writeFileSync(outPath, (y.dataSync() as Float32Array));
    console.log(tf.getBackend());
  } else if (mode === 'save' || mode === 'load') {
    const { useBestBackend } = await import('../../src/index.js');
    await useBestBackend();
    const [dir, ms, id] = args as [string, string, string?];
    const model = mode === 'save' ? raceModel(Number(id)) : null;
    await raceLoop(Number(ms), async () => {
      if (model) return void (await model.save(`file://${dir}`));
      const loaded = await tfl.loadLayersModel(`file://${dir}/model.json`);
      const who = raceIdentity(loaded);
      loaded.dispose();
      return who;
    });
  } else if (mode === 'routers') {
    // Stands in for tfjs-node, which registers one router for file:// saves and loads.
    const stand_in: tf.io.IOHandler = { save: async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }) };
    const otherRouter = (url: string | string[]) => (typeof url === 'string' && url.startsWith('file://') ? stand_in : null) as tf.io.IOHandler;
    const registerOther = () => {
      tf.io.registerSaveRouter(otherRouter);
      tf.io.registerLoadRouter(otherRouter);
    };
    if (args[0] === 'other-first') registerOther();
    await import('../../src/index.js');
    const before = { save: tf.io.getSaveHandlers('file://m').length, load: tf.io.getLoadHandlers('file://m/model.json').length };
    if (args[0] === 'library-first') registerOther();
    const save = tf.io.getSaveHandlers('file://m');
    const load = tf.io.getLoadHandlers('file://m/model.json');
    console.log(JSON.stringify({ before, save: save.length, load: load.length, otherWins: save[0] === stand_in && load[0] === stand_in }));
  } else if (mode === 'fit-conv') {
    if (args[0] === 'library-first') await import('../../src/index.js');
    await import('@tensorflow/tfjs-backend-wasm');
    if (args[0] === 'wasm-first') await import('../../src/index.js');
    await tf.setBackend('wasm');
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 2], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const x = tf.tensor4d(Float32Array.from({ length: 4 * 8 * 8 * 2 }, (_, i) => Math.sin(i)), [4, 8, 8, 2]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
    const history = await model.fit(x, y, { epochs: 3, verbose: 0 });
    console.log(JSON.stringify({ backend: tf.getBackend(), losses: history.history.loss }));
  }
}
