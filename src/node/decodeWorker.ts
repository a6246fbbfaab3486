/**
 * Worker thread of the file flows: runs `decodeBatch` jobs, writing into the
 * batch's shared buffer when the job names one (then only the errors travel
 * back), or sending new pixels back transferred. A job that throws sends its
 * error back (threadErrors.ts) instead of ending the thread.
 */
import { parentPort } from 'node:worker_threads';
import { decodeBatch } from './decodeBatch.js';
import { toWire } from './threadErrors.js';
import type { DecodeReply, DecodeRequest } from './workerPool.js';

const reply = (message: DecodeReply, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);

parentPort!.on('message', async ({ id, job, target }: DecodeRequest) => {
  try {
    const chunk = await decodeBatch(job, target && new Float32Array(target.buffer, target.byteOffset, target.length));
    if (target) reply({ id, chunk: { pixels: new Float32Array(0), errors: chunk.errors } });
    else reply({ id, chunk }, [chunk.pixels.buffer as ArrayBuffer]);
  } catch (e) {
    reply({ id, error: toWire(e) });
  }
});
