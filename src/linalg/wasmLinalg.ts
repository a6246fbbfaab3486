/**
 * The WebAssembly kernels built from wasm/linalg.c (float64 symmetric
 * eigensolver, Keras's ZCA matrix, exact-integer or float64 Gram accumulation)
 * on one shared memory. On Node a second thread (worker_threads) runs the same
 * module on the same memory and takes half of every large product; in a
 * browser it runs on the calling thread. The module is built with threads
 * (--shared-memory), so it instantiates only on a shared memory: `open()`
 * resolves to null where wasm SIMD or shared WebAssembly memory is missing,
 * and callers then take the TypeScript path. Shared wasm memory is not the
 * global `SharedArrayBuffer`: Chromium makes it on pages that are not
 * cross-origin isolated (where `SharedArrayBuffer` is undefined), and the
 * results are the same as Node's; a browser that refuses it there gives null.
 */
import { base64Bytes } from '../io/wasmModules.js';
import { nodeBuiltin } from '../io/nodeFs.js';
import { linalgWasmBase64 } from './wasm/linalgModule.js';

export interface LinalgExports {
  __heap_base: WebAssembly.Global;
  __stack_pointer: WebAssembly.Global;
  set_threads(count: number, work0: number, work1: number): void;
  worker_loop(): void;
  stop_worker(): void;
  gram_pack_int(x: number, rows: number, d: number, shift: number, packed: number, sums: number): number;
  gram_pack_f64(x: number, rows: number, d: number, shift: number, packed: number, sums: number): void;
  gram_add(packed: number, integer: number, rows: number, d: number, g: number): void;
  eigen_work_doubles(n: number): number;
  sym_eigen(a: number, n: number, values: number, vectors: number, work: number): void;
  zca_matrix(g: number, d: number, samples: number, epsilon: number, out: number, values: number, vectors: number, work: number): void;
  sgemm_packed_floats(k: number, n: number): number;
  sgemm_pack_b(b: number, k: number, n: number, packed: number): void;
  sgemm(a: number, m: number, k: number, packed: number, n: number, c: number): void;
}

const PAGE = 65536;
/** wasm32 addresses 4 GiB. */
export const WASM_MEMORY_LIMIT = 2 ** 32 - PAGE;
/** Packing buffers of one thread's matrix products (MC x KC + KC x NC doubles in linalg.c). */
const GEMM_WORK_BYTES = (128 * 256 + 256 * 2048) * 8;
const WORKER_STACK_BYTES = 1 << 18;

/** Runs in the second thread: instantiate on the shared memory, own stack, then serve jobs until stop_worker(). */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const ex = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } }).exports;
ex.__stack_pointer.value = workerData.stack;
parentPort.postMessage('ready');
ex.worker_loop();
`;

interface WorkerLike {
  once(event: 'message' | 'error', listener: (value: unknown) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}
type WorkerConstructor = new (source: string, options: { eval: true; workerData: unknown }) => WorkerLike;

let compiled: Promise<WebAssembly.Module | null> | undefined;
let compiledSync: WebAssembly.Module | null | undefined;

function compileOnce(): Promise<WebAssembly.Module | null> {
  compiled ??= compiledSync ? Promise.resolve(compiledSync) : (async () => {
    try {
      return await WebAssembly.compile(base64Bytes(linalgWasmBase64));
    } catch {
      return null;
    }
  })();
  return compiled;
}

/** The module compiled synchronously (null where that is refused, as on a browser's main thread may be). */
function compileSyncOnce(): WebAssembly.Module | null {
  if (compiledSync === undefined) {
    try {
      compiledSync = new WebAssembly.Module(base64Bytes(linalgWasmBase64));
    } catch {
      compiledSync = null;
    }
  }
  return compiledSync;
}

let shared: WasmLinalg | null | undefined;

/** A closed two-thread instance whose memory stayed this small is kept for the next open(): small ZCA fits then skip the start-up. */
const KEEP_IDLE_BYTES = 64 * 2 ** 20;
let idle: WasmLinalg | null = null;

export class WasmLinalg {
  private top: number;
  /** The end of the highest block ever handed out (memory above it has never been written from here). */
  private used = 0;
  /** The calling thread's packing buffers for matrix products. */
  private readonly work0: number;
  private worker: WorkerLike | null = null;
  private closed = false;
  /** The allocation mark of an instance with nothing allocated by its user. */
  private empty = 0;

  private constructor(
    readonly exports: LinalgExports,
    private readonly memory: WebAssembly.Memory,
  ) {
    this.top = exports.__heap_base.value as number;
    this.work0 = this.alloc(GEMM_WORK_BYTES);
    exports.set_threads(1, this.work0, 0);
  }

  /**
   * Kernels on their own memory (fresh, or the last small instance closed,
   * emptied); `threads: false` keeps everything on the calling thread.
   */
  static async open(options: { threads?: boolean } = {}): Promise<WasmLinalg | null> {
    if (options.threads !== false && idle !== null) {
      const kernels = idle;
      idle = null;
      kernels.release(kernels.empty);
      kernels.closed = false;
      return kernels;
    }
    const module = await compileOnce();
    if (module === null) return null;
    let kernels: WasmLinalg;
    try {
      const memory = WasmLinalg.memory();
      kernels = new WasmLinalg((await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as LinalgExports, memory);
    } catch {
      return null;
    }
    const worker = options.threads === false ? null : kernels.startWorker(module);
    if (worker) {
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
    }
    kernels.warmUp();
    kernels.empty = kernels.mark();
    return kernels;
  }

  /**
   * One process-wide instance for applying ZCA matrices (sgemm): the idle
   * instance a small fit left, or one made synchronously on first use; null
   * where it cannot be made. Its second
   * thread (Node) joins once started: sgemm runs on the calling thread until
   * then, with the same result. Never closed; the thread does not keep the
   * process alive.
   */
  static shared(): WasmLinalg | null {
    if (shared === undefined && idle !== null) {
      // The small instance a finished fit left idle becomes the shared one: no second thread of its own.
      shared = idle;
      idle = null;
      shared.release(shared.empty);
      shared.closed = false;
    }
    if (shared === undefined) {
      const module = compileSyncOnce();
      shared = null;
      if (module) {
        try {
          const memory = WasmLinalg.memory();
          shared = new WasmLinalg(new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as LinalgExports, memory);
        } catch {
          return null;
        }
        // A thread that cannot be made, or fails to start, leaves sgemm on the calling thread.
        try {
          shared.startWorker(module)?.once('error', () => {});
        } catch {
          // one thread
        }
      }
    }
    return shared;
  }

  private static memory(): WebAssembly.Memory {
    return new WebAssembly.Memory({ initial: 32, maximum: WASM_MEMORY_LIMIT / PAGE + 1, shared: true });
  }

  /** Starts the second thread where node:worker_threads exists (it says 'ready' once serving jobs); else null. */
  private startWorker(module: WebAssembly.Module): WorkerLike | null {
    const Worker = nodeBuiltin<{ Worker: WorkerConstructor }>('node:worker_threads')?.Worker ?? null;
    if (Worker === null) return null;
    const work1 = this.alloc(GEMM_WORK_BYTES);
    const stack = this.alloc(WORKER_STACK_BYTES) + WORKER_STACK_BYTES;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory: this.memory, stack } });
    worker.unref();
    this.worker = worker;
    this.exports.set_threads(2, this.work0, work1);
    return worker;
  }

  /** The allocation mark: `release(mark)` frees every block allocated after it. */
  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  /**
   * A zeroed, 16-byte aligned block of `bytes`, growing the memory as needed.
   * Only bytes that were handed out before are cleared: memory past the
   * highest block so far is still the zeros wasm starts or grows with.
   */
  alloc(bytes: number): number {
    const at = Math.ceil(this.top / 16) * 16;
    const end = at + bytes;
    if (end > WASM_MEMORY_LIMIT) throw new RangeError(`wasm linear memory would need ${end} bytes (limit ${WASM_MEMORY_LIMIT})`);
    const pages = Math.ceil(end / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages);
    this.top = end;
    if (this.used > at) new Uint8Array(this.memory.buffer, at, Math.min(end, this.used) - at).fill(0);
    this.used = Math.max(this.used, end);
    return at;
  }

  f64(at: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, at, length);
  }

  f32(at: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, length);
  }

  /**
   * All eigenpairs of the symmetric `a` (d x d, row-major, float64): values
   * ascending, vectors as columns (row-major d x d).
   */
  eigen(a: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
    const mark = this.mark();
    const pa = this.alloc(d * d * 8);
    const pv = this.alloc(d * 8);
    const pz = this.alloc(d * d * 8);
    const pw = this.alloc(this.exports.eigen_work_doubles(d) * 8);
    this.f64(pa, d * d).set(a);
    this.exports.sym_eigen(pa, d, pv, pz, pw);
    const result = { values: this.f64(pv, d).slice(), vectors: this.f64(pz, d * d).slice() };
    this.release(mark);
    return result;
  }

  /**
   * V8 runs a function's first long call in its baseline compiler and does not
   * swap in optimized code mid-call; a few small calls get the kernels
   * optimized before the real, long one.
   */
  private warmUp(): void {
    const d = 192;
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) a[i * d + j] = Math.cos(i + 2 * j) + Math.cos(j + 2 * i) + (i === j ? d : 0);
    for (let round = 0; round < 4; round++) this.eigen(a, d);
  }

  /**
   * Stops the second thread, and the memory goes with the last reference;
   * except that one small two-thread instance is kept idle for open().
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.worker && this !== shared && idle === null && this.memory.buffer.byteLength <= KEEP_IDLE_BYTES) {
      idle = this;
      return;
    }
    if (this.worker) {
      this.exports.stop_worker();
      await this.worker.terminate();
    }
  }
}
