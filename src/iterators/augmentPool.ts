/**
 * Worker threads (Node) that apply the random transforms of array-flow
 * batches, so `next()` (synchronous, like Keras) uses every core. The calling
 * thread draws the parameters in batch order and writes them, with the
 * images' offsets, into shared memory; the workers and, once it has nothing
 * else to do, the calling thread take images one at a time from a shared
 * counter, transform them, run the elementwise standardization on each and
 * write them into the shared batch array. No messages per batch
 * (a message through a worker's event loop cost more than transforming a
 * small batch); a message only when the arrays change. Results are identical
 * to the single-thread path.
 */
import { WorkerThreadError } from '../errors.js';
import { nodeBuiltin } from '../io/nodeFs.js';
import { nodeSupport } from '../platform.js';
import { type ElementwiseSteps, channelAffine, standardizeImages } from '../standardize/kernel.js';
import { type SamplingOptions, applyTransformTo } from '../transform/apply.js';
import type { TransformParams } from '../transform/params.js';

/**
 * The shared control array. WORK packs the job number (high bits) with the
 * next image to take (low bits), so taking an image is one compare-exchange
 * and a late thread can never take an image of the wrong job. A job is at most
 * IMAGE_MASK images of a batch, from image BASE on (a larger batch runs as
 * several jobs). OUT picks the job's batch array among the setup's. FAILED
 * holds 1 + the batch index of the first image a worker failed on. COUNTS
 * holds each job's image count (a ring indexed by job number).
 */
const WORK = 0, DONE = 1, FAILED = 2, SETUP = 3, OUT = 4, BASE = 5, COUNTS = 6;
const JOB_SHIFT = 20, IMAGE_MASK = (1 << JOB_SHIFT) - 1, JOBS = 1 << 11, RING = 4;
const CONTROL_LENGTH = COUNTS + RING;
/** Numbers per image in the shared parameter array. */
const PARAMS_PER_IMAGE = 10;

/** What a worker needs to read a job; re-sent (with a new SETUP number) when an array or the sampling changes. */
export interface TeamSetup {
  setup: number;
  source: SharedArrayBuffer;
  /** The batch arrays jobs write into (a flow alternates between two). */
  outs: SharedArrayBuffer[];
  params: SharedArrayBuffer;
  starts: SharedArrayBuffer;
  shape: [number, number, number];
  sampling: SamplingOptions;
  /** Elementwise standardization applied to each image after its transform, or null. */
  steps: ElementwiseSteps | null;
}

export interface TeamViews {
  shape: [number, number, number];
  sampling: SamplingOptions;
  steps: ElementwiseSteps | null;
  /** The steps as one per-channel affine, fused into the warp; null when they need each image's statistics. */
  standardize: Float64Array | null;
  source: Float32Array;
  outs: Float32Array[];
  params: Float64Array;
  starts: Int32Array;
}

export const viewsOf = (s: TeamSetup): TeamViews => ({
  shape: s.shape,
  sampling: s.sampling,
  steps: s.steps,
  standardize: channelAffine(s.steps, s.shape[2]),
  source: new Float32Array(s.source),
  outs: s.outs.map((b) => new Float32Array(b)),
  params: new Float64Array(s.params),
  starts: new Int32Array(s.starts),
});

interface PortLike {
  postMessage(value: TeamSetup): void;
}
interface WorkerLike {
  unref(): void;
}
interface WorkerThreads {
  Worker: new (url: URL, options: { workerData: unknown; transferList: unknown[] }) => WorkerLike;
  MessageChannel: new () => { port1: PortLike; port2: unknown };
}

/** Polls before sleeping: roughly a millisecond on the 2-core machine. */
const SPINS = 100_000;

/** A job that has not finished in this long means a thread stopped mid-image: fail instead of hanging. */
const TIMEOUT_MS = 60_000;

/** Writes the parameters of image i into `into` at i * PARAMS_PER_IMAGE (null as NaN). */
function packParams(p: TransformParams, into: Float64Array, i: number): void {
  into.set([p.theta, p.tx, p.ty, p.shear, p.zx, p.zy, p.flipHorizontal ? 1 : 0, p.flipVertical ? 1 : 0, p.channelShiftIntensity ?? NaN, p.brightness ?? NaN], i * PARAMS_PER_IMAGE);
}

function unpackParams(from: Float64Array, i: number): TransformParams {
  const v = from.subarray(i * PARAMS_PER_IMAGE, (i + 1) * PARAMS_PER_IMAGE);
  return {
    theta: v[0]!, tx: v[1]!, ty: v[2]!, shear: v[3]!, zx: v[4]!, zy: v[5]!,
    flipHorizontal: v[6] === 1, flipVertical: v[7] === 1,
    channelShiftIntensity: Number.isNaN(v[8]!) ? null : v[8]!,
    brightness: Number.isNaN(v[9]!) ? null : v[9]!,
  };
}

/**
 * Takes images of the current job until none are left (`block`: then waits
 * for the next job, forever; the workers' loop). `views(setup)` gives the
 * arrays of a setup number.
 */
export function takeImages(control: Int32Array, views: (setup: number) => TeamViews, block: boolean): void {
  for (;;) {
    const work = Atomics.load(control, WORK);
    const job = work >>> JOB_SHIFT;
    const i = work & IMAGE_MASK;
    const count = Atomics.load(control, COUNTS + (job % RING));
    if (i >= count) {
      if (!block) return;
      // Batches come back to back: poll a while before sleeping (waking a sleeping thread costs ~0.1 ms here).
      if (!spinWhile(control, WORK, work)) Atomics.wait(control, WORK, work);
      continue;
    }
    if (Atomics.compareExchange(control, WORK, work, work + 1) !== work) continue;
    const image = Atomics.load(control, BASE) + i;
    try {
      transformImage(views(Atomics.load(control, SETUP)), Atomics.load(control, OUT), image);
    } catch {
      // The calling thread transforms this image again to throw the error itself (AugmentPool.finish).
      Atomics.compareExchange(control, FAILED, 0, image + 1);
    }
    if (Atomics.add(control, DONE, 1) + 1 === count) Atomics.notify(control, DONE);
  }
}

/** Transforms and standardizes image `i` of the batch into the setup's batch array `out`. */
function transformImage(v: TeamViews, out: number, i: number): void {
  const [height, width, channels] = v.shape;
  const size = height * width * channels;
  const data = v.outs[out]!;
  applyTransformTo(
    { data: v.source, offset: v.starts[i]!, height, width, channels },
    { data, offset: i * size, height, width, channels },
    unpackParams(v.params, i),
    v.sampling,
    v.standardize,
  );
  if (v.steps && !v.standardize) {
    const image = data.subarray(i * size, (i + 1) * size);
    standardizeImages(image, () => 0, image, 1, size, channels, v.steps);
  }
}

/** The process's worker threads for array-flow transforms, shared by all flows. */
export class AugmentPool {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_LENGTH * 4));
  private setup: TeamSetup | null = null;
  private views: TeamViews | null = null;
  private job = 0;
  /** The batch under way: its image count and the first image of the job running now. */
  private batch: { count: number; base: number } | null = null;

  private constructor(private readonly ports: PortLike[]) {}

  private static shared: AugmentPool | null | undefined;

  /** One worker per core besides the calling thread. */
  static defaultSize(): number {
    const os = nodeBuiltin<{ availableParallelism(): number }>('node:os');
    return Math.max(1, (os?.availableParallelism() ?? 2) - 1);
  }

  /** The process-wide pool, made with `size` workers on first use; null outside Node. */
  static get(size: number): AugmentPool | null {
    if (AugmentPool.shared !== undefined) return AugmentPool.shared;
    const threads = nodeBuiltin<WorkerThreads>('node:worker_threads');
    // Worker modules are found through the Node support (absent from the browser build).
    const workerEntry = nodeSupport()?.workerEntry;
    if (!threads || !workerEntry || typeof SharedArrayBuffer === 'undefined') return (AugmentPool.shared = null);
    const pool = new AugmentPool([]);
    for (let k = 0; k < size; k++) {
      const { port1, port2 } = new threads.MessageChannel();
      const { url, workerData } = workerEntry('augmentWorker', import.meta.url, { control: pool.control, port: port2 });
      const worker = new threads.Worker(url, { workerData, transferList: [port2] });
      worker.unref();
      pool.ports.push(port1);
    }
    return (AugmentPool.shared = pool);
  }

  /**
   * Starts writing the transformed images into `out` (image i at i * size);
   * image i comes from `source` at float offset `starts[i]`. Both arrays view
   * whole SharedArrayBuffers. `wait()` (the calling thread helps) returns
   * once the batch is written. One batch at a time: starting another first
   * finishes the one under way.
   */
  start(source: Float32Array, shape: [number, number, number], starts: Int32Array, params: TransformParams[], sampling: SamplingOptions, steps: ElementwiseSteps | null, out: Float32Array): { wait(): void } {
    this.finish();
    const count = params.length;
    const s = this.setup;
    const roomy = s !== null && s.starts.byteLength >= count * 4;
    const same = s !== null && roomy && s.source === source.buffer && s.shape.every((d, i) => d === shape[i]) && sameSampling(s.sampling, sampling) && sameSteps(s.steps, steps);
    if (!same || !s.outs.includes(out.buffer as SharedArrayBuffer)) {
      const next: TeamSetup = {
        setup: (s?.setup ?? 0) + 1,
        source: source.buffer as SharedArrayBuffer,
        // Keeps the flow's other batch array, so alternating between the two needs no new setup.
        outs: [...(same ? s.outs.slice(-1) : []), out.buffer as SharedArrayBuffer],
        params: roomy ? s.params : new SharedArrayBuffer(count * PARAMS_PER_IMAGE * 8),
        starts: roomy ? s.starts : new SharedArrayBuffer(count * 4),
        shape,
        sampling: { fillMode: sampling.fillMode, cval: sampling.cval, interpolationOrder: sampling.interpolationOrder },
        steps,
      };
      // Posted before SETUP changes, so a worker that sees the new number finds the message waiting.
      for (const port of this.ports) port.postMessage(next);
      Atomics.store(this.control, SETUP, next.setup);
      this.setup = next;
      this.views = viewsOf(next);
    }
    const views = this.views!;
    params.forEach((p, i) => packParams(p, views.params, i));
    views.starts.set(starts);
    Atomics.store(this.control, OUT, this.setup!.outs.indexOf(out.buffer as SharedArrayBuffer));
    Atomics.store(this.control, FAILED, 0);
    this.batch = { count, base: 0 };
    this.post();
    return { wait: () => this.finish() };
  }

  /** Posts the job of the batch's images from `batch.base` on (at most IMAGE_MASK of them). */
  private post(): void {
    const c = this.control;
    const { count, base } = this.batch!;
    this.job = (this.job + 1) % JOBS;
    Atomics.store(c, BASE, base);
    Atomics.store(c, COUNTS + (this.job % RING), Math.min(count - base, IMAGE_MASK));
    Atomics.store(c, DONE, 0);
    Atomics.store(c, WORK, this.job << JOB_SHIFT);
    Atomics.notify(c, WORK);
  }

  /**
   * Helps with the batch under way and waits for the workers' last images,
   * job after job; then throws the error of the first image a worker failed on.
   */
  private finish(): void {
    const batch = this.batch;
    if (batch === null) return;
    const c = this.control;
    try {
      for (;;) {
        const count = Atomics.load(c, COUNTS + (this.job % RING));
        takeImages(c, () => this.views!, false);
        const deadline = Date.now() + TIMEOUT_MS;
        for (let done = Atomics.load(c, DONE); done < count; done = Atomics.load(c, DONE)) {
          if (spinWhile(c, DONE, done)) continue;
          if (Atomics.wait(c, DONE, done, Math.max(0, deadline - Date.now())) === 'timed-out') {
            // Only a thread that stopped in the middle of an image gets here: start afresh next time.
            AugmentPool.shared = undefined;
            throw new WorkerThreadError('augmentation', `the worker threads did not finish a batch within ${TIMEOUT_MS / 1000} s`);
          }
        }
        batch.base += count;
        if (batch.base >= batch.count) break;
        this.post();
      }
    } finally {
      this.batch = null;
    }
    const failed = Atomics.load(c, FAILED);
    if (failed !== 0) {
      // The image's error is the input's (Keras would raise it too): make it here, typed, with its message.
      transformImage(this.views!, Atomics.load(c, OUT), failed - 1);
      throw new WorkerThreadError('augmentation', `a worker thread failed on image ${failed - 1} of the batch, which the calling thread then transformed without error`);
    }
  }
}

/** Polls until control[slot] differs from `value` (true) or the spin budget is spent (false). */
function spinWhile(control: Int32Array, slot: number, value: number): boolean {
  for (let k = 0; k < SPINS; k++) if (Atomics.load(control, slot) !== value) return true;
  return false;
}

function sameSteps(a: ElementwiseSteps | null, b: ElementwiseSteps | null): boolean {
  if (a === null || b === null) return a === b;
  return Object.is(a.rescale, b.rescale) && a.samplewiseCenter === b.samplewiseCenter && a.samplewiseStdNormalization === b.samplewiseStdNormalization && a.mean === b.mean && a.std === b.std;
}

function sameSampling(a: SamplingOptions, b: SamplingOptions): boolean {
  return a.fillMode === b.fillMode && Object.is(a.cval, b.cval) && a.interpolationOrder === b.interpolationOrder;
}
