// Run by test/package.test.ts in the scratch project: a CommonJS program require()s the
// package (Node >= 20.19 loads an ES module graph without top-level await synchronously).
const tf = require('@tensorflow/tfjs');
const { ImageDataGenerator } = require('tfjs-image-data-generator');

async function main() {
  await tf.setBackend('cpu');
  const x = tf.tensor4d(Float32Array.from({ length: 4 * 3 * 2 * 3 }, (_, i) => i % 17), [4, 3, 2, 3]);
  const generator = new ImageDataGenerator({ featurewiseCenter: true });
  await generator.fit(x);
  const out = generator.standardize(x);
  console.log(JSON.stringify({ type: typeof ImageDataGenerator, mean: Array.from(generator.mean), shape: out.shape }));
}
main().catch((e) => { console.error(e); process.exit(1); });
