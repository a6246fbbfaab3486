/**
 * Classifies image files with a saved model, normalized the same way as in
 * training. Two routes (see README, "Normalization at prediction time"):
 *
 *   npm run inference -- demo-output/samples/*.png
 *       model + generator saved side by side: generator.standardize() then model.predict()
 *   npm run inference -- --embedded demo-output/model-with-standardization demo-output/samples/*.png
 *       a model whose first layer is the standardization: it takes raw images
 *
 * Options: --model DIR (default demo-output/model), --generator DIR (default
 * demo-output/generator), --classes a,b,c (default: the demo's classes).
 * PNG and JPEG files are read and resized to the model's input size.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { ImageDataGenerator, useBestBackend } from '../src/index.js';
import { CLASS_NAMES } from './shapes.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string', default: 'demo-output/model' },
    generator: { type: 'string', default: 'demo-output/generator' },
    embedded: { type: 'string' },
    classes: { type: 'string', default: CLASS_NAMES.join(',') },
  },
});
if (positionals.length === 0) {
  console.error('usage: npm run inference -- [--embedded MODEL_DIR | --model DIR --generator DIR] image.png ...');
  process.exit(2);
}

/** Decodes a PNG or JPEG file to RGB float32 pixels, 0..255, [h, w, 3]. */
function readImage(path: string): tf.Tensor3D {
  const bytes = readFileSync(path);
  const isPng = bytes.subarray(1, 4).toString() === 'PNG';
  const img = isPng ? decodePng(bytes) : { ...jpeg.decode(bytes, { useTArray: true }), channels: 4, depth: 8 };
  const scale = img.depth === 16 ? 255 / 65535 : 1;
  const rgb = new Float32Array(img.width * img.height * 3);
  for (let p = 0; p < img.width * img.height; p++) {
    for (let k = 0; k < 3; k++) rgb[p * 3 + k] = Number(img.data[p * img.channels + (img.channels >= 3 ? k : 0)]) * scale;
  }
  return tf.tensor3d(rgb, [img.height, img.width, 3]);
}

const backend = await useBestBackend();
const classes = values.classes!.split(',');
// file:// URLs load without tfjs-node: importing this package registers the handler (model.json and its weights).
const model = await tfl.loadLayersModel(`file://${values.embedded ?? values.model!}`);
const generator = values.embedded ? null : await ImageDataGenerator.load(values.generator!);
const [, h, w] = model.inputs[0]!.shape as number[];
console.log(`backend ${backend.name}; ${values.embedded ? `model with embedded standardization (${values.embedded})` : `model ${values.model} + generator ${values.generator}`}`);

for (const path of positionals) {
  const probabilities = tf.tidy(() => {
    const image = tf.image.resizeBilinear(readImage(path), [h!, w!]);
    const input = generator ? generator.standardize(image) : image;
    return (model.predict(tf.expandDims(input, 0)) as tf.Tensor).dataSync();
  });
  const best = probabilities.indexOf(Math.max(...probabilities));
  console.log(`${path}: ${classes[best] ?? best} (${(probabilities[best]! * 100).toFixed(1)}%)`);
}
