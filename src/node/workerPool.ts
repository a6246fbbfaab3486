/**
 * A small pool of worker threads that decode, resize and augment file
 * batches in parallel, so the main thread only standardizes and makes
 * tensors. A worker keeps the process alive only while it has jobs, so a
 * script ends when its last batch is done, and never while one is awaited.
 * Every job settles: with its pixels, with the typed error its worker threw,
 * or with a WorkerThreadError when the worker stopped; a stopped worker is
 * replaced for the next job.
 */
import { Worker } from 'node:worker_threads';
import { WorkerThreadError } from '../errors.js';
import type { DecodedChunk, DecodeJob } from './decodeBatch.js';
import { type WireError, fromWire } from './threadErrors.js';
import { workerEntry } from './workerEntry.js';

export interface DecodeRequest {
  id: number;
  job: DecodeJob;
  /** Where to write the pixels: a view of a SharedArrayBuffer (the reply then carries only errors). */
  target?: { buffer: SharedArrayBuffer; byteOffset: number; length: number };
}

/** A worker's answer: the decoded chunk, or the error that ended the job. */
export type DecodeReply = { id: number; chunk: DecodedChunk; error?: undefined } | { id: number; error: WireError };

const OPERATION = 'image decoding';

interface Pending {
  worker: Worker;
  target?: Float32Array;
  resolve: (chunk: DecodedChunk) => void;
  reject: (e: Error) => void;
}

export class DecodePool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private readonly dead = new Set<Worker>();
  private nextId = 0;
  private turn = 0;

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => this.start());
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs `job`; with `target` (a view of a SharedArrayBuffer) the worker writes the pixels there. */
  run(job: DecodeJob, target?: Float32Array): Promise<DecodedChunk> {
    const id = this.nextId++;
    const slot = this.turn++ % this.workers.length;
    if (this.dead.has(this.workers[slot]!)) this.workers[slot] = this.start();
    const worker = this.workers[slot]!;
    return new Promise((resolve, reject) => {
      const shared = target && { buffer: target.buffer as SharedArrayBuffer, byteOffset: target.byteOffset, length: target.length };
      const request: DecodeRequest = shared ? { id, job, target: shared } : { id, job };
      try {
        worker.postMessage(request);
      } catch (e) {
        reject(new WorkerThreadError(OPERATION, `the job could not be sent (${(e as Error).message})`));
        return;
      }
      this.pending.set(id, { worker, target, resolve, reject });
      worker.ref();
    });
  }

  private start(): Worker {
    const { url, workerData } = workerEntry('decodeWorker', import.meta.url);
    const worker = new Worker(url, { workerData });
    worker.on('message', (reply: DecodeReply) => {
      const job = this.pending.get(reply.id);
      if (!job) return;
      this.pending.delete(reply.id);
      if (reply.error) job.reject(fromWire(reply.error, OPERATION));
      else job.resolve(job.target ? { pixels: job.target, errors: reply.chunk.errors } : reply.chunk);
      this.unrefIfIdle(worker);
    });
    // A worker that stops fails its jobs instead of leaving them waiting forever.
    const fail = (problem: string) => {
      this.dead.add(worker);
      for (const [id, job] of this.pending) {
        if (job.worker !== worker) continue;
        this.pending.delete(id);
        job.reject(new WorkerThreadError(OPERATION, problem));
      }
      worker.unref();
    };
    worker.on('error', (e: Error) => fail(e.message));
    worker.on('exit', (code) => fail(`the thread exited with code ${code}`));
    // After the listeners: adding a 'message' listener refs the worker again.
    worker.unref();
    return worker;
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
