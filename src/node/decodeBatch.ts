/**
 * One chunk of a file batch: decode and resize every file, then apply its
 * transform parameters and the standardization's per-channel affine when
 * given. Runs in a worker thread (decodeWorker.ts) or, without workers, on
 * the main thread.
 */
import { CorruptFileError } from '../errors.js';
import { applyChannelAffine } from '../standardize/kernel.js';
import { type SamplingOptions, applyTransformTo } from '../transform/apply.js';
import type { TransformParams } from '../transform/params.js';
import { CHANNELS, type DecodeOptions, decodeInto } from './decodeImage.js';
import { type WireError, fromWire, toWire } from './threadErrors.js';

export interface DecodeJob {
  paths: string[];
  decode: DecodeOptions;
  /** Per-path transform parameters, or null for no augmentation. */
  params: TransformParams[] | null;
  sampling: SamplingOptions | null;
  /** The elementwise standardization as a `channelAffine`, applied to each image last; null for none. */
  standardize: Float64Array | null;
}

/**
 * Why a file failed, as it crosses threads: `error` is the thrown error;
 * `fatal` when it is not a bad image (a CorruptFileError), so that skipping
 * bad images does not skip it.
 */
export type DecodeFailure = { file: string; problem: string; fatal: boolean; error: WireError } | null;

function failure(e: unknown, path: string): DecodeFailure {
  const bad = e instanceof CorruptFileError;
  return { file: bad ? e.file : path, problem: bad ? e.problem : e instanceof Error ? e.message : String(e), fatal: !bad, error: toWire(e) };
}

/** The error a file failed with, with its class (e.g. ImageTooLargeError) and fields as thrown where it was decoded. */
export const failureError = (f: NonNullable<DecodeFailure>): Error => fromWire(f.error, `decoding ${f.file}`);

export interface DecodedChunk {
  pixels: Float32Array;
  errors: DecodeFailure[];
}

/**
 * Buffers for decoded pixels that are transformed next, kept between batches
 * (a fresh buffer costs page faults); one per job in flight.
 */
const scratch: Float32Array[] = [];

/**
 * Decodes (and transforms) the job's files into `target` (a new array when
 * not given, e.g. a view of the batch's shared buffer from the worker pool).
 */
export async function decodeBatch(job: DecodeJob, target?: Float32Array): Promise<DecodedChunk> {
  const [h, w] = job.decode.targetSize;
  const c = CHANNELS[job.decode.colorMode];
  const size = h * w * c;
  const length = job.paths.length * size;
  const out = target ?? new Float32Array(length);
  const spare = job.params ? scratch.findIndex((b) => b.length >= length) : -1;
  const decoded = !job.params ? out : spare >= 0 ? scratch.splice(spare, 1)[0]! : new Float32Array(length);
  try {
    const errors = await Promise.all(job.paths.map((p, i) => decodeInto(p, decoded, i * size, job.decode).then(
      (): DecodeFailure => null,
      (e: unknown) => failure(e, p),
    )));
    errors.forEach((error, i) => {
      if (error) return;
      const view = (data: Float32Array) => ({ data, offset: i * size, height: h, width: w, channels: c });
      if (job.params) applyTransformTo(view(decoded), view(out), job.params[i]!, job.sampling!, job.standardize);
      else if (job.standardize) applyChannelAffine(out, i * size, size, c, job.standardize);
    });
    return { pixels: out, errors };
  } finally {
    if (decoded !== out && scratch.length < 4) scratch.push(decoded);
  }
}
