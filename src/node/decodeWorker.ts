/**
 * Worker thread of the file flows: runs `decodeBatch` jobs, writing into the
 * batch's shared buffer when the job names one (then only the errors travel
 * back), or sending new pixels back transferred.
 */
import { parentPort } from 'node:worker_threads';
import { decodeBatch } from './decodeBatch.js';
import type { DecodeRequest } from './workerPool.js';

parentPort!.on('message', async ({ id, job, target }: DecodeRequest) => {
  const chunk = await decodeBatch(job, target && new Float32Array(target.buffer, target.byteOffset, target.length));
  if (target) parentPort!.postMessage({ id, chunk: { errors: chunk.errors } });
  else parentPort!.postMessage({ id, chunk }, [chunk.pixels.buffer as ArrayBuffer]);
});
