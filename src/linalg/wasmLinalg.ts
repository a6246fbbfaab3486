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

function compileOnce(): Promise<WebAssembly.Module | null> {
  compiled ??= (async () => {
    try {
      return await WebAssembly.compile(base64Bytes(linalgWasmBase64));
    } catch {
      return null;
    }
  })();
  return compiled;
}

export class WasmLinalg {
  private top: number;
  private worker: WorkerLike | null = null;
  private closed = false;

  private constructor(
    readonly exports: LinalgExports,
    private readonly memory: WebAssembly.Memory,
  ) {
    this.top = exports.__heap_base.value as number;
  }

  /** Kernels on a fresh memory; `threads: false` keeps everything on the calling thread. */
  static async open(options: { threads?: boolean } = {}): Promise<WasmLinalg | null> {
    const module = await compileOnce();
    if (module === null) return null;
    let memory: WebAssembly.Memory;
    let exports: LinalgExports;
    try {
      memory = new WebAssembly.Memory({ initial: 32, maximum: WASM_MEMORY_LIMIT / PAGE + 1, shared: true });
      exports = (await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as LinalgExports;
    } catch {
      return null;
    }
    const kernels = new WasmLinalg(exports, memory);
    const work0 = kernels.alloc(GEMM_WORK_BYTES);
    const Worker = options.threads === false ? null : (nodeBuiltin<{ Worker: WorkerConstructor }>('node:worker_threads')?.Worker ?? null);
    if (Worker === null) {
      exports.set_threads(1, work0, 0);
    } else {
      const work1 = kernels.alloc(GEMM_WORK_BYTES);
      const stack = kernels.alloc(WORKER_STACK_BYTES) + WORKER_STACK_BYTES;
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, stack } });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      worker.unref();
      kernels.worker = worker;
      exports.set_threads(2, work0, work1);
    }
    kernels.warmUp();
    return kernels;
  }

  /** A zeroed, 16-byte aligned block of `bytes`, growing the memory as needed. */
  alloc(bytes: number): number {
    const at = Math.ceil(this.top / 16) * 16;
    const end = at + bytes;
    if (end > WASM_MEMORY_LIMIT) throw new RangeError(`wasm linear memory would need ${end} bytes (limit ${WASM_MEMORY_LIMIT})`);
    const pages = Math.ceil(end / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages);
    this.top = end;
    new Uint8Array(this.memory.buffer, at, bytes).fill(0);
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
    const mark = this.top;
    const pa = this.alloc(d * d * 8);
    const pv = this.alloc(d * 8);
    const pz = this.alloc(d * d * 8);
    const pw = this.alloc(this.exports.eigen_work_doubles(d) * 8);
    this.f64(pa, d * d).set(a);
    this.exports.sym_eigen(pa, d, pv, pz, pw);
    const result = { values: this.f64(pv, d).slice(), vectors: this.f64(pz, d * d).slice() };
    this.top = mark;
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

  /** Stops the second thread; the memory goes with the last reference. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.worker) {
      this.exports.stop_worker();
      await this.worker.terminate();
    }
  }
}
