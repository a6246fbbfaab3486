/**
 * A small pool of worker threads that decode, resize and augment file
 * batches in parallel, so the main thread only standardizes and makes
 * tensors. A worker keeps the process alive only while it has jobs, so a
 * script ends when its last batch is done, and never while one is awaited.
 */
import { Worker } from 'node:worker_threads';
import type { DecodedChunk, DecodeJob } from './decodeBatch.js';
import { workerEntry } from './workerEntry.js';

export interface DecodeRequest {
  id: number;
  job: DecodeJob;
  /** Where to write the pixels: a view of a SharedArrayBuffer (the reply then carries only errors). */
  target?: { buffer: SharedArrayBuffer; byteOffset: number; length: number };
}

export class DecodePool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { worker: Worker; target?: Float32Array; resolve: (chunk: DecodedChunk) => void; reject: (e: Error) => void }>();
  private readonly dead = new Set<Worker>();
  private nextId = 0;
  private turn = 0;

  constructor(size: number) {
    const { url, workerData } = workerEntry('decodeWorker', import.meta.url);
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(url, { workerData });
      worker.on('message', ({ id, chunk }: { id: number; chunk: DecodedChunk }) => {
        const job = this.pending.get(id);
        job?.resolve(job.target ? { pixels: job.target, errors: chunk.errors } : chunk);
        this.pending.delete(id);
        this.unrefIfIdle(worker);
      });
      // A worker that dies fails its jobs instead of leaving them waiting forever.
      const fail = (e: Error) => {
        for (const [id, job] of this.pending) {
          if (job.worker !== worker) continue;
          job.reject(new Error(`image decoding worker failed: ${e.message}`));
          this.pending.delete(id);
        }
        this.dead.add(worker);
        this.unrefIfIdle(worker);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
      // After the listeners: adding a 'message' listener refs the worker again.
      worker.unref();
      return worker;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs `job`; with `target` (a view of a SharedArrayBuffer) the worker writes the pixels there. */
  run(job: DecodeJob, target?: Float32Array): Promise<DecodedChunk> {
    const id = this.nextId++;
    const worker = this.workers[this.turn++ % this.workers.length]!;
    if (this.dead.has(worker)) return Promise.reject(new Error('image decoding worker is no longer running; set workers: 0 to decode on the main thread'));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { worker, target, resolve, reject });
      worker.ref();
      const shared = target && { buffer: target.buffer as SharedArrayBuffer, byteOffset: target.byteOffset, length: target.length };
      const request: DecodeRequest = shared ? { id, job, target: shared } : { id, job };
      worker.postMessage(request);
    });
  }

  private unrefIfIdle(worker: Worker): void {
    for (const job of this.pending.values()) if (job.worker === worker) return;
    worker.unref();
  }
}

const pools = new Map<number, DecodePool>();

/** The process-wide pool of `size` workers. */
export function decodePool(size: number): DecodePool {
  let pool = pools.get(size);
  if (!pool) pools.set(size, (pool = new DecodePool(size)));
  return pool;
}
