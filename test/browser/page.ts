/**
 * The test page: imports the library by its package name, as an application
 * would, so bundlers pick the `browser` export condition with no configuration.
 * test/browser.test.ts bundles it (esbuild, Vite, webpack) from a scratch app
 * folder and drives it in Chromium through `window.idg`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// The test bundles a copy of this file with this specifier replaced by 'tfjs-image-data-generator'.
import * as lib from '../../src/browser.js';
import { type Numbers, SHAPE, images, scenario } from './scenario.js';

setWasmPaths('/wasm/');

const IDB = 'indexeddb://idg-browser-test';
const LOCAL = 'localstorage://idg-browser-test';

async function run(backend: string): Promise<{ backend: string; numbers: Numbers; leaked: number }> {
  await lib.useBestBackend({ candidates: [backend as lib.BackendName] });
  const before = tf.memory().numTensors;
  const { numbers, generator, whitening } = await scenario(lib, tf);
  const [n, h, w, c] = SHAPE;
  const x = { data: images(n, h, w, c, 7), shape: [n, h, w, c] };
  // Saved to IndexedDB and localStorage, loaded back: the same statistics and the same standardization.
  for (const [prefix, fitted, url] of [['loaded', generator, IDB], ['loadedZca', whitening, LOCAL]] as const) {
    await fitted.save(url);
    const loaded = await lib.ImageDataGenerator.load(url);
    const { mean, std, zcaWhiteningMatrix } = loaded.toJSON().statistics;
    if (mean) numbers[`${prefix}.mean`] = mean.values;
    if (std) numbers[`${prefix}.std`] = std.values;
    if (zcaWhiteningMatrix) numbers[`${prefix}.zca`] = zcaWhiteningMatrix.values;
    const out = loaded.standardize(x);
    numbers[`${prefix}.standardized`] = Array.from(out.dataSync());
    out.dispose();
    loaded.dispose();
    fitted.dispose();
  }
  return { backend: tf.getBackend(), numbers, leaked: tf.memory().numTensors - before };
}

/** Each Node-only call, with the error it gives here. */
async function nodeOnly(): Promise<{ call: string; name: string; typed: boolean; message: string }[]> {
  const generator = new lib.ImageDataGenerator({ featurewiseCenter: true });
  const x = { data: new Float32Array(2 * 2 * 2 * 3), shape: [2, 2, 2, 3] };
  await generator.fit(x);
  const calls: Record<string, () => unknown> = {
    flowFromDirectory: () => generator.flowFromDirectory('images/'),
    flowFromDataFrame: () => generator.flowFromDataFrame([{ filename: 'a.png', class: 'a' }], { directory: 'images/' }),
    fitFromDirectory: () => generator.fitFromDirectory('images/'),
    'save(path)': () => generator.save('models/generator'),
    'load(path)': () => lib.ImageDataGenerator.load('models/generator'),
    'fromKeras(.npy path)': () => lib.ImageDataGenerator.fromKeras({ config: { featurewise_center: true }, mean: 'mean.npy' }),
    saveToDir: () => generator.flow(x, null, { saveToDir: 'out/' }),
  };
  const out = [];
  for (const [call, f] of Object.entries(calls)) {
    try {
      await f();
      out.push({ call, name: 'no error', typed: false, message: '' });
    } catch (e) {
      const err = e as Error;
      out.push({ call, name: err.name, typed: err instanceof lib.UnsupportedEnvironmentError && err instanceof lib.ImageDataGeneratorError, message: err.message });
    }
  }
  return out;
}

/** Whether this page can make shared WebAssembly memory, which the library's wasm linear algebra (ZCA) runs on. */
function sharedWasmMemory(): boolean {
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

declare global {
  interface Window {
    idg: unknown;
  }
}

window.idg = {
  env: () => ({ crossOriginIsolated: globalThis.crossOriginIsolated, sharedArrayBuffer: typeof SharedArrayBuffer, sharedWasmMemory: sharedWasmMemory() }),
  best: async () => lib.useBestBackend(),
  run,
  nodeOnly,
};
document.title = 'ready';
