/**
 * Fault injection, run in a child process by faults.test.ts: file flows with
 * worker threads, then the process ends while the decoding threads may still
 * be busy. argv[2]: 'exit' (process.exit(0) right after the batches), 'sigint'
 * (the process sends itself SIGINT), 'throw' (an uncaught error); argv[3]: a
 * folder to use (one class folder of images is made in it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { ImageDataGenerator, setWarningHandler, useBestBackend } from '../../../src/index.js';

const [mode, folder] = process.argv.slice(2) as ['exit' | 'sigint' | 'throw', string];
const side = 64;
for (const name of ['a', 'b']) mkdirSync(join(folder, name), { recursive: true });
for (let i = 0; i < 48; i++) {
  const rgba = Uint8Array.from({ length: side * side * 4 }, (_, k) => (k * 7919 + i * 104729) % 251);
  const file = join(folder, i % 2 ? 'a' : 'b', `img${i}`);
  if (i % 3) writeFileSync(`${file}.jpg`, jpeg.encode({ width: side, height: side, data: rgba }, 90).data);
  else writeFileSync(`${file}.png`, encodePng({ width: side, height: side, data: rgba, channels: 4, depth: 8 }));
}

// cpu: tfjs-backend-wasm's emscripten glue turns every uncaught error into exit code 7.
await useBestBackend({ candidates: ['cpu'] });
setWarningHandler(null);
const generator = new ImageDataGenerator({ rotationRange: 10 });
for (const batchSize of [8, 64]) {
  const flow = await generator.flowFromDirectory(folder, { targetSize: [side, side], batchSize, workers: 2 });
  const { value } = await flow.next();
  console.log(`batch ${(value.xs as { shape: number[] }).shape[0]}`);
  // Leaves the prefetched batches decoding in the worker threads.
}
if (mode === 'exit') process.exit(0);
if (mode === 'sigint') process.kill(process.pid, 'SIGINT');
if (mode === 'throw') throw new Error('uncaught on purpose');
