/**
 * One chunk of a file batch: decode and resize every file, then apply its
 * transform parameters when given. Runs in a worker thread (decodeWorker.ts)
 * or, without workers, on the main thread.
 */
import { CorruptFileError } from '../errors.js';
import { type SamplingOptions, applyTransformTo } from '../transform/apply.js';
import type { TransformParams } from '../transform/params.js';
import { CHANNELS, type DecodeOptions, decodeInto } from './decodeImage.js';

export interface DecodeJob {
  paths: string[];
  decode: DecodeOptions;
  /** Per-path transform parameters, or null for no augmentation. */
  params: TransformParams[] | null;
  sampling: SamplingOptions | null;
}

/** Why a file failed: a bad image (CorruptFileError) or, with `fatal`, anything else. */
export type DecodeFailure = { file: string; problem: string; fatal?: boolean } | null;

export interface DecodedChunk {
  pixels: Float32Array;
  errors: DecodeFailure[];
}

export async function decodeBatch(job: DecodeJob): Promise<DecodedChunk> {
  const [h, w] = job.decode.targetSize;
  const c = CHANNELS[job.decode.colorMode];
  const size = h * w * c;
  const decoded = new Float32Array(job.paths.length * size);
  const errors = await Promise.all(job.paths.map((p, i) => decodeInto(p, decoded, i * size, job.decode).then(
    (): DecodeFailure => null,
    (e: Error): DecodeFailure => (e instanceof CorruptFileError ? { file: e.file, problem: e.problem } : { file: p, problem: e.message, fatal: true }),
  )));
  if (!job.params) return { pixels: decoded, errors };
  const out = new Float32Array(decoded.length);
  job.params.forEach((params, i) => {
    if (errors[i]) return;
    const view = (data: Float32Array) => ({ data, offset: i * size, height: h, width: w, channels: c });
    applyTransformTo(view(decoded), view(out), params, job.sampling!);
  });
  return { pixels: out, errors };
}
