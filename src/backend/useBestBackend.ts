/**
 * Backend selection. The library itself only uses the tfjs-core API and runs
 * on any backend; `useBestBackend` picks the fastest one installed (Node) or
 * registered by the page (browser build).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors.js';
import { hasNodeSupport, requireNode } from '../platform.js';
import { ensureWasmConv2DBackpropFilter } from './wasmConvGradient.js';

/** Node's backends in order of preference: tfjs-node's native TensorFlow, then WebAssembly, then plain JS. */
export const BACKEND_PREFERENCE = ['tensorflow', 'wasm', 'cpu'] as const;
/** A page's backends in order of preference: WebGPU, WebGL, WebAssembly, plain JS (those the page registered). */
export const BROWSER_BACKEND_PREFERENCE = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_PREFERENCE)[number] | (typeof BROWSER_BACKEND_PREFERENCE)[number];
const ALL_BACKENDS: readonly BackendName[] = ['tensorflow', 'webgpu', 'webgl', 'wasm', 'cpu'];

// Held in variables so bundlers and the type checker do not require optional packages.
const PACKAGES: Record<BackendName, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  webgl: '@tensorflow/tfjs-backend-webgl',
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
  /**
   * Candidates in order; default `BACKEND_PREFERENCE` in Node and
   * `BROWSER_BACKEND_PREFERENCE` in the browser build. The `TFJS_BACKEND`
   * environment variable (Node) overrides both.
   */
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

/**
 * Makes sure backend `name` is registered: in Node by importing its package
 * (which registers it); in the browser build only what the page registered
 * counts (a bundle cannot import a package by a name known at run time).
 */
async function register(name: BackendName): Promise<string | null> {
  if (tf.findBackendFactory(name) !== null) return null;
  if (!hasNodeSupport()) return `not registered on this page (import '${PACKAGES[name]}' before calling useBestBackend)`;
  try {
    await requireNode('useBestBackend', '').importPackage(PACKAGES[name]);
  } catch (e) {
    return `${PACKAGES[name]} is not installed or failed to load (${(e as Error).message.split('\n')[0]})`;
  }
  return tf.findBackendFactory(name) !== null ? null : `${PACKAGES[name]} loaded but registered no backend named '${name}'`;
}

async function tryBackend(name: BackendName, requiredKernels: readonly string[]): Promise<string | null> {
  const unregistered = await register(name);
  if (unregistered !== null) return unregistered;
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
 * Activates the best available backend and returns what it chose and why it
 * skipped the others. Node: tfjs-node if it can be imported, then wasm, then
 * cpu (or only `TFJS_BACKEND` when that environment variable is set). Browser
 * build: among the backends the page registered (by importing their
 * packages), webgpu, then webgl, then wasm, then cpu. Either way `candidates`
 * replaces that order, and backends without `requiredKernels` are skipped.
 */
export async function useBestBackend(args: UseBestBackendArgs = {}): Promise<BackendChoice> {
  const forced = envOverride();
  if (forced !== undefined && !(ALL_BACKENDS as readonly string[]).includes(forced)) {
    throw new InvalidArgumentError('TFJS_BACKEND', `one of ${ALL_BACKENDS.join(', ')}`, forced);
  }
  const preference = hasNodeSupport() ? BACKEND_PREFERENCE : BROWSER_BACKEND_PREFERENCE;
  const candidates = forced ? [forced as BackendName] : (args.candidates ?? preference);
  const skipped: BackendChoice['skipped'] = [];
  for (const name of candidates) {
    const reason = await tryBackend(name, args.requiredKernels ?? []);
    if (reason === null) return { name, skipped };
    skipped.push({ name, reason });
  }
  const detail = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new InvalidArgumentError(forced ? 'TFJS_BACKEND' : 'candidates', 'a usable tfjs backend', candidates, detail);
}
