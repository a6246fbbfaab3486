/**
 * What only Node.js can do, reached through one registry so that the browser
 * build never imports it. The Node entry (`index.ts`) installs it by importing
 * `nodeSupport.ts`; the browser entry (`browser.ts`, the `browser` export
 * condition) does not, so bundlers for a page never see node:fs, sharp,
 * csv-parse or the image encoders, and the calls that need them throw
 * `UnsupportedEnvironmentError` naming what to use instead.
 */
import { UnsupportedEnvironmentError } from './errors.js';
import type { ArtifactManifest } from './io/artifacts.js';
import type { GeneratorState } from './io/jsonState.js';
import type { workerEntry } from './node/workerEntry.js';

export interface NodeSupport {
  directoryIterator(): Promise<typeof import('./node/DirectoryIterator.js')>;
  dataFrameIterator(): Promise<typeof import('./node/DataFrameIterator.js')>;
  /** A generator saved as a directory (io/generatorFiles.ts). */
  manifestFile: string;
  writeGeneratorFiles(dir: string, manifest: ArtifactManifest, weights: Uint8Array): Promise<void>;
  readGeneratorFiles(dir: string): Promise<GeneratorState>;
  /** 8-bit HWC pixels (1 to 4 channels) as PNG or JPEG bytes, for `saveToDir`. */
  encodeImage(pixels: Uint8Array, height: number, width: number, channels: number, format: 'png' | 'jpeg' | 'jpg'): Uint8Array;
  /** Imports a tfjs backend package by name (it registers its backend). */
  importPackage(name: string): Promise<unknown>;
  /** Where a worker thread module starts (node/workerEntry.ts: its `new URL(..., import.meta.url)` stays out of page bundles). */
  workerEntry: typeof workerEntry;
}

let installed: NodeSupport | undefined;

export function installNodeSupport(support: NodeSupport): void {
  installed = support;
}

/** True when the Node entry was loaded (false in the browser build). */
export const hasNodeSupport = (): boolean => installed !== undefined;

/** The Node-only functions, or undefined in the browser build. */
export const nodeSupport = (): NodeSupport | undefined => installed;

/** The Node-only functions, or `UnsupportedEnvironmentError` for `call` with the advice `instead`. */
export function requireNode(call: string, instead: string): NodeSupport {
  if (installed === undefined) throw new UnsupportedEnvironmentError(call, instead);
  return installed;
}

/** What to use instead of each Node-only call, in the error's words. */
export const INSTEAD = {
  files: 'In a page, decode images yourself (e.g. `tf.browser.fromPixels` on an <img> or ImageBitmap) and pass them to `flow()` or `fit()`, which also take an (async) iterable of batches.',
  save: 'In a page, pass a tf.io URL such as `indexeddb://name`, `localstorage://name` or `downloads://name`, or a tf.io handler.',
  load: 'In a page, pass a tf.io URL such as `indexeddb://name`, `localstorage://name` or an http(s) URL of a saved manifest, or a tf.io handler (e.g. `tf.io.browserFiles`).',
  npy: 'In a page, fetch the .npy file and pass its bytes (an ArrayBuffer or Uint8Array).',
  saveToDir: 'In a page, leave `saveToDir` unset and draw the batches yourself (e.g. `tf.browser.toPixels` onto a canvas).',
} as const;
