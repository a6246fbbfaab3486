/**
 * Run in a separate Node process by files-robustness.test.ts, for scenarios
 * that crashed or hung the process: argv[2] is JSON { dir, options }; makes
 * a flowFromDirectory and reads one batch. Prints one JSON line: what
 * happened (samples, batch shape, warnings, or the error's class and
 * message) and the peak resident memory in MB.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ImageDataGenerator, setWarningHandler, useBestBackend } from '../../src/index.js';

const { dir, options } = JSON.parse(process.argv[2]!) as { dir: string; options: Record<string, unknown> };
await useBestBackend();
const warnings: string[] = [];
setWarningHandler((w) => warnings.push(w.message));
const result: Record<string, unknown> = {};
try {
  const flow = await new ImageDataGenerator().flowFromDirectory(dir, { shuffle: false, ...options });
  result.samples = flow.samples;
  const { xs, ys } = (await flow.next()).value;
  result.shape = (xs as tf.Tensor).shape;
  tf.dispose([xs as tf.Tensor, ys as tf.Tensor]);
} catch (e) {
  result.error = { name: (e as Error).name, message: (e as Error).message };
}
result.warnings = warnings;
result.maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(result));
process.exit(0);
