/**
 * Worker thread of the array flows' augmentation: applies the transforms of
 * one part of a batch from the shared source array into the shared batch
 * array, then counts itself done on the job's shared counter.
 */
import { parentPort } from 'node:worker_threads';
import { applyTransformTo } from '../transform/apply.js';
import type { AugmentJob } from './augmentPool.js';

parentPort!.on('message', (job: AugmentJob) => {
  const [height, width, channels] = job.shape;
  const size = height * width * channels;
  const source = new Float32Array(job.source);
  const out = new Float32Array(job.out);
  try {
    job.params.forEach((params, i) => {
      applyTransformTo(
        { data: source, offset: job.starts[i]!, height, width, channels },
        { data: out, offset: (job.first + i) * size, height, width, channels },
        params,
        job.sampling,
      );
    });
  } catch {
    Atomics.store(job.control, 1, 1);
  }
  Atomics.add(job.control, 0, 1);
  Atomics.notify(job.control, 0);
});
