/**
 * Run in a child process by jpeg-decode.test.ts: a file flow over large JPEGs
 * (each a few tens of ms in the wasm decoder), then the process ends while
 * the worker threads are decoding the prefetched batches. argv[2]: 'exit'
 * (process.exit(0)) or 'sigint' (the process sends itself SIGINT); argv[3]:
 * a folder to use.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { ImageDataGenerator, setWarningHandler, useBestBackend } from '../../src/index.js';

const [mode, folder] = process.argv.slice(2) as ['exit' | 'sigint', string];
const [w, h] = [1200, 900];
mkdirSync(join(folder, 'a'), { recursive: true });
const rgba = Uint8Array.from({ length: w * h * 4 }, (_, k) => ((k >> 2) % w) / 5 + ((k * 7919) % 61));
const file = jpeg.encode({ width: w, height: h, data: rgba }, 90).data;
for (let i = 0; i < 24; i++) writeFileSync(join(folder, 'a', `img${i}.jpg`), file);

await useBestBackend({ candidates: ['cpu'] });
setWarningHandler(null);
const flow = await new ImageDataGenerator().flowFromDirectory(folder, { targetSize: [224, 224], batchSize: 4, workers: 2, prefetch: 4 });
const { value } = await flow.next();
console.log(`batch ${(value.xs as { shape: number[] }).shape[0]}`);
// The prefetched batches (16 large JPEGs) are being decoded in the worker threads now.
if (mode === 'exit') process.exit(0);
if (mode === 'sigint') process.kill(process.pid, 'SIGINT');
