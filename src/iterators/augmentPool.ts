/**
 * Worker threads (Node) that apply the random transforms of array-flow
 * batches, so `next()` (synchronous, like Keras) uses every core: the
 * calling thread draws the parameters in batch order, hands each worker a
 * part of the batch, and later blocks on a shared counter until all parts are
 * written into the shared batch array. Results are identical to the
 * single-thread path.
 */
import type { SamplingOptions } from '../transform/apply.js';
import type { TransformParams } from '../transform/params.js';

export interface AugmentJob {
  source: SharedArrayBuffer;
  out: SharedArrayBuffer;
  /** One image's NHWC shape. */
  shape: [number, number, number];
  /** Float offset of each image of this part in `source`. */
  starts: Int32Array;
  params: TransformParams[];
  sampling: SamplingOptions;
  /** Index, in the batch, of this part's first image. */
  first: number;
  /** [parts done, failed]. */
  control: Int32Array;
}

interface WorkerLike {
  postMessage(job: AugmentJob): void;
  unref(): void;
}
type WorkerConstructor = new (url: URL, options?: { workerData: unknown }) => WorkerLike;

/** A part that has not answered in this long means a dead worker: fail instead of hanging. */
const TIMEOUT_MS = 60_000;

export class AugmentPool {
  private constructor(private readonly workers: WorkerLike[]) {}

  /** `size` workers, or null outside Node (no worker_threads, or no blocking wait on this thread). */
  static create(size: number): AugmentPool | null {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const threads = proc?.getBuiltinModule?.('node:worker_threads') as { Worker: WorkerConstructor; isMainThread: boolean } | undefined;
    if (!threads || size < 1 || typeof SharedArrayBuffer === 'undefined') return null;
    // From TypeScript sources (tests, tsx) the worker starts through a bootstrap that registers tsx.
    const fromSource = import.meta.url.endsWith('.ts');
    const workers = Array.from({ length: size }, () => {
      const worker = fromSource
        ? new threads.Worker(new URL('../node/sourceWorker.mjs', import.meta.url), { workerData: { entry: new URL('./augmentWorker.ts', import.meta.url).href } })
        : new threads.Worker(new URL('./augmentWorker.js', import.meta.url));
      worker.unref();
      return worker;
    });
    return new AugmentPool(workers);
  }

  /** One worker per core. */
  static defaultSize(): number {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism(): number } | undefined;
    return os?.availableParallelism() ?? 1;
  }

  /**
   * Starts writing the transformed images into `out` (image i at i * size);
   * image i comes from `source` at float offset `starts[i]`. Both arrays view
   * whole SharedArrayBuffers. `wait()` blocks until the batch is written.
   */
  start(source: Float32Array, shape: [number, number, number], starts: Int32Array, params: TransformParams[], sampling: SamplingOptions, out: Float32Array): { wait(): void } {
    const count = params.length;
    const parts = Math.min(this.workers.length, count);
    const per = Math.ceil(count / parts);
    const control = new Int32Array(new SharedArrayBuffer(8));
    const plain = { fillMode: sampling.fillMode, cval: sampling.cval, interpolationOrder: sampling.interpolationOrder };
    for (let k = 0; k < parts; k++) {
      const first = k * per;
      const last = Math.min(count, first + per);
      this.workers[k]!.postMessage({
        source: source.buffer as SharedArrayBuffer,
        out: out.buffer as SharedArrayBuffer,
        shape,
        starts: starts.slice(first, last),
        params: params.slice(first, last),
        sampling: plain,
        first,
        control,
      });
    }
    const wait = () => {
      const deadline = Date.now() + TIMEOUT_MS;
      for (let done = Atomics.load(control, 0); done < parts; done = Atomics.load(control, 0)) {
        if (Atomics.wait(control, 0, done, Math.max(0, deadline - Date.now())) === 'timed-out') {
          throw new Error(`augmentation worker threads did not finish a batch within ${TIMEOUT_MS / 1000} s; set workers: 0 to augment on the calling thread`);
        }
      }
      if (Atomics.load(control, 1) !== 0) throw new Error('an augmentation worker thread failed; set workers: 0 to see the error on the calling thread');
    };
    return { wait };
  }
}
