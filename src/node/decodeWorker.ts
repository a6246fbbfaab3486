/** Worker thread of the file flows: runs `decodeBatch` jobs and sends the pixels back transferred. */
import { parentPort } from 'node:worker_threads';
import { decodeBatch } from './decodeBatch.js';
import type { DecodeRequest } from './workerPool.js';

parentPort!.on('message', async ({ id, job }: DecodeRequest) => {
  const chunk = await decodeBatch(job);
  parentPort!.postMessage({ id, chunk }, [chunk.pixels.buffer as ArrayBuffer]);
});
