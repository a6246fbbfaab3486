/**
 * Run in a child process by faults.test.ts: flows whose worker threads meet
 * errors (a corrupt file, an input a transform refuses), each caught and
 * printed by name; then the script just ends. The process must exit by
 * itself: no worker may be left holding it open. argv[2]: a folder to use.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { ImageDataGenerator, setWarningHandler, useBestBackend } from '../../../src/index.js';

const folder = process.argv[2]!;
mkdirSync(join(folder, 'a'), { recursive: true });
writeFileSync(join(folder, 'a', 'good.png'), encodePng({ width: 4, height: 4, data: new Uint8Array(48).fill(9), channels: 3, depth: 8 }));
writeFileSync(join(folder, 'a', 'bad.png'), 'not a png');

await useBestBackend({ candidates: ['cpu'] });
setWarningHandler(null);
const attempts: Array<[string, () => Promise<unknown>]> = [
  ['file flow', async () => (await new ImageDataGenerator({ rotationRange: 10 }).flowFromDirectory(folder, { targetSize: [4, 4], batchSize: 2, workers: 2 })).next()],
  ['array flow', async () => new ImageDataGenerator({ brightnessRange: [0.5, 1.5] }).flow({ data: new Float32Array(4 * 3 * 3 * 2), shape: [4, 3, 3, 2] }, null, { batchSize: 2, workers: 1 }).next()],
];
for (const [name, attempt] of attempts) {
  try {
    await attempt();
    console.log(`${name}: no error`);
  } catch (e) {
    console.log(`${name}: ${(e as Error).name}`);
  }
}
