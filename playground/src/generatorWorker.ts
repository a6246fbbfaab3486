/**
 * The page's generator work, off the UI thread: makes the generator from the
 * options, fits it, draws the grid's flow() batch, standardizes the images
 * for the fit panel, replays a pinned tile and saves the generator. Messages:
 * `Request` in, `Reply` out (same `id`); errors travel as their name,
 * message and argument, so the page shows the library's own text.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type DataFormat, ImageDataGenerator, type TransformParams, setWarningHandler, useBestBackend } from '../../src/browser.js';
import { TILES, augmentTiles, replayTile, tileInputs } from './augmentGrid.js';
import { extremes, toRgba } from './display.js';
import { SIZE, stackImages } from './images.js';
import { fromFormat, toFormat } from './layout.js';
import type { Reply, Request, UpdateReply } from './workerProtocol.js';

type Batch = { data: Float32Array; shape: number[] };

let generator: ImageDataGenerator | null = null;
/** The images of the grid (each SIZE x SIZE x 3, NHWC). */
let images: Float32Array[] = [];
/** This worker's part of the grid from the last update (NHWC floats), for `render`. */
let part: Float32Array = new Float32Array(0);
/** Per data format, the images stacked and the grid's tile inputs in that format, made when first needed. */
const layouts = new Map<DataFormat, { stacked: Batch; tiles: Batch }>();

const needsFit = (g: ImageDataGenerator): boolean => g.config.featurewiseCenter || g.config.featurewiseStdNormalization || g.config.zcaWhitening;

function setImages(next: Float32Array[]): void {
  images = next;
  layouts.clear();
}

function inputs(format: DataFormat): { stacked: Batch; tiles: Batch } {
  let layout = layouts.get(format);
  if (!layout) {
    layout = { stacked: toFormat(stackImages(images), images.length, SIZE, format), tiles: toFormat(tileInputs(images), TILES, SIZE, format) };
    layouts.set(format, layout);
  }
  return layout;
}

/** The current generator; there is none after options the library refused. */
function current(): ImageDataGenerator {
  if (!generator) throw new Error('There is no generator: the options have an error (see above).');
  return generator;
}

/**
 * The generator from `args`, fitted on the images when it needs statistics;
 * then part `index` of `parts` of the grid (kept for `render`), and (part 0)
 * the fit panel's numbers.
 */
async function update(args: Record<string, unknown>, seed: number, index: number, parts: number): Promise<Omit<UpdateReply, 'id' | 'kind'>> {
  const warnings: string[] = [];
  const previous = setWarningHandler((w) => warnings.push(w.message));
  generator?.dispose();
  generator = null;
  let next: ImageDataGenerator;
  try {
    next = new ImageDataGenerator(args);
  } finally {
    setWarningHandler(previous);
  }
  generator = next;
  const format = next.config.dataFormat;
  const { stacked, tiles } = inputs(format);
  const fitted = needsFit(next);
  if (fitted) await next.fit(stacked);
  const start = performance.now();
  const grid = augmentTiles(next, tiles, seed, index, parts);
  const flowMs = performance.now() - start;
  part = grid.data;
  let standardized = new Float32Array(0);
  if (index === 0) {
    const out = next.standardize(stacked);
    standardized = fromFormat(out.dataSync() as Float32Array, images.length, SIZE, format).slice();
    out.dispose();
  }
  return {
    warnings, params: grid.params, ...extremes(grid.data), flowMs, standardized, fitted,
    mean: fitted ? Array.from(next.mean ?? []) : null,
    std: fitted ? Array.from(next.std ?? []) : null,
    tensors: tf.memory().numTensors,
  };
}

/** The manifest and weights `generator.save` hands a tf.io save handler. */
async function artifacts(): Promise<{ manifest: unknown; weights: ArrayBuffer }> {
  let saved: { manifest: unknown; weights: ArrayBuffer } | null = null;
  await current().save(tf.io.withSaveHandler(async (a) => {
    saved = { manifest: a.modelTopology, weights: tf.io.CompositeArrayBuffer.join(a.weightData) };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return saved!;
}

async function handle(request: Request): Promise<Reply> {
  const { id } = request;
  switch (request.kind) {
    case 'init': {
      setWasmPaths(request.wasmBase);
      const choice = await useBestBackend({ candidates: ['wasm', 'cpu'] });
      return { id, kind: 'init', backend: choice.name };
    }
    case 'update': {
      if (request.images) setImages(request.images);
      return { id, kind: 'update', ...(await update(request.args, request.seed, request.part, request.parts)) };
    }
    case 'render': {
      const tiles = part.length / (SIZE * SIZE * 3);
      const rgba = new Uint8ClampedArray(tiles * SIZE * SIZE * 4);
      for (let t = 0; t < tiles; t++) toRgba(part, t, SIZE, SIZE, request, rgba.subarray(t * SIZE * SIZE * 4, (t + 1) * SIZE * SIZE * 4));
      return { id, kind: 'render', rgba };
    }
    case 'replay':
      return { id, kind: 'replay', data: replayTile(current(), images[request.image]!, request.params as Partial<TransformParams>) };
    case 'save':
      return { id, kind: 'save', ...(await artifacts()) };
  }
}

/** Requests run one at a time, in order (an update awaiting its fit must not interleave with a replay). */
let queue: Promise<void> = Promise.resolve();

self.onmessage = (event: MessageEvent<Request>) => {
  queue = queue.then(() => handle(event.data)).then(
    (reply) => {
      const transfer = reply.kind === 'update' ? [reply.standardized.buffer] : reply.kind === 'render' ? [reply.rgba.buffer] : reply.kind === 'replay' ? [reply.data.buffer] : [];
      self.postMessage(reply, { transfer: transfer as ArrayBuffer[] });
    },
    (e: unknown) => {
      const error = e instanceof Error ? e : new Error(String(e));
      self.postMessage({ id: event.data.id, kind: 'error', name: error.name, message: error.message, argument: (error as { argument?: unknown }).argument ?? null } satisfies Reply);
    },
  );
};
