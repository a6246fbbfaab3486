/**
 * Fault injection, run in a child process by faults.test.ts: the linalg
 * worker thread is held back 50 ms between saying it is ready and starting to
 * wait for jobs (as a busy machine may do), then a ZCA fit runs. Prints
 * "fitted" when it returns; the bug this guards against hung forever.
 */
import { ImageDataGenerator, setWarningHandler, useBestBackend } from '../../../src/index.js';

const threads = process.getBuiltinModule('node:worker_threads');
const marker = 'ex.worker_loop();';
class SlowStartWorker extends threads.Worker {
  constructor(source: string | URL, options?: ConstructorParameters<typeof threads.Worker>[1]) {
    if (typeof source !== 'string' || !source.includes(marker)) throw new Error('the linalg worker source changed; update this fault injection');
    super(source.replace(marker, `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); ${marker}`), options);
  }
}
const original = process.getBuiltinModule.bind(process);
(process as { getBuiltinModule: (id: string) => unknown }).getBuiltinModule = (id: string) =>
  id === 'node:worker_threads' ? { ...threads, Worker: SlowStartWorker } : original(id);

await useBestBackend({ candidates: ['wasm'] });
setWarningHandler(null);
const images = { data: Float32Array.from({ length: 40 * 4 * 4 * 3 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1), shape: [40, 4, 4, 3] };
await new ImageDataGenerator({ zcaWhitening: true }).fit(images);
console.log('fitted');
