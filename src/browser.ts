/**
 * The browser build: what bundlers (Vite, webpack, esbuild) pick for a
 * page through the `browser` export condition. The same API as the Node entry
 * (`index.ts`), without the Node support: flowFromDirectory,
 * flowFromDataFrame, fitFromDirectory, directory-path save/load, .npy paths
 * and saveToDir throw `UnsupportedEnvironmentError`, and useBestBackend
 * chooses among the backends the page registered. So a page's bundle holds no
 * node:* module, sharp, csv-parse or image codec. test/browser.test.ts checks
 * that it exports what index.ts exports.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { UnsupportedEnvironmentError } from './errors.js';
import { INSTEAD } from './platform.js';

export * from './api.js';

/** Node-only (io/modelFiles.ts: model files on disk); throws `UnsupportedEnvironmentError` in the browser build. */
export function fileSystem(path: string): tf.io.IOHandler {
  throw new UnsupportedEnvironmentError(`fileSystem(${JSON.stringify(path)})`, INSTEAD.save);
}
