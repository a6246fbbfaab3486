/**
 * Backend selection. The library itself only uses the tfjs-core API and runs
 * on any backend; `useBestBackend` picks the fastest one installed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors.js';
import { ensureWasmConv2DBackpropFilter } from './wasmConvGradient.js';

/** Backends in order of preference: tfjs-node's native TensorFlow, then WebAssembly, then plain JS. */
export const BACKEND_PREFERENCE = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_PREFERENCE)[number];

// Held in variables so bundlers and the type checker do not require optional packages.
const PACKAGES: Record<BackendName, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

export interface UseBestBackendArgs {
  /**
   * Kernels the chosen backend must implement, e.g. `['Conv2DBackpropFilter']`
   * to train convolutional models. (tfjs 4.22's wasm backend lacks that one;
   * we register a zero-copy bridge to its 3-D kernel, so wasm qualifies.)
   */
  requiredKernels?: string[];
  /** Candidates in order; default `BACKEND_PREFERENCE`. The `TFJS_BACKEND` environment variable overrides both. */
  candidates?: readonly BackendName[];
}

export interface BackendChoice {
  /** The backend now active. */
  name: BackendName;
  /** Every candidate tried before it, with the reason it was skipped. */
  skipped: { name: BackendName; reason: string }[];
}

function envOverride(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.TFJS_BACKEND || undefined;
}

async function tryBackend(name: BackendName, requiredKernels: readonly string[]): Promise<string | null> {
  try {
    await import(/* @vite-ignore */ PACKAGES[name]);
  } catch (e) {
    return `${PACKAGES[name]} is not installed or failed to load (${(e as Error).message.split('\n')[0]})`;
  }
  if (name === 'wasm') ensureWasmConv2DBackpropFilter();
  const missing = requiredKernels.filter((k) => tf.getKernel(k, name) === undefined);
  if (missing.length > 0) return `lacks the kernels ${missing.join(', ')}`;
  try {
    return (await tf.setBackend(name)) ? null : 'failed to initialize';
  } catch (e) {
    return `failed to initialize (${(e as Error).message})`;
  }
}

/**
 * Activates the best available backend: tfjs-node if it can be imported, then
 * wasm, then cpu (or only `TFJS_BACKEND` when that environment variable is
 * set), skipping backends without `requiredKernels`. Returns what it chose
 * and why it skipped the others.
 */
export async function useBestBackend(args: UseBestBackendArgs = {}): Promise<BackendChoice> {
  const forced = envOverride();
  if (forced !== undefined && !(BACKEND_PREFERENCE as readonly string[]).includes(forced)) {
    throw new InvalidArgumentError('TFJS_BACKEND', `one of ${BACKEND_PREFERENCE.join(', ')}`, forced);
  }
  const candidates = forced ? [forced as BackendName] : (args.candidates ?? BACKEND_PREFERENCE);
  const skipped: BackendChoice['skipped'] = [];
  for (const name of candidates) {
    const reason = await tryBackend(name, args.requiredKernels ?? []);
    if (reason === null) return { name, skipped };
    skipped.push({ name, reason });
  }
  const detail = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new InvalidArgumentError(forced ? 'TFJS_BACKEND' : 'candidates', 'a usable tfjs backend', candidates, detail);
}
