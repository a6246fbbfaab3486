/** The messages between the page and its generator worker (generatorWorker.ts), and the page's side of them. */
import type { TransformParams } from '../../src/browser.js';

export type Request =
  | { id: number; kind: 'init'; wasmBase: string }
  /** `images`: the grid's images when they changed (each SIZE x SIZE x 3), else null; the worker computes part `part` of `parts` of the grid. */
  | { id: number; kind: 'update'; args: Record<string, unknown>; seed: number; images: Float32Array[] | null; part: number; parts: number }
  /** The worker's part of the grid as RGBA bytes, its values mapped by `offset` and `scale` (display.ts). */
  | { id: number; kind: 'render'; offset: number; scale: number }
  | { id: number; kind: 'replay'; image: number; params: Record<string, unknown> }
  | { id: number; kind: 'save' };

export interface UpdateReply {
  id: number;
  kind: 'update';
  /** Keras's override warnings for these options. */
  warnings: string[];
  /** Per tile of the worker's part of the grid, the parameters flow() drew (null: the generator does not augment). */
  params: TransformParams[] | null;
  /** The smallest and largest value in the worker's part of the grid. */
  min: number;
  max: number;
  /** Milliseconds in flow() (the batch and its parameters). */
  flowMs: number;
  /** The grid's images after `standardize` (NHWC), for the fit panel (part 0; empty in the others). */
  standardized: Float32Array;
  fitted: boolean;
  mean: number[] | null;
  std: number[] | null;
  /** Live tensors in the worker after the update. */
  tensors: number;
}

export type Reply =
  | { id: number; kind: 'init'; backend: string }
  | UpdateReply
  | { id: number; kind: 'render'; rgba: Uint8ClampedArray<ArrayBuffer> }
  | { id: number; kind: 'replay'; data: Float32Array }
  | { id: number; kind: 'save'; manifest: unknown; weights: ArrayBuffer }
  | { id: number; kind: 'error'; name: string; message: string; argument: unknown };

/** An error the worker threw, with its name, message and (library errors) the argument it names. */
export class WorkerError extends Error {
  constructor(name: string, message: string, readonly argument: string | null) {
    super(message);
    this.name = name;
  }
}

type Payload<K extends Request['kind']> = Omit<Extract<Request, { kind: K }>, 'id' | 'kind'>;
type Answer<K extends Request['kind']> = Extract<Reply, { kind: K }>;

/** The page's handle on the worker: one promise per request, answered in order. */
export class GeneratorWorker {
  private readonly worker = new Worker(new URL('./generatorWorker.ts', import.meta.url), { type: 'module' });
  private readonly waiting = new Map<number, { ok: (r: Reply) => void; fail: (e: Error) => void }>();
  private next = 0;

  constructor() {
    this.worker.onmessage = (event: MessageEvent<Reply>) => {
      const reply = event.data;
      const pending = this.waiting.get(reply.id)!;
      this.waiting.delete(reply.id);
      if (reply.kind === 'error') pending.fail(new WorkerError(reply.name, reply.message, typeof reply.argument === 'string' ? reply.argument : null));
      else pending.ok(reply);
    };
    this.worker.onerror = (event) => {
      for (const { fail } of this.waiting.values()) fail(new Error(`the generator worker failed: ${event.message}`));
      this.waiting.clear();
    };
  }

  request<K extends Request['kind']>(kind: K, payload: Payload<K>): Promise<Answer<K>> {
    const id = this.next++;
    return new Promise((ok, fail) => {
      this.waiting.set(id, { ok: ok as (r: Reply) => void, fail });
      this.worker.postMessage({ ...payload, id, kind });
    });
  }
}
