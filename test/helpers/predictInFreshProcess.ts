/**
 * Run in a separate Node process by layers.test.ts: loads a saved model (JSON
 * artifacts with base64 weights) after importing this package, predicts on the
 * raw images, and writes the predictions. Arguments: model.json images.bin out.bin
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { useBestBackend } from '../../src/index.js';

const [modelPath, imagesPath, outPath] = process.argv.slice(2) as [string, string, string];
await useBestBackend();
const saved = JSON.parse(readFileSync(modelPath, 'utf8'));
const weights = Buffer.from(saved.weightData, 'base64');
const model = await tfl.loadLayersModel(tf.io.fromMemory({
  modelTopology: saved.modelTopology,
  weightSpecs: saved.weightSpecs,
  weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
}));
const images = readFileSync(imagesPath);
const x = tf.tensor(new Float32Array(images.buffer.slice(images.byteOffset, images.byteOffset + images.byteLength)), saved.imageShape);
const y = model.predict(x) as tf.Tensor;
writeFileSync(outPath, Buffer.from((y.dataSync() as Float32Array).buffer));
